// Wire JSON of the api/ types: golden fixtures from real apiservers, Go's omitempty and
// escaping rules, error paths, malformed input, and seeded property-style round trips.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include <rapidjson/document.h>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/api/json.h"
#include "kubeevents/api/meta/v1/status.h"
#include "kubeevents/api/meta/v1/watch_event.h"

namespace kube::api {
namespace {

using namespace std::chrono_literals;

std::string ReadTestData(const std::string& name) {
  std::ifstream in(std::string(KUBEEVENTS_TEST_DATA_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Removes members whose value is "" (Go's omitempty drops them; kubectl's unstructured
// printer keeps some), recursively, so two documents can be compared as JSON values.
void DropEmptyStrings(rapidjson::Value& v) {
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd();) {
      if (it->value.IsString() && it->value.GetStringLength() == 0) {
        it = v.EraseMember(it);
      } else {
        DropEmptyStrings(it->value);
        ++it;
      }
    }
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) DropEmptyStrings(e);
  }
}

bool EquivalentJson(const std::string& a, const std::string& b) {
  rapidjson::Document da, db;
  da.Parse(a.data(), a.size());
  db.Parse(b.data(), b.size());
  if (da.HasParseError() || db.HasParseError()) return false;
  DropEmptyStrings(da);
  DropEmptyStrings(db);
  return da == db;  // object member order does not matter
}

meta::v1::TimePoint At(std::int64_t unix_seconds, std::int64_t micros = 0) {
  return meta::v1::TimePoint(std::chrono::seconds(unix_seconds) +
                             std::chrono::microseconds(micros));
}

TEST(CodecTest, KubectlEventListFixtureDecodes) {
  const std::string json = ReadTestData("kubectl_get_event.json");
  auto list = FromJson<core::v1::EventList>(json);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->type_meta.kind, "List");
  ASSERT_EQ(list->items.size(), 1u);
  const auto& e = list->items[0];
  EXPECT_EQ(e.count, 2416);
  EXPECT_EQ(e.type, "Warning");
  EXPECT_EQ(e.reason, "PortAlreadyAllocated");
  EXPECT_EQ(e.source.component, "portallocator-repair-controller");
  EXPECT_EQ(e.source.host, "");
  EXPECT_EQ(e.involved_object.kind, "Service");
  EXPECT_EQ(e.involved_object.uid, "96117aad-4f24-11ea-a87c-00163e04f1e0");
  EXPECT_EQ(e.involved_object.resource_version, "264028180");
  EXPECT_EQ(e.metadata.name, "my-sb-svc.15f344468d77364d");
  EXPECT_EQ(e.metadata.self_link, "/api/v1/namespaces/test/events/my-sb-svc.15f344468d77364d");
  EXPECT_TRUE(e.event_time.IsZero());
  EXPECT_EQ(e.first_timestamp.ToString(), "2020-02-14T12:22:43Z");
  EXPECT_EQ(e.last_timestamp.ToString(), "2020-02-19T13:08:25Z");
  EXPECT_EQ(e.reporting_controller, "");
}

TEST(CodecTest, KubectlEventListFixtureReencodesToEquivalentJson) {
  const std::string json = ReadTestData("kubectl_get_event.json");
  auto list = FromJson<core::v1::EventList>(json);
  ASSERT_TRUE(list.ok()) << list.status();
  const std::string again = ToJson(*list);
  EXPECT_TRUE(EquivalentJson(json, again)) << again;
  // Re-decoding the re-encoded text gives the same object: the round trip is stable.
  auto list2 = FromJson<core::v1::EventList>(again);
  ASSERT_TRUE(list2.ok());
  EXPECT_EQ(*list, *list2);
  EXPECT_EQ(ToJson(*list2), again);
}

TEST(CodecTest, EventsV1SeriesFixtureRoundTripsByteForByte) {
  // The apiserver writes Go struct order, which is also our order: bytes must match.
  const std::string json = ReadTestData("events_v1_series.json");
  auto e = FromJson<events::v1::Event>(json);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->series.has_value());
  EXPECT_EQ(e->series->count, 14);
  EXPECT_EQ(e->series->last_observed_time.ToString(), "2024-05-01T10:05:03.654321Z");
  EXPECT_EQ(e->event_time.ToString(), "2024-05-01T10:00:03.123456Z");
  EXPECT_EQ(e->reporting_controller, "default-scheduler");
  EXPECT_EQ(e->regarding.name, "nginx-7c5ddbdf54-x2v9k");
  EXPECT_FALSE(e->related.has_value());
  ASSERT_EQ(e->metadata.unknown_fields.size(), 1u);
  EXPECT_EQ(e->metadata.unknown_fields[0].first, "managedFields");
  EXPECT_EQ(ToJson(*e), json);
}

TEST(CodecTest, CoreEventAsTheRecorderSendsIt) {
  core::v1::Event e;
  e.metadata.name = "web-0.17cb4d1b6e5a2f80";
  e.metadata.namespace_ = "prod";
  e.involved_object = {"Pod", "prod", "web-0", "uid-1", "v1", "42", ""};
  e.reason = "Started";
  e.message = "Started container app";
  e.source = {"kubelet", "node-1"};
  e.first_timestamp = meta::v1::Time(At(1714557603, 999999));
  e.last_timestamp = e.first_timestamp;
  e.count = 1;
  e.type = "Normal";
  e.reporting_controller = "kubelet";
  e.reporting_instance = "node-1";
  EXPECT_EQ(ToJson(e),
            R"({"kind":"Event","apiVersion":"v1","metadata":{"name":"web-0.17cb4d1b6e5a2f80",)"
            R"("namespace":"prod","creationTimestamp":null},"involvedObject":{"kind":"Pod",)"
            R"("namespace":"prod","name":"web-0","uid":"uid-1","apiVersion":"v1",)"
            R"("resourceVersion":"42"},"reason":"Started","message":"Started container app",)"
            R"("source":{"component":"kubelet","host":"node-1"},)"
            R"("firstTimestamp":"2024-05-01T10:00:03Z","lastTimestamp":"2024-05-01T10:00:03Z",)"
            R"("count":1,"type":"Normal","eventTime":null,"reportingComponent":"kubelet",)"
            R"("reportingInstance":"node-1"})");
}

TEST(CodecTest, ZeroValuesFollowGoOmitEmpty) {
  core::v1::Event e;
  e.type_meta = {};
  EXPECT_EQ(ToJson(e), R"({"metadata":{"creationTimestamp":null},"involvedObject":{},"source":{},)"
                       R"("firstTimestamp":null,"lastTimestamp":null,"eventTime":null,)"
                       R"("reportingComponent":"","reportingInstance":""})");
  events::v1::Event n;
  n.type_meta = {};
  EXPECT_EQ(ToJson(n), R"({"metadata":{"creationTimestamp":null},"eventTime":null,"regarding":{},)"
                       R"("deprecatedSource":{},"deprecatedFirstTimestamp":null,)"
                       R"("deprecatedLastTimestamp":null})");
}

TEST(CodecTest, SeriesAndRelatedAreEncodedWhenPresent) {
  events::v1::Event n;
  n.type_meta = {};
  n.series = events::v1::EventSeries{2, meta::v1::MicroTime(At(1714557603, 5))};
  n.related = core::v1::ObjectReference{"Node", "", "n1", "", "v1", "", ""};
  const std::string json = ToJson(n);
  EXPECT_NE(json.find(R"("series":{"count":2,"lastObservedTime":"2024-05-01T10:00:03.000005Z"})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("related":{"kind":"Node","name":"n1","apiVersion":"v1"})"),
            std::string::npos)
      << json;
}

TEST(CodecTest, StringsAreEscapedLikeGo) {
  core::v1::ObjectReference r;
  r.name = "a<b>&\"c\\\n\t\x01 \xe2\x80\xa8 \xff end \xc3\xa9";
  EXPECT_EQ(ToJson(r), R"({"name":"a\u003cb\u003e\u0026\"c\\\n\t\u0001 \u2028 \ufffd end )"
                       "\xc3\xa9"
                       R"("})");
}

// Map keys take the same escaping as values, and commas and colons land around them alike
// whether a key is plain (written in one piece) or needs escaping.
// The in-place parse scans strings and whitespace 16 bytes at a time up to the aligned block
// holding the terminating NUL (RAPIDJSON_SSE2): under AddressSanitizer, any read past the
// buffer's allocation fails this test. Every string length and alignment up to three blocks,
// escapes included, decodes to what was encoded.
TEST(CodecTest, InPlaceParsesOfEveryLengthDecodeWhatWasEncoded) {
  for (std::size_t length = 0; length <= 48; ++length) {
    for (const char* filler : {"n", "\\", "\"", " "}) {
      core::v1::ObjectReference r;
      for (std::size_t i = 0; i < length; ++i) r.name += i % 5 == 4 ? filler : "x";
      r.kind = std::string(length % 17, 'k');
      const std::string json = ToJson(r);
      auto back = FromJson<core::v1::ObjectReference>(json);
      ASSERT_TRUE(back.ok()) << json << ": " << back.status().message();
      EXPECT_EQ(back->name, r.name) << json;
      EXPECT_EQ(back->kind, r.kind) << json;
      // And with whitespace of every length around the member.
      if (r.name.empty()) continue;
      core::v1::ObjectReference only_name;
      only_name.name = r.name;
      const std::string member = ToJson(only_name);  // {"name":"..."}
      const std::string value = member.substr(8, member.size() - 9);
      const std::string spaced = "{" + std::string(length, ' ') + "\"name\"" +
                                 std::string(length % 19, '\n') + ":" + value +
                                 std::string(length % 23, '\t') + "}";
      auto spaced_back = FromJson<core::v1::ObjectReference>(spaced);
      ASSERT_TRUE(spaced_back.ok()) << spaced << ": " << spaced_back.status().message();
      EXPECT_EQ(spaced_back->name, r.name) << spaced;
    }
  }
}

// A raw NUL byte is never JSON. RapidJSON alone takes it for the end of the input; every
// decoder rejects it instead, naming where it is, whatever precedes or follows it.
TEST(CodecTest, ANulByteIsAnErrorNotTheEndOfTheInput) {
  using namespace std::string_literals;
  const std::string object = R"({"kind":"Pod","name":"a"})";
  for (const std::string& json :
       {object + "\0"s, object + "\0{}"s, R"({"name":"a)"s + "\0"s + R"("})"}) {
    auto r = FromJson<core::v1::ObjectReference>(json);
    ASSERT_FALSE(r.ok()) << json.size();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "malformed JSON at offset " + std::to_string(json.find('\0')) +
                                        ": a NUL byte, which JSON does not allow");
  }
  auto w = FromJson<meta::v1::WatchEvent>(R"({"type":"ADDED","object":{}})"s + "\0junk"s);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("a NUL byte"), std::string::npos) << w.status().message();
}

TEST(CodecTest, MapKeysAreEscapedLikeValues) {
  core::v1::Event e;
  e.metadata.labels = {{"app", "web"}, {"a<b", "x"}, {"\xc3\xa9\n", "y"}, {"z", ""}};
  const std::string json = ToJson(e);
  EXPECT_NE(json.find(R"("labels":{"a\u003cb":"x","app":"web","z":"",")"
                      "\xc3\xa9"
                      R"(\n":"y"})"),
            std::string::npos)
      << json;
  auto back = FromJson<core::v1::Event>(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->metadata.labels, e.metadata.labels);
}

// Go's escape of one byte on its own: the bytes a string is copied through verbatim, the
// short escapes, \u00XX for other control bytes and < > &, U+FFFD for a lone byte >= 0x80
// (never valid UTF-8 by itself).
std::string GoEscapedByte(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      break;
  }
  if (c >= 0x80) return "\\ufffd";
  if (c < 0x20 || c == '<' || c == '>' || c == '&') {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    return buf;
  }
  return std::string(1, static_cast<char>(c));
}

// Plain runs are found sixteen bytes at a time, the last block overlapping the one before:
// every byte value, at every position of strings shorter than, equal to and longer than one
// or two blocks, must still be caught and escaped.
TEST(CodecTest, EveryByteIsEscapedAtEveryPosition) {
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (std::size_t length : {1, 7, 15, 16, 17, 30, 31, 32, 33, 47, 48, 49}) {
    const std::string filler = alphabet.substr(0, length);
    for (int c = 0; c < 256; ++c) {
      for (std::size_t pos = 0; pos < filler.size(); ++pos) {
        core::v1::ObjectReference r;
        r.name = filler;
        r.name[pos] = static_cast<char>(c);
        const std::string want = R"({"name":")" + filler.substr(0, pos) +
                                 GoEscapedByte(static_cast<unsigned char>(c)) +
                                 filler.substr(pos + 1) + R"("})";
        ASSERT_EQ(ToJson(r), want) << "byte " << c << " at " << pos << " of " << length;
      }
    }
  }
}

// After an escape the scan resumes mid-string: a second special byte anywhere after the
// first (in the same block, the next one, or the overlapping last one) is escaped too.
TEST(CodecTest, EscapesAfterAnEscapeAreFoundToo) {
  const std::string filler(40, 'x');
  for (std::size_t first = 0; first < filler.size(); ++first) {
    for (std::size_t second = first + 1; second < filler.size(); ++second) {
      core::v1::ObjectReference r;
      r.name = filler;
      r.name[first] = '<';
      r.name[second] = '"';
      const std::string want = R"({"name":")" + filler.substr(0, first) + "\\u003c" +
                               filler.substr(first + 1, second - first - 1) + "\\\"" +
                               filler.substr(second + 1) + R"("})";
      ASSERT_EQ(ToJson(r), want) << "escapes at " << first << " and " << second;
    }
  }
}

TEST(CodecTest, WrongTypesNameTheJsonPath) {
  auto e = FromJson<core::v1::Event>(R"({"involvedObject":{"uid":5}})");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(e.status().message(), "involvedObject.uid: expected string, got number");

  auto l = FromJson<core::v1::EventList>(R"({"items":[{},{"count":"3"}]})");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().message(), "items[1].count: expected integer, got string");

  auto t = FromJson<core::v1::Event>(R"({"metadata":{"creationTimestamp":"yesterday"}})");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("metadata.creationTimestamp: invalid RFC 3339 time"),
            std::string::npos)
      << t.status();

  auto big = FromJson<core::v1::Event>(R"({"count":4294967296})");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(), "count: integer 4294967296 out of range");

  auto labels = FromJson<core::v1::Event>(R"({"metadata":{"labels":{"a":1}}})");
  ASSERT_FALSE(labels.ok());
  EXPECT_EQ(labels.status().message(), "metadata.labels.a: expected string, got number");
}

TEST(CodecTest, NullAndUnknownFieldsAreTolerated) {
  auto e = FromJson<core::v1::Event>(
      R"({"reason":null,"series":null,"related":null,"source":null,"newField":{"x":[1,2]},)"
      R"("metadata":{"name":"x","finalizers":["a"],"deletionGracePeriodSeconds":30}})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->reason, "");
  EXPECT_FALSE(e->series.has_value());
  EXPECT_EQ(e->metadata.name, "x");
  ASSERT_EQ(e->metadata.unknown_fields.size(), 2u);
  EXPECT_EQ(e->metadata.unknown_fields[0].second, R"(["a"])");
  EXPECT_EQ(e->metadata.unknown_fields[1].second, "30");
}

TEST(CodecTest, MalformedInputIsAnErrorNotACrash) {
  const std::string full = ReadTestData("kubectl_get_event.json");
  for (std::size_t cut = 0; cut < full.size(); cut += 7) {
    auto r = FromJson<core::v1::EventList>(full.substr(0, cut));
    EXPECT_FALSE(r.ok()) << "prefix of length " << cut << " was accepted";
  }
  EXPECT_FALSE(FromJson<core::v1::Event>("[]").ok());
  EXPECT_FALSE(FromJson<core::v1::Event>("\"x\"").ok());
  EXPECT_FALSE(FromJson<core::v1::Event>("{} trailing").ok());
  EXPECT_FALSE(FromJson<core::v1::Event>("").ok());

  // Deep nesting: rejected with a clear error, without recursion.
  const std::string deep = "{\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto d = FromJson<core::v1::Event>(deep);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("nested deeper than"), std::string::npos);
  const std::string unclosed(200000, '{');
  EXPECT_FALSE(FromJson<core::v1::Event>(unclosed).ok());

  // Huge strings are data, not errors.
  const std::string huge(8 << 20, 'm');
  auto h = FromJson<core::v1::Event>(R"({"message":")" + huge + R"("})");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->message.size(), huge.size());
}

TEST(CodecTest, StatusBodyDecodesWithCauses) {
  auto st = FromJson<meta::v1::Status>(ReadTestData("status_invalid.json"));
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->code, 422);
  EXPECT_EQ(st->reason, "Invalid");
  ASSERT_TRUE(st->has_details);
  ASSERT_EQ(st->details.causes.size(), 2u);
  EXPECT_EQ(st->details.causes[0].type, "FieldValueRequired");
  EXPECT_EQ(st->details.causes[0].field, "reportingController");
  EXPECT_EQ(ToJson(*st), ReadTestData("status_invalid.json"));
}

TEST(CodecTest, WatchEventKeepsTheRawObject) {
  auto w = FromJson<meta::v1::WatchEvent>(
      R"({"type":"ADDED","object":{"kind":"Event","apiVersion":"v1","metadata":{"name":"a"}}})");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->type, "ADDED");
  auto e = FromJson<core::v1::Event>(w->object);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->metadata.name, "a");
  EXPECT_EQ(
      ToJson(*w),
      R"({"type":"ADDED","object":{"kind":"Event","apiVersion":"v1","metadata":{"name":"a"}}})");
}

TEST(CodecTest, WatchEventObjectIsTheExactTextSent) {
  // Whitespace, key order and escapes inside the object survive: it is copied, not re-encoded.
  const std::string object = "{ \"metadata\" : {\"name\":\"a\\u0041\"},\n \"kind\":\"Event\" }";
  auto w = FromJson<meta::v1::WatchEvent>("{\"object\": " + object +
                                          " , \"extra\":[1,{\"type\":7}],\"type\":\"MODIFIED\"}");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->type, "MODIFIED");
  EXPECT_EQ(w->object, object);
  auto e = FromJson<core::v1::Event>(w->object);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->metadata.name, "aA");
}

TEST(CodecTest, WatchEventWithNullOrMissingObjectHasAnEmptyObject) {
  auto null_object = FromJson<meta::v1::WatchEvent>(R"({"type":"BOOKMARK","object":null})");
  ASSERT_TRUE(null_object.ok()) << null_object.status();
  EXPECT_EQ(null_object->type, "BOOKMARK");
  EXPECT_TRUE(null_object->object.empty());
  auto missing = FromJson<meta::v1::WatchEvent>(R"({"type":null})");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_TRUE(missing->type.empty());
  EXPECT_TRUE(missing->object.empty());
}

TEST(CodecTest, MalformedWatchEventsAreRejectedNamingTheProblem) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"type":"ADDED","object":"x"})", "object: expected object, got string"},
      {R"({"type":"ADDED","object":[1]})", "object: expected object, got array"},
      {R"({"type":3,"object":{}})", "type: expected string, got number"},
      {R"({"type":{"a":1},"object":{}})", "type: expected string, got object"},
      {R"([{"type":"ADDED"}])", "expected a JSON object at the top level"},
      {R"("ADDED")", "expected a JSON object at the top level"},
      {R"({"type":"ADDED","object":{}} x)", "malformed JSON at offset 29"},
      {R"({"type":"ADDED","object":{"a":})", "malformed JSON at offset"},
      {std::string(300, '[') + std::string(300, ']'), "expected a JSON object at the top level"},
      {"{\"object\":" + std::string(300, '[') + std::string(300, ']') + "}",
       "nested deeper than 256 levels"},
  };
  for (const auto& [json, message] : cases) {
    auto w = FromJson<meta::v1::WatchEvent>(json);
    ASSERT_FALSE(w.ok()) << json;
    EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_NE(w.status().message().find(message), std::string::npos)
        << json << " -> " << w.status().message();
  }
}

// ---------------------------------------------------------------- property-style round trips

class RandomEvents {
 public:
  explicit RandomEvents(unsigned seed) : rng_(seed) {}

  std::string Str() {
    static const std::vector<std::string> pieces = {"a",
                                                    "Z",
                                                    "0",
                                                    "-",
                                                    ".",
                                                    " ",
                                                    "<",
                                                    ">",
                                                    "&",
                                                    "\"",
                                                    "\\",
                                                    "\n",
                                                    "\t",
                                                    "\x01",
                                                    "\xc3\xa9",
                                                    "\xe2\x80\xa8",
                                                    "\xf0\x9f\x98\x80",
                                                    "/",
                                                    "%d",
                                                    "{}"};
    std::uniform_int_distribution<int> len(0, 12);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::string s;
    for (int i = len(rng_); i > 0; --i) s += pieces[pick(rng_)];
    return s;
  }
  bool Coin() { return std::uniform_int_distribution<int>(0, 1)(rng_) == 1; }
  std::int32_t Int() { return std::uniform_int_distribution<std::int32_t>(-5, 100000)(rng_); }
  meta::v1::TimePoint Time() {
    return At(std::uniform_int_distribution<std::int64_t>(0, 4'000'000'000)(rng_),
              std::uniform_int_distribution<std::int64_t>(0, 999'999)(rng_));
  }
  core::v1::ObjectReference Ref() { return {Str(), Str(), Str(), Str(), Str(), Str(), Str()}; }
  meta::v1::ObjectMeta Meta() {
    meta::v1::ObjectMeta m;
    m.name = Str();
    m.generate_name = Str();
    m.namespace_ = Str();
    m.uid = Str();
    m.resource_version = Str();
    m.generation = Int();
    if (Coin()) m.creation_timestamp = meta::v1::Time(SecondsOnly(Time()));
    if (Coin()) m.deletion_timestamp = meta::v1::Time(SecondsOnly(Time()));
    if (Coin()) m.labels[Str()] = Str();
    if (Coin()) m.annotations[Str()] = Str();
    return m;
  }
  static meta::v1::TimePoint SecondsOnly(meta::v1::TimePoint t) {
    return std::chrono::floor<std::chrono::seconds>(t);
  }
  static meta::v1::TimePoint MicrosOnly(meta::v1::TimePoint t) {
    return std::chrono::floor<std::chrono::microseconds>(t);
  }
  core::v1::Event Core() {
    core::v1::Event e;
    e.metadata = Meta();
    e.involved_object = Ref();
    e.reason = Str();
    e.message = Str();
    e.source = {Str(), Str()};
    if (Coin()) e.first_timestamp = meta::v1::Time(SecondsOnly(Time()));
    if (Coin()) e.last_timestamp = meta::v1::Time(SecondsOnly(Time()));
    e.count = Int();
    e.type = Str();
    if (Coin()) e.event_time = meta::v1::MicroTime(MicrosOnly(Time()));
    if (Coin()) e.series = core::v1::EventSeries{Int(), meta::v1::MicroTime(MicrosOnly(Time()))};
    e.action = Str();
    if (Coin()) e.related = Ref();
    e.reporting_controller = Str();
    e.reporting_instance = Str();
    return e;
  }
  events::v1::Event New() {
    events::v1::Event e;
    e.metadata = Meta();
    if (Coin()) e.event_time = meta::v1::MicroTime(MicrosOnly(Time()));
    if (Coin()) e.series = events::v1::EventSeries{Int(), meta::v1::MicroTime(MicrosOnly(Time()))};
    e.reporting_controller = Str();
    e.reporting_instance = Str();
    e.action = Str();
    e.reason = Str();
    e.regarding = Ref();
    if (Coin()) e.related = Ref();
    e.note = Str();
    e.type = Str();
    e.deprecated_source = {Str(), Str()};
    if (Coin()) e.deprecated_first_timestamp = meta::v1::Time(SecondsOnly(Time()));
    if (Coin()) e.deprecated_last_timestamp = meta::v1::Time(SecondsOnly(Time()));
    e.deprecated_count = Int();
    return e;
  }

 private:
  std::mt19937 rng_;
};

TEST(CodecPropertyTest, CoreEventsRoundTrip) {
  RandomEvents gen(20261126);
  for (int i = 0; i < 2000; ++i) {
    const core::v1::Event e = gen.Core();
    const std::string json = ToJson(e);
    auto back = FromJson<core::v1::Event>(json);
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << json;
    // Invalid UTF-8 cannot survive (Go replaces it too); the generator emits valid UTF-8.
    EXPECT_EQ(*back, e) << json;
    EXPECT_EQ(ToJson(*back), json);
  }
}

TEST(CodecPropertyTest, EventsV1RoundTrip) {
  RandomEvents gen(7);
  for (int i = 0; i < 2000; ++i) {
    const events::v1::Event e = gen.New();
    const std::string json = ToJson(e);
    auto back = FromJson<events::v1::Event>(json);
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << json;
    EXPECT_EQ(*back, e) << json;
    EXPECT_EQ(ToJson(*back), json);
  }
}

}  // namespace
}  // namespace kube::api

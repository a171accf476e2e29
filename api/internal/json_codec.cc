#include "kubeevents/api/internal/json_codec.h"

#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <rapidjson/error/en.h>

#include "kubeevents/api/json.h"

namespace kube::api::internal {

using rapidjson::Value;

#define KUBE_RETURN_IF_ERROR(expr) \
  do {                             \
    ::kube::Status _st = (expr);   \
    if (!_st.ok()) return _st;     \
  } while (0)

std::string JsonPath::ToString() const {
  std::vector<const JsonPath*> chain;
  for (const JsonPath* p = this; p != nullptr; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const JsonPath* p = *it;
    if (p->index >= 0) {
      out += '[';
      out += std::to_string(p->index);
      out += ']';
    } else if (!p->key.empty()) {
      if (!out.empty()) out += '.';
      out += p->key;
    }
  }
  return out.empty() ? std::string("<root>") : out;
}

namespace {

// RapidJSON's value types by rapidjson::Type, as the error messages name them.
constexpr const char* kTypeNames[] = {"null",  "false",  "true",  "object",
                                      "array", "string", "number"};

Status TypeError(const JsonPath& p, const char* expected, const Value& got) {
  return InvalidArgumentError(p.ToString() + ": expected " + expected + ", got " +
                              kTypeNames[got.GetType()]);
}

// Walks the document with an explicit stack and rejects excessive nesting.
Status CheckDepth(const Value& root) {
  std::vector<std::pair<const Value*, int>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxJsonDepth) {
      return InvalidArgumentError("JSON is nested deeper than " + std::to_string(kMaxJsonDepth) +
                                  " levels");
    }
    if (v->IsObject()) {
      for (const auto& m : v->GetObject()) stack.emplace_back(&m.value, depth + 1);
    } else if (v->IsArray()) {
      for (const auto& e : v->GetArray()) stack.emplace_back(&e, depth + 1);
    }
  }
  return {};
}

template <typename F>
Status ForEachMember(const Value& v, const JsonPath& p, F&& f) {
  if (v.IsNull()) return {};
  if (!v.IsObject()) return TypeError(p, "object", v);
  for (const auto& m : v.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    JsonPath child{&p, key};
    KUBE_RETURN_IF_ERROR(f(key, m.value, child));
  }
  return {};
}

Status ReadString(const Value& v, const JsonPath& p, std::string& out) {
  if (v.IsNull()) {
    out.clear();
    return {};
  }
  if (!v.IsString()) return TypeError(p, "string", v);
  out.assign(v.GetString(), v.GetStringLength());
  return {};
}

template <typename Int>
Status ReadInt(const Value& v, const JsonPath& p, Int& out) {
  if (v.IsNull()) {
    out = 0;
    return {};
  }
  if (!v.IsNumber()) return TypeError(p, "integer", v);
  if (v.IsInt64()) {
    const std::int64_t x = v.GetInt64();
    if (x < std::numeric_limits<Int>::min() || x > std::numeric_limits<Int>::max()) {
      return InvalidArgumentError(p.ToString() + ": integer " + std::to_string(x) +
                                  " out of range");
    }
    out = static_cast<Int>(x);
    return {};
  }
  if (v.IsUint64()) return InvalidArgumentError(p.ToString() + ": integer out of range");
  return InvalidArgumentError(p.ToString() + ": expected integer, got a fractional number");
}

template <typename T>
Status ReadTimeLike(const Value& v, const JsonPath& p, T& out) {
  if (v.IsNull()) {
    out = T();
    return {};
  }
  if (!v.IsString()) return TypeError(p, "RFC 3339 time string", v);
  auto t = T::Parse(std::string_view(v.GetString(), v.GetStringLength()));
  if (!t) return InvalidArgumentError(p.ToString() + ": " + t.status().message());
  out = *t;
  return {};
}

Status ReadStringMap(const Value& v, const JsonPath& p, std::map<std::string, std::string>& out) {
  out.clear();
  return ForEachMember(v, p, [&](std::string_view key, const Value& val, const JsonPath& c) {
    std::string s;
    KUBE_RETURN_IF_ERROR(ReadString(val, c, s));
    out[std::string(key)] = std::move(s);
    return Status();
  });
}

template <typename T>
Status ReadOptional(const Value& v, const JsonPath& p, std::optional<T>& out) {
  if (v.IsNull()) {
    out.reset();
    return {};
  }
  T tmp{};
  KUBE_RETURN_IF_ERROR(Read(v, p, tmp));
  out = std::move(tmp);
  return {};
}

template <typename T>
Status ReadItems(const Value& v, const JsonPath& p, std::vector<T>& out) {
  out.clear();
  if (v.IsNull()) return {};
  if (!v.IsArray()) return TypeError(p, "array", v);
  out.reserve(v.Size());
  long i = 0;
  for (const auto& e : v.GetArray()) {
    JsonPath c{&p, {}, i++};
    KUBE_RETURN_IF_ERROR(Read(e, c, out.emplace_back()));  // read in place, not moved in
  }
  return {};
}

// Reads a top-level object into a default-constructed `out` (resetting one would move a whole
// new object into it: about a thousand instructions for an Event): clears the type's default
// apiVersion/kind, handles apiVersion/kind/metadata, and passes every other member to
// `field(key, value, path)`.
template <typename T, typename F>
Status ReadObject(const Value& v, const JsonPath& p, T& out, F&& field) {
  out.type_meta = {};
  return ForEachMember(v, p, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "apiVersion") return ReadString(val, c, out.type_meta.api_version);
    if (key == "kind") return ReadString(val, c, out.type_meta.kind);
    if (key == "metadata") return Read(val, c, out.metadata);
    return field(key, val, c);
  });
}

void WriteTime(JsonWriter& w, const meta::v1::Time& t) {
  if (t.IsZero()) {
    w.Null();
  } else {
    w.StringWith([&](std::string& out) { meta::v1::AppendRFC3339(out, t.time(), 0); });
  }
}
void WriteTime(JsonWriter& w, const meta::v1::MicroTime& t) {
  if (t.IsZero()) {
    w.Null();
  } else {
    w.StringWith([&](std::string& out) { meta::v1::AppendRFC3339(out, t.time(), 6); });
  }
}

void WriteOmitEmpty(JsonWriter& w, std::string_view key, const std::string& value) {
  if (value.empty()) return;
  w.Key(key);
  w.String(value);
}

void WriteTypeMeta(JsonWriter& w, const meta::v1::TypeMeta& tm) {
  WriteOmitEmpty(w, "kind", tm.kind);
  WriteOmitEmpty(w, "apiVersion", tm.api_version);
}

void WriteStringMap(JsonWriter& w, std::string_view key,
                    const std::map<std::string, std::string>& m) {
  if (m.empty()) return;
  w.Key(key);
  w.StartObject();
  for (const auto& [k, v] : m) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
}

// A list kind (EventList, LeaseList): type meta, list metadata and its items, written and read
// the same way for every item type.
template <typename List>
void WriteList(JsonWriter& w, const List& l) {
  w.StartObject();
  WriteTypeMeta(w, l.type_meta);
  w.Key("metadata");
  Write(w, l.metadata);
  w.Key("items");
  w.StartArray();
  for (const auto& e : l.items) Write(w, e);
  w.EndArray();
  w.EndObject();
}

template <typename List>
Status ReadList(const Value& v, const JsonPath& p, List& out) {
  return ReadObject(v, p, out, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "items") return ReadItems(val, c, out.items);
    return Status();
  });
}

}  // namespace

namespace {

// What both parses check afterwards: the syntax error, if any, then the depth.
StatusOr<rapidjson::Document> Checked(rapidjson::Document doc) {
  if (doc.HasParseError()) {
    return InvalidArgumentError(std::string("malformed JSON at offset ") +
                                std::to_string(doc.GetErrorOffset()) + ": " +
                                rapidjson::GetParseError_En(doc.GetParseError()));
  }
  KUBE_RETURN_IF_ERROR(CheckDepth(doc));
  return doc;
}

}  // namespace

Status CheckNoNulByte(std::string_view json) {
  const std::size_t at = json.find('\0');
  if (at == std::string_view::npos) return Status();
  return InvalidArgumentError("malformed JSON at offset " + std::to_string(at) +
                              ": a NUL byte, which JSON does not allow");
}

StatusOr<rapidjson::Document> ParseDocument(std::string_view json) {
  KUBE_RETURN_IF_ERROR(CheckNoNulByte(json));
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  return Checked(std::move(doc));
}

StatusOr<rapidjson::Document> ParseDocumentInsitu(std::string& buffer) {
  // With RAPIDJSON_SSE2 the scan loads aligned 16-byte blocks up to the one that holds the
  // terminating NUL: keep them inside the buffer's own allocation.
  KUBE_RETURN_IF_ERROR(CheckNoNulByte(buffer));
  if (buffer.capacity() < buffer.size() + kInsituPadding)
    buffer.reserve(buffer.size() + kInsituPadding);
  rapidjson::Document doc;
  doc.ParseInsitu<rapidjson::kParseIterativeFlag>(buffer.data());
  return Checked(std::move(doc));
}

StatusOr<rapidjson::Document> ParseDocumentCopy(std::string_view json, std::string& buffer) {
  buffer.clear();
  buffer.reserve(json.size() + kInsituPadding);
  buffer.assign(json);
  return ParseDocumentInsitu(buffer);
}

void WriteValue(JsonWriter& w, const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      w.Null();
      break;
    case rapidjson::kFalseType:
      w.Bool(false);
      break;
    case rapidjson::kTrueType:
      w.Bool(true);
      break;
    case rapidjson::kStringType:
      w.String({v.GetString(), v.GetStringLength()});
      break;
    case rapidjson::kNumberType:
      if (v.IsInt64()) {
        w.Int(v.GetInt64());
      } else if (v.IsUint64()) {
        w.Uint(v.GetUint64());
      } else {
        w.Double(v.GetDouble());
      }
      break;
    case rapidjson::kObjectType:
      w.StartObject();
      for (const auto& m : v.GetObject()) {
        w.Key({m.name.GetString(), m.name.GetStringLength()});
        WriteValue(w, m.value);
      }
      w.EndObject();
      break;
    case rapidjson::kArrayType:
      w.StartArray();
      for (const auto& e : v.GetArray()) WriteValue(w, e);
      w.EndArray();
      break;
  }
}

// ---------------------------------------------------------------------------- meta/v1

void Write(JsonWriter& w, const meta::v1::ObjectMeta& m) {
  w.StartObject();
  WriteOmitEmpty(w, "name", m.name);
  WriteOmitEmpty(w, "generateName", m.generate_name);
  WriteOmitEmpty(w, "namespace", m.namespace_);
  WriteOmitEmpty(w, "selfLink", m.self_link);
  WriteOmitEmpty(w, "uid", m.uid);
  WriteOmitEmpty(w, "resourceVersion", m.resource_version);
  if (m.generation != 0) {
    w.Key("generation");
    w.Int(m.generation);
  }
  w.Key("creationTimestamp");
  WriteTime(w, m.creation_timestamp);
  if (m.deletion_timestamp) {
    w.Key("deletionTimestamp");
    WriteTime(w, *m.deletion_timestamp);
  }
  WriteStringMap(w, "labels", m.labels);
  WriteStringMap(w, "annotations", m.annotations);
  for (const auto& [k, raw] : m.unknown_fields) {
    w.Key(k);
    w.Raw(raw);
  }
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, meta::v1::ObjectMeta& out) {
  out = {};
  return ForEachMember(v, p, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "name") return ReadString(val, c, out.name);
    if (key == "generateName") return ReadString(val, c, out.generate_name);
    if (key == "namespace") return ReadString(val, c, out.namespace_);
    if (key == "selfLink") return ReadString(val, c, out.self_link);
    if (key == "uid") return ReadString(val, c, out.uid);
    if (key == "resourceVersion") return ReadString(val, c, out.resource_version);
    if (key == "generation") return ReadInt(val, c, out.generation);
    if (key == "creationTimestamp") return ReadTimeLike(val, c, out.creation_timestamp);
    if (key == "deletionTimestamp") {
      if (val.IsNull()) {
        out.deletion_timestamp.reset();
        return Status();
      }
      meta::v1::Time t;
      KUBE_RETURN_IF_ERROR(ReadTimeLike(val, c, t));
      out.deletion_timestamp = t;
      return Status();
    }
    if (key == "labels") return ReadStringMap(val, c, out.labels);
    if (key == "annotations") return ReadStringMap(val, c, out.annotations);
    std::string raw;
    JsonWriter rw(raw);
    WriteValue(rw, val);
    out.unknown_fields.emplace_back(std::string(key), std::move(raw));
    return Status();
  });
}

void Write(JsonWriter& w, const meta::v1::ListMeta& m) {
  w.StartObject();
  WriteOmitEmpty(w, "selfLink", m.self_link);
  WriteOmitEmpty(w, "resourceVersion", m.resource_version);
  WriteOmitEmpty(w, "continue", m.continue_token);
  if (m.remaining_item_count) {
    w.Key("remainingItemCount");
    w.Int(*m.remaining_item_count);
  }
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, meta::v1::ListMeta& out) {
  out = {};
  return ForEachMember(v, p, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "selfLink") return ReadString(val, c, out.self_link);
    if (key == "resourceVersion") return ReadString(val, c, out.resource_version);
    if (key == "continue") return ReadString(val, c, out.continue_token);
    if (key == "remainingItemCount") {
      if (val.IsNull()) return Status();
      std::int64_t n = 0;
      KUBE_RETURN_IF_ERROR(ReadInt(val, c, n));
      out.remaining_item_count = n;
    }
    return Status();
  });
}

void Write(JsonWriter& w, const meta::v1::Status& s) {
  w.StartObject();
  WriteTypeMeta(w, s.type_meta);
  w.Key("metadata");
  Write(w, s.metadata);
  WriteOmitEmpty(w, "status", s.status);
  WriteOmitEmpty(w, "message", s.message);
  WriteOmitEmpty(w, "reason", s.reason);
  if (s.has_details) {
    const auto& d = s.details;
    w.Key("details");
    w.StartObject();
    WriteOmitEmpty(w, "name", d.name);
    WriteOmitEmpty(w, "group", d.group);
    WriteOmitEmpty(w, "kind", d.kind);
    WriteOmitEmpty(w, "uid", d.uid);
    if (!d.causes.empty()) {
      w.Key("causes");
      w.StartArray();
      for (const auto& cause : d.causes) {
        w.StartObject();
        WriteOmitEmpty(w, "reason", cause.type);
        WriteOmitEmpty(w, "message", cause.message);
        WriteOmitEmpty(w, "field", cause.field);
        w.EndObject();
      }
      w.EndArray();
    }
    if (d.retry_after_seconds != 0) {
      w.Key("retryAfterSeconds");
      w.Int(d.retry_after_seconds);
    }
    w.EndObject();
  }
  if (s.code != 0) {
    w.Key("code");
    w.Int(s.code);
  }
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, meta::v1::Status& out) {
  return ReadObject(v, p, out, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "status") return ReadString(val, c, out.status);
    if (key == "message") return ReadString(val, c, out.message);
    if (key == "reason") return ReadString(val, c, out.reason);
    if (key == "code") return ReadInt(val, c, out.code);
    if (key == "details") {
      if (val.IsNull()) return Status();
      out.has_details = true;
      auto& d = out.details;
      return ForEachMember(val, c, [&](std::string_view k, const Value& dv, const JsonPath& dc) {
        if (k == "name") return ReadString(dv, dc, d.name);
        if (k == "group") return ReadString(dv, dc, d.group);
        if (k == "kind") return ReadString(dv, dc, d.kind);
        if (k == "uid") return ReadString(dv, dc, d.uid);
        if (k == "retryAfterSeconds") return ReadInt(dv, dc, d.retry_after_seconds);
        if (k == "causes") {
          if (dv.IsNull()) return Status();
          if (!dv.IsArray()) return TypeError(dc, "array", dv);
          long i = 0;
          for (const auto& e : dv.GetArray()) {
            JsonPath ec{&dc, {}, i++};
            meta::v1::StatusCause cause;
            KUBE_RETURN_IF_ERROR(
                ForEachMember(e, ec, [&](std::string_view ck, const Value& cv, const JsonPath& cc) {
                  if (ck == "reason") return ReadString(cv, cc, cause.type);
                  if (ck == "message") return ReadString(cv, cc, cause.message);
                  if (ck == "field") return ReadString(cv, cc, cause.field);
                  return Status();
                }));
            d.causes.push_back(std::move(cause));
          }
        }
        return Status();
      });
    }
    return Status();
  });
}

void Write(JsonWriter& w, const meta::v1::WatchEvent& e) {
  w.StartObject();
  w.Key("type");
  w.String(e.type);
  w.Key("object");
  if (e.object.empty()) {
    w.Null();
  } else {
    w.Raw(e.object);
  }
  w.EndObject();
}

namespace {

// SAX handler behind ScanWatchEvent: validates the whole frame, reads the top-level "type"
// and remembers where the top-level "object" value starts and ends in the input, so the
// object is copied as text rather than built as a DOM and re-encoded.
class WatchEventScanner
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, WatchEventScanner> {
 public:
  explicit WatchEventScanner(const rapidjson::MemoryStream& in) : in_(in) {}

  bool Default() { return Value(rapidjson::kNumberType); }
  bool Null() { return Value(rapidjson::kNullType); }
  bool Bool(bool b) { return Value(b ? rapidjson::kTrueType : rapidjson::kFalseType); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1 && member_ == Member::kType) type_.assign(s, n);
    return Value(rapidjson::kStringType);
  }
  bool StartObject() { return Open(rapidjson::kObjectType); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool StartArray() { return Open(rapidjson::kArrayType); }
  bool EndArray(rapidjson::SizeType) { return Close(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ != 1) return true;
    const std::string_view key(s, n);
    member_ = key == "type" ? Member::kType : key == "object" ? Member::kObject : Member::kOther;
    return true;
  }

  /// The first problem found by the handler itself (depth, types); empty when none.
  const std::string& error() const { return error_; }
  const std::string& type() const { return type_; }
  /// [start, end) of the "object" member's value in the input; start == end when the
  /// member is absent or null.
  std::size_t object_start() const { return object_start_; }
  std::size_t object_end() const { return object_end_; }

 private:
  enum class Member { kOther, kType, kObject };

  // A scalar at the current depth.
  bool Value(rapidjson::Type t) {
    if (depth_ == 0) return TopLevelNotObject();
    if (depth_ == 1) return Member1(t);
    return true;
  }
  bool Open(rapidjson::Type t) {
    if (depth_ == 0 && t != rapidjson::kObjectType) return TopLevelNotObject();
    if (++depth_ > kMaxJsonDepth) {
      error_ = "JSON is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    if (depth_ == 2) {
      opened_ = t;
      value_start_ = in_.Tell();  // at the '{' or '[' (taken after this callback)
    }
    return true;
  }
  bool Close() {
    --depth_;
    return depth_ == 1 ? Member1(opened_) : true;
  }
  // A complete value of a top-level member. The iterative parser calls the object and array
  // callbacks on its own stream, before taking the bracket (strings and numbers are read
  // through a local copy, so Tell() is only used for brackets).
  bool Member1(rapidjson::Type t) {
    if (member_ == Member::kType && t != rapidjson::kStringType) {
      if (t == rapidjson::kNullType) {
        type_.clear();
        return true;
      }
      error_ = std::string("type: expected string, got ") + kTypeNames[t];
      return false;
    }
    if (member_ == Member::kObject) {
      if (t == rapidjson::kNullType) {
        object_start_ = object_end_ = 0;
        return true;
      }
      if (t != rapidjson::kObjectType) {
        error_ = std::string("object: expected object, got ") + kTypeNames[t];
        return false;
      }
      object_start_ = value_start_;
      object_end_ = in_.Tell() + 1;  // Tell() is at the closing '}' (taken after this)
    }
    return true;
  }
  bool TopLevelNotObject() {
    error_ = "expected a JSON object at the top level";
    return false;
  }

  const rapidjson::MemoryStream& in_;
  int depth_ = 0;
  Member member_ = Member::kOther;
  rapidjson::Type opened_ = rapidjson::kNullType;
  std::size_t value_start_ = 0;
  std::size_t object_start_ = 0;
  std::size_t object_end_ = 0;
  std::string type_;
  std::string error_;
};

}  // namespace

StatusOr<meta::v1::WatchEvent> ScanWatchEvent(std::string_view json) {
  KUBE_RETURN_IF_ERROR(CheckNoNulByte(json));
  rapidjson::MemoryStream in(json.data(), json.size());
  WatchEventScanner scanner(in);
  rapidjson::Reader reader;
  reader.Parse<rapidjson::kParseIterativeFlag>(in, scanner);
  if (!scanner.error().empty()) return InvalidArgumentError(scanner.error());
  if (reader.HasParseError()) {
    return InvalidArgumentError(std::string("malformed JSON at offset ") +
                                std::to_string(reader.GetErrorOffset()) + ": " +
                                rapidjson::GetParseError_En(reader.GetParseErrorCode()));
  }
  meta::v1::WatchEvent out;
  out.type = scanner.type();
  out.object.assign(
      json.substr(scanner.object_start(), scanner.object_end() - scanner.object_start()));
  return out;
}

// ---------------------------------------------------------------------------- core/v1

void Write(JsonWriter& w, const core::v1::ObjectReference& r) {
  w.StartObject();
  WriteOmitEmpty(w, "kind", r.kind);
  WriteOmitEmpty(w, "namespace", r.namespace_);
  WriteOmitEmpty(w, "name", r.name);
  WriteOmitEmpty(w, "uid", r.uid);
  WriteOmitEmpty(w, "apiVersion", r.api_version);
  WriteOmitEmpty(w, "resourceVersion", r.resource_version);
  WriteOmitEmpty(w, "fieldPath", r.field_path);
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, core::v1::ObjectReference& out) {
  out = {};
  return ForEachMember(v, p, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "kind") return ReadString(val, c, out.kind);
    if (key == "namespace") return ReadString(val, c, out.namespace_);
    if (key == "name") return ReadString(val, c, out.name);
    if (key == "uid") return ReadString(val, c, out.uid);
    if (key == "apiVersion") return ReadString(val, c, out.api_version);
    if (key == "resourceVersion") return ReadString(val, c, out.resource_version);
    if (key == "fieldPath") return ReadString(val, c, out.field_path);
    return Status();
  });
}

void Write(JsonWriter& w, const core::v1::EventSource& s) {
  w.StartObject();
  WriteOmitEmpty(w, "component", s.component);
  WriteOmitEmpty(w, "host", s.host);
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, core::v1::EventSource& out) {
  out = {};
  return ForEachMember(v, p, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "component") return ReadString(val, c, out.component);
    if (key == "host") return ReadString(val, c, out.host);
    return Status();
  });
}

namespace {

template <typename Series>
Status ReadSeries(const Value& v, const JsonPath& p, Series& out) {
  out = {};
  return ForEachMember(v, p, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "count") return ReadInt(val, c, out.count);
    if (key == "lastObservedTime") return ReadTimeLike(val, c, out.last_observed_time);
    return Status();
  });
}

}  // namespace

Status Read(const Value& v, const JsonPath& p, core::v1::EventSeries& out) {
  return ReadSeries(v, p, out);
}
Status Read(const Value& v, const JsonPath& p, events::v1::EventSeries& out) {
  return ReadSeries(v, p, out);
}

void Write(JsonWriter& w, const core::v1::Event& e) {
  w.StartObject();
  WriteTypeMeta(w, e.type_meta);
  w.Key("metadata");
  Write(w, e.metadata);
  w.Key("involvedObject");
  Write(w, e.involved_object);
  WriteOmitEmpty(w, "reason", e.reason);
  WriteOmitEmpty(w, "message", e.message);
  w.Key("source");
  Write(w, e.source);
  w.Key("firstTimestamp");
  WriteTime(w, e.first_timestamp);
  w.Key("lastTimestamp");
  WriteTime(w, e.last_timestamp);
  if (e.count != 0) {
    w.Key("count");
    w.Int(e.count);
  }
  WriteOmitEmpty(w, "type", e.type);
  w.Key("eventTime");
  WriteTime(w, e.event_time);
  if (e.series) {
    w.Key("series");
    w.StartObject();
    if (e.series->count != 0) {
      w.Key("count");
      w.Int(e.series->count);
    }
    w.Key("lastObservedTime");
    WriteTime(w, e.series->last_observed_time);
    w.EndObject();
  }
  WriteOmitEmpty(w, "action", e.action);
  if (e.related) {
    w.Key("related");
    Write(w, *e.related);
  }
  w.Key("reportingComponent");
  w.String(e.reporting_controller);
  w.Key("reportingInstance");
  w.String(e.reporting_instance);
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, core::v1::Event& out) {
  return ReadObject(v, p, out, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "involvedObject") return Read(val, c, out.involved_object);
    if (key == "reason") return ReadString(val, c, out.reason);
    if (key == "message") return ReadString(val, c, out.message);
    if (key == "source") return Read(val, c, out.source);
    if (key == "firstTimestamp") return ReadTimeLike(val, c, out.first_timestamp);
    if (key == "lastTimestamp") return ReadTimeLike(val, c, out.last_timestamp);
    if (key == "count") return ReadInt(val, c, out.count);
    if (key == "type") return ReadString(val, c, out.type);
    if (key == "eventTime") return ReadTimeLike(val, c, out.event_time);
    if (key == "series") return ReadOptional(val, c, out.series);
    if (key == "action") return ReadString(val, c, out.action);
    if (key == "related") return ReadOptional(val, c, out.related);
    if (key == "reportingComponent") return ReadString(val, c, out.reporting_controller);
    if (key == "reportingInstance") return ReadString(val, c, out.reporting_instance);
    return Status();
  });
}

void Write(JsonWriter& w, const core::v1::EventList& l) { WriteList(w, l); }

Status Read(const Value& v, const JsonPath& p, core::v1::EventList& out) {
  return ReadList(v, p, out);
}

// ---------------------------------------------------------------------------- events/v1

void Write(JsonWriter& w, const events::v1::Event& e) {
  w.StartObject();
  WriteTypeMeta(w, e.type_meta);
  w.Key("metadata");
  Write(w, e.metadata);
  w.Key("eventTime");
  WriteTime(w, e.event_time);
  if (e.series) {
    w.Key("series");
    w.StartObject();
    w.Key("count");
    w.Int(e.series->count);
    w.Key("lastObservedTime");
    WriteTime(w, e.series->last_observed_time);
    w.EndObject();
  }
  WriteOmitEmpty(w, "reportingController", e.reporting_controller);
  WriteOmitEmpty(w, "reportingInstance", e.reporting_instance);
  WriteOmitEmpty(w, "action", e.action);
  WriteOmitEmpty(w, "reason", e.reason);
  w.Key("regarding");
  Write(w, e.regarding);
  if (e.related) {
    w.Key("related");
    Write(w, *e.related);
  }
  WriteOmitEmpty(w, "note", e.note);
  WriteOmitEmpty(w, "type", e.type);
  w.Key("deprecatedSource");
  Write(w, e.deprecated_source);
  w.Key("deprecatedFirstTimestamp");
  WriteTime(w, e.deprecated_first_timestamp);
  w.Key("deprecatedLastTimestamp");
  WriteTime(w, e.deprecated_last_timestamp);
  if (e.deprecated_count != 0) {
    w.Key("deprecatedCount");
    w.Int(e.deprecated_count);
  }
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, events::v1::Event& out) {
  return ReadObject(v, p, out, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "eventTime") return ReadTimeLike(val, c, out.event_time);
    if (key == "series") return ReadOptional(val, c, out.series);
    if (key == "reportingController") return ReadString(val, c, out.reporting_controller);
    if (key == "reportingInstance") return ReadString(val, c, out.reporting_instance);
    if (key == "action") return ReadString(val, c, out.action);
    if (key == "reason") return ReadString(val, c, out.reason);
    if (key == "regarding") return Read(val, c, out.regarding);
    if (key == "related") return ReadOptional(val, c, out.related);
    if (key == "note") return ReadString(val, c, out.note);
    if (key == "type") return ReadString(val, c, out.type);
    if (key == "deprecatedSource") return Read(val, c, out.deprecated_source);
    if (key == "deprecatedFirstTimestamp")
      return ReadTimeLike(val, c, out.deprecated_first_timestamp);
    if (key == "deprecatedLastTimestamp")
      return ReadTimeLike(val, c, out.deprecated_last_timestamp);
    if (key == "deprecatedCount") return ReadInt(val, c, out.deprecated_count);
    return Status();
  });
}

void Write(JsonWriter& w, const events::v1::EventList& l) { WriteList(w, l); }

Status Read(const Value& v, const JsonPath& p, events::v1::EventList& out) {
  return ReadList(v, p, out);
}

// ---------------------------------------------------------------------------- coordination/v1

namespace {

void WriteOptionalString(JsonWriter& w, std::string_view key, const std::optional<std::string>& v) {
  if (!v) return;
  w.Key(key);
  w.String(*v);
}

void WriteOptionalInt(JsonWriter& w, std::string_view key, const std::optional<std::int32_t>& v) {
  if (!v) return;
  w.Key(key);
  w.Int(*v);
}

void WriteOptionalTime(JsonWriter& w, std::string_view key,
                       const std::optional<meta::v1::MicroTime>& v) {
  if (!v) return;
  w.Key(key);
  WriteTime(w, *v);
}

// A pointer field: `null` leaves it nil, anything else must have the right type.
template <typename T, typename ReadFn>
Status ReadPointer(const Value& v, const JsonPath& p, std::optional<T>& out, ReadFn read) {
  if (v.IsNull()) {
    out.reset();
    return {};
  }
  T tmp{};
  KUBE_RETURN_IF_ERROR(read(v, p, tmp));
  out = std::move(tmp);
  return {};
}

}  // namespace

void Write(JsonWriter& w, const coordination::v1::LeaseSpec& s) {
  w.StartObject();
  WriteOptionalString(w, "holderIdentity", s.holder_identity);
  WriteOptionalInt(w, "leaseDurationSeconds", s.lease_duration_seconds);
  WriteOptionalTime(w, "acquireTime", s.acquire_time);
  WriteOptionalTime(w, "renewTime", s.renew_time);
  WriteOptionalInt(w, "leaseTransitions", s.lease_transitions);
  WriteOptionalString(w, "strategy", s.strategy);
  WriteOptionalString(w, "preferredHolder", s.preferred_holder);
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, coordination::v1::LeaseSpec& out) {
  out = {};
  auto str = [](const Value& x, const JsonPath& c, std::string& o) { return ReadString(x, c, o); };
  auto i32 = [](const Value& x, const JsonPath& c, std::int32_t& o) { return ReadInt(x, c, o); };
  auto tm = [](const Value& x, const JsonPath& c, meta::v1::MicroTime& o) {
    return ReadTimeLike(x, c, o);
  };
  return ForEachMember(v, p, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "holderIdentity") return ReadPointer(val, c, out.holder_identity, str);
    if (key == "leaseDurationSeconds") return ReadPointer(val, c, out.lease_duration_seconds, i32);
    if (key == "acquireTime") return ReadPointer(val, c, out.acquire_time, tm);
    if (key == "renewTime") return ReadPointer(val, c, out.renew_time, tm);
    if (key == "leaseTransitions") return ReadPointer(val, c, out.lease_transitions, i32);
    if (key == "strategy") return ReadPointer(val, c, out.strategy, str);
    if (key == "preferredHolder") return ReadPointer(val, c, out.preferred_holder, str);
    return Status();
  });
}

void Write(JsonWriter& w, const coordination::v1::Lease& l) {
  w.StartObject();
  WriteTypeMeta(w, l.type_meta);
  w.Key("metadata");
  Write(w, l.metadata);
  w.Key("spec");
  Write(w, l.spec);
  w.EndObject();
}

Status Read(const Value& v, const JsonPath& p, coordination::v1::Lease& out) {
  return ReadObject(v, p, out, [&](std::string_view key, const Value& val, const JsonPath& c) {
    if (key == "spec") return Read(val, c, out.spec);
    return Status();
  });
}

void Write(JsonWriter& w, const coordination::v1::LeaseList& l) { WriteList(w, l); }

Status Read(const Value& v, const JsonPath& p, coordination::v1::LeaseList& out) {
  return ReadList(v, p, out);
}

}  // namespace kube::api::internal

// ---------------------------------------------------------------------------- public codec

namespace kube::api {

template <typename T>
std::string ToJson(const T& object) {
  std::string out;
  out.reserve(512);
  internal::JsonWriter w(out);
  internal::Write(w, object);
  return out;
}

namespace {

// Parsed in place in a private copy (ParseDocumentCopy): the document's strings point into it
// instead of being copied into the document's pool first (the readers copy them out once).
// Decoded into the object returned, named once and returned from one place, so it is not
// moved on the way out.
template <typename T>
StatusOr<T> DecodeObject(std::string_view json) {
  std::string buffer;
  StatusOr<T> result(std::in_place);
  auto doc = internal::ParseDocumentCopy(json, buffer);
  if (!doc) {
    result = StatusOr<T>(std::move(doc).status());
  } else if (!doc->IsObject()) {
    result = StatusOr<T>(InvalidArgumentError("expected a JSON object at the top level"));
  } else if (Status st = internal::Read(*doc, internal::JsonPath{}, *result); !st.ok()) {
    result = StatusOr<T>(std::move(st));
  }
  return result;
}

}  // namespace

template <typename T>
StatusOr<T> FromJson(std::string_view json) {
  if constexpr (std::is_same_v<T, meta::v1::WatchEvent>) {
    return internal::ScanWatchEvent(json);
  } else {
    return DecodeObject<T>(json);
  }
}

#define KUBE_INSTANTIATE_CODEC(T)           \
  template std::string ToJson<T>(const T&); \
  template StatusOr<T> FromJson<T>(std::string_view);

KUBE_INSTANTIATE_CODEC(meta::v1::ObjectMeta)
KUBE_INSTANTIATE_CODEC(meta::v1::ListMeta)
KUBE_INSTANTIATE_CODEC(meta::v1::Status)
KUBE_INSTANTIATE_CODEC(meta::v1::WatchEvent)
KUBE_INSTANTIATE_CODEC(core::v1::ObjectReference)
KUBE_INSTANTIATE_CODEC(core::v1::EventSource)
KUBE_INSTANTIATE_CODEC(core::v1::Event)
KUBE_INSTANTIATE_CODEC(core::v1::EventList)
KUBE_INSTANTIATE_CODEC(events::v1::Event)
KUBE_INSTANTIATE_CODEC(events::v1::EventList)
KUBE_INSTANTIATE_CODEC(coordination::v1::LeaseSpec)
KUBE_INSTANTIATE_CODEC(coordination::v1::Lease)
KUBE_INSTANTIATE_CODEC(coordination::v1::LeaseList)

}  // namespace kube::api

// The incremental watch decoder: frames split at every byte boundary, whitespace, braces
// inside strings, garbage, huge and truncated frames, ERROR frames.
#include "kubeevents/client/rest/internal/watch_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kubeevents/api/errors/errors.h"

namespace kube::rest::internal {
namespace {

using ::testing::HasSubstr;

const std::string kAdded =
    R"J({"type":"ADDED","object":{"kind":"Event","apiVersion":"v1","metadata":{"name":"a.1","namespace":"default","uid":"u-1","resourceVersion":"5"},"message":"braces } { and \"quotes\" \\ in strings","count":1}})J";
const std::string kModified =
    R"J({"type":"MODIFIED","object":{"kind":"Event","apiVersion":"v1","metadata":{"name":"a.1","namespace":"default","uid":"u-1","resourceVersion":"6"},"message":"[x]","count":2}})J";
const std::string kBookmark =
    R"J({"type":"BOOKMARK","object":{"kind":"Event","apiVersion":"v1","metadata":{"resourceVersion":"9"}}})J";
const std::string kError =
    R"J({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 3 (7)","reason":"Expired","code":410}})J";

std::vector<RawWatchEvent> FeedAll(WatchDecoder& d, const std::vector<std::string>& pieces,
                                   Status* error = nullptr) {
  std::vector<RawWatchEvent> out;
  for (const auto& p : pieces) {
    auto o = d.Feed(p);
    for (auto& e : o.events) out.push_back(std::move(e));
    if (!o.error.ok()) {
      if (error) *error = o.error;
      break;
    }
  }
  return out;
}

TEST(WatchDecoder, DecodesEveryTypeSeparatedByNewlines) {
  WatchDecoder d;
  auto events = FeedAll(d, {kAdded + "\n" + kModified + "\n" + kBookmark + "\n" + kError + "\n"});
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, WatchEventType::kAdded);
  EXPECT_EQ(events[1].type, WatchEventType::kModified);
  EXPECT_EQ(events[2].type, WatchEventType::kBookmark);
  EXPECT_EQ(events[3].type, WatchEventType::kError);
  EXPECT_TRUE(d.Finish().ok());

  auto added = DecodeCoreEvent(events[0]);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->metadata.uid, "u-1");
  EXPECT_EQ(added->message, R"(braces } { and "quotes" \ in strings)");
  auto modified = DecodeCoreEvent(events[1]);
  ASSERT_TRUE(modified.ok());
  EXPECT_EQ(modified->count, 2);
  auto rv = DecodeResourceVersion(events[2]);
  ASSERT_TRUE(rv.ok());
  EXPECT_EQ(*rv, "9");
  Status err = ErrorEventStatus(events[3]);
  EXPECT_FALSE(err.ok());
  EXPECT_TRUE(IsResourceExpired(err));
  EXPECT_THAT(err.message(), HasSubstr("too old resource version: 3 (7)"));
  ASSERT_NE(err.api_status(), nullptr);
  EXPECT_EQ(err.api_status()->code, 410);
}

TEST(WatchDecoder, EverySplitPointGivesTheSameFrames) {
  const std::string stream = kAdded + "\r\n " + kModified + kBookmark + "\n\t" + kError;
  WatchDecoder whole;
  const auto expected = FeedAll(whole, {stream});
  ASSERT_EQ(expected.size(), 4u);
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    for (std::size_t j = i; j <= stream.size(); j += 37) {
      WatchDecoder d;
      auto got = FeedAll(d, {stream.substr(0, i), stream.substr(i, j - i), stream.substr(j)});
      ASSERT_EQ(got, expected) << "split at " << i << "," << j;
      ASSERT_TRUE(d.Finish().ok());
    }
  }
  // One byte at a time.
  WatchDecoder d;
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  EXPECT_EQ(FeedAll(d, bytes), expected);
}

TEST(WatchDecoder, GarbageIsAStickyDecodeError) {
  WatchDecoder d;
  Status error;
  auto events = FeedAll(d, {kAdded + "\nHTTP/1.1 500 oops\n" + kModified}, &error);
  ASSERT_EQ(events.size(), 1u);  // the frame before the garbage is kept
  EXPECT_EQ(error.code(), StatusCode::kDataLoss);
  EXPECT_EQ(error.origin(), ErrorOrigin::kDecode);
  EXPECT_THAT(error.message(), HasSubstr("expected '{'"));
  EXPECT_THAT(error.message(), HasSubstr("'H'"));
  auto again = d.Feed(kModified);
  EXPECT_TRUE(again.events.empty());
  EXPECT_FALSE(again.error.ok());
  EXPECT_FALSE(d.Finish().ok());
}

TEST(WatchDecoder, BadFramesNameWhatIsWrong) {
  struct Case {
    std::string input;
    std::string want;
  } cases[] = {
      {R"({"type":"ADDED"})", "without an object"},
      {R"({"object":{}})", "without a type"},
      {R"({"type":"EXPLODED","object":{}})", "unknown WatchEvent type \"EXPLODED\""},
      {R"({"type":"ADDED","object":"text"})", "invalid WatchEvent"},
      {R"({"type":"ADDED",,})", "invalid WatchEvent"},
      {"\x01", "byte 0x01"},
  };
  for (const auto& c : cases) {
    WatchDecoder d;
    auto out = d.Feed(c.input);
    EXPECT_TRUE(out.events.empty()) << c.input;
    EXPECT_THAT(out.error.message(), HasSubstr(c.want)) << c.input;
  }
}

TEST(WatchDecoder, HugeFramesDecodeUpToTheLimit) {
  const std::string big(4 << 20, 'x');
  const std::string frame =
      R"({"type":"ADDED","object":{"metadata":{"name":"big"},"message":")" + big + "\"}}";
  WatchDecoder d;
  std::vector<RawWatchEvent> events;
  for (std::size_t i = 0; i < frame.size(); i += 65536) {
    auto o = d.Feed(std::string_view(frame).substr(i, 65536));
    ASSERT_TRUE(o.error.ok()) << o.error;
    for (auto& e : o.events) events.push_back(std::move(e));
  }
  ASSERT_EQ(events.size(), 1u);
  auto e = DecodeCoreEvent(events[0]);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->message.size(), big.size());

  WatchDecoder small(1024);
  auto o = small.Feed(frame);
  EXPECT_THAT(o.error.message(), HasSubstr("frame larger than 1024 bytes"));
}

TEST(WatchDecoder, TruncatedStreamIsReportedAtFinish) {
  WatchDecoder d;
  auto o = d.Feed(kAdded.substr(0, 40));
  EXPECT_TRUE(o.error.ok());
  EXPECT_TRUE(o.events.empty());
  EXPECT_EQ(d.pending_bytes(), 40u);
  Status s = d.Finish();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("ended inside a frame"));
}

TEST(WatchDecoder, DeepNestingIsRejected) {
  WatchDecoder d;
  std::string deep = R"({"type":"ADDED","object":)" + std::string(2000, '[');
  auto o = d.Feed(deep);
  EXPECT_THAT(o.error.message(), HasSubstr("nested deeper"));
}

TEST(WatchDecoder, TypedDecodersRejectTheWrongShape) {
  RawWatchEvent e{WatchEventType::kAdded, R"({"metadata":{"name":5}})"};
  auto ev = DecodeCoreEvent(e);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.status().origin(), ErrorOrigin::kDecode);
  EXPECT_THAT(ev.status().message(), HasSubstr("metadata.name"));
  RawWatchEvent not_status{WatchEventType::kError, R"({"kind":"Event"})"};
  EXPECT_FALSE(DecodeStatus(not_status).ok());
  EXPECT_FALSE(ErrorEventStatus(not_status).ok());
  EXPECT_EQ(ToString(WatchEventType::kBookmark), "BOOKMARK");
}

}  // namespace
}  // namespace kube::rest::internal

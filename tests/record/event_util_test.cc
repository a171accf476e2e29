// tools/record util: event types, names with the UUID fallback, 404 classification.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/tools/record/event_util.h"

namespace kube::record {
namespace {

TEST(EventUtilTest, ValidateEventType) {
  EXPECT_TRUE(ValidateEventType("Normal"));
  EXPECT_TRUE(ValidateEventType("Warning"));
  EXPECT_FALSE(ValidateEventType("normal"));
  EXPECT_FALSE(ValidateEventType("Error"));
  EXPECT_FALSE(ValidateEventType(""));
}

TEST(EventUtilTest, GenerateEventNameUsesHexNanos) {
  EXPECT_EQ(GenerateEventName("web-0", 0x17cb4d1b6e5a2f80), "web-0.17cb4d1b6e5a2f80");
  EXPECT_EQ(GenerateEventName("a", 255), "a.ff");
}

TEST(EventUtilTest, GenerateEventNameFallsBackToAUuid) {
  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (const char* bad : {"UpperCase", "under_score", "-leading", "", "a..b"}) {
    const std::string name = GenerateEventName(bad, 42);
    EXPECT_TRUE(std::regex_match(name, uuid)) << bad << " -> " << name;
  }
  EXPECT_TRUE(std::regex_match(GenerateEventName(std::string(250, 'a'), 0x17cb4d1b6e5a2f80), uuid));
  EXPECT_NE(NewUUID(), NewUUID());
}

// The name is checked through its reference name alone (the hex suffix is always a valid
// label): the outcome must be what checking the whole name gives, at every edge.
TEST(EventUtilTest, GeneratedNameIsKeptExactlyWhenTheWholeNameIsASubdomain) {
  const std::int64_t nanos = 0x17cb4d1b6e5a2f80;  // 16 hex digits: 17 characters with the dot
  std::vector<std::string> refs = {"web-0", "a", "a.b", "a-", "-a",   "a.", ".a",
                                   "a..b",  "A", "a_b", "",   "a.-b", "1"};
  refs.push_back(std::string(236, 'a'));  // the longest that fits: 236 + 17 = 253
  refs.push_back(std::string(237, 'a'));
  refs.push_back("x" + std::string(200, '-') + "y");
  for (const auto& ref : refs) {
    const std::string whole = ref + ".17cb4d1b6e5a2f80";
    EXPECT_EQ(GenerateEventName(ref, nanos) == whole, IsDNS1123Subdomain(whole))
        << "ref of " << ref.size() << " characters: " << ref.substr(0, 20);
  }
  // A negative time (before 1970) gives "-…" as the suffix: not a label, so a UUID.
  EXPECT_NE(GenerateEventName("web-0", -5), "web-0.-5");
}

TEST(EventUtilTest, DNS1123Subdomain) {
  EXPECT_TRUE(IsDNS1123Subdomain("a"));
  EXPECT_TRUE(IsDNS1123Subdomain("a-b.c-d.1"));
  EXPECT_TRUE(IsDNS1123Subdomain(std::string(253, 'a')));
  EXPECT_FALSE(IsDNS1123Subdomain(std::string(254, 'a')));
  for (const char* bad : {"", "A", "a_", "a.", ".a", "a-", "-a", "a.-b", "a-.b", "a..b", "a/b"}) {
    EXPECT_FALSE(IsDNS1123Subdomain(bad)) << bad;
  }
}

TEST(EventUtilTest, IsKeyNotFoundErrorChecksTheHttpCodeOnly) {
  EXPECT_TRUE(
      IsKeyNotFoundError(Status::FromAPIStatus(api::errors::NewNotFound("", "events", "x"), 404)));
  api::meta::v1::Status odd;
  odd.reason = "Whatever";
  EXPECT_TRUE(IsKeyNotFoundError(Status::FromAPIStatus(odd, 404)));
  EXPECT_FALSE(IsKeyNotFoundError(NotFoundError("local")));
  EXPECT_FALSE(IsKeyNotFoundError(Status::FromAPIStatus(api::errors::NewBadRequest("x"), 400)));
}

}  // namespace
}  // namespace kube::record

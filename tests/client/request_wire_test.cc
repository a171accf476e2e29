// The request bytes the REST client writes: request line, checked header fields,
// Content-Length as Beast's prepare_payload set it, and the body, in one buffer.
#include "kubeevents/client/rest/internal/request_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace kube::rest::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RequestWire, PostIsRequestLineFieldsLengthAndBodyInOneBuffer) {
  RequestWire w("POST", "/api/v1/namespaces/default/events", 7);
  ASSERT_TRUE(w.Add("Host", "127.0.0.1:6443").ok());
  ASSERT_TRUE(w.Add("Content-Type", "application/json").ok());
  EXPECT_EQ(std::move(w).Finish(R"({"a":1})"),
            "POST /api/v1/namespaces/default/events HTTP/1.1\r\n"
            "Host: 127.0.0.1:6443\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 7\r\n"
            "\r\n"
            R"({"a":1})");
}

TEST(RequestWire, ContentLengthOnlyWhereBeastPutOne) {
  auto bytes = [](const char* method, std::string_view body) {
    RequestWire w(method, "/x", body.size());
    return std::move(w).Finish(body);
  };
  EXPECT_EQ(bytes("GET", ""), "GET /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(bytes("DELETE", ""), "DELETE /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(bytes("PATCH", ""), "PATCH /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(bytes("POST", ""), "POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(bytes("PUT", ""), "PUT /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(bytes("PATCH", "{}"), "PATCH /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(RequestWire, FieldsThatWouldEndTheHeaderAreRefusedWithoutEchoingTheValue) {
  RequestWire w("GET", "/x", 0);
  for (std::string_view value :
       {std::string_view("Bearer s3cret\r\nX-Injected: 1"), std::string_view("Bearer s3cret\n"),
        std::string_view("Bearer s3cret\0x", 15), std::string_view("Bearer s3cret\x01"),
        std::string_view("Bearer s3cret\x7f")}) {
    const Status s = w.Add("Authorization", value);
    EXPECT_EQ(s.origin(), ErrorOrigin::kRequestBuilding);
    EXPECT_THAT(s.message(), HasSubstr("\"Authorization\""));
    EXPECT_THAT(s.message(), Not(HasSubstr("s3cret")));
  }
  for (std::string_view name : {"", "Bad Name", "X:Y", "X\r\nY", "\xc3\xa9", "Content-Length",
                                "transfer-encoding", "Trailer"}) {
    EXPECT_EQ(w.Add(name, "v").origin(), ErrorOrigin::kRequestBuilding) << name;
  }
  EXPECT_TRUE(w.Add("X-Ok_1.2~!#$%&'*+^`|", "tab\tand unicode \xc3\xa9 are fine").ok());
  // Nothing of a refused field was written.
  EXPECT_EQ(std::move(w).Finish(""),
            "GET /x HTTP/1.1\r\nX-Ok_1.2~!#$%&'*+^`|: tab\tand unicode \xc3\xa9 are fine\r\n\r\n");
}

TEST(RequestWire, ForEachFieldListsTheFieldsInOrder) {
  RequestWire w("POST", "/x", 2);
  ASSERT_TRUE(w.Add("Host", "h").ok());
  ASSERT_TRUE(w.Add("Authorization", "Bearer t").ok());
  const std::string bytes = std::move(w).Finish("{}");
  std::vector<std::pair<std::string, std::string>> seen;
  RequestWire::ForEachField(
      bytes, [&](std::string_view n, std::string_view v) { seen.emplace_back(n, v); });
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"Host", "h"}, {"Authorization", "Bearer t"}, {"Content-Length", "2"}}));
}

}  // namespace
}  // namespace kube::rest::internal

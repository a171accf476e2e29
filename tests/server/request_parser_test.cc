// The session's request parser without sockets (ParseRequests): what the transport hands the
// handler for pipelined, chunked, oversized, incomplete and malformed input; and the bytes it
// writes back (SerializeResponse).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeevents/tools/localapiserver/internal/transport.h"

namespace kube::localapiserver::internal {
namespace {

using ::testing::HasSubstr;

TEST(ParseRequestsTest, PipelinedRequestsKeepTheirFields) {
  const std::string bytes =
      "GET /api/v1/namespaces/default/events?limit=500 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Accept: application/json;as=Table;v=v1;g=meta.k8s.io, application/json\r\n"
      "Authorization: Bearer secret\r\n\r\n"
      "POST /api/v1/namespaces/default/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
      "PATCH /api/v1/namespaces/default/events/e1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/strategic-merge-patch+json\r\nTransfer-Encoding: chunked\r\n"
      "\r\n5\r\n{\"cou\r\n6\r\nnt\":2}\r\n0\r\n\r\n";
  const ParsedRequests parsed = ParseRequests(bytes, 1024);
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.consumed, bytes.size());
  ASSERT_EQ(parsed.requests.size(), 3u);
  EXPECT_EQ(parsed.requests[0].method, "GET");
  EXPECT_EQ(parsed.requests[0].target, "/api/v1/namespaces/default/events?limit=500");
  EXPECT_EQ(parsed.requests[0].authorization, "Bearer secret");
  EXPECT_THAT(parsed.requests[0].accept, HasSubstr("as=Table"));
  EXPECT_EQ(parsed.requests[1].content_type, "application/json");
  EXPECT_EQ(parsed.requests[1].body, "{}");
  EXPECT_EQ(parsed.requests[2].method, "PATCH");
  EXPECT_EQ(parsed.requests[2].body, R"({"count":2})");
}

TEST(ParseRequestsTest, StopsAtAnOversizedIncompleteOrMalformedRequest) {
  const std::string get = "GET /version HTTP/1.1\r\nHost: h\r\n\r\n";
  auto big = ParseRequests(
      get +
          "POST /api/v1/namespaces/default/events HTTP/1.1\r\nContent-Length: 11\r\n\r\n"
          "hello world",
      10);
  EXPECT_EQ(big.requests.size(), 1u);
  EXPECT_TRUE(big.too_large);
  EXPECT_EQ(big.consumed, get.size());
  EXPECT_THAT(big.error, HasSubstr("body limit"));

  auto partial = ParseRequests(get + "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 1024);
  EXPECT_EQ(partial.requests.size(), 1u);
  EXPECT_FALSE(partial.too_large);
  EXPECT_EQ(partial.error, "incomplete request");

  auto header_only = ParseRequests("GET /version HTTP/1.1\r\nHost:", 1024);
  EXPECT_TRUE(header_only.requests.empty());
  EXPECT_EQ(header_only.error, "incomplete request");

  auto garbage = ParseRequests("\x16\x03\x01\x02\x00 not HTTP\r\n\r\n", 1024);
  EXPECT_TRUE(garbage.requests.empty());
  EXPECT_NE(garbage.error, "");
  EXPECT_NE(garbage.error, "incomplete request");

  EXPECT_EQ(ParseRequests("", 1024).error, "");
}

TEST(ParseRequestsTest, TheHeaderLimitIsTheSessions) {
  const std::string huge(kMaxHeaderBytes, 'a');
  auto parsed = ParseRequests("GET / HTTP/1.1\r\nX-Big: " + huge + "\r\n\r\n", 1024);
  EXPECT_TRUE(parsed.requests.empty());
  EXPECT_THAT(parsed.error, HasSubstr("header limit"));
}

}  // namespace
}  // namespace kube::localapiserver::internal

namespace kube::localapiserver::internal {
namespace {

TEST(SerializeResponseTest, StatusLineFieldsLengthAndBodyInOneBuffer) {
  Response r;
  r.status = 201;
  r.body = R"({"kind":"Event"})";
  r.headers = {{"Warning", "299 - \"first\""}, {"Audit-Id", "a1"}, {"warning", "299 - \"last\""}};
  EXPECT_EQ(SerializeResponse(r, true),
            "HTTP/1.1 201 Created\r\n"
            "Content-Type: application/json\r\n"
            "Cache-Control: no-cache, private\r\n"
            "Audit-Id: a1\r\n"
            "warning: 299 - \"last\"\r\n"
            "Content-Length: 16\r\n"
            "\r\n"
            R"({"kind":"Event"})");
}

TEST(SerializeResponseTest, HandlerFieldsReplaceDefaultsAndClosingSaysSo) {
  Response r;
  r.status = 200;
  r.content_type = "application/json";
  r.headers = {{"Content-Type", "text/plain"}, {"Cache-Control", "public, immutable"}};
  r.body = "ok";
  EXPECT_EQ(SerializeResponse(r, false),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Cache-Control: public, immutable\r\n"
            "Connection: close\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok");
}

TEST(SerializeResponseTest, NoContentHasNeitherLengthNorBody) {
  Response r;
  r.status = 204;
  EXPECT_EQ(SerializeResponse(r, true),
            "HTTP/1.1 204 No Content\r\n"
            "Content-Type: application/json\r\n"
            "Cache-Control: no-cache, private\r\n"
            "\r\n");
  r.status = 404;
  r.body = "";
  EXPECT_THAT(SerializeResponse(r, true), ::testing::HasSubstr("Content-Length: 0\r\n\r\n"));
}

}  // namespace
}  // namespace kube::localapiserver::internal

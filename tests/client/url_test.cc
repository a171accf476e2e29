#include "kubeevents/client/rest/internal/url.h"

#include <gtest/gtest.h>

namespace kube::rest::internal {
namespace {

TEST(ParseURL, ServerWithPortAndPathPrefix) {
  auto u = ParseURL("https://rancher.example:8443/k8s/clusters/c-abc/");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "rancher.example");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path, "/k8s/clusters/c-abc");
  EXPECT_EQ(u->HostHeader(), "rancher.example:8443");
}

TEST(ParseURL, DefaultPortsAndHostHeaderWithoutPort) {
  auto u = ParseURL("HTTPS://api.example");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->port, 443);
  EXPECT_FALSE(u->explicit_port);
  EXPECT_EQ(u->HostHeader(), "api.example");
  EXPECT_EQ(u->Authority(), "api.example:443");
  EXPECT_EQ(ParseURL("http://x")->port, 80);
}

TEST(ParseURL, IPv6InBrackets) {
  auto u = ParseURL("https://[fd00::1]:6443");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "fd00::1");
  EXPECT_EQ(u->port, 6443);
  EXPECT_EQ(u->HostHeader(), "[fd00::1]:6443");
  EXPECT_FALSE(ParseURL("https://fd00::1:6443").ok());
}

TEST(ParseURL, DefaultSchemeAndUserinfo) {
  auto u = ParseURL("10.0.0.1:6443", "https");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "10.0.0.1");
  auto p = ParseURL("http://user:pa%40ss@proxy:3128");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->userinfo, "user:pa%40ss");
  EXPECT_EQ(p->host, "proxy");
  EXPECT_EQ(p->port, 3128);
}

TEST(ParseURL, Errors) {
  EXPECT_FALSE(ParseURL("no-scheme").ok());
  EXPECT_FALSE(ParseURL("https://").ok());
  EXPECT_FALSE(ParseURL("https://h:99999").ok());
  EXPECT_FALSE(ParseURL("https://h:abc").ok());
  EXPECT_FALSE(ParseURL("https://[::1").ok());
}

TEST(Hosts, LoopbackAndIPLiterals) {
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.9.8.7"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("example.com"));
  EXPECT_TRUE(IsIPLiteral("10.1.2.3"));
  EXPECT_TRUE(IsIPLiteral("fd00::1"));
  EXPECT_FALSE(IsIPLiteral("kubernetes.default.svc"));
}

TEST(Base64, DecodesLikeGoStdEncoding) {
  EXPECT_EQ(*DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(*DecodeBase64("aGVs\nbG8=\r\n"), "hello");  // newlines ignored
  EXPECT_EQ(*DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("aGVsbG8").ok());    // padding required
  EXPECT_FALSE(DecodeBase64("aGVs bG8=").ok());  // spaces rejected
  EXPECT_FALSE(DecodeBase64("aGV*bG8=").ok());
  EXPECT_FALSE(DecodeBase64("aG=sbG8=").ok());  // padding only at the end
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(*DecodeBase64(EncodeBase64(s)), s);
  }
}

TEST(Escape, PathAndQuery) {
  EXPECT_EQ(EscapeURLComponent("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(EscapeURLComponent("involvedObject.name=web-0,type=Warning", true),
            "involvedObject.name%3Dweb-0%2Ctype%3DWarning");
}

}  // namespace
}  // namespace kube::rest::internal

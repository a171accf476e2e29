#include "kubeevents/tools/eventer/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kube::eventer {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, FullFileParsesWithDefaults) {
  auto c = ParseConfig(R"(
namespaces: [default, kube-system]
fieldSelector: type=Warning
maxEventAge: 30m
checkpoint:
  path: /tmp/cp.json
metrics:
  address: 127.0.0.1:0
route:
  drop:
    - namespace: kube-system
      reason: "Pulling|Pulled"
  match:
    - receiver: out
    - type: Warning
      minCount: 2
      labels: {app: "web.*"}
      receiver: hook
  routes:
    - match:
        - kind: Node
          receiver: pg
receivers:
  - name: out
    stdout: {}
  - name: hook
    webhook:
      url: https://127.0.0.1:8443/events?x=1
      headers: {Authorization: "Bearer t"}
    template: '{"reason": {{ json .Reason }}}'
    retry: {maxAttempts: 3, initialBackoff: 100ms}
  - name: pg
    postgres: {url: "postgresql://x@127.0.0.1/db"}
    batch: {maxEvents: 500, maxWait: 200ms}
    queue: {size: 50, whenFull: drop}
)",
                       "eventer.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->namespaces, (std::vector<std::string>{"default", "kube-system"}));
  EXPECT_EQ(c->max_event_age, std::chrono::minutes(30));
  EXPECT_EQ(c->checkpoint_interval, std::chrono::seconds(1));
  ASSERT_EQ(c->receivers.size(), 3u);
  EXPECT_EQ(c->receivers[0].kind, "stdout");
  EXPECT_EQ(c->receivers[0].batch.max_events, 100u);
  EXPECT_EQ(c->receivers[1].batch.max_events, 1u);  // webhook default: one event per request
  EXPECT_EQ(c->receivers[1].retry.max_attempts, 3);
  EXPECT_EQ(c->receivers[1].retry.initial_backoff, std::chrono::milliseconds(100));
  EXPECT_EQ(c->receivers[2].queue.when_full, WhenFull::kDrop);
  EXPECT_EQ(c->receivers[2].batch.max_wait, std::chrono::milliseconds(200));
  ASSERT_EQ(c->route.match.size(), 2u);
  EXPECT_EQ(c->route.match[1].labels.at("app"), "web.*");
  EXPECT_EQ(c->route.match[1].min_count, 2);
  EXPECT_EQ(c->route.routes[0].match[0].receiver, "pg");
  EXPECT_FALSE(c->leader_election.enabled);
  EXPECT_EQ(c->leader_election.lease_duration, std::chrono::seconds(15));
}

struct BadCase {
  const char* yaml;
  const char* want;  // substring of the error: "file:line: key: ..."
};

class BadConfigTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfigTest, NamesFileLineAndKey) {
  auto c = ParseConfig(GetParam().yaml, "conf/eventer.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr(GetParam().want));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadConfigTest,
    ::testing::Values(
        BadCase{"receivers:\n  - name: a\n    stdout: {}\nnamespacez: [x]\n",
                "conf/eventer.yaml:4: namespacez: unknown key"},
        BadCase{"receivers:\n  - name: a\n    stdout: {}\nroute:\n  match:\n    - kindd: Pod\n",
                "conf/eventer.yaml:6: route.match[0].kindd: unknown key"},
        BadCase{"receivers:\n  - name: a\n    stdout: {}\nroute:\n  match:\n    - reason: \"(\"\n",
                "conf/eventer.yaml:6: route.match[0].reason: bad regular expression"},
        BadCase{"receivers:\n  - name: a\n    stdout: {}\nroute:\n  match:\n    - receiver: b\n",
                "conf/eventer.yaml:6: route.match[0].receiver: unknown receiver \"b\""},
        BadCase{"receivers:\n  - name: a\n    stdout: {}\nmaxEventAge: 1y\n",
                "conf/eventer.yaml:4: maxEventAge: bad duration"},
        BadCase{"receivers:\n  - name: a\n    file: {path: /tmp/x, maxSizeMB: big}\n",
                "conf/eventer.yaml:3: receivers[0].file.maxSizeMB: expected an integer"},
        BadCase{"receivers:\n  - name: a\n    stdout: {}\n  - name: a\n    stdout: {}\n",
                "conf/eventer.yaml:4: receivers[1].name: duplicate receiver"},
        BadCase{"receivers:\n  - name: a\n    kafka: {}\n",
                "conf/eventer.yaml:3: receivers[0].kafka: unknown key"},
        BadCase{"receivers:\n  - name: a\n    stdout: {}\n    template: \"{{ .Nope }}\"\n",
                "conf/eventer.yaml:4: receivers[0].template: template: unknown field \".Nope\""},
        BadCase{"receivers:\n  - name: a\n    webhook: {url: ftp://x}\n",
                "receivers[0].webhook.url: must be an http:// or https:// URL"},
        BadCase{
            "receivers:\n  - name: a\n    syslog: {address: \"127.0.0.1:514\", network: sctp}\n",
            "conf/eventer.yaml:3: receivers[0].syslog.network: must be udp or tcp"},
        BadCase{"receivers:\n  - name: a\n    stdout: {}\n    queue: {whenFull: wait}\n",
                "conf/eventer.yaml:4: receivers[0].queue.whenFull: must be block or drop"},
        BadCase{"namespaces: [a]\n", "conf/eventer.yaml:1: receivers: missing"},
        BadCase{"receivers: [\n", "conf/eventer.yaml:2: "},
        BadCase{"receivers:\n  - name: a\n    stdout: {}\nleaderElection: {enabled: true, "
                "leaseDuration: 5s, renewDeadline: 10s}\n",
                "leaderElection.leaseDuration: must be greater than renewDeadline"}));

TEST(ConfigTest, SyslogTimeoutDefaultsToTenSecondsAndParses) {
  auto c = ParseConfig(
      "receivers:\n  - name: a\n    syslog: {address: \"127.0.0.1:514\", network: tcp}\n"
      "  - name: b\n    syslog: {address: \"127.0.0.1:514\", network: tcp, timeout: 250ms}\n"
      "route:\n  match:\n    - receiver: a\n    - receiver: b\n",
      "eventer.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->receivers.size(), 2u);
  EXPECT_EQ(c->receivers[0].syslog.timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->receivers[1].syslog.timeout, std::chrono::milliseconds(250));
}

TEST(ConfigTest, MissingFileIsAnError) {
  auto c = LoadConfigFile("/nonexistent/eventer.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("/nonexistent/eventer.yaml"));
}

TEST(ConfigTest, Durations) {
  EXPECT_EQ(*ParseDuration("1h30m"), std::chrono::minutes(90));
  EXPECT_EQ(*ParseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(*ParseDuration("0"), std::chrono::milliseconds(0));
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("5").ok());
  EXPECT_FALSE(ParseDuration("m5").ok());
}

}  // namespace
}  // namespace kube::eventer

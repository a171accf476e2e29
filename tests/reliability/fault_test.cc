// Faults injected by the local API server over real HTTPS sockets, for both recorders: every
// event is written after recovery, or counted and logged as failed, and the server's own count
// of stored events equals the library's `created`.
#include <fstream>

#include <gtest/gtest.h>

#include "kubeevents/tools/localapiserver/certificates.h"
#include "reliability_support.h"

namespace kube::reliability {
namespace {

class FaultTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override { logger_ = std::make_shared<CapturingLogger>(); }
  void TearDown() override {
    if (HasFailure()) logger_->Dump();
  }

  std::unique_ptr<Pipeline> Make(const rest::Config& config, std::chrono::nanoseconds sleep) {
    return MakePipeline(GetParam(), config, sleep, logger_);
  }
  static void EmitRange(Pipeline& p, std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t i = from; i < to; ++i) p.Emit(i);
  }

  std::shared_ptr<CapturingLogger> logger_;
  TestServer server_;
};

// StopAccepting: connection refused. With a 200 ms retry sleep the budget (12 tries) is about
// 2.2 s; the server comes back after two failed attempts, well inside it.
TEST_P(FaultTest, OutageWithinTheRetryBudgetIsWrittenAfterRecovery) {
  auto p = Make(server_.Config(logger_), 200ms);
  ASSERT_TRUE(p);
  server_.server().StopAccepting();
  EmitRange(*p, 0, 20);
  ASSERT_TRUE(Eventually([&] { return p->Stats().retries >= 2; })) << p->Stats().ToString();
  ASSERT_TRUE(server_.server().ResumeAccepting().ok());
  ASSERT_TRUE(p->Flush(60s)) << p->Stats().ToString();
  const auto a = p->Stats();
  EXPECT_EQ(a.created, 20u) << a.ToString();
  EXPECT_EQ(a.Failed(), 0u) << a.ToString();
  EXPECT_GE(logger_->Count("Unable to write event (may retry after sleeping)"), 2);
  EXPECT_GE(logger_->CountContaining("Connection refused"), 2);  // the error says what failed
  ExpectAllAccounted(a, server_.server().EventCount());
}

// The server stays down until every event used its 12 attempts (5 ms sleeps): each is logged
// and counted as failed_retry_limit; after recovery nothing appears on the server.
TEST_P(FaultTest, OutageBeyondTheRetryBudgetIsCountedAsRetryLimit) {
  auto p = Make(server_.Config(logger_), 5ms);
  ASSERT_TRUE(p);
  server_.server().StopAccepting();
  EmitRange(*p, 0, 5);
  ASSERT_TRUE(Eventually([&] { return p->Stats().failed_retry_limit == 5; }))
      << p->Stats().ToString();
  ASSERT_TRUE(p->Flush(30s));
  ASSERT_TRUE(server_.server().ResumeAccepting().ok());
  const auto a = p->Stats();
  EXPECT_EQ(a.retries, 5u * 11u) << a.ToString();
  EXPECT_EQ(logger_->Count("Unable to write event (retry limit exceeded!)"), 5);
  ExpectAllAccounted(a, server_.server().EventCount());
  EXPECT_EQ(server_.server().EventCount(), 0u);
}

// 503 and 429 with Retry-After: the REST client waits the advertised second before each retry
// (so two answers cost at least 2 s) and the pipeline never sees the failure.
TEST_P(FaultTest, RetryAfterOn503And429IsHonoured) {
  auto p = Make(server_.Config(logger_), 10s);  // a pipeline retry would outlast the test
  ASSERT_TRUE(p);
  for (int code : {503, 429}) {
    server_.faults().FailNext(2, code, 1s);
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t base = code == 503 ? 0 : 100;
    p->Emit(base);
    ASSERT_TRUE(p->Flush(30s)) << p->Stats().ToString();
    EXPECT_GE(std::chrono::steady_clock::now() - start, 2s) << code;
    EXPECT_EQ(server_.faults().State().fail_remaining, 0);
    EmitRange(*p, base + 1, base + 10);
    ASSERT_TRUE(p->Flush(30s));
  }
  const auto a = p->Stats();
  EXPECT_EQ(a.created, 20u) << a.ToString();
  EXPECT_EQ(a.retries, 0u) << a.ToString();
  EXPECT_GE(logger_->Count("Got a Retry-After response"), 4);
  ExpectAllAccounted(a, server_.server().EventCount());
}

// 500/503 without Retry-After are API errors: as in client-go the recorder gives up on those
// events, logs each one with the server's message, and counts it as failed_rejected.
TEST_P(FaultTest, BurstsOf500And503WithoutRetryAfterAreRejectedAndLogged) {
  auto p = Make(server_.Config(logger_), 10s);
  ASSERT_TRUE(p);
  server_.faults().FailNext(3, 500);
  EmitRange(*p, 0, 3);
  ASSERT_TRUE(p->Flush(30s));
  server_.faults().FailNext(3, 503);
  EmitRange(*p, 3, 6);
  ASSERT_TRUE(p->Flush(30s));
  EmitRange(*p, 6, 10);
  ASSERT_TRUE(p->Flush(30s));
  const auto a = p->Stats();
  EXPECT_EQ(a.failed_rejected, 6u) << a.ToString();
  EXPECT_EQ(a.created, 4u) << a.ToString();
  EXPECT_EQ(logger_->CountContaining("injected fault: HTTP 500"), 3);
  EXPECT_EQ(logger_->CountContaining("injected fault: HTTP 503"), 3);
  EXPECT_EQ(logger_->Count("Server rejected event (will not retry!)"), 6);
  ExpectAllAccounted(a, server_.server().EventCount());
}

// The server reads the request and resets the connection (TCP RST) without answering.
TEST_P(FaultTest, ConnectionResetMidRequestIsRetried) {
  auto p = Make(server_.Config(logger_), 20ms);
  ASSERT_TRUE(p);
  server_.faults().ResetNext(3);
  EmitRange(*p, 0, 10);
  ASSERT_TRUE(p->Flush(60s)) << p->Stats().ToString();
  const auto a = p->Stats();
  EXPECT_EQ(a.created, 10u) << a.ToString();
  EXPECT_EQ(a.retries, 3u) << a.ToString();
  ExpectAllAccounted(a, server_.server().EventCount());
}

// The server holds two requests for 3 s, longer than the client's 300 ms timeout: the client
// gives up on each, the pipeline retries, and the events are written once.
TEST_P(FaultTest, ResponseSlowerThanTheTimeoutIsRetried) {
  auto config = server_.Config(logger_);
  config.timeout = 300ms;
  auto p = Make(config, 20ms);
  ASSERT_TRUE(p);
  server_.faults().StallNext(2, 3s);
  EmitRange(*p, 0, 5);
  ASSERT_TRUE(p->Flush(60s)) << p->Stats().ToString();
  const auto a = p->Stats();
  EXPECT_EQ(a.created, 5u) << a.ToString();
  EXPECT_EQ(a.retries, 2u) << a.ToString();
  EXPECT_EQ(logger_->CountContaining("reading response: i/o timeout (deadline exceeded)"), 2);
  ExpectAllAccounted(a, server_.server().EventCount());
}

// A CA that did not sign the server's certificate: the handshake fails on every attempt, each
// event ends as failed_retry_limit and the logged error says why.
TEST_P(FaultTest, TlsHandshakeFailureWithTheWrongCaIsCountedAndExplained) {
  auto config = server_.Config(logger_);
  auto other = localapiserver::GenerateCA("some-other-ca");
  ASSERT_TRUE(other.ok());
  config.tls.ca_data = other->certificate_pem;
  auto p = Make(config, 2ms);
  ASSERT_TRUE(p);
  EmitRange(*p, 0, 3);
  ASSERT_TRUE(Eventually([&] { return p->Stats().failed_retry_limit == 3; }))
      << p->Stats().ToString();
  ASSERT_TRUE(p->Flush(30s));
  EXPECT_EQ(logger_->CountContaining("tls: failed to verify certificate"), 3 * 12);
  ExpectAllAccounted(p->Stats(), server_.server().EventCount());
  EXPECT_EQ(server_.server().EventCount(), 0u);
}

// The server starts accepting a new token only (rotation); the bearer token file already
// holds it: the 401 makes the client re-read the file and retry once, transparently.
TEST_P(FaultTest, Unauthorized401AfterTokenRotationRereadsTheTokenFile) {
  const std::string token_file = WriteTempFile("token", server_.server().token() + "\n");
  auto config = server_.Config(logger_);
  config.bearer_token.clear();
  config.bearer_token_file = token_file;
  auto p = Make(config, 10s);
  ASSERT_TRUE(p);
  EmitRange(*p, 0, 3);
  ASSERT_TRUE(p->Flush(30s));
  server_.server().SetToken("rotated-token-0123456789");
  std::ofstream(token_file, std::ios::trunc) << "rotated-token-0123456789\n";
  EmitRange(*p, 3, 6);
  ASSERT_TRUE(p->Flush(30s));
  const auto a = p->Stats();
  EXPECT_EQ(a.created, 6u) << a.ToString();
  EXPECT_EQ(a.retries, 0u) << a.ToString();
  EXPECT_GE(logger_->Count("Got 401; refreshed credentials, retrying once"), 1);
  ExpectAllAccounted(a, server_.server().EventCount());
}

// The same through an exec credential plugin: the 401 re-runs the plugin, which prints the new
// token. The plugin counts its runs in a file.
TEST_P(FaultTest, Unauthorized401AfterTokenRotationRerunsTheExecPlugin) {
  const std::string dir = TempDir();
  const std::string token_file = dir + "/current-token";
  const std::string runs_file = dir + "/runs";
  std::ofstream(token_file) << server_.server().token();
  const std::string script =
      WriteTempFile("plugin.sh",
                    "#!/bin/sh\necho run >> '" + runs_file +
                        "'\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                        "\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$(cat '" +
                        token_file + "')\"\n",
                    0700);
  auto config = server_.Config(logger_);
  config.bearer_token.clear();
  config.exec_provider = rest::ExecConfig{.command = script};
  auto p = Make(config, 10s);
  ASSERT_TRUE(p);
  EmitRange(*p, 0, 3);
  ASSERT_TRUE(p->Flush(30s));
  server_.server().SetToken("rotated-exec-token-42");
  std::ofstream(token_file, std::ios::trunc) << "rotated-exec-token-42";
  EmitRange(*p, 3, 6);
  ASSERT_TRUE(p->Flush(30s));
  const auto a = p->Stats();
  EXPECT_EQ(a.created, 6u) << a.ToString();
  EXPECT_EQ(a.retries, 0u) << a.ToString();
  int runs = 0;
  std::ifstream in(runs_file);
  for (std::string line; std::getline(in, line);) ++runs;
  EXPECT_EQ(runs, 2);
  ExpectAllAccounted(a, server_.server().EventCount());
}

// A proxy in front of the apiserver answers 502 with an HTML page: an API error like client-go's
// ("the server responded with the status code 502 ..."), given up, logged, counted.
TEST_P(FaultTest, NonStatusErrorBodyIsRejectedWithAClearError) {
  auto p = Make(server_.Config(logger_), 10s);
  ASSERT_TRUE(p);
  server_.faults().GarbageNext(2, 502);
  EmitRange(*p, 0, 2);
  ASSERT_TRUE(p->Flush(30s));
  EmitRange(*p, 2, 5);
  ASSERT_TRUE(p->Flush(30s));
  const auto a = p->Stats();
  EXPECT_EQ(a.failed_rejected, 2u) << a.ToString();
  EXPECT_EQ(a.created, 3u) << a.ToString();
  EXPECT_EQ(logger_->CountContaining("Server rejected event (will not retry!)"), 2);
  EXPECT_EQ(logger_->CountContaining("an error on the server (\"<html>"), 2);
  ExpectAllAccounted(a, server_.server().EventCount());
}

// A 201 whose chunked body stops in the middle: a transport error, retried, written once.
TEST_P(FaultTest, TruncatedChunkedBodyIsRetried) {
  auto p = Make(server_.Config(logger_), 20ms);
  ASSERT_TRUE(p);
  server_.faults().TruncateNext(2);
  EmitRange(*p, 0, 5);
  ASSERT_TRUE(p->Flush(60s)) << p->Stats().ToString();
  const auto a = p->Stats();
  EXPECT_EQ(a.created, 5u) << a.ToString();
  EXPECT_EQ(a.retries, 2u) << a.ToString();
  ExpectAllAccounted(a, server_.server().EventCount());
}

INSTANTIATE_TEST_SUITE_P(BothRecorders, FaultTest,
                         ::testing::Values(Kind::kCoreV1, Kind::kEventsV1),
                         [](const auto& info) { return KindName(info.param); });

}  // namespace
}  // namespace kube::reliability

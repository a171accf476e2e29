// The receivers against real things: files, a loopback HTTP(S) server, rsyslog and
// PostgreSQL (the last two started by scripts/test-services; skipped with a message when its
// environment is absent).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../client/scripted_server.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/eventer/file_receiver.h"
#include "kubeevents/tools/eventer/postgres_receiver.h"
#include "kubeevents/tools/eventer/receiver_worker.h"
#include "kubeevents/tools/eventer/syslog_receiver.h"
#include "kubeevents/tools/eventer/webhook_receiver.h"
#include "kubeevents/tools/localapiserver/certificates.h"
#include "test_events.h"

namespace kube::eventer {
namespace {

using ::testing::HasSubstr;
using testing::MakeEvent;
using testing::WaitFor;
using Batch = std::vector<std::shared_ptr<const ExportedEvent>>;

std::shared_ptr<const ExportedEvent> Shared(api::core::v1::Event ev) {
  auto e = std::make_shared<ExportedEvent>();
  e->event = std::move(ev);
  return e;
}

Batch Events(int n, const std::string& prefix = "e") {
  Batch b;
  for (int i = 0; i < n; ++i) {
    b.push_back(Shared(MakeEvent(prefix + std::to_string(i), std::to_string(100 + i))));
  }
  return b;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TempDir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() /
           ("eventer-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

TEST(FileReceiverTest, JsonLinesAndRotationBySize) {
  const std::string dir = TempDir("file");
  FileReceiverConfig fc;
  fc.path = dir + "/events.jsonl";
  fc.max_size_bytes = 4096;
  fc.max_backups = 2;
  FileReceiver r(fc, Template(), nullptr);
  Batch batch = Events(40);
  SendResult res = r.Send(batch);
  ASSERT_TRUE(res.error.ok()) << res.error;
  EXPECT_EQ(res.written, 40u);
  // Every line is an event's JSON; the events are spread over the file and its backups, none
  // lost (older ones beyond max_backups are deleted by design: 40 events fit in 3 files).
  std::vector<std::string> names;
  for (const char* suffix : {".2", ".1", ""}) {
    const std::string p = fc.path + suffix;
    ASSERT_TRUE(std::filesystem::exists(p)) << p;
    EXPECT_LE(std::filesystem::file_size(p), fc.max_size_bytes);
    std::istringstream lines(ReadFile(p));
    for (std::string line; std::getline(lines, line);) {
      auto ev = api::FromJson<api::core::v1::Event>(line);
      ASSERT_TRUE(ev.ok()) << line;
      names.push_back(ev->metadata.name);
    }
  }
  EXPECT_FALSE(std::filesystem::exists(fc.path + ".3"));
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.back(), "e39");
  for (std::size_t i = 1; i < names.size(); ++i) {
    EXPECT_EQ(std::stoi(names[i].substr(1)), std::stoi(names[i - 1].substr(1)) + 1);
  }
  std::filesystem::remove_all(dir);
}

TEST(FileReceiverTest, TemplateLines) {
  const std::string dir = TempDir("tmpl");
  FileReceiverConfig fc;
  fc.path = dir + "/out.txt";
  FileReceiver r(fc, *Template::Compile("{{ .Reason }} {{ .Name }}"), nullptr);
  ASSERT_EQ(r.Send(Events(2)).written, 2u);
  EXPECT_EQ(ReadFile(fc.path), "Started e0\nStarted e1\n");
  std::filesystem::remove_all(dir);
}

TEST(FileReceiverTest, UnwritablePathIsAnError) {
  FileReceiverConfig fc;
  fc.path = "/nonexistent-dir/x.jsonl";
  FileReceiver r(fc, Template(), nullptr);
  SendResult res = r.Send(Events(1));
  EXPECT_EQ(res.written, 0u);
  EXPECT_THAT(res.error.message(), HasSubstr("/nonexistent-dir/x.jsonl"));
  EXPECT_FALSE(res.permanent);
}

using rest::testing::RecordedRequest;
using rest::testing::ScriptedResponse;
using rest::testing::ScriptedServer;

TEST(WebhookReceiverTest, PostsEachEventWithHeadersOverHttps) {
  auto ca = localapiserver::GenerateCA("webhook-test-ca");
  ASSERT_TRUE(ca.ok());
  localapiserver::CertificateOptions opts;
  opts.common_name = "127.0.0.1";
  opts.ip_addresses = {"127.0.0.1"};
  auto leaf = localapiserver::IssueCertificate(*ca, opts);
  ASSERT_TRUE(leaf.ok());
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{.status = 202}; },
                        rest::testing::ServerTLS{leaf->certificate_pem, leaf->private_key_pem});
  const std::string dir = TempDir("ca");
  std::ofstream(dir + "/ca.crt") << ca->certificate_pem;
  WebhookReceiverConfig wc;
  wc.url = server.url() + "/hooks/k8s?team=a";
  wc.headers = {{"Authorization", "Bearer s3cret"}, {"X-Source", "kube-eventer"}};
  wc.ca_file = dir + "/ca.crt";
  auto r = WebhookReceiver::Create(wc, *Template::Compile(R"({"r":{{ json .Reason }}})"), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  SendResult res = (*r)->Send(Events(1));
  ASSERT_TRUE(res.error.ok()) << res.error;
  EXPECT_EQ(res.written, 1u);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/hooks/k8s?team=a");
  EXPECT_EQ(reqs[0].Header("Authorization"), "Bearer s3cret");
  EXPECT_EQ(reqs[0].Header("X-Source"), "kube-eventer");
  EXPECT_EQ(reqs[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[0].body, R"({"r":"Started"})");
  std::filesystem::remove_all(dir);
}

TEST(WebhookReceiverTest, BatchIsAJsonArray) {
  ScriptedServer server([](const RecordedRequest&) { return ScriptedResponse{}; });
  WebhookReceiverConfig wc;
  wc.url = server.url() + "/";
  auto r = WebhookReceiver::Create(wc, Template(), nullptr);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)->Send(Events(3)).written, 3u);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  auto list = api::FromJson<api::core::v1::EventList>("{\"items\":" + reqs[0].body + "}");
  ASSERT_TRUE(list.ok()) << reqs[0].body;
  ASSERT_EQ(list->items.size(), 3u);
  EXPECT_EQ(list->items[2].metadata.name, "e2");
}

TEST(WebhookReceiverTest, ClientErrorIsPermanentWithBodyServerErrorIsRetried) {
  std::atomic<int> code{400};
  ScriptedServer server([&](const RecordedRequest&) {
    return ScriptedResponse{.status = code.load(), .body = "{\"error\":\"schema mismatch\"}"};
  });
  WebhookReceiverConfig wc;
  wc.url = server.url() + "/x";
  auto r = WebhookReceiver::Create(wc, Template(), nullptr);
  ASSERT_TRUE(r.ok());
  SendResult res = (*r)->Send(Events(1));
  EXPECT_EQ(res.written, 0u);
  EXPECT_TRUE(res.permanent);
  EXPECT_THAT(res.error.message(), HasSubstr("HTTP 400"));
  EXPECT_THAT(res.error.message(), HasSubstr("schema mismatch"));
  code = 503;
  res = (*r)->Send(Events(1));
  EXPECT_FALSE(res.permanent);
  EXPECT_THAT(res.error.message(), HasSubstr("HTTP 503"));
  code = 429;
  EXPECT_FALSE((*r)->Send(Events(1)).permanent);
}

// A receiver that fails as scripted, for the worker's retry/drop accounting.
class ScriptedReceiver : public Receiver {
 public:
  std::function<SendResult(std::size_t)> script;
  std::atomic<int> calls{0};
  SendResult Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) override {
    ++calls;
    return script(batch.size());
  }
};

struct Tally {
  std::mutex mu;
  std::map<Outcome, int> n;
  void Add(Outcome o) {
    std::lock_guard l(mu);
    ++n[o];
  }
  int Get(Outcome o) {
    std::lock_guard l(mu);
    return n[o];
  }
};

TEST(ReceiverWorkerTest, RetriesThenSucceeds) {
  auto rec = std::make_unique<ScriptedReceiver>();
  auto* raw = rec.get();
  std::atomic<int> attempt{0};
  raw->script = [&](std::size_t n) {
    if (++attempt < 3) return SendResult{0, UnavailableError("down"), false};
    return SendResult{n, Status(), false};
  };
  Tally tally;
  ReceiverWorker w(
      "r", std::move(rec), QueueConfig{}, BatchConfig{},
      RetryConfig{5, std::chrono::milliseconds(1), std::chrono::milliseconds(2)},
      [&](const ExportedEvent&, Outcome o, const std::string&) { tally.Add(o); },
      std::make_shared<NullLogger>());
  for (auto& e : Events(5)) w.Offer(e);
  ASSERT_TRUE(WaitFor([&] { return tally.Get(Outcome::kExported) == 5; }));
  EXPECT_GE(raw->calls.load(), 3);
  EXPECT_EQ(tally.Get(Outcome::kFailed), 0);
}

TEST(ReceiverWorkerTest, PermanentFailureIsCountedNotRetried) {
  auto rec = std::make_unique<ScriptedReceiver>();
  auto* raw = rec.get();
  raw->script = [](std::size_t) { return SendResult{0, InvalidArgumentError("HTTP 400"), true}; };
  Tally tally;
  ReceiverWorker w(
      "r", std::move(rec), QueueConfig{}, BatchConfig{1, {}},
      RetryConfig{5, std::chrono::milliseconds(1), std::chrono::milliseconds(2)},
      [&](const ExportedEvent&, Outcome o, const std::string&) { tally.Add(o); },
      std::make_shared<NullLogger>());
  for (auto& e : Events(3)) w.Offer(e);
  ASSERT_TRUE(WaitFor([&] { return tally.Get(Outcome::kFailed) == 3; }));
  EXPECT_EQ(raw->calls.load(), 3);  // one attempt per event
}

TEST(ReceiverWorkerTest, RetryLimitThenFailed) {
  auto rec = std::make_unique<ScriptedReceiver>();
  auto* raw = rec.get();
  raw->script = [](std::size_t) { return SendResult{0, UnavailableError("down"), false}; };
  Tally tally;
  ReceiverWorker w(
      "r", std::move(rec), QueueConfig{}, BatchConfig{},
      RetryConfig{3, std::chrono::milliseconds(1), std::chrono::milliseconds(2)},
      [&](const ExportedEvent&, Outcome o, const std::string&) { tally.Add(o); },
      std::make_shared<NullLogger>());
  w.Offer(Events(1)[0]);
  ASSERT_TRUE(WaitFor([&] { return tally.Get(Outcome::kFailed) == 1; }));
  EXPECT_EQ(raw->calls.load(), 3);
}

TEST(ReceiverWorkerTest, FullQueueDropsAreCountedAndShutdownLeftoversReported) {
  auto rec = std::make_unique<ScriptedReceiver>();
  std::atomic<bool> release{false};
  rec->script = [&](std::size_t n) {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return SendResult{n, Status(), false};
  };
  Tally tally;
  QueueConfig q;
  q.size = 4;
  q.when_full = WhenFull::kBlock;
  q.block_timeout = std::chrono::milliseconds(20);
  {
    ReceiverWorker w(
        "r", std::move(rec), q, BatchConfig{1, {}}, RetryConfig{},
        [&](const ExportedEvent&, Outcome o, const std::string&) { tally.Add(o); },
        std::make_shared<NullLogger>());
    int accepted = 0;
    for (auto& e : Events(20)) accepted += w.Offer(e) ? 1 : 0;
    // At most queue size + the one in flight are accepted; the rest are dropped and counted.
    EXPECT_LE(accepted, 5);
    EXPECT_EQ(tally.Get(Outcome::kDroppedFull), 20 - accepted);
    release = true;
    ASSERT_TRUE(WaitFor([&] { return tally.Get(Outcome::kExported) == accepted; }));
  }
  EXPECT_EQ(tally.Get(Outcome::kDroppedShutdown), 0);
}

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

class SyslogReceiverTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SyslogReceiverTest, Rfc5424ReachesRsyslog) {
  const std::string network = GetParam();
  const char* addr =
      Env(network == "udp" ? "KUBEEVENTS_TEST_SYSLOG_UDP" : "KUBEEVENTS_TEST_SYSLOG_TCP");
  const char* file = Env("KUBEEVENTS_TEST_SYSLOG_FILE");
  if (!addr || !file) {
    GTEST_SKIP() << "rsyslog not running: start it with scripts/test-services start and eval its "
                    "env (scripts/test does this)";
  }
  SyslogReceiverConfig sc;
  sc.network = network;
  sc.address = addr;
  sc.app_name = "eventer-test";
  auto r = SyslogReceiver::Create(sc, *Template::Compile("{{ .Message }}"), nullptr);
  ASSERT_TRUE(r.ok());
  const std::string tag =
      network + "-" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  auto ev = MakeEvent("sys-" + tag, "77", "BackOff", "Warning", 2);
  ev.message = "back-off \"restarting\" ] " + tag;
  auto e = Shared(ev);
  const std::string formatted = (*r)->Format(*e);
  EXPECT_THAT(formatted, ::testing::StartsWith("<132>1 "));  // local0 (16) * 8 + warning (4)
  EXPECT_THAT(formatted, HasSubstr(" eventer-test "));
  EXPECT_THAT(formatted, HasSubstr(" BackOff [kube@32473 namespace=\"default\""));
  ASSERT_TRUE((*r)->Send(Batch{e}).error.ok());
  std::string line;
  ASSERT_TRUE(WaitFor([&] {
    std::istringstream lines(ReadFile(file));
    for (std::string l; std::getline(lines, l);) {
      if (l.find(tag) != std::string::npos) {
        line = l;
        return true;
      }
    }
    return false;
  })) << "rsyslog did not write the message "
      << tag;
  EXPECT_THAT(line, ::testing::StartsWith("<132>1 "));
  EXPECT_THAT(line, HasSubstr("eventer-test"));
  EXPECT_THAT(line, HasSubstr("uid=\"" + e->event.metadata.uid + "\""));
  EXPECT_THAT(line, HasSubstr("resourceVersion=\"77\""));
  EXPECT_THAT(line, HasSubstr("back-off \"restarting\" ] " + tag));
}

INSTANTIATE_TEST_SUITE_P(Networks, SyslogReceiverTest, ::testing::Values("udp", "tcp"));

// A TCP peer that accepts connections (the kernel's backlog does) but never reads: once the
// socket buffers are full the write can only end by the receiver's timeout, which drops the
// connection and reports the batch as failed (retried by the worker), instead of hanging.
TEST(SyslogTcpTimeoutTest, APeerThatStopsReadingFailsTheBatchAfterTheTimeout) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  const int small = 4096;
  ::setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  SyslogReceiverConfig sc;
  sc.network = "tcp";
  sc.address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  sc.timeout = std::chrono::milliseconds(300);
  auto r = SyslogReceiver::Create(sc, *Template::Compile("{{ .Message }}"), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  Batch batch;
  for (int i = 0; i < 400; ++i) {  // ~26 MB: far beyond what the socket buffers hold
    auto ev = MakeEvent("big" + std::to_string(i), std::to_string(100 + i));
    ev.message = std::string(64 * 1024, 'x');
    batch.push_back(Shared(ev));
  }
  const auto start = std::chrono::steady_clock::now();
  const SendResult result = (*r)->Send(batch);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(result.error.ok());
  EXPECT_FALSE(result.permanent);
  EXPECT_EQ(result.written, 0u);
  EXPECT_THAT(result.error.message(), HasSubstr("syslog: write to " + sc.address));
  EXPECT_THAT(result.error.message(), HasSubstr("timed out"));
  // Not a speed target: only that it ended because of the timeout, not the peer.
  EXPECT_LT(took, std::chrono::seconds(30));
  ::close(listener);
}

TEST(PostgresReceiverTest, RowsAreUpsertedByUidAndResourceVersion) {
  const char* url = Env("KUBEEVENTS_TEST_PG_URL");
  if (!url) {
    GTEST_SKIP() << "PostgreSQL not running: start it with scripts/test-services start and eval "
                    "its env (scripts/test does this)";
  }
  const std::string table = "receiver_test_" + std::to_string(::getpid());
  PostgresReceiverConfig pc;
  pc.url = url;
  pc.table = table;
  PostgresReceiver r(pc, nullptr);
  Batch batch = Events(3, "pg");
  auto bumped = MakeEvent("pg0", "200", "Started", "Normal", 2);  // a new occurrence of pg0
  batch.push_back(Shared(bumped));
  SendResult res = r.Send(batch);
  ASSERT_TRUE(res.error.ok()) << res.error;
  EXPECT_EQ(res.written, 4u);
  ASSERT_EQ(r.Send(batch).written, 4u);  // re-delivery: no new rows
  pqxx::connection c(url);
  pqxx::work w(c);
  EXPECT_EQ(w.exec1("SELECT count(*) FROM " + table)[0].as<int>(), 4);
  EXPECT_EQ(w.exec1("SELECT count(*) FROM " + table + " WHERE name = 'pg0'")[0].as<int>(), 2);
  auto row = w.exec1(
      "SELECT reason, count, involved_kind, raw->'metadata'->>'name', "
      "last_timestamp IS NOT NULL FROM " +
      table + " WHERE uid = 'uid-default-pg0' AND resource_version = '200'");
  EXPECT_EQ(row[0].as<std::string>(), "Started");
  EXPECT_EQ(row[1].as<int>(), 2);
  EXPECT_EQ(row[2].as<std::string>(), "Pod");
  EXPECT_EQ(row[3].as<std::string>(), "pg0");
  EXPECT_TRUE(row[4].as<bool>());
  w.exec("DROP TABLE " + table);
  w.commit();
}

TEST(PostgresReceiverTest, UnreachableDatabaseIsRetryable) {
  PostgresReceiverConfig pc;
  pc.url = "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2";
  PostgresReceiver r(pc, nullptr);
  SendResult res = r.Send(Events(1));
  EXPECT_EQ(res.written, 0u);
  EXPECT_FALSE(res.permanent);
  EXPECT_THAT(res.error.message(), HasSubstr("postgres"));
}

}  // namespace
}  // namespace kube::eventer

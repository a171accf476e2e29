// kube-eventer end to end: the library's recorders write events to the local API server over
// real HTTPS; the exporter (the program's own RunExporter, and the real binary for config
// errors) watches them and writes them to a file, PostgreSQL, rsyslog and an HTTPS webhook —
// each change exactly once, also across a restart that resumes from the checkpoint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <pqxx/pqxx>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>

#include "../client/scripted_server.h"
#include "kubeevents/api/json.h"
#include "kubeevents/client/event_sink.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/tools/eventer/runner.h"
#include "kubeevents/tools/localapiserver/certificates.h"
#include "kubeevents/tools/localapiserver/server.h"
#include "kubeevents/tools/record/event_broadcaster.h"
#include "test_events.h"

namespace kube::eventer {
namespace {

using ::testing::HasSubstr;
using testing::WaitFor;
using Key = std::pair<std::string, std::string>;  // (uid, resourceVersion)

std::string TempDir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() /
           ("eventer-e2e-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Key> FileKeys(const std::string& path) {
  std::vector<Key> keys;
  std::istringstream lines(ReadFile(path));
  for (std::string l; std::getline(lines, l);) {
    auto e = api::FromJson<api::core::v1::Event>(l);
    EXPECT_TRUE(e.ok()) << l;
    if (e.ok()) keys.emplace_back(e->metadata.uid, e->metadata.resource_version);
  }
  return keys;
}

std::uint16_t FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::string HttpGet(std::uint16_t port, const std::string& target, int* status) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    *status = 0;
    return "";
  }
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(s, req, ec);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res, ec);
  *status = ec ? 0 : static_cast<int>(res.result_int());
  return res.body();
}

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// The exporter running on a thread until Stop().
class RunningExporter {
 public:
  RunningExporter(const std::string& config_path) {
    auto config = LoadConfigFile(config_path);
    EXPECT_TRUE(config.ok()) << config.status();
    auto logger = std::make_shared<StderrLogger>(0);
    thread_ = std::thread([this, c = *config, logger] {
      exit_code_ = RunExporter(c, logger, [this] { stop_.get_future().wait(); });
    });
  }
  int Stop() {
    stop_.set_value();
    thread_.join();
    return exit_code_;
  }

 private:
  std::promise<void> stop_;
  std::thread thread_;
  int exit_code_ = -1;
};

struct Cluster {
  localapiserver::Server server;
  std::string dir;
  std::string kubeconfig;
  rest::Config rest_config;
  explicit Cluster(const std::string& name) : dir(TempDir(name)) {
    EXPECT_TRUE(server.Start().ok());
    kubeconfig = dir + "/kubeconfig";
    EXPECT_TRUE(server.WriteKubeconfig(kubeconfig).ok());
    auto c = rest::ParseKubeconfig(server.KubeconfigYAML(), "local");
    EXPECT_TRUE(c.ok());
    rest_config = *c;
    rest_config.logger = std::make_shared<NullLogger>();
  }
};

// Writes events with kube::record (creates, and count bumps that are PATCHes) and returns how
// many changes the server made.
std::uint64_t Record(const rest::Config& config, const std::string& prefix, int objects,
                     int repeats) {
  record::EventBroadcaster broadcaster;
  broadcaster.StartRecordingToSink(rest::NewCoreV1EventSink(config));
  auto recorder = broadcaster.NewRecorder({"e2e-" + prefix, ""});
  for (int r = 0; r < repeats; ++r) {
    for (int i = 0; i < objects; ++i) {
      const api::core::v1::ObjectReference pod{
          "Pod", "default", prefix + "-" + std::to_string(i), "", "v1", "", ""};
      recorder->Event(pod, r % 2 ? "Warning" : "Normal", "Probe" + std::to_string(r % 2),
                      "probe of " + pod.name);
    }
  }
  EXPECT_TRUE(broadcaster.Flush(std::chrono::seconds(60)));
  const auto s = broadcaster.Stats();
  EXPECT_EQ(s.created + s.patched, s.emitted);
  broadcaster.Shutdown();
  return s.created + s.patched;
}

TEST(EndToEndTest, EveryChangeOncePerReceiverAcrossARestart) {
  Cluster cluster("all");
  const char* pg_url = Env("KUBEEVENTS_TEST_PG_URL");
  const char* syslog_tcp = Env("KUBEEVENTS_TEST_SYSLOG_TCP");
  const char* syslog_file = Env("KUBEEVENTS_TEST_SYSLOG_FILE");
  if (!pg_url || !syslog_tcp || !syslog_file) {
    GTEST_SKIP() << "PostgreSQL/rsyslog not running: scripts/test-services start (scripts/test "
                    "does this) and eval its env";
  }
  // The webhook: HTTPS with a certificate from our own CA, answering 200 and recording bodies.
  auto ca = localapiserver::GenerateCA("e2e-webhook-ca");
  localapiserver::CertificateOptions opts;
  opts.common_name = "127.0.0.1";
  opts.ip_addresses = {"127.0.0.1"};
  auto leaf = localapiserver::IssueCertificate(*ca, opts);
  rest::testing::ScriptedServer hook(
      [](const rest::testing::RecordedRequest&) { return rest::testing::ScriptedResponse{}; },
      rest::testing::ServerTLS{leaf->certificate_pem, leaf->private_key_pem});
  std::ofstream(cluster.dir + "/hook-ca.crt") << ca->certificate_pem;

  const std::string table = "e2e_" + std::to_string(::getpid());
  const std::string app = "e2e-" + std::to_string(::getpid());
  const std::uint16_t port = FreePort();
  const std::string config_path = cluster.dir + "/eventer.yaml";
  std::ofstream(config_path) << "kubeconfig: " << cluster.kubeconfig << "\n"
                             << "namespaces: [default]\n"
                             << "checkpoint: {path: " << cluster.dir
                             << "/checkpoint.json, interval: 100ms}\n"
                             << "metrics: {address: \"127.0.0.1:" << port << "\"}\n"
                             << "route:\n  match:\n"
                             << "    - receiver: file\n    - receiver: pg\n"
                             << "    - receiver: syslog\n    - receiver: hook\n"
                             << "receivers:\n"
                             << "  - name: file\n    file: {path: " << cluster.dir
                             << "/events.jsonl}\n"
                             << "  - name: pg\n    postgres: {url: \"" << pg_url
                             << "\", table: " << table << "}\n"
                             << "  - name: syslog\n    syslog: {network: tcp, address: \""
                             << syslog_tcp << "\", appName: " << app << "}\n"
                             << "  - name: hook\n    webhook:\n      url: " << hook.url()
                             << "/events\n"
                             << "      caFile: " << cluster.dir << "/hook-ca.crt\n"
                             << "      headers: {X-Cluster: local}\n";

  auto exporter = std::make_unique<RunningExporter>(config_path);
  int status = 0;
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port, "/readyz", &status), status == 200; }))
      << "the exporter never became ready";
  const std::uint64_t first = Record(cluster.rest_config, "first", 5, 3);  // 5 creates, 10 bumps
  EXPECT_EQ(first, 15u);
  ASSERT_TRUE(WaitFor([&] { return FileKeys(cluster.dir + "/events.jsonl").size() >= first; }));
  // Wait for every receiver (the checkpoint only follows all of them), then stop.
  ASSERT_TRUE(WaitFor([&] {
    const std::string m = HttpGet(port, "/metrics", &status);
    for (const char* r : {"file", "pg", "syslog", "hook"}) {
      if (m.find("kube_eventer_events_exported_total{receiver=\"" + std::string(r) + "\"} " +
                 std::to_string(first)) == std::string::npos) {
        return false;
      }
    }
    return true;
  }));
  EXPECT_EQ(exporter->Stop(), 0);

  // Written while the exporter is down: 3 new events and bumps of the old ones.
  const std::uint64_t second =
      Record(cluster.rest_config, "first", 5, 1) + Record(cluster.rest_config, "second", 3, 1);
  exporter = std::make_unique<RunningExporter>(config_path);
  const std::uint64_t total = first + second;
  ASSERT_TRUE(WaitFor([&] { return FileKeys(cluster.dir + "/events.jsonl").size() >= total; }));
  ASSERT_TRUE(WaitFor([&] {
    const std::string m = HttpGet(port, "/metrics", &status);
    return m.find("kube_eventer_events_exported_total{receiver=\"hook\"} " +
                  std::to_string(second)) != std::string::npos &&
           m.find("kube_eventer_events_exported_total{receiver=\"pg\"} " +
                  std::to_string(second)) != std::string::npos &&
           m.find("kube_eventer_events_exported_total{receiver=\"syslog\"} " +
                  std::to_string(second)) != std::string::npos;
  }));
  const std::string metrics = HttpGet(port, "/metrics", &status);
  EXPECT_THAT(metrics, HasSubstr("kube_eventer_synced 1"));
  EXPECT_EQ(exporter->Stop(), 0);

  // The file: every change exactly once (distinct (uid, rv)), nothing from before a restart
  // twice.
  const auto keys = FileKeys(cluster.dir + "/events.jsonl");
  EXPECT_EQ(keys.size(), total);
  EXPECT_EQ(std::set<Key>(keys.begin(), keys.end()).size(), total);

  // The webhook got one POST per change with the header, no duplicates.
  std::set<Key> hook_keys;
  std::size_t posts = 0;
  for (const auto& r : hook.requests()) {
    EXPECT_EQ(r.target, "/events");
    EXPECT_EQ(r.Header("X-Cluster"), "local");
    auto e = api::FromJson<api::core::v1::Event>(r.body);
    ASSERT_TRUE(e.ok()) << r.body;
    hook_keys.emplace(e->metadata.uid, e->metadata.resource_version);
    ++posts;
  }
  EXPECT_EQ(posts, total);
  EXPECT_EQ(hook_keys, std::set<Key>(keys.begin(), keys.end()));

  // PostgreSQL: one row per change.
  {
    pqxx::connection c(pg_url);
    pqxx::work w(c);
    EXPECT_EQ(w.exec1("SELECT count(*) FROM " + table)[0].as<std::size_t>(), total);
    // 5 pods x 2 reasons in the first run; a new broadcaster (no correlator memory) creates
    // 5 + 3 new events in the second.
    EXPECT_EQ(w.exec1("SELECT count(DISTINCT uid) FROM " + table)[0].as<std::size_t>(), 18u);
    EXPECT_EQ(
        w.exec1("SELECT max(count) FROM " + table + " WHERE name LIKE 'first-0.%'")[0].as<int>(),
        2);
    w.exec("DROP TABLE " + table);
    w.commit();
  }

  // rsyslog: one message per change from this run's app name.
  std::size_t syslog_lines = 0;
  ASSERT_TRUE(WaitFor([&] {
    syslog_lines = 0;
    std::istringstream lines(ReadFile(syslog_file));
    for (std::string l; std::getline(lines, l);)
      syslog_lines += l.find(" " + app + " ") != std::string::npos;
    return syslog_lines >= total;
  }));
  EXPECT_EQ(syslog_lines, total);
  std::filesystem::remove_all(cluster.dir);
}

TEST(EndToEndTest, DownWebhookDoesNotBlockTheFileAndItsDropsAreScraped) {
  Cluster cluster("down");
  const std::uint16_t port = FreePort();
  const std::uint16_t closed = FreePort();  // nothing listens there
  const std::string config_path = cluster.dir + "/eventer.yaml";
  std::ofstream(config_path)
      << "kubeconfig: " << cluster.kubeconfig << "\n"
      << "metrics: {address: \"127.0.0.1:" << port << "\"}\n"
      << "route:\n  match:\n    - receiver: file\n    - receiver: hook\n"
      << "receivers:\n"
      << "  - name: file\n    file: {path: " << cluster.dir << "/events.jsonl}\n"
      << "  - name: hook\n    webhook: {url: \"http://127.0.0.1:" << closed << "/\"}\n"
      << "    queue: {size: 2, whenFull: drop}\n"
      << "    retry: {maxAttempts: 1000, initialBackoff: 10ms, maxBackoff: 50ms}\n";
  RunningExporter exporter(config_path);
  int status = 0;
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port, "/readyz", &status), status == 200; }));
  const std::uint64_t n = Record(cluster.rest_config, "down", 20, 1);
  ASSERT_TRUE(WaitFor([&] { return FileKeys(cluster.dir + "/events.jsonl").size() == n; }));
  std::string metrics;
  ASSERT_TRUE(WaitFor([&] {
    metrics = HttpGet(port, "/metrics", &status);
    // queue 2 + one in flight at most; the rest dropped and counted.
    return metrics.find(
               "kube_eventer_events_dropped_total{reason=\"queue_full\",receiver=\"hook\"} " +
               std::to_string(n - 3)) != std::string::npos ||
           metrics.find(
               "kube_eventer_events_dropped_total{reason=\"queue_full\",receiver=\"hook\"} " +
               std::to_string(n - 2)) != std::string::npos;
  })) << metrics;
  EXPECT_THAT(metrics, HasSubstr("kube_eventer_events_exported_total{receiver=\"file\"} " +
                                 std::to_string(n)));
  EXPECT_THAT(metrics, HasSubstr("kube_eventer_events_exported_total{receiver=\"hook\"} 0"));
  EXPECT_EQ(exporter.Stop(), 0);
  std::filesystem::remove_all(cluster.dir);
}

// Runs the installed-to-be binary and returns its exit status and stderr.
std::pair<int, std::string> RunBinary(const std::string& args) {
  const std::string cmd = std::string(KUBE_EVENTER_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = ::pclose(p);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

TEST(BinaryTest, ConfigErrorsExitTwoNamingFileLineAndKey) {
  const std::string dir = TempDir("bin");
  std::ofstream(dir + "/bad.yaml") << "receivers:\n  - name: out\n    stdout: {}\nroute:\n"
                                      "  match:\n    - reason: \"([\"\n      receiver: out\n";
  auto [rc, out] = RunBinary("--config=" + dir + "/bad.yaml");
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(out, HasSubstr(dir + "/bad.yaml:6: route.match[0].reason: bad regular expression"));
  std::ofstream(dir + "/unknown.yaml")
      << "receivers:\n  - name: out\n    stdout: {}\n    colour: red\n";
  std::tie(rc, out) = RunBinary("--config " + dir + "/unknown.yaml");
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(out, HasSubstr(dir + "/unknown.yaml:4: receivers[0].colour: unknown key"));
  std::ofstream(dir + "/recv.yaml") << "receivers:\n  - name: out\n    stdout: {}\nroute:\n"
                                       "  match:\n    - receiver: slack\n";
  std::tie(rc, out) = RunBinary("--config=" + dir + "/recv.yaml --check-config");
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(out,
              HasSubstr(dir + "/recv.yaml:6: route.match[0].receiver: unknown receiver \"slack\""));
  std::tie(rc, out) = RunBinary("--config=" + dir + "/missing.yaml");
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(out, HasSubstr(dir + "/missing.yaml: cannot read the file"));
  std::tie(rc, out) = RunBinary("--bogus");
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(out, HasSubstr("unknown or incomplete flag --bogus"));
  std::tie(rc, out) = RunBinary("--help");
  EXPECT_EQ(rc, 0);
  EXPECT_THAT(out, HasSubstr("Usage: kube-eventer --config=FILE"));
  std::ofstream(dir + "/good.yaml") << "receivers:\n  - name: out\n    stdout: {}\n";
  std::tie(rc, out) = RunBinary("--config=" + dir + "/good.yaml --check-config");
  EXPECT_EQ(rc, 0) << out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kube::eventer

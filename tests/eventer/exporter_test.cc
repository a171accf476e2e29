// The exporter pipeline fed through its EventSource seam: dedupe of re-deliveries, count
// bumps exported, routing, a down receiver that does not block the others (its drops counted
// and scraped from /metrics over HTTP), checkpoint semantics and a corrupt checkpoint.
#include "kubeevents/tools/eventer/exporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_source.h"
#include "kubeevents/tools/eventer/checkpoint.h"
#include "kubeevents/tools/eventer/health_server.h"
#include "test_events.h"

namespace kube::eventer {
namespace {

using testing::FakeSource;
using ::testing::HasSubstr;
using testing::MakeEvent;
using testing::WaitFor;

std::string TempDir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() /
           ("eventer-x-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

Config FileConfig(const std::string& dir,
                  const char* layout = "{{ .Name }} {{ .ResourceVersion }} {{ .Count }}") {
  Config c;
  c.checkpoint_path = dir + "/checkpoint.json";
  c.checkpoint_interval = std::chrono::hours(1);  // written by FlushCheckpoint in the tests
  ReceiverConfig file;
  file.name = "file";
  file.kind = "file";
  file.file.path = dir + "/events.txt";
  file.layout = layout;
  c.receivers.push_back(file);
  RuleConfig all;
  all.receiver = "file";
  c.route.match.push_back(all);
  return c;
}

SourceChange Change(api::core::v1::Event e, ChangeType t = ChangeType::kAdded,
                    bool relist = false) {
  return SourceChange{t, std::move(e), relist};
}

struct Fixture {
  std::shared_ptr<FakeSource::Shared> src = std::make_shared<FakeSource::Shared>();
  std::unique_ptr<Exporter> x;
  explicit Fixture(Config c, std::vector<std::unique_ptr<Receiver>> receivers = {},
                   std::shared_ptr<Logger> logger = std::make_shared<NullLogger>()) {
    auto made = Exporter::Create(std::move(c), logger, std::move(receivers));
    EXPECT_TRUE(made.ok()) << made.status();
    x = *std::move(made);
    std::vector<Watch> w;
    w.push_back(Watch{CheckpointKey("", ""), std::make_unique<FakeSource>(src)});
    EXPECT_TRUE(x->StartWatches(std::move(w)).ok());
  }
  void Feed(SourceChange c) { src->handlers.on_change(std::move(c)); }
  void Progress(const std::string& rv) { src->handlers.on_progress(rv); }
};

TEST(ExporterTest, ExportsEachChangeOnceAndCheckpointsAfterAcknowledgement) {
  const std::string dir = TempDir("once");
  Fixture f(FileConfig(dir));
  EXPECT_EQ(f.src->started_from, "");  // no checkpoint yet: list from scratch
  f.Feed(Change(MakeEvent("a", "10"), ChangeType::kAdded, true));
  f.Feed(Change(MakeEvent("b", "11"), ChangeType::kAdded, true));
  f.Progress("12");  // the list's version
  f.Feed(
      Change(MakeEvent("a", "13", "Started", "Normal", 2), ChangeType::kModified));  // count bump
  f.Feed(
      Change(MakeEvent("a", "13", "Started", "Normal", 2), ChangeType::kModified));  // re-delivery
  f.Feed(Change(MakeEvent("b", "11"), ChangeType::kAdded, true));  // a re-list repeats b
  f.Feed(Change(MakeEvent("b", "14"), ChangeType::kDeleted));      // TTL expiry: not exported
  ASSERT_TRUE(
      WaitFor([&] { return f.x->metrics().Value("kube_eventer_events_exported_total") == 3; }));
  f.x->Shutdown(std::chrono::seconds(10));
  EXPECT_EQ(Lines(dir + "/events.txt"), (std::vector<std::string>{"a 10 1", "b 11 1", "a 13 2"}));
  EXPECT_EQ(f.x->metrics().Value("kube_eventer_events_seen_total"), 6);
  EXPECT_EQ(f.x->metrics().Value("kube_eventer_events_filtered_total", {{"reason", "duplicate"}}),
            2);
  EXPECT_EQ(f.x->metrics().Value("kube_eventer_events_filtered_total", {{"reason", "deleted"}}), 1);
  auto cp = ReadCheckpoint(dir + "/checkpoint.json");
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->at("*|"), "14");
  std::filesystem::remove_all(dir);
}

TEST(ExporterTest, RestartResumesFromTheCheckpointWithoutReexport) {
  const std::string dir = TempDir("resume");
  {
    Fixture f(FileConfig(dir));
    f.Feed(Change(MakeEvent("a", "5"), ChangeType::kAdded, true));
    f.Progress("6");
    f.Feed(Change(MakeEvent("c", "7")));
    ASSERT_TRUE(
        WaitFor([&] { return f.x->metrics().Value("kube_eventer_events_exported_total") == 2; }));
    f.x->Shutdown(std::chrono::seconds(10));
  }
  Fixture g(FileConfig(dir));
  EXPECT_EQ(g.src->started_from, "7");
  // The resumed watch was too old (410): the source re-lists. Items up to the checkpoint were
  // exported by the first run and are skipped; newer ones are exported.
  g.Feed(Change(MakeEvent("a", "5"), ChangeType::kAdded, true));
  g.Feed(Change(MakeEvent("c", "7"), ChangeType::kAdded, true));
  g.Feed(Change(MakeEvent("d", "9"), ChangeType::kAdded, true));
  g.Progress("9");
  ASSERT_TRUE(
      WaitFor([&] { return g.x->metrics().Value("kube_eventer_events_exported_total") == 1; }));
  g.x->Shutdown(std::chrono::seconds(10));
  EXPECT_EQ(Lines(dir + "/events.txt"), (std::vector<std::string>{"a 5 1", "c 7 1", "d 9 1"}));
  EXPECT_EQ(
      g.x->metrics().Value("kube_eventer_events_filtered_total", {{"reason", "already_exported"}}),
      2);
  EXPECT_EQ(ReadCheckpoint(dir + "/checkpoint.json")->at("*|"), "9");
  std::filesystem::remove_all(dir);
}

TEST(ExporterTest, MaxEventAgeSkipsOldEventsOfTheFirstList) {
  const std::string dir = TempDir("age");
  Config c = FileConfig(dir);
  c.max_event_age = std::chrono::minutes(10);
  Fixture f(c);
  auto old = MakeEvent("old", "3");
  old.last_timestamp =
      api::meta::v1::Time(std::chrono::system_clock::now() - std::chrono::hours(2));
  f.Feed(Change(old, ChangeType::kAdded, true));
  f.Feed(Change(MakeEvent("new", "4"), ChangeType::kAdded, true));
  f.Progress("4");
  ASSERT_TRUE(
      WaitFor([&] { return f.x->metrics().Value("kube_eventer_events_exported_total") == 1; }));
  f.x->Shutdown(std::chrono::seconds(10));
  EXPECT_EQ(Lines(dir + "/events.txt"), (std::vector<std::string>{"new 4 1"}));
  EXPECT_EQ(f.x->metrics().Value("kube_eventer_events_filtered_total", {{"reason", "too_old"}}), 1);
  std::filesystem::remove_all(dir);
}

// A receiver that is down until released (every attempt fails after a short wait).
class DownReceiver : public Receiver {
 public:
  std::atomic<bool> up{false};
  SendResult Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) override {
    if (up) return SendResult{batch.size(), Status(), false};
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return SendResult{0, UnavailableError("connection refused"), false};
  }
};

std::string HttpGet(std::uint16_t port, const std::string& target, int* status) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(false);
  http::write(s, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  *status = static_cast<int>(res.result_int());
  return res.body();
}

TEST(ExporterTest, DownReceiverDoesNotBlockTheOthersAndItsDropsAreCounted) {
  const std::string dir = TempDir("down");
  Config c = FileConfig(dir, "{{ .Name }}");
  ReceiverConfig hook;
  hook.name = "hook";
  hook.kind = "webhook";
  hook.queue.size = 5;
  hook.queue.block_timeout = std::chrono::milliseconds(50);
  hook.batch.max_events = 1;
  hook.retry.max_attempts = 1000;
  hook.retry.initial_backoff = std::chrono::milliseconds(1);
  hook.retry.max_backoff = std::chrono::milliseconds(5);
  c.receivers.push_back(hook);
  RuleConfig to_hook;
  to_hook.receiver = "hook";
  c.route.match.push_back(to_hook);
  std::vector<std::unique_ptr<Receiver>> receivers;
  auto file_receiver = MakeReceiver(c.receivers[0], nullptr);
  ASSERT_TRUE(file_receiver.ok());
  receivers.push_back(*std::move(file_receiver));
  auto down = std::make_unique<DownReceiver>();
  DownReceiver* hook_receiver = down.get();
  receivers.push_back(std::move(down));
  std::vector<std::string> warnings;
  std::mutex warnings_mu;
  auto logger = std::make_shared<CallbackLogger>(
      [&](LogSeverity s, int, std::string_view m, std::span<const LogField>) {
        std::lock_guard l(warnings_mu);
        if (s != LogSeverity::kInfo) warnings.emplace_back(m);
      },
      0);
  Fixture f(c, std::move(receivers), logger);
  f.src->synced = true;

  HealthServer health(
      "127.0.0.1:0", [&] { return f.x->Ready(); }, [&] { return f.x->RenderMetrics(); });
  ASSERT_TRUE(health.Start().ok());

  f.Feed(Change(MakeEvent("first", "1")));
  for (int i = 0; i < 100; ++i)
    f.Feed(Change(MakeEvent("e" + std::to_string(i), std::to_string(10 + i))));
  // The file receiver got every event although the hook never took one.
  ASSERT_TRUE(WaitFor([&] { return Lines(dir + "/events.txt").size() == 101; }));
  EXPECT_EQ(f.x->metrics().Value("kube_eventer_events_exported_total", {{"receiver", "hook"}}), 0);
  const double dropped = f.x->metrics().Value("kube_eventer_events_dropped_total",
                                              {{"receiver", "hook"}, {"reason", "queue_full"}});
  EXPECT_GE(dropped, 100 - 6);  // at most queue size + one in flight were accepted
  // The checkpoint cannot pass "first", which the hook still holds (retrying).
  f.x->FlushCheckpoint();
  EXPECT_TRUE(f.x->checkpoint().empty() || f.x->checkpoint().at("*|").empty());

  int status = 0;
  const std::string metrics = HttpGet(health.port(), "/metrics", &status);
  EXPECT_EQ(status, 200);
  EXPECT_THAT(
      metrics,
      HasSubstr("kube_eventer_events_dropped_total{reason=\"queue_full\",receiver=\"hook\"} " +
                std::to_string(static_cast<int>(dropped))));
  EXPECT_THAT(metrics, HasSubstr("kube_eventer_events_exported_total{receiver=\"file\"} 101"));
  EXPECT_THAT(HttpGet(health.port(), "/readyz", &status), HasSubstr("ready: synced"));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(HttpGet(health.port(), "/healthz", &status), "ok\n");
  HttpGet(health.port(), "/nope", &status);
  EXPECT_EQ(status, 404);
  {
    std::lock_guard l(warnings_mu);
    EXPECT_THAT(warnings, ::testing::Contains(HasSubstr("events dropped")));
  }

  // The hook comes back: what it held is delivered, and the checkpoint moves to the end.
  hook_receiver->up = true;
  ASSERT_TRUE(WaitFor([&] {
    return f.x->metrics().Value("kube_eventer_events_exported_total", {{"receiver", "hook"}}) +
               dropped ==
           101;
  }));
  f.x->FlushCheckpoint();
  EXPECT_EQ(f.x->checkpoint().at("*|"), "109");
  f.x->Shutdown(std::chrono::seconds(10));
  health.Stop();
  std::filesystem::remove_all(dir);
}

TEST(ExporterTest, ReadyzBeforeSyncAndInStandby) {
  const std::string dir = TempDir("ready");
  Fixture f(FileConfig(dir));
  EXPECT_FALSE(f.x->Ready().first);
  EXPECT_THAT(f.x->Ready().second, HasSubstr("has not synced"));
  f.src->synced = true;
  EXPECT_TRUE(f.x->Ready().first);
  f.x->SetLeaderState(0);
  EXPECT_TRUE(f.x->Ready().first);
  EXPECT_THAT(f.x->Ready().second, HasSubstr("standby"));
  EXPECT_THAT(f.x->RenderMetrics(), HasSubstr("kube_eventer_leader 0"));
  f.x->Shutdown(std::chrono::seconds(5));
  std::filesystem::remove_all(dir);
}

TEST(ExporterTest, CorruptCheckpointIsAWarningAndAFreshList) {
  const std::string dir = TempDir("corrupt");
  std::ofstream(dir + "/checkpoint.json") << "{\"version\":1,\"watches\":{\"*|\":";
  std::vector<std::string> warnings;
  std::mutex mu;
  auto logger = std::make_shared<CallbackLogger>(
      [&](LogSeverity s, int, std::string_view m, std::span<const LogField> fields) {
        std::lock_guard l(mu);
        if (s != LogSeverity::kWarning) return;
        std::string line(m);
        for (const auto& fld : fields) line += " " + std::string(fld.key) + "=" + fld.value;
        warnings.push_back(line);
      },
      0);
  Fixture f(FileConfig(dir), {}, logger);
  EXPECT_EQ(f.src->started_from, "");
  {
    std::lock_guard l(mu);
    ASSERT_FALSE(warnings.empty());
    EXPECT_THAT(warnings[0], HasSubstr("ignoring the checkpoint"));
    EXPECT_THAT(warnings[0], HasSubstr("corrupt checkpoint"));
  }
  f.Feed(Change(MakeEvent("a", "3"), ChangeType::kAdded, true));
  f.Progress("3");
  ASSERT_TRUE(
      WaitFor([&] { return f.x->metrics().Value("kube_eventer_events_exported_total") == 1; }));
  f.x->Shutdown(std::chrono::seconds(5));
  EXPECT_EQ(ReadCheckpoint(dir + "/checkpoint.json")->at("*|"), "3");  // replaced by a good one
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kube::eventer

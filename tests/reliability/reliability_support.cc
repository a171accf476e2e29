#include "reliability_support.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kubeevents/client/event_sink.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/events/event_broadcaster.h"
#include "kubeevents/tools/record/event_broadcaster.h"

namespace kube::reliability {

std::string CapturingLogger::Record::Line() const {
  std::string line = message;
  for (const auto& [k, v] : fields) line += " " + k + "=" + v;
  return line;
}

void CapturingLogger::Write(LogSeverity s, int v, std::string_view m, std::span<const LogField> f) {
  Record r{s, v, std::string(m), {}};
  for (const auto& x : f) r.fields.emplace_back(std::string(x.key), x.value);
  std::lock_guard lock(mu_);
  records_.push_back(std::move(r));
}

std::vector<CapturingLogger::Record> CapturingLogger::Records() const {
  std::lock_guard lock(mu_);
  return records_;
}

int CapturingLogger::Count(std::string_view message) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(records_.begin(), records_.end(),
                                        [&](const Record& r) { return r.message == message; }));
}

int CapturingLogger::CountContaining(std::string_view needle) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(records_.begin(), records_.end(), [&](const Record& r) {
    return r.Line().find(needle) != std::string::npos;
  }));
}

void CapturingLogger::Dump() const {
  for (const auto& r : Records()) std::printf("  log[v%d]: %s\n", r.verbosity, r.Line().c_str());
}

void CountingLogger::Write(LogSeverity, int, std::string_view m, std::span<const LogField>) {
  std::lock_guard lock(mu_);
  ++counts_[std::string(m)];
}

std::map<std::string, std::uint64_t> CountingLogger::Counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

std::uint64_t CountingLogger::Count(const std::string& message) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(message);
  return it == counts_.end() ? 0 : it->second;
}

std::string KindName(Kind k) { return k == Kind::kCoreV1 ? "CoreV1" : "EventsV1"; }

std::uint64_t Accounting::Failed() const {
  return failed_rejected + failed_quietly + failed_request_building + failed_retry_limit +
         failed_shutdown;
}

std::uint64_t Accounting::Dropped() const {
  return dropped_queue_full + dropped_shutdown + dropped_invalid + dropped_consumer_full +
         dropped_pending_full + abandoned;
}

std::uint64_t Accounting::Accounted() const {
  return created + patched + skipped + series_observed + Failed() + Dropped();
}

std::string Accounting::ToString() const {
  std::ostringstream o;
  o << "calls=" << calls << " emitted=" << emitted << " accounted=" << Accounted()
    << " created=" << created << " patched=" << patched << " skipped=" << skipped
    << " aggregated=" << aggregated << " series_observed=" << series_observed
    << " retries=" << retries << " failed{rejected=" << failed_rejected
    << " quietly=" << failed_quietly << " request_building=" << failed_request_building
    << " retry_limit=" << failed_retry_limit << " shutdown=" << failed_shutdown
    << "} dropped{queue_full=" << dropped_queue_full << " shutdown=" << dropped_shutdown
    << " invalid=" << dropped_invalid << " consumer_full=" << dropped_consumer_full
    << " pending_full=" << dropped_pending_full << " abandoned=" << abandoned
    << "} cache{singletons_evicted=" << singletons_evicted << " series_evicted=" << series_evicted
    << " failed_series_writes=" << failed_series_writes << "}";
  return o.str();
}

void ExpectAllAccounted(const Accounting& a, std::size_t server_events) {
  EXPECT_EQ(a.Accounted(), a.calls) << a.ToString();
  EXPECT_EQ(a.emitted + a.dropped_queue_full + a.dropped_shutdown + a.dropped_invalid, a.calls)
      << a.ToString();
  EXPECT_LE(a.aggregated, a.created + a.patched) << a.ToString();
  EXPECT_EQ(static_cast<std::uint64_t>(server_events), a.created) << a.ToString();
  const double pct =
      a.calls == 0 ? 100.0
                   : 100.0 * static_cast<double>(a.Accounted()) / static_cast<double>(a.calls);
  std::printf("[accounting] %s: %llu / %llu accounted (%.1f %%), server stores %zu | %s\n",
              ::testing::UnitTest::GetInstance()->current_test_info()->name(),
              static_cast<unsigned long long>(a.Accounted()),
              static_cast<unsigned long long>(a.calls), pct, server_events, a.ToString().c_str());
  ::testing::Test::RecordProperty("accounted", std::to_string(a.Accounted()));
  ::testing::Test::RecordProperty("calls", std::to_string(a.calls));
}

namespace {

api::core::v1::ObjectReference Object(std::uint64_t i) {
  const std::string n = std::to_string(i);
  return {"Pod", "reliability", "pod-" + n, "uid-" + n, "v1", "", ""};
}

class CorePipeline final : public Pipeline {
 public:
  CorePipeline(std::shared_ptr<rest::RESTClient> client, record::BroadcasterOptions o)
      : broadcaster_(std::move(o)) {
    broadcaster_.StartRecordingToSink(rest::NewCoreV1EventSink(std::move(client)));
    recorder_ = broadcaster_.NewRecorder({"reliability-test", "node-1"});
  }
  void Emit(std::uint64_t i) override {
    calls_.fetch_add(1, std::memory_order_relaxed);
    recorder_->Eventf(Object(i), "Normal", "Tested", "reliability event %d", i);
  }
  bool Flush(std::chrono::nanoseconds t) override { return broadcaster_.Flush(t); }
  void Shutdown() override { broadcaster_.Shutdown(); }
  Accounting Stats() const override {
    const auto s = broadcaster_.Stats();
    Accounting a;
    a.calls = calls_.load();
    a.emitted = s.emitted;
    a.dropped_queue_full = s.dropped_queue_full;
    a.dropped_shutdown = s.dropped_shutdown;
    a.dropped_invalid = s.dropped_invalid;
    a.dropped_consumer_full = s.dropped_consumer_full;
    a.abandoned = s.abandoned;
    a.created = s.created;
    a.patched = s.patched;
    a.skipped = s.skipped_spam;
    a.aggregated = s.aggregated;
    a.retries = s.retries;
    a.failed_rejected = s.failed_rejected;
    a.failed_quietly = s.failed_quietly;
    a.failed_request_building = s.failed_request_building;
    a.failed_retry_limit = s.failed_retry_limit;
    a.failed_shutdown = s.failed_shutdown;
    return a;
  }

 private:
  record::EventBroadcaster broadcaster_;
  std::shared_ptr<record::EventRecorder> recorder_;
  std::atomic<std::uint64_t> calls_{0};
};

class EventsPipeline final : public Pipeline {
 public:
  EventsPipeline(std::shared_ptr<rest::RESTClient> client, events::BroadcasterOptions o)
      : broadcaster_(rest::NewEventsV1EventSink(std::move(client)), std::move(o)) {
    if (auto st = broadcaster_.StartRecordingToSink(); !st.ok()) ADD_FAILURE() << st;
    recorder_ = broadcaster_.NewRecorder("reliability.example.com/test");
  }
  void Emit(std::uint64_t i) override {
    calls_.fetch_add(1, std::memory_order_relaxed);
    recorder_->Eventf(Object(i), nullptr, "Normal", "Tested", "Testing", "reliability event %d", i);
  }
  bool Flush(std::chrono::nanoseconds t) override { return broadcaster_.Flush(t); }
  void Shutdown() override { broadcaster_.Shutdown(); }
  Accounting Stats() const override {
    const auto s = broadcaster_.Stats();
    Accounting a;
    a.calls = calls_.load();
    a.emitted = s.emitted;
    a.dropped_queue_full = s.dropped_queue_full;
    a.dropped_shutdown = s.dropped_shutdown;
    a.dropped_invalid = s.dropped_invalid;
    a.dropped_consumer_full = s.dropped_consumer_full;
    a.dropped_pending_full = s.dropped_pending_full;
    a.abandoned = s.abandoned;
    a.series_observed = s.series_observed;
    a.created = s.created;
    a.patched = s.patched;
    a.retries = s.retries;
    a.failed_rejected = s.failed_rejected;
    a.failed_quietly = s.failed_quietly;
    a.failed_request_building = s.failed_request_building;
    a.failed_retry_limit = s.failed_retry_limit;
    a.failed_shutdown = s.failed_shutdown;
    a.singletons_evicted = s.singletons_evicted;
    a.series_evicted = s.series_evicted;
    a.failed_series_writes = s.failed_series_writes;
    return a;
  }

 private:
  mutable events::EventBroadcaster broadcaster_;
  std::shared_ptr<events::EventRecorder> recorder_;
  std::atomic<std::uint64_t> calls_{0};
};

}  // namespace

std::unique_ptr<Pipeline> MakePipeline(Kind kind, const rest::Config& config,
                                       std::chrono::nanoseconds sleep_duration,
                                       std::shared_ptr<Logger> logger) {
  if (!logger) logger = std::make_shared<NullLogger>();
  auto client = rest::RESTClient::Create(config);
  if (!client.ok()) {
    ADD_FAILURE() << client.status();
    return nullptr;
  }
  if (kind == Kind::kCoreV1) {
    record::BroadcasterOptions o;
    o.sleep_duration = sleep_duration;
    o.logger = std::move(logger);
    o.max_queued_events = 1000;
    return std::make_unique<CorePipeline>(*client, std::move(o));
  }
  events::BroadcasterOptions o;
  o.logger = std::move(logger);
  o.sleep_duration = sleep_duration;
  o.incoming_queue_length = 1000;
  o.hostname = "node-1";
  return std::make_unique<EventsPipeline>(*client, std::move(o));
}

TestServer::TestServer(localapiserver::ServerOptions options)
    : server_(std::make_unique<localapiserver::Server>(std::move(options))) {
  const Status st = server_->Start();
  EXPECT_TRUE(st.ok()) << st;
}

rest::Config TestServer::Config(std::shared_ptr<Logger> logger) const {
  auto config = rest::ParseKubeconfig(server_->KubeconfigYAML(), "local-apiserver");
  EXPECT_TRUE(config.ok()) << config.status();
  rest::Config c = config.ok() ? *config : rest::Config{};
  c.qps = -1;  // no client-side throttling
  c.logger = logger ? std::move(logger) : std::make_shared<NullLogger>();
  return c;
}

std::uint64_t RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

bool UnderTsan() {
#if defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return true;
#endif
#endif
  return false;
}

bool UnderAsan() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

std::string TempDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  const auto dir = std::filesystem::temp_directory_path() /
                   ("kubeevents-reliability-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string WriteTempFile(const std::string& name, const std::string& text, int mode) {
  const std::string path = TempDir() + "/" + name;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
  return path;
}

}  // namespace kube::reliability

// kube-eventer throughput (docs/eventer.md#benchmark):
//  * RecordedStreamToJsonLines: a recorded watch stream (N ADDED frames of real event JSON)
//    through the watch decoder, event decoding, dedupe, routing and the file receiver (JSON
//    lines) — the exporter's pipeline without the socket.
//  * RecordedStreamToPostgres: the same into PostgreSQL (KUBEEVENTS_TEST_PG_URL; batches of
//    1000 rows per transaction).
//  * ClusterToJsonLines: the real path — kube-local-apiserver in its own process holding
//    100 000 events, the exporter's Reflector source listing/watching them over HTTPS, JSON
//    lines to a file; reports the exporter process's RSS.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "kubeevents/api/json.h"
#include "kubeevents/client/rest/internal/watch_decoder.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/client/rest/watch.h"
#include "kubeevents/tools/eventer/checkpoint.h"
#include "kubeevents/tools/eventer/exporter.h"
#include "kubeevents/tools/eventer/watch_source.h"

extern char** environ;

namespace {

using namespace kube;
using namespace kube::eventer;

api::core::v1::Event SampleEvent(int i) {
  api::core::v1::Event e;
  e.metadata.name = "web-" + std::to_string(i % 1000) + ".17f3a" + std::to_string(i);
  e.metadata.namespace_ = "default";
  e.metadata.uid = "6c1f3f7e-0000-4000-8000-" + std::to_string(100000000000 + i);
  e.metadata.resource_version = std::to_string(1000 + i);
  e.metadata.creation_timestamp = api::meta::v1::Time(std::chrono::system_clock::now());
  e.involved_object = {"Pod",
                       "default",
                       "web-" + std::to_string(i % 1000),
                       "u-" + std::to_string(i % 1000),
                       "v1",
                       "4242",
                       "spec.containers{app}"};
  e.reason = i % 3 ? "Pulled" : "BackOff";
  e.message = "Container image \"registry.example/app:1.2." + std::to_string(i % 50) +
              "\" already present on machine";
  e.source = {"kubelet", "node-" + std::to_string(i % 20)};
  e.first_timestamp = e.metadata.creation_timestamp;
  e.last_timestamp = e.metadata.creation_timestamp;
  e.count = 1 + i % 5;
  e.type = i % 3 ? "Normal" : "Warning";
  return e;
}

std::string RecordedStream(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += "{\"type\":\"ADDED\",\"object\":";
    s += api::ToJson(SampleEvent(i));
    s += "}\n";
  }
  return s;
}

Config PipelineConfig(ReceiverConfig receiver) {
  Config c;
  c.max_event_age = std::chrono::milliseconds(0);
  c.receivers.push_back(std::move(receiver));
  RuleConfig drop;
  drop.namespace_ = "kube-system";
  c.route.drop.push_back(drop);
  RuleConfig all;
  all.receiver = c.receivers[0].name;
  c.route.match.push_back(all);
  return c;
}

// An EventSource that does nothing: the benchmark feeds the exporter through OnChange.
class NoSource final : public EventSource {
 public:
  Status Start(const std::string&, SourceHandlers) override { return Status(); }
  void Stop() override {}
  bool HasSynced() const override { return true; }
  SourceStats Stats() const override { return {}; }
};

void RunRecorded(benchmark::State& state, ReceiverConfig receiver) {
  const int n = static_cast<int>(state.range(0));
  const std::string stream = RecordedStream(n);
  for (auto _ : state) {
    state.PauseTiming();
    auto x = Exporter::Create(PipelineConfig(receiver), std::make_shared<NullLogger>()).value();
    std::vector<Watch> w;
    w.push_back(Watch{CheckpointKey("", ""), std::make_unique<NoSource>()});
    (void)x->StartWatches(std::move(w));
    state.ResumeTiming();
    rest::internal::WatchDecoder decoder;
    constexpr std::size_t kChunk = 64 * 1024;  // as a socket read would hand them over
    for (std::size_t off = 0; off < stream.size(); off += kChunk) {
      auto out = decoder.Feed(std::string_view(stream).substr(off, kChunk));
      for (auto& frame : out.events) {
        auto ev = rest::DecodeCoreEvent(frame);
        if (!ev.ok()) {
          state.SkipWithError(ev.status().message().c_str());
          return;
        }
        x->OnChange(0, SourceChange{ChangeType::kAdded, *std::move(ev), false});
      }
    }
    while (x->metrics().Value("kube_eventer_events_exported_total") < n) {
      if (x->metrics().Value("kube_eventer_events_failed_total") > 0) {
        state.SkipWithError("receiver failed");
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    state.PauseTiming();
    x->Shutdown(std::chrono::seconds(30));
    x.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// Where the JSON lines go: KUBEEVENTS_BENCH_DIR, else /dev/shm (a tmpfs: the figure is the
// exporter's, not this machine's disk, whose write-back stalls vary several-fold run to run),
// else the temp directory.
std::filesystem::path OutputDir() {
  if (const char* d = std::getenv("KUBEEVENTS_BENCH_DIR"); d && *d) return d;
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

void BM_RecordedStreamToJsonLines(benchmark::State& state) {
  const auto dir = OutputDir() / ("kubeevents-eventer-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ReceiverConfig r;
  r.name = "file";
  r.kind = "file";
  r.file.path = (dir / "events.jsonl").string();
  r.file.max_size_bytes = std::size_t{1} << 30;
  r.batch.max_events = 1000;
  r.queue.size = 100000;
  std::filesystem::remove(r.file.path);
  RunRecorded(state, r);
  state.counters["file_MB"] = static_cast<double>(std::filesystem::file_size(r.file.path)) / 1e6;
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RecordedStreamToJsonLines)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

void BM_RecordedStreamToPostgres(benchmark::State& state) {
  const char* url = std::getenv("KUBEEVENTS_TEST_PG_URL");
  if (!url || !*url) {
    state.SkipWithError("KUBEEVENTS_TEST_PG_URL unset (eval \"$(scripts/test-services start)\")");
    return;
  }
  ReceiverConfig r;
  r.name = "pg";
  r.kind = "postgres";
  r.postgres.url = url;
  r.postgres.table = "bench_events_" + std::to_string(::getpid());
  r.batch.max_events = 1000;
  r.queue.size = 100000;
  RunRecorded(state, r);  // later iterations re-deliver: the upsert makes them no-ops
}
BENCHMARK(BM_RecordedStreamToPostgres)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

long RssKiB() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

void BM_ClusterToJsonLines(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto dir = OutputDir() / ("kubeevents-eventer-cluster-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string kubeconfig = (dir / "kubeconfig").string();
  std::string arg_kc = "--kubeconfig=" + kubeconfig;
  std::string arg_ttl = "--event-ttl=2h";
  char* argv[] = {const_cast<char*>(KUBE_LOCAL_APISERVER_BINARY), arg_kc.data(), arg_ttl.data(),
                  nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, KUBE_LOCAL_APISERVER_BINARY, nullptr, nullptr, argv, environ) != 0) {
    state.SkipWithError("cannot start kube-local-apiserver");
    return;
  }
  for (int i = 0; i < 300 && (!std::filesystem::exists(kubeconfig) ||
                              std::filesystem::file_size(kubeconfig) == 0);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto config = rest::LoadKubeconfigFile(kubeconfig);
  if (!config.ok()) {
    state.SkipWithError(config.status().message().c_str());
    ::kill(pid, SIGTERM);
    return;
  }
  config->qps = -1;
  config->logger = std::make_shared<NullLogger>();
  config->io_threads = 2;
  auto client = rest::RESTClient::Create(*config).value();
  // Fill the cluster (not timed): n events, 8 requests in flight.
  {
    std::atomic<int> next{0}, failed{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&] {
        for (int i = next++; i < n; i = next++) {
          auto e = SampleEvent(i);
          e.metadata.uid.clear();
          e.metadata.resource_version.clear();
          e.metadata.creation_timestamp = {};
          if (!client->Post().Namespace("default").Resource("events").Body(e).Do().ok()) ++failed;
        }
      });
    }
    for (auto& w : writers) w.join();
    if (failed > 0) {
      state.SkipWithError("creating events failed");
      ::kill(pid, SIGTERM);
      return;
    }
  }
  const long rss_before = RssKiB();
  ReceiverConfig r;
  r.name = "file";
  r.kind = "file";
  r.file.path = (dir / "events.jsonl").string();
  r.file.max_size_bytes = std::size_t{1} << 30;
  r.queue.size = 200000;
  r.batch.max_events = 1000;
  long rss_after = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove(r.file.path);
    auto x = Exporter::Create(PipelineConfig(r), std::make_shared<NullLogger>()).value();
    std::vector<Watch> w;
    w.push_back(Watch{CheckpointKey("", ""),
                      MakeWatchSource(client, "", "", std::make_shared<NullLogger>())});
    state.ResumeTiming();
    (void)x->StartWatches(std::move(w));
    while (x->metrics().Value("kube_eventer_events_exported_total") < n) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    state.PauseTiming();
    rss_after = std::max(rss_after, RssKiB());
    x->Shutdown(std::chrono::seconds(30));
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["rss_MiB_with_events"] = static_cast<double>(rss_after) / 1024.0;
  state.counters["rss_MiB_growth"] = static_cast<double>(rss_after - rss_before) / 1024.0;
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ClusterToJsonLines)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

}  // namespace

// kubeevents_e2e_bench: end-to-end speed over real sockets (issue 14). Eventf -> recorder ->
// broadcaster -> correlator/series -> REST sink -> RESTClient -> an API server, for the
// core/v1 and events.k8s.io/v1 pipelines, unique events and repeats of one event.
//
// By default it starts kube-local-apiserver as a separate process (so getrusage of this
// process is the client's CPU alone, and the server's CPU is read from /proc/<pid>/stat) and
// runs every case over HTTPS keep-alive and over plain HTTP. --server/--kubeconfig point the
// same runs at any API server, a real cluster included.
//
// Per case:
//  * burst: --events events emitted back to back into queues sized to the burst (nothing
//    dropped), timed from the first Eventf until Flush returned: events/s, client (and server)
//    CPU per event, and Eventf -> acknowledgement latency under that backlog;
//  * paced: --latency-events events, one every --latency-interval: Eventf -> acknowledgement
//    latency of a pipeline that is not backlogged.
// Acknowledgement = the sink's write returned success (the server's response was read and
// decoded). A wrapping EventSink timestamps it and maps the write back to the Eventf that
// caused it: by the involved object's name for unique events (one object per event, so no
// aggregation), by the event's count (core/v1) or series count (events.k8s.io/v1) for
// repeats. Repeats on events.k8s.io/v1 become one create and one series patch; the other
// occurrences are absorbed into the series (written later by the refresh/finish tasks, as in
// client-go), so that case reports events/s but no per-event latency.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kubeevents/client/event_sink.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/events/event_broadcaster.h"
#include "kubeevents/tools/localapiserver/server.h"
#include "kubeevents/tools/record/event_broadcaster.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using kube::api::core::v1::ObjectReference;

constexpr std::string_view kUsage = R"(Usage: kubeevents_e2e_bench [flags]

End-to-end event recording over real sockets: events/s, Eventf -> acknowledgement latency and
client CPU per event, for the core/v1 and events.k8s.io/v1 pipelines.

Server (default: start kube-local-apiserver and run over HTTPS and over plain HTTP):
  --server=URL               an API server URL (with --token, --ca-file or --insecure)
  --token=TOKEN              bearer token for --server
  --ca-file=PATH             CA bundle for --server
  --insecure                 skip TLS verification for --server
  --kubeconfig=PATH          use this kubeconfig's current context instead
  --apiserver-binary=PATH    the kube-local-apiserver program (default: found next to this
                             build, else on PATH)
  --in-process               run kube::localapiserver::Server inside this process instead
                             (client CPU then includes the server's)
  --transport=https|http     only this transport of the local server (default both)
Workload:
  --api=core|events          only this API (default both)
  --events=N                 events per burst (default 20000)
  --repeat                   only repeats of one event (default: unique, then repeats)
  --unique                   only unique events
  --latency-events=N         events of the paced latency run (default 2000; 0 = skip)
  --latency-interval=DUR     pause between paced events, e.g. 200us, 1ms (default: four
                             times the burst's time per event, at least 100us: a pipeline
                             at a quarter of its throughput)
  --namespace=NS             namespace of the events (default "default")
  --spam-filter              keep core/v1's spam filter on (default off: with it on, 25 of
                             the repeats are written and the rest skipped, as in client-go)
  --qps=Q                    client rate limit (default -1 = off; client-go's default is 5)
  --core-writers=N           core/v1 writer threads per sink (record::BroadcasterOptions::
                             writer_threads; default 1, client-go's one request in flight)
  --far-latency=DUR          also run core/v1 against a second local server that adds DUR
                             (whole milliseconds) to every request, as a cluster a network
                             away would, with 1 and with 8 writers (default 2ms; 0 = skip;
                             only with the default local server)
  --far-events=N             events of each of those runs (default 2000)
Output:
  --json=PATH                write the results as JSON
  -v=N                       pipeline log verbosity (default: errors and warnings only)
  --help
)";

struct Flags {
  std::string server, token, ca_file, kubeconfig, apiserver_binary, transport, api, json;
  std::string ns = "default";
  bool insecure = false, in_process = false, only_repeat = false, only_unique = false;
  bool spam_filter = false;
  std::size_t events = 20000, latency_events = 2000;
  std::chrono::microseconds latency_interval{0};  // 0 = auto: 4 x the burst's time per event
  float qps = -1;
  int verbosity = -1;
  int core_writers = 1;  // record::BroadcasterOptions::writer_threads
  // The local server a network away: its added latency per request (0 = skip those runs),
  // the events of each run and the core/v1 writer counts compared.
  std::chrono::microseconds far_latency{2000};
  std::size_t far_events = 2000;
};

bool ParseMicros(std::string_view s, std::chrono::microseconds& out) {
  std::size_t i = 0;
  long long n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') n = n * 10 + (s[i++] - '0');
  if (i == 0) return false;
  const auto unit = s.substr(i);
  if (unit == "us")
    out = std::chrono::microseconds(n);
  else if (unit == "ms")
    out = std::chrono::milliseconds(n);
  else if (unit == "s")
    out = std::chrono::seconds(n);
  else
    return false;
  return true;
}

std::optional<Flags> ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string_view key = arg, value;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) {
      key = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    auto number = [&](auto& out) {
      try {
        std::size_t pos = 0;
        const auto v = std::stoull(std::string(value), &pos);
        if (pos != value.size()) return false;
        out = static_cast<std::remove_reference_t<decltype(out)>>(v);
        return true;
      } catch (...) {
        return false;
      }
    };
    bool ok = true;
    if (key == "--help" || key == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (key == "--server" && !value.empty()) {
      f.server = value;
    } else if (key == "--token" && !value.empty()) {
      f.token = value;
    } else if (key == "--ca-file" && !value.empty()) {
      f.ca_file = value;
    } else if (key == "--insecure") {
      f.insecure = true;
    } else if (key == "--kubeconfig" && !value.empty()) {
      f.kubeconfig = value;
    } else if (key == "--apiserver-binary" && !value.empty()) {
      f.apiserver_binary = value;
    } else if (key == "--in-process") {
      f.in_process = true;
    } else if (key == "--transport" && (value == "https" || value == "http")) {
      f.transport = value;
    } else if (key == "--api" && (value == "core" || value == "events")) {
      f.api = value;
    } else if (key == "--events") {
      ok = number(f.events) && f.events >= 2;
    } else if (key == "--repeat") {
      f.only_repeat = true;
    } else if (key == "--unique") {
      f.only_unique = true;
    } else if (key == "--latency-events") {
      ok = number(f.latency_events);
    } else if (key == "--latency-interval") {
      ok = ParseMicros(value, f.latency_interval);
    } else if (key == "--namespace" && !value.empty()) {
      f.ns = value;
    } else if (key == "--spam-filter") {
      f.spam_filter = true;
    } else if (key == "--core-writers") {
      ok = number(f.core_writers) && f.core_writers >= 1;
    } else if (key == "--far-latency") {
      ok = ParseMicros(value, f.far_latency) && f.far_latency.count() % 1000 == 0;
    } else if (key == "--far-events") {
      ok = number(f.far_events) && f.far_events >= 2;
    } else if (key == "--qps") {
      try {
        f.qps = std::stof(std::string(value));
      } catch (...) {
        ok = false;
      }
    } else if (key == "--json" && !value.empty()) {
      f.json = value;
    } else if (key == "-v" || key == "--v") {
      ok = number(f.verbosity);
    } else {
      ok = false;
    }
    if (!ok) {
      std::cerr << "kubeevents_e2e_bench: invalid flag " << arg << "\n\n" << kUsage;
      return std::nullopt;
    }
  }
  if (f.only_repeat && f.only_unique) {
    std::cerr << "kubeevents_e2e_bench: --repeat and --unique exclude each other\n";
    return std::nullopt;
  }
  if (!f.server.empty() && !f.kubeconfig.empty()) {
    std::cerr << "kubeevents_e2e_bench: give --server or --kubeconfig, not both\n";
    return std::nullopt;
  }
  return f;
}

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// CPU time (user + system) of this process, in microseconds.
double SelfCpuMicros() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// CPU time (user + system) of another process from /proc/<pid>/stat, in microseconds
// (clock-tick resolution, 10 ms at 100 Hz); -1 when unreadable.
double ProcessCpuMicros(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// ---------------------------------------------------------------------------------------
// Acknowledgement log and the wrapping sinks.

// One slot per Eventf of a run: when it was called and when the write it caused succeeded.
class AckLog {
 public:
  explicit AckLog(std::size_t n)
      : n_(n),
        emit_(std::make_unique<std::int64_t[]>(n)),
        ack_(std::make_unique<std::atomic<std::int64_t>[]>(n)) {
    for (std::size_t i = 0; i < n; ++i) ack_[i].store(0, std::memory_order_relaxed);
  }
  std::size_t size() const { return n_; }
  void Emitted(std::size_t seq) { emit_[seq] = NowNs(); }
  // A write for `seq` succeeded (the first success counts).
  void Acked(std::int64_t seq) {
    if (seq < 0 || static_cast<std::size_t>(seq) >= n_) {
      unmatched_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::int64_t expected = 0;
    if (!ack_[seq].compare_exchange_strong(expected, NowNs())) {
      duplicate_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  std::int64_t emit(std::size_t i) const { return emit_[i]; }
  std::int64_t ack(std::size_t i) const { return ack_[i].load(); }
  std::uint64_t unmatched() const { return unmatched_.load(); }
  std::uint64_t duplicate() const { return duplicate_.load(); }

 private:
  std::size_t n_;
  std::unique_ptr<std::int64_t[]> emit_;
  std::unique_ptr<std::atomic<std::int64_t>[]> ack_;
  std::atomic<std::uint64_t> unmatched_{0}, duplicate_{0};
};

// The sequence number at the end of an object name "<prefix>-<seq>" (-1 when none).
std::int64_t SeqOfName(std::string_view name) {
  const auto dash = name.rfind('-');
  if (dash == std::string_view::npos || dash + 1 == name.size()) return -1;
  std::int64_t v = 0;
  for (char c : name.substr(dash + 1)) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// core/v1: forwards to the REST sink; on success acknowledges the Eventf that caused the
// write: unique events by the involved object's name, repeats by the event's count.
class CoreAckSink final : public kube::record::EventSink {
 public:
  CoreAckSink(std::shared_ptr<kube::record::EventSink> inner, bool repeat)
      : inner_(std::move(inner)), repeat_(repeat) {}
  void Attach(AckLog* log) { log_.store(log); }
  kube::StatusOr<kube::api::core::v1::Event> Create(const kube::api::core::v1::Event& e) override {
    auto r = inner_->Create(e);
    if (r.ok()) Ack(e);
    return r;
  }
  kube::StatusOr<kube::api::core::v1::Event> Update(const kube::api::core::v1::Event& e) override {
    return inner_->Update(e);
  }
  kube::StatusOr<kube::api::core::v1::Event> Patch(const kube::api::core::v1::Event& e,
                                                   std::string_view patch) override {
    auto r = inner_->Patch(e, patch);
    if (r.ok()) Ack(e);
    return r;
  }

 private:
  void Ack(const kube::api::core::v1::Event& e) {
    if (AckLog* log = log_.load()) {
      log->Acked(repeat_ ? static_cast<std::int64_t>(e.count) - 1
                         : SeqOfName(e.involved_object.name));
    }
  }
  std::shared_ptr<kube::record::EventSink> inner_;
  bool repeat_;
  std::atomic<AckLog*> log_{nullptr};
};

// events.k8s.io/v1: the same by the regarding object's name, or the series count (a create
// without a series is the first occurrence).
class EventsAckSink final : public kube::events::EventSink {
 public:
  EventsAckSink(std::shared_ptr<kube::events::EventSink> inner, bool repeat)
      : inner_(std::move(inner)), repeat_(repeat) {}
  void Attach(AckLog* log) { log_.store(log); }
  kube::StatusOr<kube::api::events::v1::Event> Create(
      const kube::api::events::v1::Event& e) override {
    auto r = inner_->Create(e);
    if (r.ok()) Ack(e);
    return r;
  }
  kube::StatusOr<kube::api::events::v1::Event> Update(
      const kube::api::events::v1::Event& e) override {
    return inner_->Update(e);
  }
  kube::StatusOr<kube::api::events::v1::Event> Patch(const kube::api::events::v1::Event& e,
                                                     std::string_view patch) override {
    auto r = inner_->Patch(e, patch);
    if (r.ok()) Ack(e);
    return r;
  }

 private:
  void Ack(const kube::api::events::v1::Event& e) {
    if (AckLog* log = log_.load()) {
      if (!repeat_) {
        log->Acked(SeqOfName(e.regarding.name));
      } else {
        log->Acked(e.series ? static_cast<std::int64_t>(e.series->count) - 1 : 0);
      }
    }
  }
  std::shared_ptr<kube::events::EventSink> inner_;
  bool repeat_;
  std::atomic<AckLog*> log_{nullptr};
};

// ---------------------------------------------------------------------------------------
// Servers.

struct Target {
  std::string name;  // "https", "http", "server", "kubeconfig", "https-far"
  kube::rest::Config config;
  pid_t server_pid = -1;  // the local server process, for its CPU time
};

// kube-local-apiserver as a child process: output to a file in a temporary directory, parsed
// for its URLs; SIGTERM and waitpid on destruction.
class LocalServerProcess {
 public:
  ~LocalServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  /// Starts `binary` with `extra_args` after the usual ones.
  kube::Status Start(const std::string& binary, const std::vector<std::string>& extra_args = {}) {
    // mkdtemp replaces the template's six trailing 'X's with a unique suffix.
    std::string tmpl =
        (fs::temp_directory_path() / "kubeevents-e2e-").string() + std::string(6, 'X');
    if (mkdtemp(tmpl.data()) == nullptr) {
      return kube::Status(kube::StatusCode::kInternal, "mkdtemp " + tmpl + " failed");
    }
    dir_ = tmpl;
    token_ = RandomToken();
    const std::string log = dir_ + "/server.log";
    std::vector<std::string> args = {binary,
                                     "--http",
                                     "--token=" + token_,
                                     "--cert-dir=" + dir_,
                                     "--kubeconfig=" + dir_ + "/kubeconfig",
                                     "--event-ttl=10m"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
      return kube::Status(kube::StatusCode::kFailedPrecondition,
                          "cannot create " + log + ": " + std::strerror(errno));
    }
    // fork + exec (only async-signal-safe calls in the child; no other thread runs yet), with
    // PR_SET_PDEATHSIG so that the server ends with this process however it ends.
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(127);
      dup2(out, 1);
      dup2(out, 2);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    const int fork_errno = errno;
    close(out);
    if (pid_ < 0) {
      pid_ = -1;
      return kube::Status(kube::StatusCode::kFailedPrecondition,
                          "cannot start " + binary + ": " + std::strerror(fork_errno));
    }
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      std::ifstream in(log);
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("kube-local-apiserver listening on ", 0) == 0) https_ = line.substr(34);
        if (line.rfind("plain HTTP on ", 0) == 0) http_ = line.substr(14);
        if (line.rfind("kubeconfig: ", 0) == 0) kubeconfig_ = line.substr(12);
      }
      if (!kubeconfig_.empty()) return kube::Status();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        std::ifstream again(log);
        std::stringstream text;
        text << again.rdbuf();
        return kube::Status(kube::StatusCode::kFailedPrecondition,
                            binary + " exited: " + text.str());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return kube::Status(kube::StatusCode::kDeadlineExceeded,
                        binary + " did not print its URLs within 60 s");
  }

  pid_t pid() const { return pid_; }
  const std::string& https() const { return https_; }
  const std::string& http() const { return http_; }
  const std::string& kubeconfig() const { return kubeconfig_; }
  const std::string& token() const { return token_; }

 private:
  static std::string RandomToken() {
    std::random_device rd;
    std::string t;
    for (int i = 0; i < 32; ++i) t += "0123456789abcdef"[rd() % 16];
    return t;
  }
  pid_t pid_ = -1;
  std::string dir_, token_, https_, http_, kubeconfig_;
};

std::string FindApiServerBinary(const Flags& f) {
  if (!f.apiserver_binary.empty()) return f.apiserver_binary;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path sibling =
        self.parent_path() / ".." / ".." / "tools" / "localapiserver" / "kube-local-apiserver";
    if (fs::exists(sibling, ec)) return fs::weakly_canonical(sibling, ec).string();
  }
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      const fs::path p = fs::path(dir) / "kube-local-apiserver";
      if (fs::exists(p, ec)) return p.string();
    }
  }
  return "kube-local-apiserver";
}

void Tune(kube::rest::Config& c, const Flags& f) {
  c.qps = f.qps;
  c.timeout = std::chrono::seconds(30);
  c.logger = f.verbosity >= 0
                 ? std::shared_ptr<kube::Logger>(std::make_shared<kube::StderrLogger>(f.verbosity))
                 : std::make_shared<kube::NullLogger>();
}

// ---------------------------------------------------------------------------------------
// Runs.

struct Result {
  std::string target, api, mode, phase;  // phase: burst | paced
  std::size_t events = 0;
  std::uint64_t acked = 0, handled = 0, silent_drops = 0, dropped_counted = 0, failed = 0,
                retries = 0, created = 0, patched = 0, absorbed = 0, unmatched = 0;
  double seconds = 0, events_per_s = 0, p50_us = -1, p99_us = -1, max_us = -1;
  double interval_us = 0;     // paced: the pause between events
  std::string drop_detail{};  // which counters the dropped events are in
  double client_cpu_us_per_event = 0, server_cpu_us_per_event = -1;
  bool client_cpu_includes_server = false;
  int writers = 1;  // threads writing to the sink
};

void Latencies(const AckLog& log, Result& r) {
  std::vector<double> us;
  us.reserve(log.size());
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log.ack(i) != 0) us.push_back(static_cast<double>(log.ack(i) - log.emit(i)) / 1e3);
  }
  r.acked = us.size();
  r.unmatched = log.unmatched() + log.duplicate();
  // Percentiles need a distribution: the events.k8s.io/v1 repeats have two writes only.
  if (us.size() < 10) return;
  std::sort(us.begin(), us.end());
  r.p50_us = us[us.size() / 2];
  r.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  r.max_us = us.back();
}

// Emits `n` events (paced: one every `interval`), flushes, fills `r`.
template <typename Emit, typename Flush>
void Drive(std::size_t n, std::chrono::microseconds interval, AckLog& log, Emit emit, Flush flush,
           Result& r, pid_t server_pid) {
  const double cpu0 = SelfCpuMicros();
  const double server0 = server_pid > 0 ? ProcessCpuMicros(server_pid) : -1;
  const auto t0 = Clock::now();
  auto next = t0;
  for (std::size_t i = 0; i < n; ++i) {
    if (interval.count() > 0) {  // sleep, so that pacing adds no CPU time to the client's
      std::this_thread::sleep_until(next);
      next += interval;
    }
    log.Emitted(i);
    emit(i);
  }
  if (!flush()) std::cerr << "kubeevents_e2e_bench: Flush timed out\n";
  const auto t1 = Clock::now();
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  r.client_cpu_us_per_event = (SelfCpuMicros() - cpu0) / static_cast<double>(n);
  if (server_pid > 0) {
    r.server_cpu_us_per_event = (ProcessCpuMicros(server_pid) - server0) / static_cast<double>(n);
  }
  r.events = n;
  r.interval_us = static_cast<double>(interval.count());
  Latencies(log, r);
}

std::string RunId() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() %
                        100000000);
}

std::optional<Result> RunCore(const Target& t, const Flags& f, bool repeat, std::size_t n,
                              std::chrono::microseconds interval) {
  Result r{.target = t.name,
           .api = "core",
           .mode = repeat ? "repeat" : "unique",
           .phase = interval.count() > 0 ? "paced" : "burst"};
  auto client = kube::rest::RESTClient::Create(t.config);
  if (!client.ok()) {
    std::cerr << "kubeevents_e2e_bench: " << client.status() << "\n";
    return std::nullopt;
  }
  auto sink = std::make_shared<CoreAckSink>(kube::rest::NewCoreV1EventSink(*client, f.ns), repeat);
  kube::record::BroadcasterOptions o;
  o.logger = t.config.logger;
  o.max_queued_events = n;  // sized to the burst: nothing is dropped, everything is written
  o.correlator_options.disable_spam_filter = !f.spam_filter;
  o.writer_threads = f.core_writers;
  r.writers = o.writer_threads;
  kube::record::EventBroadcaster b(o);
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"kubeevents-bench", "bench-node"});
  // Warm up: open the connection (TLS handshake) outside the timed part.
  const std::string prefix = "kubeevents-bench-" + RunId() + "-";
  recorder->Event(ObjectReference{"Pod", f.ns, prefix + "warmup", "", "v1", "", ""}, "Normal",
                  "Warmup", "warm up");
  b.Flush(std::chrono::seconds(60));
  const auto warm = b.Stats();
  std::vector<ObjectReference> refs;
  refs.reserve(repeat ? 1 : n);
  for (std::size_t i = 0; i < (repeat ? 1 : n); ++i) {
    refs.push_back({"Pod", f.ns, prefix + (repeat ? std::string("r") : std::to_string(i)),
                    "6f1c2a9e-0000-4000-8000-" + std::to_string(100000000000 + i), "v1", "1", ""});
  }
  AckLog log(n);
  sink->Attach(&log);
  Drive(
      n, interval, log,
      [&](std::size_t i) {
        recorder->Eventf(refs[repeat ? 0 : i], "Normal", "Scaled", "Scaled %s to %d replicas",
                         "web", 3);
      },
      [&] { return b.Flush(std::chrono::seconds(300)); }, r, t.server_pid);
  sink->Attach(nullptr);
  const auto s = b.Stats();
  r.created = s.created - warm.created;
  r.patched = s.patched - warm.patched;
  r.failed = s.failed_rejected + s.failed_quietly + s.failed_request_building +
             s.failed_retry_limit + s.failed_shutdown - warm.failed_rejected - warm.failed_quietly -
             warm.failed_request_building - warm.failed_retry_limit - warm.failed_shutdown;
  r.retries = s.retries - warm.retries;
  r.dropped_counted = s.dropped_queue_full + s.dropped_consumer_full + s.dropped_invalid +
                      s.dropped_shutdown + s.abandoned;
  r.drop_detail = "queue_full=" + std::to_string(s.dropped_queue_full) +
                  " consumer_full=" + std::to_string(s.dropped_consumer_full) +
                  " abandoned=" + std::to_string(s.abandoned);
  r.absorbed = s.skipped_spam;  // skipped by the spam filter (counted)
  r.handled = r.created + r.patched + r.absorbed;
  const std::uint64_t accounted = r.handled + r.failed + r.dropped_counted;
  r.silent_drops = n > accounted ? n - accounted : 0;
  r.events_per_s = static_cast<double>(r.handled) / r.seconds;
  b.Shutdown();
  return r;
}

std::optional<Result> RunEvents(const Target& t, const Flags& f, bool repeat, std::size_t n,
                                std::chrono::microseconds interval) {
  Result r{.target = t.name,
           .api = "events",
           .mode = repeat ? "repeat" : "unique",
           .phase = interval.count() > 0 ? "paced" : "burst"};
  auto client = kube::rest::RESTClient::Create(t.config);
  if (!client.ok()) {
    std::cerr << "kubeevents_e2e_bench: " << client.status() << "\n";
    return std::nullopt;
  }
  auto sink = std::make_shared<EventsAckSink>(kube::rest::NewEventsV1EventSink(*client), repeat);
  kube::events::BroadcasterOptions o;
  o.logger = t.config.logger;
  o.hostname = "bench-node";
  o.incoming_queue_length = n;  // sized to the burst: nothing is dropped
  o.watcher_queue_length = n;
  // The pending writes are sharded by event key over the writers (total / writers each):
  // room for the whole burst in every shard, whatever the hash spread.
  o.max_pending_writes = n * static_cast<std::size_t>(o.writer_threads);
  r.writers = o.writer_threads;
  kube::events::EventBroadcaster b(sink, o);
  if (auto st = b.StartRecordingToSink(); !st.ok()) {
    std::cerr << "kubeevents_e2e_bench: " << st << "\n";
    return std::nullopt;
  }
  auto recorder = b.NewRecorder("kubeevents-bench");
  const std::string prefix = "kubeevents-bench-" + RunId() + "-";
  recorder->Eventf(ObjectReference{"Pod", f.ns, prefix + "warmup", "", "v1", "", ""}, nullptr,
                   "Normal", "Warmup", "Warmup", "warm up");
  b.Flush(std::chrono::seconds(60));
  const auto warm = b.Stats();
  std::vector<ObjectReference> refs;
  refs.reserve(repeat ? 1 : n);
  for (std::size_t i = 0; i < (repeat ? 1 : n); ++i) {
    refs.push_back({"Pod", f.ns, prefix + (repeat ? std::string("r") : std::to_string(i)),
                    "6f1c2a9e-0000-4000-8000-" + std::to_string(100000000000 + i), "v1", "1", ""});
  }
  AckLog log(n);
  sink->Attach(&log);
  Drive(
      n, interval, log,
      [&](std::size_t i) {
        recorder->Eventf(refs[repeat ? 0 : i], nullptr, "Normal", "Scaled", "Scale",
                         "Scaled %s to %d replicas", "web", 3);
      },
      [&] { return b.Flush(std::chrono::seconds(300)); }, r, t.server_pid);
  sink->Attach(nullptr);
  const auto s = b.Stats();
  r.created = s.created - warm.created;
  r.patched = s.patched - warm.patched;
  r.failed = s.failed_rejected + s.failed_quietly + s.failed_request_building +
             s.failed_retry_limit + s.failed_shutdown - warm.failed_rejected - warm.failed_quietly -
             warm.failed_request_building - warm.failed_retry_limit - warm.failed_shutdown;
  r.retries = s.retries - warm.retries;
  r.dropped_counted = s.dropped_queue_full + s.dropped_consumer_full + s.dropped_invalid +
                      s.dropped_shutdown + s.dropped_pending_full + s.abandoned;
  r.drop_detail = "queue_full=" + std::to_string(s.dropped_queue_full) +
                  " consumer_full=" + std::to_string(s.dropped_consumer_full) +
                  " pending_full=" + std::to_string(s.dropped_pending_full) +
                  " abandoned=" + std::to_string(s.abandoned);
  r.absorbed = s.series_observed - warm.series_observed;  // counted into the series
  r.handled = r.created + r.patched + r.absorbed;
  const std::uint64_t accounted = r.handled + r.failed + r.dropped_counted;
  r.silent_drops = n > accounted ? n - accounted : 0;
  r.events_per_s = static_cast<double>(r.handled) / r.seconds;
  b.Shutdown();
  return r;
}

std::string Fixed(double v, int digits) {
  if (v < 0) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The machine's own ceiling for one request in flight: a bare blocking TCP ping-pong over
// loopback between two threads (600-byte request, 200-byte answer, TCP_NODELAY) — no HTTP,
// TLS, JSON or queues, just the two wake-ups per round trip every serial client pays.
// Round trips per second; 0 when a socket call fails.
double LoopbackRoundTripsPerSecond(int n) {
  const int ls = ::socket(AF_INET, SOCK_STREAM, 0);
  if (ls < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(ls, 1) != 0 ||
      ::getsockname(ls, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(ls);
    return 0;
  }
  const int one = 1;
  std::thread echo([ls, one] {
    const int c = ::accept(ls, nullptr, nullptr);
    if (c < 0) return;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char buf[1024];
    char answer[200] = {};
    while (::read(c, buf, sizeof buf) > 0) {
      if (::write(c, answer, sizeof answer) < 0) break;
    }
    ::close(c);
  });
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  double rate = 0;
  if (s >= 0 && ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char request[600] = {};
    char buf[1024];
    const auto start = std::chrono::steady_clock::now();
    int done = 0;
    for (; done < n; ++done) {
      if (::write(s, request, sizeof request) < 0 || ::read(s, buf, sizeof buf) <= 0) break;
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (done == n && took.count() > 0) rate = n / took.count();
  }
  if (s >= 0) ::close(s);
  ::shutdown(ls, SHUT_RDWR);
  ::close(ls);
  echo.join();
  return rate;
}

std::string Json(const std::vector<Result>& results, const Flags& f, double loopback_rtt_per_s) {
  std::ostringstream o;
  auto num = [&](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return std::string(buf);
  };
  o << "{\n  \"events\": " << f.events << ",\n  \"latency_events\": " << f.latency_events
    << ",\n  \"far_latency_us\": " << f.far_latency.count()
    << ",\n  \"spam_filter\": " << (f.spam_filter ? "true" : "false")
    << ",\n  \"loopback_round_trips_per_s\": " << num(loopback_rtt_per_s) << ",\n  \"runs\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    o << (i ? ",\n" : "\n") << "    {\"target\": \"" << r.target << "\", \"api\": \"" << r.api
      << "\", \"mode\": \"" << r.mode << "\", \"phase\": \"" << r.phase
      << "\", \"events\": " << r.events << ", \"acked\": " << r.acked
      << ", \"handled\": " << r.handled << ", \"created\": " << r.created
      << ", \"patched\": " << r.patched << ", \"absorbed\": " << r.absorbed
      << ", \"failed\": " << r.failed << ", \"retries\": " << r.retries
      << ", \"dropped_counted\": " << r.dropped_counted << ", \"silent_drops\": " << r.silent_drops
      << ", \"unmatched_acks\": " << r.unmatched << ", \"seconds\": " << num(r.seconds)
      << ", \"events_per_s\": " << num(r.events_per_s) << ", \"p50_us\": " << num(r.p50_us)
      << ", \"p99_us\": " << num(r.p99_us) << ", \"max_us\": " << num(r.max_us)
      << ", \"client_cpu_us_per_event\": " << num(r.client_cpu_us_per_event)
      << ", \"server_cpu_us_per_event\": " << num(r.server_cpu_us_per_event)
      << ", \"client_cpu_includes_server\": " << (r.client_cpu_includes_server ? "true" : "false")
      << ", \"writers\": " << r.writers << "}";
  }
  o << "\n  ]\n}\n";
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const auto parsed = ParseFlags(argc, argv);
  if (!parsed) return 2;
  const Flags& f = *parsed;

  std::vector<Target> targets;
  std::unique_ptr<LocalServerProcess> process;
  std::unique_ptr<kube::localapiserver::Server> in_process;
  if (!f.kubeconfig.empty()) {
    auto c = kube::rest::LoadKubeconfigFile(f.kubeconfig);
    if (!c.ok()) {
      std::cerr << "kubeevents_e2e_bench: " << c.status() << "\n";
      return 1;
    }
    targets.push_back({"kubeconfig", *c});
  } else if (!f.server.empty()) {
    kube::rest::Config c;
    c.host = f.server;
    c.bearer_token = f.token;
    c.tls.ca_file = f.ca_file;
    c.tls.insecure = f.insecure;
    targets.push_back({"server", c});
  } else {
    std::string https, http, token, ca;
    pid_t pid = -1;
    if (f.in_process) {
      kube::localapiserver::ServerOptions so;
      so.http = true;
      so.event_ttl = std::chrono::minutes(10);
      in_process = std::make_unique<kube::localapiserver::Server>(so);
      if (auto st = in_process->Start(); !st.ok()) {
        std::cerr << "kubeevents_e2e_bench: " << st << "\n";
        return 1;
      }
      https = in_process->HttpsURL();
      http = in_process->HttpURL();
      token = in_process->token();
      ca = in_process->ca_pem();
    } else {
      process = std::make_unique<LocalServerProcess>();
      if (auto st = process->Start(FindApiServerBinary(f)); !st.ok()) {
        std::cerr << "kubeevents_e2e_bench: " << st << "\n";
        return 1;
      }
      https = process->https();
      http = process->http();
      token = process->token();
      pid = process->pid();
      auto c = kube::rest::LoadKubeconfigFile(process->kubeconfig());
      if (!c.ok()) {
        std::cerr << "kubeevents_e2e_bench: " << c.status() << "\n";
        return 1;
      }
      ca = c->tls.ca_data;
    }
    if (f.transport.empty() || f.transport == "https") {
      kube::rest::Config c;
      c.host = https;
      c.bearer_token = token;
      c.tls.ca_data = ca;
      targets.push_back({"https", c, pid});
    }
    if (f.transport.empty() || f.transport == "http") {
      kube::rest::Config c;
      c.host = http;
      c.bearer_token = token;
      targets.push_back({"http", c, pid});
    }
  }
  for (auto& t : targets) Tune(t.config, f);

  const double loopback_rtt = LoopbackRoundTripsPerSecond(20000);
  std::printf(
      "loopback TCP ping-pong between two threads (the ceiling of one request in "
      "flight): %.0f round trips/s\n",
      loopback_rtt);
  std::vector<Result> results;
  const auto Print = [](const Result& r) {
    std::printf("%-10s %-6s %-6s %-5s %7zu %11.0f %9llu %9s %9s %10s %10s %7llu %7llu %7d\n",
                r.target.c_str(), r.api.c_str(), r.mode.c_str(), r.phase.c_str(), r.events,
                r.events_per_s, static_cast<unsigned long long>(r.acked),
                Fixed(r.p50_us, 1).c_str(), Fixed(r.p99_us, 1).c_str(),
                Fixed(r.client_cpu_us_per_event, 2).c_str(),
                Fixed(r.server_cpu_us_per_event, 2).c_str(),
                static_cast<unsigned long long>(r.dropped_counted),
                static_cast<unsigned long long>(r.silent_drops), r.writers);
    std::fflush(stdout);
  };
  std::printf("%-10s %-6s %-6s %-5s %7s %11s %9s %9s %9s %10s %10s %7s %7s %7s\n", "target", "api",
              "mode", "phase", "events", "events/s", "acked", "p50_us", "p99_us", "client_us",
              "server_us", "drops", "silent", "writers");
  for (const auto& t : targets) {
    for (const std::string api : {"core", "events"}) {
      if (!f.api.empty() && f.api != api) continue;
      for (const bool repeat : {false, true}) {
        if ((repeat && f.only_unique) || (!repeat && f.only_repeat)) continue;
        for (const bool paced : {false, true}) {
          if (paced && f.latency_events == 0) continue;
          const std::size_t n = paced ? f.latency_events : f.events;
          auto interval = std::chrono::microseconds(0);
          if (paced) {
            interval = f.latency_interval;
            if (interval.count() == 0) {  // a quarter of the burst's throughput
              const double per_event_us =
                  results.empty() ? 0 : 1e6 / std::max(1.0, results.back().events_per_s);
              interval = std::chrono::microseconds(
                  std::max<long long>(100, static_cast<long long>(4 * per_event_us)));
            }
          }
          std::optional<Result> run = api == "core" ? RunCore(t, f, repeat, n, interval)
                                                    : RunEvents(t, f, repeat, n, interval);
          if (!run) return 1;  // (the local server is stopped by its owner's destructor)
          run->client_cpu_includes_server = f.in_process;
          Print(*run);
          results.push_back(*run);
        }
      }
    }
  }
  // A cluster a network away: the core/v1 pipeline against a second local server that adds
  // f.far_latency to every request, with client-go's one writer and with eight. One request
  // in flight then waits out the whole latency per event; n writers keep n in flight.
  const bool far = process != nullptr && f.far_latency.count() > 0 &&
                   (f.api.empty() || f.api == "core") && !f.only_repeat &&
                   (f.transport.empty() || f.transport == "https");
  if (far) {
    LocalServerProcess server;
    const std::string latency = std::to_string(f.far_latency.count() / 1000) + "ms";
    if (auto st = server.Start(FindApiServerBinary(f), {"--latency=" + latency}); !st.ok()) {
      std::cerr << "kubeevents_e2e_bench: " << st << "\n";
      return 1;
    }
    auto kubeconfig = kube::rest::LoadKubeconfigFile(server.kubeconfig());
    if (!kubeconfig.ok()) {
      std::cerr << "kubeevents_e2e_bench: " << kubeconfig.status() << "\n";
      return 1;
    }
    kube::rest::Config c;
    c.host = server.https();
    c.bearer_token = server.token();
    c.tls.ca_data = kubeconfig->tls.ca_data;
    Target t{"https-far", c, server.pid()};
    Tune(t.config, f);
    for (const int writers : {1, 8}) {
      Flags fw = f;
      fw.core_writers = writers;
      std::optional<Result> run =
          RunCore(t, fw, /*repeat=*/false, f.far_events, std::chrono::microseconds(0));
      if (!run) return 1;
      Print(*run);
      results.push_back(*run);
    }
  }
  if (!f.json.empty()) {
    std::ofstream out(f.json);
    out << Json(results, f, loopback_rtt);
    if (!out) {
      std::cerr << "kubeevents_e2e_bench: cannot write " << f.json << "\n";
      return 1;
    }
  }
  for (const auto& r : results) {
    if (r.silent_drops != 0 || r.failed != 0) {
      std::cerr << "kubeevents_e2e_bench: " << r.target << "/" << r.api << "/" << r.mode << ": "
                << r.silent_drops << " events unaccounted, " << r.failed << " writes failed\n";
      return 1;
    }
  }
  return 0;
}

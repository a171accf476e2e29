// Shared harness of the reliability tests: a local API server over HTTPS with fault
// injection, both event pipelines (core/v1 kube::record, events.k8s.io/v1 kube::events) behind
// one interface, the accounting invariant every test checks, and process probes (threads, RSS).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../record/test_support.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/client/rest/config.h"
#include "kubeevents/tools/localapiserver/server.h"

namespace kube::reliability {

using namespace std::chrono_literals;

/// Keeps every record (message and fields) at every severity and verbosity.
class CapturingLogger final : public Logger {
 public:
  struct Record {
    LogSeverity severity;
    int verbosity;
    std::string message;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string Line() const;  ///< message and every key=value, as a log line would show
  };
  bool Enabled(LogSeverity, int) const override { return true; }
  void Write(LogSeverity s, int v, std::string_view m, std::span<const LogField> f) override;
  std::vector<Record> Records() const;
  int Count(std::string_view message) const;
  /// Records whose line contains `needle`.
  int CountContaining(std::string_view needle) const;
  /// Prints every record (for the log of a failed test).
  void Dump() const;

 private:
  mutable std::mutex mu_;
  std::vector<Record> records_;
};

/// Counts records by message without keeping them (for the million-event runs).
class CountingLogger final : public Logger {
 public:
  bool Enabled(LogSeverity, int) const override { return true; }
  void Write(LogSeverity, int, std::string_view m, std::span<const LogField>) override;
  std::map<std::string, std::uint64_t> Counts() const;
  std::uint64_t Count(const std::string& message) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> counts_;
};

/// Which recorder a scenario runs against.
enum class Kind { kCoreV1, kEventsV1 };
std::string KindName(Kind k);

/// Where every event a test asked for ended up: the counters of either pipeline, normalised.
struct Accounting {
  std::uint64_t calls = 0;  ///< Eventf calls the test made
  std::uint64_t emitted = 0;
  // emit side
  std::uint64_t dropped_queue_full = 0, dropped_shutdown = 0, dropped_invalid = 0;
  // sink side
  std::uint64_t created = 0, patched = 0, skipped = 0, aggregated = 0, series_observed = 0;
  std::uint64_t failed_rejected = 0, failed_quietly = 0, failed_request_building = 0;
  std::uint64_t failed_retry_limit = 0, failed_shutdown = 0;
  std::uint64_t dropped_consumer_full = 0, dropped_pending_full = 0, abandoned = 0;
  std::uint64_t retries = 0;
  /// events.k8s.io/v1 cache bookkeeping (not outcomes: the events were already written or
  /// counted when they were forgotten).
  std::uint64_t singletons_evicted = 0, series_evicted = 0, failed_series_writes = 0;
  /// Events with exactly one final outcome (aggregated events are written, so they are part
  /// of created/patched and not added again).
  std::uint64_t Accounted() const;
  std::uint64_t Failed() const;
  std::uint64_t Dropped() const;
  std::string ToString() const;
};

/// Asserts the invariant of issue 12: every call has exactly one outcome, the emit side adds
/// up, and the server stores exactly the events the library says it created.
void ExpectAllAccounted(const Accounting& a, std::size_t server_events);

/// One recorder and its broadcaster, writing through the REST sink to a server.
class Pipeline {
 public:
  virtual ~Pipeline() = default;
  /// Emits the unique event number `i` (its own involved object, so never spam-filtered,
  /// aggregated or folded into a series).
  virtual void Emit(std::uint64_t i) = 0;
  virtual bool Flush(std::chrono::nanoseconds timeout) = 0;
  virtual void Shutdown() = 0;
  /// Stats, with `calls` filled from the number of Emit calls.
  virtual Accounting Stats() const = 0;
};

/// A pipeline of `kind` writing to the server `config` points at, retrying after
/// `sleep_duration` (short for tests), logging to `logger` (null: nowhere), with queues of 1000
/// (the record queues; the events incoming queue). Fails the test (returns null) when the REST
/// client cannot be created.
std::unique_ptr<Pipeline> MakePipeline(Kind kind, const rest::Config& config,
                                       std::chrono::nanoseconds sleep_duration,
                                       std::shared_ptr<Logger> logger = nullptr);

/// A running local API server (HTTPS, generated CA) and a client config for it, with no
/// client-side rate limit (the tests measure the library, not the token bucket).
class TestServer {
 public:
  explicit TestServer(localapiserver::ServerOptions options = {});
  localapiserver::Server& server() { return *server_; }
  localapiserver::FaultInjector& faults() { return server_->faults(); }
  /// A config from the server's kubeconfig; `logger` null = a NullLogger.
  rest::Config Config(std::shared_ptr<Logger> logger = nullptr) const;

 private:
  std::unique_ptr<localapiserver::Server> server_;
};

/// Polls `pred` every millisecond until true or `timeout` (real time) passes.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Thread probes shared with the record tests (/proc/self/task; tests/record/test_support.h).
using record::testing_support::SettleRuntimeThreads;
using record::testing_support::ThreadCount;
using record::testing_support::ThreadNames;
/// Resident set size of this process in KiB (/proc/self/status VmRSS).
std::uint64_t RssKiB();

/// Whether the build runs under ThreadSanitizer / AddressSanitizer.
bool UnderTsan();
bool UnderAsan();

/// Writes `text` to a new file in a fresh temporary directory and returns its path.
std::string WriteTempFile(const std::string& name, const std::string& text, int mode = 0600);
/// A fresh temporary directory for this test.
std::string TempDir();

}  // namespace kube::reliability

// kube::leaderelection over real sockets against kube::localapiserver::Server: one leader at a
// time, takeover after lease_duration or at once after a release, loss of leadership when the
// API server is unreachable for longer than renew_deadline, optimistic-concurrency conflicts;
// plus config validation and the Lease <-> record conversions.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kubeevents/api/coordination/v1/lease.h"
#include "kubeevents/api/errors/errors.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/leaderelection/leader_election.h"
#include "kubeevents/tools/leaderelection/resourcelock/lease_lock.h"
#include "kubeevents/tools/localapiserver/server.h"

namespace kube::leaderelection {
namespace {

using namespace std::chrono_literals;
using api::coordination::v1::Lease;
using resourcelock::LeaseLock;

// Polls `pred` every few milliseconds until it holds; false after `limit`.
template <class Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

LeaderCallbacks NoopCallbacks() {
  return {[](std::stop_token) {}, [] {}, nullptr};
}

// ---------------------------------------------------------------------------- validation

class FixedIdentityLock final : public resourcelock::Interface {
 public:
  explicit FixedIdentityLock(std::string id) : id_(std::move(id)) {}
  StatusOr<resourcelock::ObservedRecord> Get(const resourcelock::CallOptions&) override {
    return UnavailableError("unused");
  }
  Status Create(const resourcelock::CallOptions&,
                const resourcelock::LeaderElectionRecord&) override {
    return UnavailableError("unused");
  }
  Status Update(const resourcelock::CallOptions&,
                const resourcelock::LeaderElectionRecord&) override {
    return UnavailableError("unused");
  }
  std::string Identity() const override { return id_; }
  std::string Describe() const override { return "ns/name"; }

 private:
  std::string id_;
};

LeaderElectionConfig ValidConfig() {
  LeaderElectionConfig c;
  c.lock = std::make_shared<FixedIdentityLock>("me");
  c.callbacks = NoopCallbacks();
  return c;
}

TEST(LeaderElectionConfigTest, DefaultsAreClientGos) {
  const LeaderElectionConfig c;
  EXPECT_EQ(c.lease_duration, 15s);
  EXPECT_EQ(c.renew_deadline, 10s);
  EXPECT_EQ(c.retry_period, 2s);
  EXPECT_FALSE(c.release_on_cancel);
  EXPECT_TRUE(ValidateLeaderElectionConfig(ValidConfig()).ok());
}

TEST(LeaderElectionConfigTest, ErrorsNameTheField) {
  struct Case {
    std::function<void(LeaderElectionConfig&)> mutate;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](auto& c) { c.lease_duration = 10s; },
       "LeaderElectionConfig.lease_duration (10s) must be greater than renew_deadline (10s)"},
      {[](auto& c) { c.retry_period = 9s; },
       "LeaderElectionConfig.renew_deadline (10s) must be greater than retry_period * "
       "JitterFactor (9s * 1.2)"},
      {[](auto& c) {
         c.lease_duration = 3s;
         c.renew_deadline = 2s;
         c.retry_period = 0ms;
       },
       "LeaderElectionConfig.retry_period must be greater than zero"},
      {[](auto& c) {
         c.lease_duration = 1500ms;
         c.renew_deadline = 1s;
         c.retry_period = 200ms;
       },
       "LeaderElectionConfig.lease_duration (1500ms) is stored in whole seconds (1s), which "
       "must still be greater than renew_deadline (1s)"},
      {[](auto& c) { c.callbacks.on_started_leading = nullptr; },
       "LeaderElectionConfig.callbacks.on_started_leading must be set"},
      {[](auto& c) { c.callbacks.on_stopped_leading = nullptr; },
       "LeaderElectionConfig.callbacks.on_stopped_leading must be set"},
      {[](auto& c) { c.lock = nullptr; }, "LeaderElectionConfig.lock must be set"},
      {[](auto& c) { c.lock = std::make_shared<FixedIdentityLock>(""); },
       "LeaderElectionConfig.lock identity must not be empty"},
  };
  for (const auto& tc : cases) {
    auto c = ValidConfig();
    tc.mutate(c);
    const Status st = ValidateLeaderElectionConfig(c);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << tc.message;
    EXPECT_EQ(st.message(), tc.message);
    EXPECT_FALSE(LeaderElector::Create(c).ok()) << tc.message;
  }
}

TEST(LeaseLockTest, ConvertsLikeClientGo) {
  resourcelock::LeaderElectionRecord r;
  r.holder_identity = "a";
  r.lease_duration_seconds = 15;
  r.acquire_time = api::meta::v1::TimePoint(1'700'000'000s);
  r.renew_time = r.acquire_time + 2s;
  r.leader_transitions = 3;
  const auto spec = resourcelock::LeaderElectionRecordToLeaseSpec(r);
  EXPECT_EQ(spec.holder_identity, "a");
  EXPECT_EQ(spec.lease_duration_seconds, 15);
  EXPECT_EQ(spec.lease_transitions, 3);
  EXPECT_FALSE(spec.strategy.has_value());
  EXPECT_FALSE(spec.preferred_holder.has_value());
  EXPECT_EQ(resourcelock::LeaseSpecToLeaderElectionRecord(spec), r);
  // A released lock still writes every field (empty holder included).
  resourcelock::LeaderElectionRecord released;
  released.lease_duration_seconds = 1;
  EXPECT_EQ(resourcelock::LeaderElectionRecordToLeaseSpec(released).holder_identity, "");
  EXPECT_EQ(resourcelock::LeaseSpecToLeaderElectionRecord({}),
            resourcelock::LeaderElectionRecord{});
}

// ---------------------------------------------------------------------------- real sockets

// Two candidates for one Lease on a local API server. Durations are short but keep client-go's
// proportions: lease 2 s > renew 1 s > 1.2 * retry 0.2 s.
class ElectionTest : public ::testing::Test {
 protected:
  static constexpr auto kLease = 2s;
  static constexpr auto kRenew = 1s;
  static constexpr auto kRetry = 200ms;

  struct Candidate {
    std::unique_ptr<LeaderElector> elector;
    std::atomic<int> started{0};
    std::atomic<int> stopped{0};
    std::atomic<int> worker_saw_stop{0};
    std::mutex mu;
    std::vector<std::string> new_leaders;
  };

  void SetUp() override {
    localapiserver::ServerOptions o;
    o.logger = std::make_shared<NullLogger>();
    server_ = std::make_unique<localapiserver::Server>(o);
    ASSERT_TRUE(server_->Start().ok());
    auto config = rest::ParseKubeconfig(server_->KubeconfigYAML(), "local-apiserver");
    ASSERT_TRUE(config.ok()) << config.status();
    config->logger = std::make_shared<NullLogger>();
    config->qps = -1;  // no client-side throttling: the test's own pace is the limit
    config_ = *config;
  }

  void TearDown() override {
    for (auto& c : candidates_) c->elector.reset();  // joins
    server_->Stop();
  }

  std::shared_ptr<rest::RESTClient> NewClient() {
    auto client = rest::RESTClient::Create(config_);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *client : nullptr;
  }

  Candidate& AddCandidate(const std::string& identity, bool release_on_cancel) {
    auto c = std::make_unique<Candidate>();
    Candidate* raw = c.get();
    LeaderElectionConfig cfg;
    cfg.lock = std::make_shared<LeaseLock>(NewClient(), "kube-system", "kube-eventer", identity);
    cfg.lease_duration = kLease;
    cfg.renew_deadline = kRenew;
    cfg.retry_period = kRetry;
    cfg.release_on_cancel = release_on_cancel;
    cfg.logger = std::make_shared<NullLogger>();
    cfg.callbacks.on_started_leading = [raw](std::stop_token stop) {
      raw->started.fetch_add(1);
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock lock(m);
      cv.wait(lock, stop, [] { return false; });  // lead until told to stop
      raw->worker_saw_stop.fetch_add(1);
    };
    cfg.callbacks.on_stopped_leading = [raw] { raw->stopped.fetch_add(1); };
    cfg.callbacks.on_new_leader = [raw](const std::string& id) {
      std::lock_guard lock(raw->mu);
      raw->new_leaders.push_back(id);
    };
    auto elector = LeaderElector::Create(std::move(cfg));
    EXPECT_TRUE(elector.ok()) << elector.status();
    c->elector = std::move(*elector);
    candidates_.push_back(std::move(c));
    return *raw;
  }

  StatusOr<Lease> GetLease() {
    auto client = NewClient();
    return client->Get()
        .GroupVersion("coordination.k8s.io/v1")
        .Namespace("kube-system")
        .Resource("leases")
        .Name("kube-eventer")
        .Do()
        .Into<Lease>();
  }

  // Samples IsLeader() of every candidate on a thread of its own; counts samples where more
  // than one claimed to lead.
  class Sampler {
   public:
    explicit Sampler(std::vector<LeaderElector*> electors)
        : thread_([this, electors](std::stop_token stop) {
            while (!stop.stop_requested()) {
              int leaders = 0;
              for (auto* e : electors) leaders += e->IsLeader() ? 1 : 0;
              samples_.fetch_add(1);
              if (leaders > 1) both_.fetch_add(1);
              std::this_thread::sleep_for(1ms);
            }
          }) {}
    long samples() const { return samples_.load(); }
    long both() const { return both_.load(); }

   private:
    std::atomic<long> samples_{0};
    std::atomic<long> both_{0};
    std::jthread thread_;
  };

  std::unique_ptr<localapiserver::Server> server_;
  rest::Config config_;
  std::vector<std::unique_ptr<Candidate>> candidates_;
};

TEST_F(ElectionTest, OneLeaderAtATimeAndTakeoverOnlyAfterTheLeaseExpires) {
  Candidate& a = AddCandidate("a", /*release_on_cancel=*/false);
  Candidate& b = AddCandidate("b", false);
  Sampler sampler({a.elector.get(), b.elector.get()});
  ASSERT_TRUE(a.elector->Start().ok());
  ASSERT_TRUE(b.elector->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return a.elector->IsLeader() || b.elector->IsLeader(); }));
  Candidate& leader = a.elector->IsLeader() ? a : b;
  Candidate& other = &leader == &a ? b : a;
  const std::string leader_id = &leader == &a ? "a" : "b";
  const std::string other_id = &leader == &a ? "b" : "a";
  EXPECT_TRUE(WaitFor([&] { return leader.started.load() == 1; }));
  EXPECT_TRUE(WaitFor([&] { return other.elector->GetLeader() == leader_id; }));

  // The leader renews; the other keeps waiting (several lease durations).
  const auto before = GetLease();
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(WaitFor([&] {
    auto now = GetLease();
    return now.ok() && now->spec.renew_time->time() > before->spec.renew_time->time() + 2 * kLease;
  }));
  EXPECT_EQ(other.started.load(), 0);

  // Stop the leader without a release: the lease stays with it until it expires.
  leader.elector->Stop();
  EXPECT_EQ(leader.worker_saw_stop.load(), 1);
  EXPECT_EQ(leader.stopped.load(), 1);
  EXPECT_FALSE(leader.elector->IsLeader());
  const auto last = GetLease();
  ASSERT_TRUE(last.ok()) << last.status();
  ASSERT_EQ(last->spec.holder_identity, leader_id);

  ASSERT_TRUE(WaitFor([&] { return other.elector->IsLeader(); }));
  const auto taken = GetLease();
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(taken->spec.holder_identity, other_id);
  EXPECT_EQ(taken->spec.lease_transitions, last->spec.lease_transitions.value_or(0) + 1);
  EXPECT_EQ(taken->spec.lease_duration_seconds, 2);
  // Taken over no earlier than a full lease duration after the last renewal (same clock).
  EXPECT_GE(taken->spec.acquire_time->time() - last->spec.renew_time->time(),
            std::chrono::duration_cast<std::chrono::microseconds>(kLease));
  EXPECT_TRUE(WaitFor([&] { return other.started.load() == 1; }));
  {
    std::lock_guard lock(other.mu);
    EXPECT_EQ(other.new_leaders, (std::vector<std::string>{leader_id, other_id}));
  }

  other.elector->Stop();
  EXPECT_GT(sampler.samples(), 100);
  EXPECT_EQ(sampler.both(), 0);
}

TEST_F(ElectionTest, ReleaseOnCancelHandsOverAtOnce) {
  Candidate& a = AddCandidate("a", /*release_on_cancel=*/true);
  ASSERT_TRUE(a.elector->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return a.elector->IsLeader(); }));
  Candidate& b = AddCandidate("b", true);
  Sampler sampler({a.elector.get(), b.elector.get()});
  ASSERT_TRUE(b.elector->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return b.elector->GetLeader() == "a"; }));

  a.elector->Stop();
  EXPECT_EQ(a.stopped.load(), 1);
  EXPECT_EQ(a.elector->GetLeader(), "");  // a observed its own release
  ASSERT_TRUE(WaitFor([&] { return b.elector->IsLeader(); }));
  const auto lease = GetLease();
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(lease->spec.holder_identity, "b");
  EXPECT_EQ(lease->spec.lease_transitions, 1);
  {
    std::lock_guard lock(b.mu);
    // b saw the empty holder and took over within the same attempt.
    EXPECT_EQ(b.new_leaders, (std::vector<std::string>{"a", "b"}));
  }

  // b releases too: the Lease is left with no holder and a 1 s duration.
  b.elector->Stop();
  const auto released = GetLease();
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->spec.holder_identity, "");
  EXPECT_EQ(released->spec.lease_duration_seconds, 1);
  EXPECT_EQ(sampler.both(), 0);
}

TEST_F(ElectionTest, LeaderStepsDownWhenTheServerIsUnreachableAndAnotherTakesOverAfterwards) {
  Candidate& a = AddCandidate("a", false);
  ASSERT_TRUE(a.elector->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return a.elector->IsLeader(); }));
  Candidate& b = AddCandidate("b", false);
  Sampler sampler({a.elector.get(), b.elector.get()});
  ASSERT_TRUE(b.elector->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return b.elector->GetLeader() == "a"; }));

  server_->StopAccepting();
  // a cannot renew: it gives up after renew_deadline, its worker is told to stop and Run ends.
  ASSERT_TRUE(WaitFor([&] { return a.stopped.load() == 1; }));
  EXPECT_EQ(a.worker_saw_stop.load(), 1);
  EXPECT_FALSE(a.elector->IsLeader());
  EXPECT_FALSE(a.elector->Running());
  EXPECT_FALSE(b.elector->IsLeader());

  ASSERT_TRUE(server_->ResumeAccepting().ok());
  ASSERT_TRUE(WaitFor([&] { return b.elector->IsLeader(); }));
  const auto lease = GetLease();
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(lease->spec.holder_identity, "b");
  EXPECT_EQ(lease->spec.lease_transitions, 1);
  EXPECT_EQ(sampler.both(), 0);

  // a may stand again: it waits, b keeps the lease.
  ASSERT_TRUE(a.elector->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return a.elector->GetLeader() == "b"; }));
  EXPECT_FALSE(a.elector->IsLeader());
  EXPECT_EQ(a.started.load(), 1);
}

TEST_F(ElectionTest, RacingWritersGetOneConflict) {
  LeaseLock first(NewClient(), "kube-system", "kube-eventer", "first");
  LeaseLock second(NewClient(), "kube-system", "kube-eventer", "second");
  resourcelock::LeaderElectionRecord r;
  r.holder_identity = "first";
  r.lease_duration_seconds = 15;
  r.acquire_time = r.renew_time = std::chrono::system_clock::now();
  ASSERT_TRUE(first.Create({}, r).ok());

  // Creating it again is AlreadyExists.
  const Status again = second.Create({}, r);
  EXPECT_TRUE(api::errors::IsAlreadyExists(again)) << again;

  // Both read the same resourceVersion, then both write: exactly one wins.
  ASSERT_TRUE(first.Get({}).ok());
  ASSERT_TRUE(second.Get({}).ok());
  std::vector<Status> results(2);
  {
    auto write = [&](LeaseLock& lock, const char* holder, Status& out) {
      auto rec = r;
      rec.holder_identity = holder;
      out = lock.Update({}, rec);
    };
    std::jthread t1(write, std::ref(first), "first", std::ref(results[0]));
    std::jthread t2(write, std::ref(second), "second", std::ref(results[1]));
  }
  const int ok = (results[0].ok() ? 1 : 0) + (results[1].ok() ? 1 : 0);
  ASSERT_EQ(ok, 1) << results[0] << " / " << results[1];
  const Status& conflict = results[0].ok() ? results[1] : results[0];
  EXPECT_TRUE(api::errors::IsConflict(conflict)) << conflict;
  EXPECT_EQ(conflict.message(),
            "Operation cannot be fulfilled on leases.coordination.k8s.io \"kube-eventer\": the "
            "object has been modified; please apply your changes to the latest version and try "
            "again");
  const auto lease = GetLease();
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->spec.holder_identity, results[0].ok() ? "first" : "second");

  // An update before any read has nothing to be conditional on.
  LeaseLock fresh(NewClient(), "kube-system", "kube-eventer", "fresh");
  EXPECT_EQ(fresh.Update({}, r).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace kube::leaderelection

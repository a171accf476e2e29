#include "kubeevents/tools/leaderelection/leader_election.h"

#include <algorithm>
#include <utility>

#include "kubeevents/api/errors/errors.h"

namespace kube::leaderelection {

using resourcelock::CallOptions;
using resourcelock::LeaderElectionRecord;
using namespace std::chrono_literals;

namespace {

std::string Ms(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

std::chrono::milliseconds ToMs(Clock::duration d) {
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(d), 1ms);
}

}  // namespace

Status ValidateLeaderElectionConfig(const LeaderElectionConfig& c) {
  auto bad = [](std::string msg) { return InvalidArgumentError("LeaderElectionConfig." + msg); };
  if (c.lease_duration <= c.renew_deadline) {
    return bad("lease_duration (" + Ms(c.lease_duration) +
               ") must be greater than renew_deadline (" + Ms(c.renew_deadline) + ")");
  }
  const auto jittered_retry = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double, std::milli>(kJitterFactor * c.retry_period.count()));
  if (c.renew_deadline <= jittered_retry) {
    return bad("renew_deadline (" + Ms(c.renew_deadline) +
               ") must be greater than retry_period * JitterFactor (" + Ms(c.retry_period) +
               " * 1.2)");
  }
  if (c.lease_duration <= 0ms) return bad("lease_duration must be greater than zero");
  if (c.renew_deadline <= 0ms) return bad("renew_deadline must be greater than zero");
  if (c.retry_period <= 0ms) return bad("retry_period must be greater than zero");
  const auto stored = std::chrono::duration_cast<std::chrono::seconds>(c.lease_duration);
  if (stored <= c.renew_deadline) {
    return bad("lease_duration (" + Ms(c.lease_duration) + ") is stored in whole seconds (" +
               Ms(stored) + "), which must still be greater than renew_deadline (" +
               Ms(c.renew_deadline) + ")");
  }
  if (!c.callbacks.on_started_leading) {
    return bad("callbacks.on_started_leading must be set");
  }
  if (!c.callbacks.on_stopped_leading) {
    return bad("callbacks.on_stopped_leading must be set");
  }
  if (c.lock == nullptr) return bad("lock must be set");
  if (c.lock->Identity().empty()) return bad("lock identity must not be empty");
  return {};
}

StatusOr<std::unique_ptr<LeaderElector>> LeaderElector::Create(LeaderElectionConfig config) {
  if (auto st = ValidateLeaderElectionConfig(config); !st.ok()) return st;
  if (!config.clock) config.clock = MakeRealClock();
  if (!config.logger) config.logger = MakeDefaultLogger();
  if (config.name.empty()) config.name = config.lock->Describe();
  return std::unique_ptr<LeaderElector>(new LeaderElector(std::move(config)));
}

LeaderElector::LeaderElector(LeaderElectionConfig config)
    : config_(std::move(config)),
      identity_(config_.lock->Identity()),
      describe_(config_.lock->Describe()),
      rng_(std::random_device{}()) {}

LeaderElector::~LeaderElector() { Stop(); }

Status LeaderElector::Start() {
  std::lock_guard lock(thread_mu_);
  if (running_.exchange(true)) {
    return FailedPreconditionError("leader elector " + describe_ + " is already running");
  }
  thread_ = std::jthread([this](std::stop_token stop) { RunBody(stop); });  // joins the last
  return {};
}

void LeaderElector::Stop() {
  std::jthread t;
  {
    std::lock_guard lock(thread_mu_);
    t = std::move(thread_);
  }
  // jthread's destructor requests stop and joins.
}

bool LeaderElector::IsLeader() const {
  const auto now = config_.clock->Now();
  std::lock_guard lock(mu_);
  return leading_ && ObservedSelfLocked() && now < last_write_start_ + config_.renew_deadline;
}

std::string LeaderElector::GetLeader() const {
  std::lock_guard lock(mu_);
  return observed_record_.holder_identity;
}

bool LeaderElector::ObservedSelfLocked() const {
  return observed_record_.holder_identity == identity_;
}

bool LeaderElector::IsLeaseValidLocked(Clock::time_point now) const {
  return observed_time_ + std::chrono::seconds(observed_record_.lease_duration_seconds) > now;
}

void LeaderElector::SetObservedRecordLocked(const LeaderElectionRecord& record) {
  observed_record_ = record;
  observed_time_ = config_.clock->Now();
}

Clock::duration LeaderElector::Jittered(Clock::duration d) {
  // wait.Jitter(d, maxFactor): d + rand[0,1) * maxFactor * d.
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return d + std::chrono::duration_cast<Clock::duration>(
                 std::chrono::duration<double, Clock::duration::period>(
                     u(rng_) * kJitterFactor * static_cast<double>(d.count())));
}

void LeaderElector::Run(std::stop_token stop) {
  if (running_.exchange(true)) {
    config_.logger->Error("leader election Run called while already running",
                          {{"lock", describe_}});
    return;
  }
  RunBody(stop);
}

void LeaderElector::RunBody(std::stop_token stop) {
  if (Acquire(stop)) {
    {
      std::jthread worker(
          [this](std::stop_token token) { config_.callbacks.on_started_leading(token); });
      std::stop_callback forward(stop, [&worker] { worker.request_stop(); });
      Renew(stop);
      {
        std::lock_guard lock(mu_);
        leading_ = false;
      }
      worker.request_stop();
    }  // `forward` is gone before the worker is joined
    if (config_.release_on_cancel) Release();
  }
  running_.store(false);
  config_.callbacks.on_stopped_leading();
}

bool LeaderElector::Acquire(std::stop_token stop) {
  config_.logger->Info(0, "attempting to acquire leader lease", {{"lock", describe_}});
  while (!stop.stop_requested()) {
    const bool ok = TryAcquireOrRenew(stop, config_.renew_deadline);
    MaybeReportTransition();
    if (ok) {
      {
        std::lock_guard lock(mu_);
        leading_ = true;
      }
      config_.logger->Info(0, "successfully acquired lease", {{"lock", describe_}});
      return true;
    }
    config_.logger->Info(4, "failed to acquire lease", {{"lock", describe_}});
    if (!config_.clock->SleepFor(Jittered(config_.retry_period), stop)) break;
  }
  return false;
}

void LeaderElector::Renew(std::stop_token stop) {
  while (!stop.stop_requested()) {
    Clock::time_point deadline;
    {
      std::lock_guard lock(mu_);
      deadline = last_write_start_ + config_.renew_deadline;
    }
    const auto now = config_.clock->Now();
    if (now >= deadline) {
      config_.logger->Info(0, "failed to renew lease: timed out waiting for the condition",
                           {{"lock", describe_}});
      return;
    }
    const bool ok = TryAcquireOrRenew(stop, ToMs(deadline - now));
    MaybeReportTransition();
    if (ok) {
      config_.logger->Info(5, "successfully renewed lease", {{"lock", describe_}});
    } else {
      bool lost;
      {
        std::lock_guard lock(mu_);
        lost = !ObservedSelfLocked();
      }
      if (lost && !stop.stop_requested()) {
        // Someone else holds it now: waiting out the deadline cannot help (client-go keeps
        // polling until then; the outcome is the same).
        config_.logger->Info(0, "lease is held by another candidate",
                             {{"lock", describe_}, {"holder", GetLeader()}});
        return;
      }
    }
    // Sleep the retry period, but wake at the deadline to give up on time.
    {
      std::lock_guard lock(mu_);
      deadline = last_write_start_ + config_.renew_deadline;
    }
    const auto wake = std::min(config_.clock->Now() + config_.retry_period, deadline);
    if (!config_.clock->SleepUntil(wake, stop)) return;
  }
}

bool LeaderElector::TryAcquireOrRenew(std::stop_token stop, std::chrono::milliseconds timeout) {
  const auto now = config_.clock->Now();
  const CallOptions call{stop, timeout};
  LeaderElectionRecord record;
  record.holder_identity = identity_;
  record.lease_duration_seconds = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count());
  record.renew_time = now;
  record.acquire_time = now;

  auto succeed = [&] {
    std::lock_guard lock(mu_);
    SetObservedRecordLocked(record);
    last_write_start_ = now;
    return true;
  };

  // 1. Fast path: the leader updates optimistically, assuming its last observation is current.
  bool fast = false;
  {
    std::lock_guard lock(mu_);
    if (leading_ && ObservedSelfLocked() && IsLeaseValidLocked(now)) {
      fast = true;
      record.acquire_time = observed_record_.acquire_time;
      record.leader_transitions = observed_record_.leader_transitions;
    }
  }
  if (fast) {
    const Status st = config_.lock->Update(call, record);
    if (st.ok()) return succeed();
    if (stop.stop_requested()) return false;
    config_.logger->Error("failed to update lock optimistically, falling back to slow path",
                          {{"lock", describe_}, {"error", st.ToString()}});
  }

  // 2. Obtain or create the record.
  auto got = config_.lock->Get(call);
  if (!got) {
    if (!api::errors::IsNotFound(got.status())) {
      if (!stop.stop_requested()) {
        config_.logger->Error("error retrieving resource lock",
                              {{"lock", describe_}, {"error", got.status().ToString()}});
      }
      return false;
    }
    if (Status st = config_.lock->Create(call, record); !st.ok()) {
      if (!stop.stop_requested()) {
        config_.logger->Error("error initially creating leader election record",
                              {{"lock", describe_}, {"error", st.ToString()}});
      }
      return false;
    }
    return succeed();
  }

  // 3. Record obtained: a change (the holder renewed, or a new holder) restarts the clock.
  {
    std::lock_guard lock(mu_);
    if (observed_raw_ != got->raw) {
      SetObservedRecordLocked(got->record);
      observed_raw_ = got->raw;
    }
    if (!got->record.holder_identity.empty() && IsLeaseValidLocked(now) && !ObservedSelfLocked()) {
      config_.logger->Info(4, "lock is held by another candidate and has not yet expired",
                           {{"lock", describe_}, {"holder", got->record.holder_identity}});
      return false;
    }
    // 4. Take over (or renew through the slow path).
    if (ObservedSelfLocked()) {
      record.acquire_time = got->record.acquire_time;
      record.leader_transitions = got->record.leader_transitions;
    } else {
      record.leader_transitions = got->record.leader_transitions + 1;
    }
  }
  if (Status st = config_.lock->Update(call, record); !st.ok()) {
    if (!stop.stop_requested()) {
      config_.logger->Error("failed to update lock",
                            {{"lock", describe_}, {"error", st.ToString()}});
    }
    return false;
  }
  return succeed();
}

bool LeaderElector::Release() {
  LeaderElectionRecord record;
  {
    std::lock_guard lock(mu_);
    if (!ObservedSelfLocked()) return true;
    record.leader_transitions = observed_record_.leader_transitions;
  }
  const auto now = config_.clock->Now();
  record.lease_duration_seconds = 1;
  record.renew_time = now;
  record.acquire_time = now;
  // Not cancelled by Run's stop token (that is what brought us here); bounded by the deadline.
  const Status st = config_.lock->Update(CallOptions{{}, config_.renew_deadline}, record);
  if (!st.ok()) {
    config_.logger->Error("failed to release lock",
                          {{"lock", describe_}, {"error", st.ToString()}});
    return false;
  }
  std::lock_guard lock(mu_);
  SetObservedRecordLocked(record);
  return true;
}

void LeaderElector::MaybeReportTransition() {
  std::string holder = GetLeader();
  if (holder == reported_leader_) return;
  reported_leader_ = holder;
  if (config_.callbacks.on_new_leader) config_.callbacks.on_new_leader(reported_leader_);
}

}  // namespace kube::leaderelection

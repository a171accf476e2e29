#include "kubeevents/tools/localapiserver/internal/lease_store.h"

#include <charconv>
#include <chrono>
#include <utility>

#include "kubeevents/api/common/uuid.h"
#include "kubeevents/api/errors/errors.h"
#include "kubeevents/tools/localapiserver/internal/names.h"

namespace kube::localapiserver::internal {

namespace coordination = api::coordination::v1;
namespace errors = api::errors;

namespace {

constexpr std::string_view kGroup = "coordination.k8s.io";
constexpr std::string_view kResource = "leases";
constexpr std::string_view kObjectModified =
    "the object has been modified; please apply your changes to the latest version and try again";

std::string Key(std::string_view ns, std::string_view name) {
  std::string k(ns);
  k += '/';
  k += name;
  return k;
}

Status InvalidLease(std::string_view name, FieldErrors errs) {
  return Status::FromAPIStatus(NewInvalid(kGroup, "Lease", name, std::move(errs)), 422);
}

FieldErrors ValidateLeaseSpec(const coordination::LeaseSpec& s) {
  FieldErrors errs;
  if (s.lease_duration_seconds && *s.lease_duration_seconds <= 0) {
    errs.push_back(Invalid("spec.leaseDurationSeconds", std::to_string(*s.lease_duration_seconds),
                           "must be greater than 0"));
  }
  if (s.lease_transitions && *s.lease_transitions < 0) {
    errs.push_back(Invalid("spec.leaseTransitions", std::to_string(*s.lease_transitions),
                           "must be greater than or equal to 0"));
  }
  if (s.strategy) {
    if (s.strategy->empty()) {
      errs.push_back(Required("spec.strategy", ""));
    } else if (*s.strategy != coordination::kOldestEmulationVersion &&
               s.strategy->find('/') == std::string::npos) {
      // Custom strategies must be prefixed ("example.com/MyStrategy").
      errs.push_back(NotSupported("spec.strategy", GoQuote(*s.strategy),
                                  {coordination::kOldestEmulationVersion}));
    }
  }
  if (s.preferred_holder && !s.preferred_holder->empty() && (!s.strategy || s.strategy->empty())) {
    errs.push_back({"FieldValueForbidden",
                    "Forbidden: may only be specified if `strategy` is defined",
                    "spec.preferredHolder"});
  }
  return errs;
}

void Append(FieldErrors& to, FieldErrors from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

FieldErrors ValidateLeaseCreate(const coordination::Lease& lease) {
  FieldErrors errs;
  const auto& md = lease.metadata;
  // The strategy's ValidateObjectMeta with NameIsDNSSubdomain comes first...
  if (!md.name.empty()) {
    for (auto& msg : IsDNS1123Subdomain(md.name)) {
      errs.push_back(Invalid("metadata.name", GoQuote(md.name), msg));
    }
  }
  Append(errs, ValidateLeaseSpec(lease.spec));
  if (!errs.empty()) return errs;
  // ...then the registry's generic checks (name required, namespace, labels, annotations).
  return ValidateObjectMetaCommon(md);
}

FieldErrors ValidateLeaseUpdate(const coordination::Lease& lease, const coordination::Lease& old) {
  FieldErrors errs = ValidateObjectMetaUpdateCommon(lease.metadata, old.metadata);
  Append(errs, ValidateLeaseSpec(lease.spec));
  return errs;
}

LeaseStore::LeaseStore(std::shared_ptr<Clock> clock) : clock_(std::move(clock)) {}

StatusOr<coordination::Lease> LeaseStore::Get(std::string_view ns, std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = items_.find(Key(ns, name));
  if (it == items_.end()) {
    return Status::FromAPIStatus(errors::NewNotFound(kGroup, kResource, name), 404);
  }
  return it->second;
}

LeaseStore::ListResult LeaseStore::List(std::string_view ns, const Selector& selector) const {
  std::lock_guard lock(mu_);
  ListResult out;
  out.resource_version = rv_;
  for (const auto& [key, lease] : items_) {
    if ((ns.empty() || lease.metadata.namespace_ == ns) && selector.Matches(lease)) {
      out.items.push_back(lease);
    }
  }
  return out;
}

StatusOr<coordination::Lease> LeaseStore::Create(coordination::Lease lease) {
  std::lock_guard lock(mu_);
  return CreateLocked(std::move(lease));
}

StatusOr<coordination::Lease> LeaseStore::CreateLocked(coordination::Lease lease) {
  auto& md = lease.metadata;
  if (md.name.empty() && !md.generate_name.empty()) md.name = GenerateName(md.generate_name);
  md.uid = NewUUID();
  md.creation_timestamp =
      api::meta::v1::Time(std::chrono::floor<std::chrono::seconds>(clock_->Now()));
  md.generation = 0;
  md.deletion_timestamp.reset();
  if (auto errs = ValidateLeaseCreate(lease); !errs.empty())
    return InvalidLease(md.name, std::move(errs));
  if (!md.resource_version.empty()) {
    return Status::FromAPIStatus(
        errors::NewInternalError("resourceVersion should not be set on objects to be created"),
        500);
  }
  const std::string key = Key(md.namespace_, md.name);
  if (items_.contains(key)) {
    return Status::FromAPIStatus(errors::NewAlreadyExists(kGroup, kResource, md.name), 409);
  }
  md.resource_version = std::to_string(++rv_);
  lease.type_meta = {"coordination.k8s.io/v1", "Lease"};
  items_.emplace(key, lease);
  PublishLocked("ADDED", lease);
  return lease;
}

StatusOr<coordination::Lease> LeaseStore::Update(coordination::Lease lease, bool& created) {
  created = false;
  std::lock_guard lock(mu_);
  auto& md = lease.metadata;
  auto it = items_.find(Key(md.namespace_, md.name));
  if (it == items_.end()) {
    created = true;
    md.resource_version.clear();
    return CreateLocked(std::move(lease));
  }
  const coordination::Lease& current = it->second;
  if (md.resource_version.empty()) {
    md.resource_version = current.metadata.resource_version;  // unconditional update
  } else if (md.resource_version != current.metadata.resource_version) {
    return Status::FromAPIStatus(errors::NewConflict(kGroup, kResource, md.name, kObjectModified),
                                 409);
  }
  md.generation = current.metadata.generation;
  if (md.uid.empty()) md.uid = current.metadata.uid;
  md.creation_timestamp = current.metadata.creation_timestamp;
  md.deletion_timestamp = current.metadata.deletion_timestamp;
  if (auto errs = ValidateLeaseUpdate(lease, current); !errs.empty()) {
    return InvalidLease(md.name, std::move(errs));
  }
  md.resource_version = std::to_string(++rv_);
  lease.type_meta = {"coordination.k8s.io/v1", "Lease"};
  it->second = lease;
  PublishLocked("MODIFIED", lease);
  return lease;
}

StatusOr<coordination::Lease> LeaseStore::Delete(std::string_view ns, std::string_view name,
                                                 std::string_view precondition_rv) {
  std::lock_guard lock(mu_);
  auto it = items_.find(Key(ns, name));
  if (it == items_.end()) {
    return Status::FromAPIStatus(errors::NewNotFound(kGroup, kResource, name), 404);
  }
  if (!precondition_rv.empty() && precondition_rv != it->second.metadata.resource_version) {
    return Status::FromAPIStatus(
        errors::NewConflict(
            kGroup, kResource, name,
            "Precondition failed: ResourceVersion in precondition: " +
                std::string(precondition_rv) +
                ", ResourceVersion in object meta: " + it->second.metadata.resource_version),
        409);
  }
  coordination::Lease out = std::move(it->second);
  items_.erase(it);
  ++rv_;
  // Watchers see the last state with the deletion's resourceVersion, as from kube-apiserver.
  coordination::Lease deleted = out;
  deleted.metadata.resource_version = std::to_string(rv_);
  PublishLocked("DELETED", deleted);
  return out;
}

LeaseStore::~LeaseStore() { CloseWatchers(); }

void LeaseStore::PublishLocked(const char* type, const coordination::Lease& lease) {
  history_.push_back({rv_, type, lease});
  if (history_.size() > kHistory) history_.pop_front();
  std::erase_if(watches_, [](const LeaseWatch& w) { return w.watcher->stopped(); });
  for (auto& w : watches_) {
    if (!w.ns.empty() && w.ns != lease.metadata.namespace_) continue;
    if (!w.selector.Matches(lease)) continue;
    w.watcher->Push(Change{Change::Type::kRaw, nullptr, 0,
                           std::make_shared<std::string>(w.encode(type, lease))});
  }
}

StatusOr<std::shared_ptr<Watcher>> LeaseStore::Watch(std::string_view ns, Selector selector,
                                                     std::string_view from_rv,
                                                     FrameEncoder encode) {
  std::uint64_t from = 0;
  if (!from_rv.empty()) {
    auto [end, ec] = std::from_chars(from_rv.data(), from_rv.data() + from_rv.size(), from);
    if (ec != std::errc() || end != from_rv.data() + from_rv.size()) {
      return InvalidArgumentError("invalid resource version \"" + std::string(from_rv) + "\"");
    }
  }
  auto watcher = std::make_shared<Watcher>(std::string(ns), Selector(), kWatchQueueLimit);
  std::lock_guard lock(mu_);
  auto push = [&](const char* type, const coordination::Lease& lease) {
    if (!selector.Matches(lease)) return;
    watcher->Push(
        Change{Change::Type::kRaw, nullptr, 0, std::make_shared<std::string>(encode(type, lease))});
  };
  if (from == 0) {
    for (const auto& [key, lease] : items_) {
      if (ns.empty() || lease.metadata.namespace_ == ns) push("ADDED", lease);
    }
  } else if (from < rv_) {
    // The history must hold every change after `from`: its oldest entry at most from + 1.
    if (history_.empty() || history_.front().resource_version > from + 1) {
      const std::uint64_t oldest = history_.empty() ? rv_ : history_.front().resource_version;
      return Status(StatusCode::kOutOfRange, "too old resource version: " + std::to_string(from) +
                                                 " (" + std::to_string(oldest - 1) + ")");
    }
    for (const auto& h : history_) {
      if (h.resource_version <= from) continue;
      if (ns.empty() || h.lease.metadata.namespace_ == ns) push(h.type, h.lease);
    }
  }
  watches_.push_back({std::string(ns), std::move(selector), std::move(encode), watcher});
  return watcher;
}

void LeaseStore::CloseWatchers() {
  std::vector<LeaseWatch> watches;
  {
    std::lock_guard lock(mu_);
    watches.swap(watches_);
  }
  for (auto& w : watches) w.watcher->Close();
}

std::size_t LeaseStore::Size() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

}  // namespace kube::localapiserver::internal

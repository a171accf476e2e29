#include "kubeevents/tools/localapiserver/internal/store.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace kube::localapiserver::internal {

// ------------------------------------------------------------------------------------ Watcher

Watcher::Watcher(std::string namespace_, Selector selector, std::size_t max_queue)
    : namespace_(std::move(namespace_)), selector_(std::move(selector)), max_queue_(max_queue) {}

std::vector<Change> Watcher::Drain(bool& closed) {
  std::lock_guard lock(mu_);
  std::vector<Change> out(std::make_move_iterator(queue_.begin()),
                          std::make_move_iterator(queue_.end()));
  queue_.clear();
  closed = closed_;
  return out;
}

void Watcher::SetNotify(std::function<void()> notify) {
  std::lock_guard lock(mu_);
  notify_ = std::move(notify);
}

void Watcher::Stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  notify_ = nullptr;
}

bool Watcher::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

bool Watcher::cut() const {
  std::lock_guard lock(mu_);
  return cut_;
}

bool Watcher::Accepts(const api::core::v1::Event& e) const {
  return (namespace_.empty() || e.metadata.namespace_ == namespace_) && selector_.Matches(e);
}

void Watcher::Push(Change c) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    if (closed_ || stopped_) return;
    if (queue_.size() >= max_queue_) {
      closed_ = true;  // too far behind: end the watch, the client re-lists
    } else {
      queue_.push_back(std::move(c));
    }
    notify = notify_;
  }
  if (notify) notify();
}

void Watcher::Close(bool cut) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    cut_ = cut;
    notify = notify_;
  }
  if (notify) notify();
}

// --------------------------------------------------------------------------------- EventStore

EventStore::EventStore(Options options) : options_(std::move(options)) {}

EventStore::~EventStore() { CloseWatchers(); }

std::string EventStore::Key(std::string_view ns, std::string_view name) {
  std::string key;
  key.reserve(ns.size() + name.size() + 1);
  key.append(ns).append(1, '/').append(name);
  return key;
}

void EventStore::RecordLocked(Change::Type type, const EventPtr& obj) {
  history_.emplace_back(rv_, Change{type, obj, 0, nullptr});
  while (history_.size() > options_.history) {
    history_floor_ = history_.front().first;
    history_.pop_front();
  }
  bool any_stopped = false;
  for (const auto& w : watchers_) {
    if (w->stopped()) {
      any_stopped = true;
      continue;
    }
    if (w->Accepts(*obj)) w->Push(Change{type, obj, 0, nullptr});
  }
  if (any_stopped) {
    std::erase_if(watchers_, [](const auto& w) { return w->stopped(); });
  }
}

EventPtr EventStore::StampLocked(api::core::v1::Event&& event) {
  ++rv_;
  event.metadata.resource_version = std::to_string(rv_);
  return std::make_shared<const api::core::v1::Event>(std::move(event));
}

void EventStore::ArmExpiryLocked(Entry& entry, const std::string& key, bool replace) {
  if (replace) expiries_.erase(entry.expiry);
  entry.expiry = expiries_.emplace(options_.clock->Now() + options_.ttl, key);
}

void EventStore::PurgeExpiredLocked() {
  if (expiries_.empty()) return;
  const auto now = options_.clock->Now();
  while (!expiries_.empty() && expiries_.begin()->first <= now) {
    const auto node = expiries_.begin();
    auto it = items_.find(node->second);
    expiries_.erase(node);
    if (it == items_.end()) continue;
    auto copy = *it->second.object;
    items_.erase(it);
    RecordLocked(Change::Type::kDeleted, StampLocked(std::move(copy)));
  }
}

void EventStore::PurgeExpired() {
  std::lock_guard lock(mu_);
  PurgeExpiredLocked();
}

EventPtr EventStore::Get(std::string_view ns, std::string_view name) {
  std::lock_guard lock(mu_);
  PurgeExpiredLocked();
  auto it = items_.find(Key(ns, name));
  return it == items_.end() ? nullptr : it->second.object;
}

EventStore::ListResult EventStore::List(std::string_view ns, const Selector& selector,
                                        std::size_t limit, std::string_view start_after_key) {
  std::lock_guard lock(mu_);
  PurgeExpiredLocked();
  ListResult out;
  out.resource_version = rv_;
  const std::string prefix = ns.empty() ? std::string() : std::string(ns) + "/";
  auto it =
      start_after_key.empty() ? items_.lower_bound(prefix) : items_.upper_bound(start_after_key);
  if (!start_after_key.empty() && it != items_.end() && it->first < prefix) {
    it = items_.lower_bound(prefix);
  }
  for (; it != items_.end(); ++it) {
    if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (!selector.Matches(*it->second.object)) continue;
    if (limit != 0 && out.items.size() == limit) {
      // More matching items follow: count them for remainingItemCount.
      out.last_key =
          EventStore::Key(out.items.back()->metadata.namespace_, out.items.back()->metadata.name);
      for (; it != items_.end(); ++it) {
        if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
        if (selector.Matches(*it->second.object)) ++out.remaining;
      }
      break;
    }
    out.items.push_back(it->second.object);
  }
  return out;
}

StatusOr<EventPtr> EventStore::Create(api::core::v1::Event event) {
  std::lock_guard lock(mu_);
  PurgeExpiredLocked();
  std::string key = Key(event.metadata.namespace_, event.metadata.name);
  auto [it, inserted] = items_.try_emplace(std::move(key));
  if (!inserted) return Status(StatusCode::kAlreadyExists, "already exists");
  it->second.object = StampLocked(std::move(event));
  ArmExpiryLocked(it->second, it->first, false);
  RecordLocked(Change::Type::kAdded, it->second.object);
  return it->second.object;
}

StatusOr<EventPtr> EventStore::Update(std::string_view ns, std::string_view name, bool allow_create,
                                      const UpdateFn& fn, bool& created) {
  std::lock_guard lock(mu_);
  PurgeExpiredLocked();
  created = false;
  const std::string key = Key(ns, name);
  auto it = items_.find(key);
  if (it == items_.end() && !allow_create) return NotFoundError("not found");
  auto next = fn(it == items_.end() ? nullptr : it->second.object.get());
  if (!next) return next.status();
  if (it == items_.end()) {
    it = items_.try_emplace(key).first;
    it->second.object = StampLocked(std::move(*next));
    ArmExpiryLocked(it->second, it->first, false);
    created = true;
    RecordLocked(Change::Type::kAdded, it->second.object);
  } else {
    it->second.object = StampLocked(std::move(*next));
    ArmExpiryLocked(it->second, it->first, true);
    RecordLocked(Change::Type::kModified, it->second.object);
  }
  return it->second.object;
}

StatusOr<EventPtr> EventStore::Delete(std::string_view ns, std::string_view name,
                                      std::string_view precondition_uid,
                                      std::string_view precondition_rv) {
  std::lock_guard lock(mu_);
  PurgeExpiredLocked();
  auto it = items_.find(Key(ns, name));
  if (it == items_.end()) return NotFoundError("not found");
  const auto& meta = it->second.object->metadata;
  if (!precondition_uid.empty() && precondition_uid != meta.uid) {
    return FailedPreconditionError(
        "Precondition failed: UID in precondition: " + std::string(precondition_uid) +
        ", UID in object meta: " + meta.uid);
  }
  if (!precondition_rv.empty() && precondition_rv != meta.resource_version) {
    return FailedPreconditionError(
        "Precondition failed: ResourceVersion in precondition: " + std::string(precondition_rv) +
        ", ResourceVersion in object meta: " + meta.resource_version);
  }
  auto copy = *it->second.object;
  expiries_.erase(it->second.expiry);
  items_.erase(it);
  auto deleted = StampLocked(std::move(copy));
  RecordLocked(Change::Type::kDeleted, deleted);
  return deleted;
}

StatusOr<std::shared_ptr<Watcher>> EventStore::Watch(std::string_view ns, Selector selector,
                                                     std::string_view from_rv,
                                                     std::function<void()> notify,
                                                     bool allow_bookmarks) {
  std::lock_guard lock(mu_);
  PurgeExpiredLocked();
  auto watcher =
      std::make_shared<Watcher>(std::string(ns), std::move(selector), options_.watch_queue_limit);
  watcher->allow_bookmarks_ = allow_bookmarks;
  if (from_rv.empty() || from_rv == "0") {
    for (const auto& [key, entry] : items_) {
      if (watcher->Accepts(*entry.object)) {
        watcher->queue_.push_back(Change{Change::Type::kAdded, entry.object, 0, nullptr});
      }
    }
  } else {
    std::uint64_t rv = 0;
    const auto [p, ec] = std::from_chars(from_rv.data(), from_rv.data() + from_rv.size(), rv);
    if (ec != std::errc() || p != from_rv.data() + from_rv.size()) {
      return InvalidArgumentError("invalid resource version: " + std::string(from_rv));
    }
    if (rv < history_floor_) {
      return Status(StatusCode::kOutOfRange, "too old resource version: " + std::to_string(rv) +
                                                 " (" + std::to_string(history_floor_) + ")");
    }
    for (const auto& [change_rv, change] : history_) {
      if (change_rv > rv && watcher->Accepts(*change.object)) watcher->queue_.push_back(change);
    }
  }
  watcher->notify_ = std::move(notify);
  watchers_.push_back(watcher);
  return watcher;
}

std::uint64_t EventStore::ResourceVersion() {
  std::lock_guard lock(mu_);
  return rv_;
}

std::size_t EventStore::Size() {
  std::lock_guard lock(mu_);
  PurgeExpiredLocked();
  return items_.size();
}

void EventStore::Bookmark() {
  std::lock_guard lock(mu_);
  for (const auto& w : watchers_) {
    if (w->allow_bookmarks() && !w->stopped()) {
      w->Push(Change{Change::Type::kBookmark, nullptr, rv_, nullptr});
    }
  }
}

void EventStore::CompactHistory() {
  std::lock_guard lock(mu_);
  history_.clear();
  history_floor_ = rv_;
}

void EventStore::CutWatchers() {
  std::vector<std::shared_ptr<Watcher>> watchers;
  {
    std::lock_guard lock(mu_);
    watchers.swap(watchers_);
  }
  for (const auto& w : watchers) w->Close(/*cut=*/true);
}

void EventStore::InjectRaw(std::string bytes) {
  auto raw = std::make_shared<const std::string>(std::move(bytes));
  std::lock_guard lock(mu_);
  for (const auto& w : watchers_) {
    if (!w->stopped()) w->Push(Change{Change::Type::kRaw, nullptr, 0, raw});
  }
}

void EventStore::CloseWatchers() {
  std::vector<std::shared_ptr<Watcher>> watchers;
  {
    std::lock_guard lock(mu_);
    watchers.swap(watchers_);
  }
  for (const auto& w : watchers) w->Close();
}

}  // namespace kube::localapiserver::internal

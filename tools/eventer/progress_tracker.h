// kube::eventer::ProgressTracker: which resourceVersion of one watch may be checkpointed.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace kube::eventer {

/// Tracks the events of one watch in arrival order, each with the number of receivers that
/// still owe an answer. The committed resourceVersion is that of the newest entry such that it
/// and every entry before it are settled (acknowledged, or dropped/failed and counted) — so a
/// checkpoint never skips an event a receiver still holds. Entries may carry no
/// resourceVersion (items of a re-list, whose order says nothing); a list's own version is
/// added as a marker after its items. Thread-safe.
class ProgressTracker {
 public:
  /// Registers the next entry; `pending` deliveries are outstanding (0: settled at once).
  /// Returns its sequence number.
  std::uint64_t Add(std::string resource_version, int pending);
  /// One delivery of entry `seq` settled.
  void Done(std::uint64_t seq);
  /// The newest committable resourceVersion (empty before anything committed).
  std::string Committed() const;
  /// Entries not yet settled.
  std::size_t outstanding() const;

 private:
  struct Entry {
    std::string rv;
    int pending;
  };
  void Advance();  // mu_ held
  mutable std::mutex mu_;
  std::deque<Entry> entries_;
  std::uint64_t base_ = 0;  // sequence number of entries_.front()
  std::uint64_t next_ = 0;
  std::string committed_;
};

}  // namespace kube::eventer

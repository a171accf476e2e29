// kube::rest::WatchStream: a streamed `?watch=true` response (client-go rest.Request.Watch and
// watch.Interface's ResultChan), decoded frame by frame into RawWatchEvents.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "kubeevents/api/common/status.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/api/meta/v1/status.h"

namespace kube::rest {

/// The `type` of a metav1.WatchEvent.
enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

/// "ADDED", "MODIFIED", "DELETED", "BOOKMARK" or "ERROR".
std::string_view ToString(WatchEventType type);

/// One frame of a watch stream: its type and the raw JSON of its `object` (the watched kind,
/// or a metav1.Status for kError). Decode the object with the helpers below.
struct RawWatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  std::string object_json;
  friend bool operator==(const RawWatchEvent&, const RawWatchEvent&) = default;
};

/// Typed decoding of a frame's object; a mismatch is a kDecode error naming the JSON path.
StatusOr<api::core::v1::Event> DecodeCoreEvent(const RawWatchEvent& event);
StatusOr<api::events::v1::Event> DecodeEventsV1Event(const RawWatchEvent& event);
/// The metav1.Status of an ERROR frame (kDecode error when the object is not one).
StatusOr<api::meta::v1::Status> DecodeStatus(const RawWatchEvent& event);
/// The object's metadata.resourceVersion (what a BOOKMARK carries), any kind.
StatusOr<std::string> DecodeResourceVersion(const RawWatchEvent& event);
/// An ERROR frame as a kube::Status (origin kAPIServer, api_status() set): what the watch
/// would have returned as an HTTP error. 410 Gone / Expired maps to kFailedPrecondition.
Status ErrorEventStatus(const RawWatchEvent& event);

/// apierrors.IsResourceExpired || IsGone: the resourceVersion is older than the server's
/// history ("too old resource version"); the caller must re-list.
bool IsResourceExpired(const Status& status);

/// Whether a status returned by WatchStream::Next() is the clean end of the stream (the
/// server closed it, e.g. after timeoutSeconds): re-watch from the last resourceVersion.
bool IsEndOfStream(const Status& status);

/// A running watch. Obtained from Request::Watch(), which returns once the response headers
/// arrived (non-2xx answers are returned there as errors, like client-go's Watch()).
///
/// Pull model: Next() blocks the calling thread until the next frame, the end of the stream,
/// an error, or Stop()/the request's cancellation token. The I/O thread decodes and queues
/// frames as they arrive (the queue is unbounded: nothing is dropped; consume promptly).
/// Frames queued before a transport error or the clean end are still returned first; after
/// Stop() every Next() returns kCancelled at once.
///
/// Timeouts: the request's Timeout() (or Config::timeout) bounds only establishing the watch
/// (connect through the response headers); while streaming there is no overall deadline, only
/// Request::IdleTimeout() between reads (kDeadlineExceeded) and the server's timeoutSeconds.
///
/// Movable; the destructor stops the watch (it cancels the HTTP request and returns without
/// waiting for the I/O thread, which owns the connection). Stop() is thread-safe.
class WatchStream {
 public:
  struct State;
  explicit WatchStream(std::shared_ptr<State> state);
  WatchStream(WatchStream&&) noexcept;
  WatchStream& operator=(WatchStream&&) noexcept;
  ~WatchStream();

  /// The next frame. Errors: IsEndOfStream() for a clean end (kOutOfRange); kCancelled after
  /// Stop()/cancellation; kDeadlineExceeded for the idle timeout; kUnavailable for a broken
  /// connection (e.g. a cut stream: "partial message"); kDataLoss (origin kDecode) for bytes
  /// that are not a watch stream — the watch is then cancelled.
  StatusOr<RawWatchEvent> Next();
  /// Ends the watch; idempotent, callable from any thread, wakes a blocked Next().
  void Stop();
  /// Frames received so far (including those not yet returned by Next()).
  std::uint64_t frames_received() const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kube::rest

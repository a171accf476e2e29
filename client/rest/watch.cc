// WatchStream: the I/O thread decodes the streamed body (internal::WatchDecoder) into a queue
// that Next() drains; Stop() and the caller's token cancel the HTTP request.
#include "kubeevents/client/rest/watch.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

#include "kubeevents/api/json.h"
#include "kubeevents/client/rest/internal/client_core.h"
#include "kubeevents/client/rest/internal/watch_decoder.h"

namespace kube::rest {

namespace {

Status DecodeObjectError(const RawWatchEvent& e, const Status& s) {
  return Status(StatusCode::kDataLoss,
                "decoding watch " + std::string(ToString(e.type)) + " object: " + s.message(),
                ErrorOrigin::kDecode);
}

template <typename T>
StatusOr<T> DecodeAs(const RawWatchEvent& e) {
  auto decoded = api::FromJson<T>(e.object_json);
  if (!decoded.ok()) return DecodeObjectError(e, decoded.status());
  return decoded;
}

}  // namespace

std::string_view ToString(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

StatusOr<api::core::v1::Event> DecodeCoreEvent(const RawWatchEvent& event) {
  return DecodeAs<api::core::v1::Event>(event);
}

StatusOr<api::events::v1::Event> DecodeEventsV1Event(const RawWatchEvent& event) {
  return DecodeAs<api::events::v1::Event>(event);
}

StatusOr<api::meta::v1::Status> DecodeStatus(const RawWatchEvent& event) {
  auto s = DecodeAs<api::meta::v1::Status>(event);
  if (!s.ok()) return s;
  if (s->type_meta.kind != "Status") {
    return DecodeObjectError(event, Status(StatusCode::kInvalidArgument,
                                           "kind is \"" + s->type_meta.kind + "\", not Status"));
  }
  return s;
}

StatusOr<std::string> DecodeResourceVersion(const RawWatchEvent& event) {
  // Every kind has metadata.resourceVersion; the Event decoders tolerate other kinds' fields,
  // so the core/v1 reader serves as a metadata reader.
  auto e = DecodeAs<api::core::v1::Event>(event);
  if (!e.ok()) return e.status();
  return e->metadata.resource_version;
}

Status ErrorEventStatus(const RawWatchEvent& event) {
  auto s = DecodeStatus(event);
  if (!s.ok()) return s.status();
  const int code = s->code != 0 ? s->code : 500;
  return Status::FromAPIStatus(*std::move(s), code);
}

bool IsResourceExpired(const Status& status) {
  if (status.ok()) return false;
  if (const auto* api = status.api_status()) {
    return api->code == 410 || api->reason == "Expired" || api->reason == "Gone";
  }
  return false;
}

bool IsEndOfStream(const Status& status) {
  return status.code() == StatusCode::kOutOfRange && status.origin() == ErrorOrigin::kTransport;
}

// ------------------------------------------------------------------------------ State

struct WatchStream::State {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<RawWatchEvent> queue;
  bool started = false;   // 2xx headers arrived
  bool finished = false;  // the HTTP request completed
  bool stopped = false;   // Stop() or the caller's token
  Status terminal;        // why the stream ended (set when finished or on a decode error)
  Status start_error;     // the request's error when it never started streaming
  std::uint64_t frames = 0;
  std::stop_source cancel;         // cancels the HTTP request
  internal::WatchDecoder decoder;  // I/O thread only
  bool decode_failed = false;      // I/O thread only
  std::optional<std::stop_callback<std::function<void()>>> user_cb;

  void OnStart() {
    std::lock_guard lock(mu);
    started = true;
    cv.notify_all();
  }

  void OnBody(std::string_view bytes) {
    if (decode_failed) return;
    auto out = decoder.Feed(bytes);
    // A piece that ends mid-frame decodes to nothing: no reader to wake for it.
    if (out.events.empty() && out.error.ok()) return;
    {
      std::lock_guard lock(mu);
      frames += out.events.size();
      for (auto& e : out.events) queue.push_back(std::move(e));
      if (!out.error.ok()) {
        decode_failed = true;
        terminal = out.error;
      }
    }
    cv.notify_all();
    if (!out.error.ok()) cancel.request_stop();
  }

  void OnDone(Result result) {
    std::lock_guard lock(mu);
    finished = true;
    if (!started) {
      start_error =
          result.ok() ? Status(StatusCode::kInternal, "watch request completed without a response",
                               ErrorOrigin::kTransport)
                      : result.status();
    } else if (terminal.ok()) {
      if (!result.ok()) {
        terminal = result.status();
      } else if (Status s = decoder.Finish(); !s.ok()) {
        terminal = s;
      } else {
        terminal = Status(StatusCode::kOutOfRange, "watch stream ended", ErrorOrigin::kTransport);
      }
    }
    cv.notify_all();
  }

  void Stop() {
    {
      std::lock_guard lock(mu);
      stopped = true;
      cv.notify_all();
    }
    cancel.request_stop();
  }
};

WatchStream::WatchStream(std::shared_ptr<State> state) : state_(std::move(state)) {}
WatchStream::WatchStream(WatchStream&&) noexcept = default;
WatchStream& WatchStream::operator=(WatchStream&& other) noexcept {
  if (this != &other) {
    Stop();
    state_ = std::move(other.state_);
  }
  return *this;
}
WatchStream::~WatchStream() { Stop(); }

void WatchStream::Stop() {
  if (state_) state_->Stop();
}

std::uint64_t WatchStream::frames_received() const {
  if (!state_) return 0;
  std::lock_guard lock(state_->mu);
  return state_->frames;
}

StatusOr<RawWatchEvent> WatchStream::Next() {
  if (!state_) return Status(StatusCode::kFailedPrecondition, "watch stream moved from");
  State& s = *state_;
  std::unique_lock lock(s.mu);
  s.cv.wait(lock, [&] { return s.stopped || !s.queue.empty() || !s.terminal.ok(); });
  if (s.stopped) {
    return Status(StatusCode::kCancelled, "watch stopped", ErrorOrigin::kTransport);
  }
  if (!s.queue.empty()) {
    RawWatchEvent e = std::move(s.queue.front());
    s.queue.pop_front();
    return e;
  }
  return s.terminal;
}

namespace internal {

StatusOr<WatchStream> StartWatch(const std::shared_ptr<ClientCore>& core, PreparedRequest request,
                                 std::stop_token user_cancel) {
  auto state = std::make_shared<WatchStream::State>();
  std::weak_ptr<WatchStream::State> weak = state;
  if (user_cancel.stop_possible()) {
    state->user_cb.emplace(user_cancel, std::function<void()>([weak] {
                             if (auto s = weak.lock()) s->Stop();
                           }));
  }
  request.cancel = state->cancel.get_token();
  request.on_stream_start = [state](int) { state->OnStart(); };
  request.on_body = [state](std::string_view bytes) { state->OnBody(bytes); };
  core->Start(std::move(request), [state](Result r) { state->OnDone(std::move(r)); });
  std::unique_lock lock(state->mu);
  state->cv.wait(lock, [&] { return state->started || state->finished || state->stopped; });
  if (state->started) {
    lock.unlock();
    return WatchStream(std::move(state));
  }
  if (state->finished) return state->start_error;
  lock.unlock();
  state->Stop();
  return Status(StatusCode::kCancelled, "watch cancelled before it started",
                ErrorOrigin::kTransport);
}

}  // namespace internal

}  // namespace kube::rest

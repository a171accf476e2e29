// Internal: the incremental decoder of a watch response body — a sequence of JSON
// metav1.WatchEvent objects, optionally separated by whitespace (kube-apiserver writes one per
// line), arriving in arbitrary pieces. Pure (no I/O), so a fuzzer can drive it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/status.h"
#include "kubeevents/client/rest/watch.h"

namespace kube::rest::internal {

class WatchDecoder {
 public:
  /// Largest accepted frame; a longer one is an error (kube-apiserver objects are < 3 MiB).
  static constexpr std::size_t kDefaultMaxFrameBytes = 64u << 20;

  explicit WatchDecoder(std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

  /// What one Feed() produced: the frames completed by these bytes, in order, and the first
  /// error (framing or decoding). Errors are sticky: once one was reported, later Feed()s
  /// return it again and no more events.
  struct Output {
    std::vector<RawWatchEvent> events;
    Status error;
  };
  Output Feed(std::string_view bytes);

  /// At the end of the stream: OK when no partial frame is pending, else a kDataLoss error.
  Status Finish() const;

  /// Bytes of the frame being assembled (0 between frames).
  std::size_t pending_bytes() const { return frame_.size(); }

 private:
  Status Fail(std::string message);
  Status Complete(std::vector<RawWatchEvent>& out);

  std::size_t max_frame_bytes_;
  std::string frame_;  // the current, incomplete frame
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  std::size_t offset_ = 0;  // bytes consumed so far (for messages)
  Status error_;
};

/// Parses one complete frame (`{"type":…,"object":…}`).
StatusOr<RawWatchEvent> ParseWatchFrame(std::string_view frame);

}  // namespace kube::rest::internal

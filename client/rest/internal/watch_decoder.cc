// The incremental watch-stream decoder: splits the byte stream into top-level JSON objects
// (tracking strings, escapes and nesting so braces inside strings do not count), then parses
// each as a metav1.WatchEvent.
#include "kubeevents/client/rest/internal/watch_decoder.h"

#include <utility>

#include "kubeevents/api/json.h"
#include "kubeevents/api/meta/v1/watch_event.h"

namespace kube::rest::internal {

namespace {

Status DecodeError(std::string message) {
  return Status(StatusCode::kDataLoss, "watch stream: " + std::move(message), ErrorOrigin::kDecode);
}

std::string Printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

// Deepest nesting scanned; api::internal::kMaxJsonDepth rejects deeper documents anyway.
constexpr int kMaxScanDepth = 512;

}  // namespace

StatusOr<RawWatchEvent> ParseWatchFrame(std::string_view frame) {
  auto decoded = api::FromJson<api::meta::v1::WatchEvent>(frame);
  if (!decoded.ok()) return DecodeError("invalid WatchEvent: " + decoded.status().message());
  RawWatchEvent out;
  const std::string& t = decoded->type;
  if (t == "ADDED") {
    out.type = WatchEventType::kAdded;
  } else if (t == "MODIFIED") {
    out.type = WatchEventType::kModified;
  } else if (t == "DELETED") {
    out.type = WatchEventType::kDeleted;
  } else if (t == "BOOKMARK") {
    out.type = WatchEventType::kBookmark;
  } else if (t == "ERROR") {
    out.type = WatchEventType::kError;
  } else if (t.empty()) {
    return DecodeError("WatchEvent without a type");
  } else {
    return DecodeError("unknown WatchEvent type \"" + t.substr(0, 64) + "\"");
  }
  if (decoded->object.empty()) {
    return DecodeError("WatchEvent " + t + " without an object");
  }
  out.object_json = std::move(decoded->object);
  return out;
}

WatchDecoder::WatchDecoder(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

Status WatchDecoder::Fail(std::string message) {
  error_ = DecodeError(std::move(message));
  frame_.clear();
  return error_;
}

Status WatchDecoder::Complete(std::vector<RawWatchEvent>& out) {
  auto event = ParseWatchFrame(frame_);
  frame_.clear();
  if (!event.ok()) {
    error_ = event.status();
    return error_;
  }
  out.push_back(*std::move(event));
  return Status();
}

WatchDecoder::Output WatchDecoder::Feed(std::string_view bytes) {
  Output out;
  if (!error_.ok()) {
    out.error = error_;
    return out;
  }
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (depth_ == 0) {
      // Between frames: whitespace, then the '{' of the next frame.
      const char c = bytes[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        ++i;
        ++offset_;
        continue;
      }
      if (c != '{') {
        out.error =
            Fail("expected '{' at offset " + std::to_string(offset_) + ", got " + Printable(c));
        return out;
      }
      frame_.push_back(c);
      depth_ = 1;
      ++i;
      ++offset_;
      continue;
    }
    // Inside a frame: copy up to the byte that completes it.
    const std::size_t start = i;
    bool complete = false;
    for (; i < bytes.size(); ++i) {
      const char c = bytes[i];
      if (in_string_) {
        if (escape_) {
          escape_ = false;
        } else if (c == '\\') {
          escape_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
        continue;
      }
      if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        if (++depth_ > kMaxScanDepth) {
          out.error = Fail("frame nested deeper than " + std::to_string(kMaxScanDepth) +
                           " levels at offset " + std::to_string(offset_ + (i - start)));
          return out;
        }
      } else if (c == '}' || c == ']') {
        if (--depth_ == 0) {
          ++i;
          complete = true;
          break;
        }
      }
    }
    const std::size_t n = i - start;
    if (frame_.size() + n > max_frame_bytes_) {
      out.error = Fail("frame larger than " + std::to_string(max_frame_bytes_) + " bytes");
      return out;
    }
    frame_.append(bytes.substr(start, n));
    offset_ += n;
    if (complete) {
      if (Status s = Complete(out.events); !s.ok()) {
        out.error = s;
        return out;
      }
    }
  }
  return out;
}

Status WatchDecoder::Finish() const {
  if (!error_.ok()) return error_;
  if (!frame_.empty()) {
    return DecodeError("stream ended inside a frame (" + std::to_string(frame_.size()) +
                       " bytes pending)");
  }
  return Status();
}

}  // namespace kube::rest::internal

#include "kubeevents/tools/eventer/file_receiver.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace kube::eventer {

namespace {
Status Errno(const std::string& what) {
  return Status(StatusCode::kUnavailable, what + ": " + std::strerror(errno));
}
}  // namespace

FileReceiver::FileReceiver(FileReceiverConfig config, Template layout,
                           std::shared_ptr<Logger> logger)
    : config_(std::move(config)), layout_(std::move(layout)), logger_(std::move(logger)) {
  if (config_.path.empty()) fd_ = STDOUT_FILENO;
}

FileReceiver::~FileReceiver() {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
}

Status FileReceiver::OpenFile() {
  fd_ = ::open(config_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno("open " + config_.path);
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
  return Status();
}

Status FileReceiver::Rotate() {
  ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  if (config_.max_backups <= 0) {
    std::filesystem::remove(config_.path, ec);
  } else {
    const std::string oldest = config_.path + "." + std::to_string(config_.max_backups);
    std::filesystem::remove(oldest, ec);
    for (int i = config_.max_backups - 1; i >= 1; --i) {
      const std::string from = config_.path + "." + std::to_string(i);
      if (std::filesystem::exists(from)) {
        std::filesystem::rename(from, config_.path + "." + std::to_string(i + 1), ec);
      }
    }
    std::filesystem::rename(config_.path, config_.path + ".1", ec);
    if (ec) return Status(StatusCode::kUnavailable, "rotate " + config_.path + ": " + ec.message());
  }
  if (logger_) logger_->Info(1, "rotated", {{"file", config_.path}});
  return OpenFile();
}

SendResult FileReceiver::Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) {
  SendResult result;
  if (fd_ < 0) {
    if (Status s = OpenFile(); !s.ok()) {
      result.error = s;
      return result;
    }
  }
  std::size_t i = 0;
  while (i < batch.size()) {
    // Fill the buffer up to the rotation limit (at least one line per write).
    buffer_.clear();
    std::size_t j = i;
    while (j < batch.size()) {
      const std::size_t before = buffer_.size();
      layout_.Render(*batch[j], buffer_);
      buffer_ += '\n';
      if (!config_.path.empty() && j > i && size_ + buffer_.size() > config_.max_size_bytes) {
        buffer_.resize(before);
        break;
      }
      ++j;
    }
    if (!config_.path.empty() && size_ > 0 && size_ + buffer_.size() > config_.max_size_bytes) {
      if (Status s = Rotate(); !s.ok()) {
        result.error = s;
        return result;
      }
    }
    std::size_t off = 0;
    while (off < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        result.error =
            Errno("write " + (config_.path.empty() ? std::string("stdout") : config_.path));
        return result;  // nothing of this chunk acknowledged: re-sent (a line may repeat)
      }
      off += static_cast<std::size_t>(n);
    }
    size_ += buffer_.size();
    if (config_.fsync && ::fsync(fd_) != 0 && errno != EINVAL) {
      result.error = Errno("fsync " + config_.path);
      return result;
    }
    result.written += j - i;
    i = j;
  }
  return result;
}

}  // namespace kube::eventer

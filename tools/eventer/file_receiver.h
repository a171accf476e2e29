// kube::eventer::FileReceiver: JSON lines (or a template's output, one line per event) to
// stdout or to a file rotated by size.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/eventer/config.h"
#include "kubeevents/tools/eventer/receiver.h"
#include "kubeevents/tools/eventer/template.h"

namespace kube::eventer {

/// Writes each batch with one write(2) per batch and acknowledges it once the data is in the
/// kernel (and on disk with fsync: true). A file that would grow past max_size_bytes is
/// rotated first: path.N-1 → path.N, ..., path → path.1 (max_backups kept).
class FileReceiver final : public Receiver {
 public:
  /// `config.path` empty: stdout (never rotated).
  FileReceiver(FileReceiverConfig config, Template layout, std::shared_ptr<Logger> logger);
  ~FileReceiver() override;
  SendResult Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) override;

 private:
  Status OpenFile();
  Status Rotate();
  FileReceiverConfig config_;
  Template layout_;
  std::shared_ptr<Logger> logger_;
  int fd_ = -1;
  std::size_t size_ = 0;
  std::string buffer_;
};

}  // namespace kube::eventer

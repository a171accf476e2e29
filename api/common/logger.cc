#include "kubeevents/api/common/logger.h"

#include <chrono>
#include <cstdio>

#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/api/meta/v1/time.h"

namespace kube {

std::string FormatLogLine(LogSeverity severity, std::string_view message,
                          std::span<const LogField> fields) {
  std::string line;
  line.reserve(64 + message.size());
  line += severity == LogSeverity::kError ? 'E' : severity == LogSeverity::kWarning ? 'W' : 'I';
  // "2024-05-01T10:00:03.123456Z" → "0501 10:00:03.123456"
  const std::string ts = api::meta::v1::FormatRFC3339(std::chrono::system_clock::now(), 6);
  line.append(ts, 5, 2);
  line.append(ts, 8, 2);
  line += ' ';
  line.append(ts, 11, 15);
  line += "] ";
  line += message;
  for (const auto& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    api::internal::AppendQuoted(line, f.value);
  }
  return line;
}

void StderrLogger::Write(LogSeverity severity, int, std::string_view message,
                         std::span<const LogField> fields) {
  std::string line = FormatLogLine(severity, message, fields);
  line += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::shared_ptr<Logger> MakeDefaultLogger() { return std::make_shared<StderrLogger>(0); }

}  // namespace kube

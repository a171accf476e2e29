// kube::Logger: the small structured-logging interface every kubeevents component logs through.
//
// klog-like: severities plus a verbosity level for info records, and key/value fields. The
// default writes warnings and errors (and info up to a chosen verbosity) to stderr; adapt your
// own logger (spdlog, glog, OpenTelemetry) by implementing two methods. Loggers are passed in
// options — there is no global logger.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

namespace kube {

/// Severity of a log record.
enum class LogSeverity { kInfo, kWarning, kError };

/// One structured key/value pair of a record.
struct LogField {
  std::string_view key;
  std::string value;
};

/// A sink for log records. Implementations must be thread-safe.
class Logger {
 public:
  virtual ~Logger() = default;
  /// Whether a record of this severity/verbosity would be written (checked before building
  /// fields, so disabled logging costs one virtual call).
  virtual bool Enabled(LogSeverity severity, int verbosity) const = 0;
  /// Writes one record.
  virtual void Write(LogSeverity severity, int verbosity, std::string_view message,
                     std::span<const LogField> fields) = 0;

  /// Info record at verbosity v (klog's V(v).InfoS).
  void Info(int v, std::string_view message, std::initializer_list<LogField> fields = {}) {
    if (Enabled(LogSeverity::kInfo, v)) Write(LogSeverity::kInfo, v, message, fields);
  }
  /// Warning record.
  void Warning(std::string_view message, std::initializer_list<LogField> fields = {}) {
    if (Enabled(LogSeverity::kWarning, 0)) Write(LogSeverity::kWarning, 0, message, fields);
  }
  /// Error record (klog's ErrorS).
  void Error(std::string_view message, std::initializer_list<LogField> fields = {}) {
    if (Enabled(LogSeverity::kError, 0)) Write(LogSeverity::kError, 0, message, fields);
  }
};

/// Writes klog-style lines to stderr: `E1126 12:00:00.123456] message key="value"`.
/// Info records are written when their verbosity is <= `verbosity`.
class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(int verbosity = 0) : verbosity_(verbosity) {}
  bool Enabled(LogSeverity severity, int v) const override {
    return severity != LogSeverity::kInfo || v <= verbosity_;
  }
  void Write(LogSeverity severity, int verbosity, std::string_view message,
             std::span<const LogField> fields) override;

 private:
  int verbosity_;
  std::mutex mu_;
};

/// Discards everything (for benchmarks and quiet tests).
class NullLogger final : public Logger {
 public:
  bool Enabled(LogSeverity, int) const override { return false; }
  void Write(LogSeverity, int, std::string_view, std::span<const LogField>) override {}
};

/// Adapts a callable to the Logger interface: the adapter point for a user's own logger.
class CallbackLogger final : public Logger {
 public:
  using Callback =
      std::function<void(LogSeverity, int, std::string_view, std::span<const LogField>)>;
  explicit CallbackLogger(Callback cb, int verbosity = 10)
      : cb_(std::move(cb)), verbosity_(verbosity) {}
  bool Enabled(LogSeverity severity, int v) const override {
    return severity != LogSeverity::kInfo || v <= verbosity_;
  }
  void Write(LogSeverity s, int v, std::string_view m, std::span<const LogField> f) override {
    cb_(s, v, m, f);
  }

 private:
  Callback cb_;
  int verbosity_;
};

/// The default logger: a StderrLogger at verbosity 0.
std::shared_ptr<Logger> MakeDefaultLogger();

/// Renders a record as one klog-style line (no trailing newline); used by StderrLogger and
/// useful to custom loggers.
std::string FormatLogLine(LogSeverity severity, std::string_view message,
                          std::span<const LogField> fields);

}  // namespace kube

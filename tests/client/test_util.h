// Shared helpers for the client tests: scoped environment variables, temporary directories,
// a logger that captures records, and a generated PKI.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kubeevents/api/common/logger.h"

namespace kube::rest::testing {

/// Sets (or unsets, with nullopt) an environment variable for the scope.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) {
      ::setenv(name_.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// A fresh directory removed at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("kubeevents-client-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

/// Records every log line (rendered klog-style) for assertions.
class CapturingLogger final : public Logger {
 public:
  explicit CapturingLogger(int verbosity = 10) : verbosity_(verbosity) {}
  bool Enabled(LogSeverity severity, int v) const override {
    return severity != LogSeverity::kInfo || v <= verbosity_;
  }
  void Write(LogSeverity severity, int, std::string_view message,
             std::span<const LogField> fields) override {
    std::lock_guard lock(mu_);
    lines_.push_back(FormatLogLine(severity, message, fields));
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  std::string joined() const {
    std::string out;
    for (const auto& l : lines()) out += l + "\n";
    return out;
  }

 private:
  int verbosity_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

inline std::string TestData(const std::string& rel) {
  return std::string(KUBEEVENTS_TEST_DATA_DIR) + "/" + rel;
}

}  // namespace kube::rest::testing

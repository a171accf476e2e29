// Test helpers for running real programs (kubectl) from the server tests.
#pragma once

#include <string>
#include <utility>

namespace kube::localapiserver::test_support {

/// The executable `name` found on PATH, or "" when there is none.
std::string FindOnPath(const std::string& name);

/// Runs `cmd` through the shell; returns (exit code or -1, stdout and stderr together).
std::pair<int, std::string> RunCommand(const std::string& cmd);

}  // namespace kube::localapiserver::test_support

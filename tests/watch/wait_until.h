// Test helper: wait for a condition another thread will make true, without fixed sleeps.
#pragma once

#include <chrono>
#include <thread>

namespace kube::watch::testing {

// Polls `pred` (yielding between polls) until it holds; false after `limit`, so a broken
// implementation fails the test instead of hanging it.
template <class Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace kube::watch::testing

// kube::MakeAdaptive: turns a fresh std::mutex into one that spins briefly before sleeping.
#pragma once

#include <mutex>
#if defined(__GLIBC__)
#include <pthread.h>
#endif

namespace kube {

/// For mutexes guarding a few pointer moves between busy threads (queues, pools): a contended
/// lock is then spun on for a moment instead of costing a futex sleep and a wake-up. Uses
/// glibc's adaptive mutex type; elsewhere the mutex is left as it is. Call it before the
/// mutex is first used (in the owner's constructor).
inline void MakeAdaptive(std::mutex& mu) {
#if defined(__GLIBC__)
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
  pthread_mutex_init(mu.native_handle(), &attr);
  pthread_mutexattr_destroy(&attr);
#else
  (void)mu;
#endif
}

}  // namespace kube

// Resident-memory readings of the benchmark process (Linux /proc), for the memory figures.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

namespace kube::bench {

/// A "Vm...:" line of /proc/self/status in KiB (0 when absent).
inline long ProcStatusKiB(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
        line[field.size()] == ':') {
      return std::stol(line.substr(field.size() + 1));
    }
  }
  return 0;
}

/// Current resident set size.
inline long RssKiB() { return ProcStatusKiB("VmRSS"); }
/// Peak resident set size since the process started or since ResetPeakRss().
inline long PeakRssKiB() { return ProcStatusKiB("VmHWM"); }
/// Resets the peak to the current RSS (writes 5 to /proc/self/clear_refs; Linux >= 4.0).
/// Returns false when the kernel refused, in which case PeakRssKiB keeps the process peak.
inline bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace kube::bench

#include "kubeevents/tools/record/event_recorder.h"

#include <cstdio>

namespace kube::record {

void EventRecorder::RecordFormattedEvent(const api::core::v1::ObjectReference& reference,
                                         const Annotations* annotations, std::string_view type,
                                         std::string_view reason, std::string_view format,
                                         std::span<const FormatArg> args) {
  RecordEvent(reference, annotations, type, reason, SprintfArgs(format, args));
}

std::string EventRecorder::VFormat(const char* format, va_list args) {
  char stack[256];
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(stack, sizeof stack, format, copy);
  va_end(copy);
  if (n < 0) return std::string(format);
  if (static_cast<std::size_t>(n) < sizeof stack)
    return std::string(stack, static_cast<std::size_t>(n));
  std::string out(static_cast<std::size_t>(n), '\0');
  std::vsnprintf(out.data(), out.size() + 1, format, args);
  return out;
}

}  // namespace kube::record

#include "kubeevents/tools/record/event_util.h"

#include <charconv>

namespace kube::record {

bool ValidateEventType(std::string_view type) { return type == "Normal" || type == "Warning"; }

bool IsKeyNotFoundError(const Status& status) {
  return status.origin() == ErrorOrigin::kAPIServer && status.http_code() == 404;
}

bool IsDNS1123Subdomain(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  char prev = '.';
  for (const char c : name) {
    if (c == '.') {
      if (!alnum(prev)) return false;  // label must end alphanumeric (and be non-empty)
    } else if (c == '-') {
      if (prev == '.') return false;  // label must start alphanumeric
    } else if (!alnum(c)) {
      return false;
    }
    prev = c;
  }
  return alnum(prev);
}

void AssignEventName(std::string& name, std::string_view ref_name, std::int64_t unix_nanos) {
  name.clear();
  name.reserve(ref_name.size() + 18);
  name.append(ref_name);
  name += '.';
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, unix_nanos, 16);
  name.append(buf, r.ptr);
  // With a non-negative time the suffix is one valid label (lowercase hex), so the name is a
  // subdomain exactly when `ref_name` is one and the whole fits in 253 characters.
  const bool valid = unix_nanos >= 0 ? name.size() <= 253 && IsDNS1123Subdomain(ref_name)
                                     : IsDNS1123Subdomain(name);
  if (!valid) name.assign(NewUUID());
}

std::string GenerateEventName(std::string_view ref_name, std::int64_t unix_nanos) {
  std::string name;
  AssignEventName(name, ref_name, unix_nanos);
  return name;
}

std::string GoMapString(const std::map<std::string, std::string>& m) {
  std::string out = "map[";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ' ';
    first = false;
    out.append(k).append(":").append(v);
  }
  out += ']';
  return out;
}

}  // namespace kube::record

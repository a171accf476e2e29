// kube::eventer::Router: the compiled route tree (match/drop rules) that decides which
// receivers get an event.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/tools/eventer/config.h"
#include "kubeevents/tools/eventer/exported_event.h"

namespace kube::eventer {

/// A whole-value string matcher: plain text compares for equality (fast path), anything with
/// regex metacharacters is an ECMAScript regex that must match the entire value.
class ValueMatcher {
 public:
  /// Compiles `pattern`; a bad regex is kInvalidArgument with std::regex's explanation.
  static StatusOr<ValueMatcher> Compile(const std::string& pattern);
  bool Matches(std::string_view value) const;

 private:
  std::string literal_;
  std::shared_ptr<const std::regex> regex_;
};

/// A compiled rule (see RuleConfig).
struct CompiledRule {
  std::optional<ValueMatcher> namespace_, kind, name, reason, type, component, message;
  std::vector<std::pair<std::string, ValueMatcher>> labels;
  std::int32_t min_count = 0;
  int receiver = -1;  ///< index into the receiver list, -1 for none
  bool Matches(const ExportedEvent& e) const;
};

/// The route tree, compiled.
class Router {
 public:
  /// Compiles `route` against the receiver names (index = position). Errors name the key path
  /// (e.g. "route.match[1].reason") — ParseConfig adds the file and line.
  static StatusOr<Router> Compile(const RouteConfig& route,
                                  const std::vector<std::string>& receivers);

  /// Sets targets[i] = true for every receiver i that gets `e` (targets sized to the receiver
  /// count by the caller, all false).
  void Route(const ExportedEvent& e, std::vector<bool>& targets) const;
  /// Whether any rule looks at the involved object's labels.
  bool uses_labels() const { return uses_labels_; }

 private:
  struct Node {
    std::vector<CompiledRule> drop, match;
    std::vector<Node> routes;
  };
  static void Walk(const Node& n, const ExportedEvent& e, std::vector<bool>& targets);
  Node root_;
  bool uses_labels_ = false;
};

}  // namespace kube::eventer

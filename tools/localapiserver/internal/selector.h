// Internal: field and label selectors for event lists and watches (apimachinery fields and
// labels packages, with the event field set of pkg/registry/core/event/strategy.go).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/coordination/v1/lease.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/tools/localapiserver/internal/validation.h"

namespace kube::localapiserver::internal {

/// One `key=value` / `key!=value` term of a field selector.
struct FieldRequirement {
  std::string key;
  std::string value;
  bool equals = true;
};

/// One label selector requirement (`k`, `!k`, `k=v`, `k!=v`, `k in (..)`, `k notin (..)`).
struct LabelRequirement {
  enum class Op { kExists, kNotExists, kIn, kNotIn };
  std::string key;
  Op op = Op::kExists;
  std::vector<std::string> values;
};

/// The fieldSelector of a watch of one object by name: `metadata.name=NAME`, followed by the
/// request's own `field_selector` when it has one (kube-apiserver serves such a watch as the
/// collection's watch filtered by name).
std::string NameFieldSelector(std::string_view name, std::string_view field_selector);

/// A parsed fieldSelector + labelSelector over stored events.
class Selector {
 public:
  /// Parses both selectors. Field labels are converted for the request's API
  /// (events.k8s.io: `regarding.*` → `involvedObject.*`, `reportingController` →
  /// `reportingComponent`, unknown labels pass through; core/v1: unknown labels are an error
  /// "field label not supported: <label>"). Errors are kInvalidArgument with the apiserver's
  /// message, to be returned as 400 BadRequest.
  static StatusOr<Selector> Parse(std::string_view field_selector, std::string_view label_selector,
                                  RequestVersion version);

  /// Both selectors for coordination.k8s.io/v1 Leases, whose field labels are the generic
  /// `metadata.name` and `metadata.namespace` (anything else: "field label not supported").
  static StatusOr<Selector> ParseForLeases(std::string_view field_selector,
                                           std::string_view label_selector);

  /// Whether the stored event matches every requirement.
  bool Matches(const api::core::v1::Event& e) const;
  /// Whether the lease matches every requirement (a selector from ParseForLeases).
  bool Matches(const api::coordination::v1::Lease& l) const;
  /// True when there is no requirement at all.
  bool Empty() const { return fields_.empty() && labels_.empty(); }
  /// The value a single `metadata.name=` requirement pins, or "" (used for watch-by-name).
  const std::vector<FieldRequirement>& fields() const { return fields_; }

 private:
  // Both parses: `accept_field` checks (and may rewrite) each field requirement's label.
  static StatusOr<Selector> Build(std::string_view field_selector, std::string_view label_selector,
                                  const std::function<bool(FieldRequirement&)>& accept_field);
  bool LabelsMatch(const std::map<std::string, std::string>& labels) const;
  std::vector<FieldRequirement> fields_;
  std::vector<LabelRequirement> labels_;
};

/// The selectable field values of a stored event (GetAttrs); "" for unknown labels.
std::string EventFieldValue(const api::core::v1::Event& e, std::string_view label);

}  // namespace kube::localapiserver::internal

// kube::eventer::Template: the small `{{ .Reason }}`-style template language of receiver
// bodies (docs/eventer.md#templates).
//
//   text {{ .Field }} text      the field's value as text
//   {{ json .Field }}           the field's value as a JSON string/number (quoted, escaped)
//   {{ .Field | json }}         the same
//   {{ . }} / {{ json . }}      the whole event as JSON
//   {{ .Labels.app }}           a label of the involved object ("" when absent)
//
// Fields use client-go's Go names: .Name .Namespace .UID .ResourceVersion .Reason .Message
// .Type .Count .Action .FirstTimestamp .LastTimestamp .EventTime .Source.Component
// .Source.Host .ReportingController .ReportingInstance .InvolvedObject.{Kind,Name,Namespace,
// UID,APIVersion,FieldPath,ResourceVersion} .Change (ADDED/MODIFIED/DELETED) .Labels.<key>.
// An unknown field or an unclosed `{{` is a compile error naming the position.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/tools/eventer/exported_event.h"

namespace kube::eventer {

/// A compiled template. Cheap to copy; Render is thread-safe.
class Template {
 public:
  /// The default template: the event's JSON.
  Template();
  /// Compiles `text`; errors are kInvalidArgument naming the offset and what was wrong.
  static StatusOr<Template> Compile(std::string_view text);

  /// Appends the rendering of `e` to `out`.
  void Render(const ExportedEvent& e, std::string& out) const;
  /// Whether the template reads .Labels (so the exporter must fetch them).
  bool uses_labels() const { return uses_labels_; }
  /// Whether this is the default (whole event JSON) template.
  bool is_default() const { return is_default_; }

 private:
  struct Segment {
    int field = -1;  ///< -1: literal text
    bool json = false;
    std::string text;  ///< literal, or the label key
  };
  std::vector<Segment> segments_;
  bool uses_labels_ = false;
  bool is_default_ = true;
};

}  // namespace kube::eventer

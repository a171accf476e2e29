#include "kubeevents/tools/eventer/template.h"

#include <array>
#include <utility>

#include "kubeevents/api/internal/json_writer.h"

namespace kube::eventer {

namespace {

enum Field : int {
  kWhole,
  kName,
  kNamespace,
  kUID,
  kResourceVersion,
  kReason,
  kMessage,
  kType,
  kCount,
  kAction,
  kFirstTimestamp,
  kLastTimestamp,
  kEventTime,
  kSourceComponent,
  kSourceHost,
  kReportingController,
  kReportingInstance,
  kInvolvedKind,
  kInvolvedName,
  kInvolvedNamespace,
  kInvolvedUID,
  kInvolvedAPIVersion,
  kInvolvedFieldPath,
  kInvolvedResourceVersion,
  kChange,
  kLabel,
};

constexpr std::array<std::pair<std::string_view, Field>, 25> kFields{{
    {".", kWhole},
    {".Name", kName},
    {".Namespace", kNamespace},
    {".UID", kUID},
    {".ResourceVersion", kResourceVersion},
    {".Reason", kReason},
    {".Message", kMessage},
    {".Type", kType},
    {".Count", kCount},
    {".Action", kAction},
    {".FirstTimestamp", kFirstTimestamp},
    {".LastTimestamp", kLastTimestamp},
    {".EventTime", kEventTime},
    {".Source.Component", kSourceComponent},
    {".Source.Host", kSourceHost},
    {".ReportingController", kReportingController},
    {".ReportingInstance", kReportingInstance},
    {".InvolvedObject.Kind", kInvolvedKind},
    {".InvolvedObject.Name", kInvolvedName},
    {".InvolvedObject.Namespace", kInvolvedNamespace},
    {".InvolvedObject.UID", kInvolvedUID},
    {".InvolvedObject.APIVersion", kInvolvedAPIVersion},
    {".InvolvedObject.FieldPath", kInvolvedFieldPath},
    {".InvolvedObject.ResourceVersion", kInvolvedResourceVersion},
    {".Change", kChange},
}};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The text value of a field (kWhole and kCount handled by the caller).
std::string_view Text(const ExportedEvent& e, int field, const std::string& label,
                      std::string& scratch) {
  const auto& ev = e.event;
  switch (field) {
    case kName:
      return ev.metadata.name;
    case kNamespace:
      return ev.metadata.namespace_;
    case kUID:
      return ev.metadata.uid;
    case kResourceVersion:
      return ev.metadata.resource_version;
    case kReason:
      return ev.reason;
    case kMessage:
      return ev.message;
    case kType:
      return ev.type;
    case kAction:
      return ev.action;
    case kFirstTimestamp:
      return scratch = ev.first_timestamp.ToString();
    case kLastTimestamp:
      return scratch = ev.last_timestamp.ToString();
    case kEventTime:
      return scratch = ev.event_time.ToString();
    case kSourceComponent:
      return ev.source.component;
    case kSourceHost:
      return ev.source.host;
    case kReportingController:
      return ev.reporting_controller;
    case kReportingInstance:
      return ev.reporting_instance;
    case kInvolvedKind:
      return ev.involved_object.kind;
    case kInvolvedName:
      return ev.involved_object.name;
    case kInvolvedNamespace:
      return ev.involved_object.namespace_;
    case kInvolvedUID:
      return ev.involved_object.uid;
    case kInvolvedAPIVersion:
      return ev.involved_object.api_version;
    case kInvolvedFieldPath:
      return ev.involved_object.field_path;
    case kInvolvedResourceVersion:
      return ev.involved_object.resource_version;
    case kChange:
      return ChangeTypeName(e.change);
    case kLabel: {
      if (!e.labels) return {};
      auto it = e.labels->find(label);
      return it == e.labels->end() ? std::string_view() : std::string_view(it->second);
    }
    default:
      return {};
  }
}

}  // namespace

Template::Template() { segments_.push_back(Segment{kWhole, false, {}}); }

StatusOr<Template> Template::Compile(std::string_view text) {
  Template t;
  t.segments_.clear();
  t.is_default_ = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.segments_.push_back(Segment{-1, false, std::string(text.substr(pos))});
      break;
    }
    if (open > pos)
      t.segments_.push_back(Segment{-1, false, std::string(text.substr(pos, open - pos))});
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("template: unclosed \"{{\" at offset " + std::to_string(open));
    }
    std::string_view action = Trim(text.substr(open + 2, close - open - 2));
    bool json = false;
    if (action.starts_with("json ")) {
      json = true;
      action = Trim(action.substr(5));
    } else if (auto bar = action.find('|'); bar != std::string_view::npos) {
      std::string_view fn = Trim(action.substr(bar + 1));
      if (fn != "json") {
        return InvalidArgumentError("template: unknown function \"" + std::string(fn) +
                                    "\" at offset " + std::to_string(open) + " (only json)");
      }
      json = true;
      action = Trim(action.substr(0, bar));
    }
    Segment seg{-1, json, {}};
    if (action.starts_with(".Labels.") && action.size() > 8) {
      seg.field = kLabel;
      seg.text = std::string(action.substr(8));
      t.uses_labels_ = true;
    } else {
      for (const auto& [name, field] : kFields) {
        if (name == action) seg.field = field;
      }
    }
    if (seg.field < 0) {
      return InvalidArgumentError("template: unknown field \"" + std::string(action) +
                                  "\" at offset " + std::to_string(open));
    }
    t.segments_.push_back(std::move(seg));
    pos = close + 2;
  }
  return t;
}

void Template::Render(const ExportedEvent& e, std::string& out) const {
  std::string scratch;
  for (const Segment& s : segments_) {
    if (s.field < 0) {
      out += s.text;
    } else if (s.field == kWhole) {
      out += e.Json();  // already JSON: `json .` and `.` are the same
    } else if (s.field == kCount) {
      out += std::to_string(e.event.count);
    } else {
      std::string_view v = Text(e, s.field, s.text, scratch);
      if (s.json) {
        api::internal::AppendQuoted(out, v);
      } else {
        out += v;
      }
    }
  }
}

}  // namespace kube::eventer

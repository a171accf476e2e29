#include "kubeevents/tools/localapiserver/internal/validation.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "kubeevents/api/errors/errors.h"

namespace kube::localapiserver::internal {

namespace v1 = api::core::v1;
namespace meta = api::meta::v1;

namespace {

constexpr std::size_t kReportingInstanceLengthLimit = 128;
constexpr std::size_t kActionLengthLimit = 128;
constexpr std::size_t kReasonLengthLimit = 128;
constexpr std::size_t kNoteLengthLimit = 1024;
constexpr std::size_t kDNS1123LabelMaxLength = 63;
constexpr std::size_t kDNS1123SubdomainMaxLength = 253;
constexpr std::size_t kQualifiedNameMaxLength = 63;
constexpr std::size_t kLabelValueMaxLength = 63;
constexpr int kTotalAnnotationSizeLimitB = 256 * 1024;
constexpr const char* kFieldImmutable = "field is immutable";

constexpr const char* kDNS1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr const char* kDNS1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr const char* kDNS1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr const char* kDNS1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr const char* kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr const char* kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr const char* kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr const char* kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";

std::string MaxLenError(std::size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

std::string RegexError(std::string msg, std::string_view fmt,
                       std::initializer_list<std::string_view> examples) {
  if (examples.size() == 0)
    return msg + " (regex used for validation is '" + std::string(fmt) + "')";
  msg += " (e.g. ";
  bool first = true;
  for (auto e : examples) {
    if (!first) msg += " or ";
    first = false;
    msg += "'" + std::string(e) + "', ";
  }
  msg += "regex used for validation is '" + std::string(fmt) + "')";
  return msg;
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

bool MatchesDNSLabel(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

bool MatchesDNSSubdomain(std::string_view s) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    if (!MatchesDNSLabel(s.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool MatchesQualifiedName(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// NameIsDNSSubdomain(name, prefix): for generateName a trailing '-' is allowed.
std::vector<std::string> NameIsDNSSubdomain(std::string name, bool prefix) {
  if (prefix && !name.empty() && name.back() == '-') name.back() = 'a';
  return IsDNS1123Subdomain(name);
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void Append(FieldErrors& to, FieldErrors from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

FieldErrors ValidateLabels(const std::map<std::string, std::string>& labels,
                           const std::string& path) {
  FieldErrors errs;
  for (const auto& [k, v] : labels) {
    for (auto& msg : IsQualifiedName(k)) errs.push_back(Invalid(path, GoQuote(k), msg));
    for (auto& msg : IsValidLabelValue(v)) errs.push_back(Invalid(path, GoQuote(v), msg));
  }
  return errs;
}

FieldErrors ValidateAnnotations(const std::map<std::string, std::string>& annotations,
                                const std::string& path) {
  FieldErrors errs;
  std::size_t total = 0;
  for (const auto& [k, v] : annotations) {
    for (auto& msg : IsQualifiedName(ToLower(k))) errs.push_back(Invalid(path, GoQuote(k), msg));
    total += k.size() + v.size();
  }
  if (total > static_cast<std::size_t>(kTotalAnnotationSizeLimitB)) {
    errs.push_back(TooLong(path, kTotalAnnotationSizeLimitB));
  }
  return errs;
}

using NameFn = std::vector<std::string> (*)(std::string, bool);

FieldErrors ValidateObjectMeta(const meta::ObjectMeta& m, NameFn name_fn) {
  FieldErrors errs;
  if (!m.generate_name.empty()) {
    for (auto& msg : name_fn(m.generate_name, true)) {
      errs.push_back(Invalid("metadata.generateName", GoQuote(m.generate_name), msg));
    }
  }
  if (m.name.empty()) {
    errs.push_back(Required("metadata.name", "name or generateName is required"));
  } else {
    for (auto& msg : name_fn(m.name, false)) {
      errs.push_back(Invalid("metadata.name", GoQuote(m.name), msg));
    }
  }
  if (m.namespace_.empty()) {
    errs.push_back(Required("metadata.namespace", ""));
  } else {
    for (auto& msg : IsDNS1123Label(m.namespace_)) {
      errs.push_back(Invalid("metadata.namespace", GoQuote(m.namespace_), msg));
    }
  }
  if (m.generation < 0) {
    errs.push_back(Invalid("metadata.generation", std::to_string(m.generation),
                           "must be greater than or equal to 0"));
  }
  Append(errs, ValidateLabels(m.labels, "metadata.labels"));
  Append(errs, ValidateAnnotations(m.annotations, "metadata.annotations"));
  return errs;
}

FieldErrors ValidateObjectMetaUpdate(const meta::ObjectMeta& n, const meta::ObjectMeta& o) {
  FieldErrors errs;
  if (n.resource_version.empty()) {
    errs.push_back(
        Invalid("metadata.resourceVersion", GoQuote(""), "must be specified for an update"));
  }
  if (n.generation < o.generation) {
    errs.push_back(
        Invalid("metadata.generation", std::to_string(n.generation), "must not be decremented"));
  }
  if (n.name != o.name) errs.push_back(Invalid("metadata.name", GoQuote(n.name), kFieldImmutable));
  if (n.namespace_ != o.namespace_) {
    errs.push_back(Invalid("metadata.namespace", GoQuote(n.namespace_), kFieldImmutable));
  }
  if (n.uid != o.uid) errs.push_back(Invalid("metadata.uid", GoQuote(n.uid), kFieldImmutable));
  if (!(n.creation_timestamp == o.creation_timestamp)) {
    errs.push_back(Invalid("metadata.creationTimestamp",
                           GoTimeString(n.creation_timestamp.time(), n.creation_timestamp.IsZero()),
                           kFieldImmutable));
  }
  Append(errs, ValidateLabels(n.labels, "metadata.labels"));
  Append(errs, ValidateAnnotations(n.annotations, "metadata.annotations"));
  return errs;
}

std::string GoEventSource(const v1::EventSource& s) {
  return "core.EventSource{Component:" + GoQuote(s.component) + ", Host:" + GoQuote(s.host) + "}";
}

// legacyValidateEvent: the rules every request version must pass.
FieldErrors LegacyValidateEvent(const v1::Event& e, RequestVersion version) {
  FieldErrors errs;
  const std::string reporting_field =
      version == RequestVersion::kCoreV1 ? "reportingComponent" : "reportingController";
  const auto& ns = e.metadata.namespace_;
  const auto& io_ns = e.involved_object.namespace_;
  if (e.event_time.IsZero()) {
    if (io_ns.empty()) {
      if (!ns.empty() && ns != "default") {
        errs.push_back(
            Invalid("involvedObject.namespace", GoQuote(io_ns), "does not match event.namespace"));
      }
    } else if (ns != io_ns) {
      errs.push_back(
          Invalid("involvedObject.namespace", GoQuote(io_ns), "does not match event.namespace"));
    }
  } else {
    if (io_ns.empty() && ns != "default" && ns != "kube-system") {
      errs.push_back(
          Invalid("involvedObject.namespace", GoQuote(io_ns), "does not match event.namespace"));
    }
    if (e.reporting_controller.empty()) errs.push_back(Required(reporting_field, ""));
    for (auto& msg : IsQualifiedName(e.reporting_controller)) {
      errs.push_back(Invalid(reporting_field, GoQuote(e.reporting_controller), msg));
    }
    auto limit = [&](const std::string& field, const std::string& value, std::size_t max) {
      if (value.empty()) errs.push_back(Required(field, ""));
      if (value.size() > max) {
        errs.push_back(
            Invalid(field, GoQuote(""), "can have at most " + std::to_string(max) + " characters"));
      }
    };
    limit("reportingInstance", e.reporting_instance, kReportingInstanceLengthLimit);
    limit("action", e.action, kActionLengthLimit);
    limit("reason", e.reason, kReasonLengthLimit);
    if (e.message.size() > kNoteLengthLimit) {
      errs.push_back(
          Invalid("message", GoQuote(""),
                  "can have at most " + std::to_string(kNoteLengthLimit) + " characters"));
    }
  }
  for (auto& msg : IsDNS1123Subdomain(ns)) errs.push_back(Invalid("namespace", GoQuote(ns), msg));
  return errs;
}

FieldErrors ValidateV1EventSeries(const v1::Event& e) {
  FieldErrors errs;
  if (e.series) {
    if (e.series->count < 2) {
      errs.push_back(Invalid("series.count", GoQuote(""), "should be at least 2"));
    }
    if (e.series->last_observed_time.IsZero()) {
      errs.push_back(Required("series.lastObservedTime", ""));
    }
  }
  return errs;
}

api::meta::v1::TimePoint TruncateMicro(api::meta::v1::TimePoint t) {
  return std::chrono::floor<std::chrono::microseconds>(t);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

FieldError Required(std::string field, std::string_view detail) {
  std::string body = "Required value";
  if (!detail.empty()) body += ": " + std::string(detail);
  return {"FieldValueRequired", std::move(body), std::move(field)};
}

FieldError Invalid(std::string field, std::string_view rendered_value, std::string_view detail) {
  std::string body = "Invalid value: " + std::string(rendered_value);
  if (!detail.empty()) body += ": " + std::string(detail);
  return {"FieldValueInvalid", std::move(body), std::move(field)};
}

FieldError NotSupported(std::string field, std::string_view rendered_value,
                        const std::vector<std::string>& supported) {
  std::string body = "Unsupported value: " + std::string(rendered_value);
  if (!supported.empty()) {
    body += ": supported values: ";
    for (std::size_t i = 0; i < supported.size(); ++i) {
      if (i > 0) body += ", ";
      body += GoQuote(supported[i]);
    }
  }
  return {"FieldValueNotSupported", std::move(body), std::move(field)};
}

FieldError TooLong(std::string field, int max_bytes) {
  std::string body = "Too long: may not be more than " + std::to_string(max_bytes) +
                     (max_bytes == 1 ? " byte" : " bytes");
  return {"FieldValueTooLong", std::move(body), std::move(field)};
}

std::string GoTimeString(const api::meta::v1::TimePoint& t, bool is_zero) {
  if (is_zero) return "0001-01-01 00:00:00 +0000 UTC";
  std::string s = api::meta::v1::FormatRFC3339(t, 9);  // 2024-05-01T10:00:03.123456789Z
  s.pop_back();                                        // Z
  s[10] = ' ';
  const auto dot = s.find('.');
  if (dot != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s + " +0000 UTC";
}

std::string GoObjectReference(const v1::ObjectReference& r) {
  return "core.ObjectReference{Kind:" + GoQuote(r.kind) + ", Namespace:" + GoQuote(r.namespace_) +
         ", Name:" + GoQuote(r.name) + ", UID:" + GoQuote(r.uid) +
         ", APIVersion:" + GoQuote(r.api_version) +
         ", ResourceVersion:" + GoQuote(r.resource_version) +
         ", FieldPath:" + GoQuote(r.field_path) + "}";
}

std::vector<std::string> IsDNS1123Subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDNS1123SubdomainMaxLength)
    errs.push_back(MaxLenError(kDNS1123SubdomainMaxLength));
  if (!MatchesDNSSubdomain(value)) {
    errs.push_back(RegexError(kDNS1123SubdomainErrMsg, kDNS1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> IsDNS1123Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDNS1123LabelMaxLength) errs.push_back(MaxLenError(kDNS1123LabelMaxLength));
  if (!MatchesDNSLabel(value)) {
    if (MatchesDNSSubdomain(value)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(RegexError(kDNS1123LabelErrMsg, kDNS1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> IsQualifiedName(std::string_view value) {
  std::vector<std::string> errs;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto slash = value.find('/', start);
    parts.push_back(value.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string_view name;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() == 2) {
    const auto prefix = parts[0];
    name = parts[1];
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (auto& msg : IsDNS1123Subdomain(prefix)) errs.push_back("prefix part " + msg);
    }
  } else {
    errs.push_back(
        "a qualified name " +
        RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errs.push_back("name part " + MaxLenError(kQualifiedNameMaxLength));
  }
  if (!MatchesQualifiedName(name)) {
    errs.push_back("name part " + RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> IsValidLabelValue(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kLabelValueMaxLength) errs.push_back(MaxLenError(kLabelValueMaxLength));
  if (!value.empty() && !MatchesQualifiedName(value)) {
    errs.push_back(RegexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> IsValidPathSegmentName(std::string_view value) {
  if (value == "." || value == "..") return {"may not be '" + std::string(value) + "'"};
  std::vector<std::string> errs;
  if (value.find('/') != std::string_view::npos) errs.push_back("may not contain '/'");
  if (value.find('%') != std::string_view::npos) errs.push_back("may not contain '%'");
  return errs;
}

FieldErrors ValidateEventCreate(const v1::Event& e, RequestVersion version) {
  FieldErrors errs = LegacyValidateEvent(e, version);
  if (version == RequestVersion::kCoreV1) return errs;
  Append(errs, ValidateObjectMeta(e.metadata, &NameIsDNSSubdomain));
  Append(errs, ValidateV1EventSeries(e));
  if (e.event_time.IsZero()) errs.push_back(Required("eventTime", ""));
  if (e.type != v1::kEventTypeNormal && e.type != v1::kEventTypeWarning) {
    errs.push_back(Invalid("type", GoQuote(""), "has invalid value: " + e.type));
  }
  if (!e.first_timestamp.IsZero())
    errs.push_back(Invalid("firstTimestamp", GoQuote(""), "needs to be unset"));
  if (!e.last_timestamp.IsZero())
    errs.push_back(Invalid("lastTimestamp", GoQuote(""), "needs to be unset"));
  if (e.count != 0) errs.push_back(Invalid("count", GoQuote(""), "needs to be unset"));
  if (!e.source.component.empty() || !e.source.host.empty()) {
    errs.push_back(Invalid("source", GoQuote(""), "needs to be unset"));
  }
  return errs;
}

FieldErrors ValidateEventUpdate(const v1::Event& n, const v1::Event& o, RequestVersion version) {
  FieldErrors errs = LegacyValidateEvent(n, version);
  if (version == RequestVersion::kCoreV1) return errs;
  Append(errs, ValidateObjectMetaUpdate(n.metadata, o.metadata));
  if (!(n.series == o.series)) Append(errs, ValidateV1EventSeries(n));
  auto immutable = [&](bool same, const char* field, std::string rendered) {
    if (!same) errs.push_back(Invalid(field, rendered, kFieldImmutable));
  };
  immutable(n.involved_object == o.involved_object, "involvedObject",
            GoObjectReference(n.involved_object));
  immutable(n.reason == o.reason, "reason", GoQuote(n.reason));
  immutable(n.message == o.message, "message", GoQuote(n.message));
  immutable(n.source == o.source, "source", GoEventSource(n.source));
  immutable(n.first_timestamp == o.first_timestamp, "firstTimestamp",
            GoTimeString(n.first_timestamp.time(), n.first_timestamp.IsZero()));
  immutable(n.last_timestamp == o.last_timestamp, "lastTimestamp",
            GoTimeString(n.last_timestamp.time(), n.last_timestamp.IsZero()));
  immutable(n.count == o.count, "count", std::to_string(n.count));
  // kube-apiserver checks reason twice (the second check yields a duplicate cause).
  immutable(n.reason == o.reason, "reason", GoQuote(n.reason));
  immutable(n.type == o.type, "type", GoQuote(n.type));
  // Sub-microsecond differences of eventTime are tolerated (kubernetes#111928).
  const bool same_event_time = n.event_time.IsZero() == o.event_time.IsZero() &&
                               (n.event_time.IsZero() || TruncateMicro(n.event_time.time()) ==
                                                             TruncateMicro(o.event_time.time()));
  immutable(same_event_time, "eventTime", GoTimeString(n.event_time.time(), n.event_time.IsZero()));
  immutable(n.action == o.action, "action", GoQuote(n.action));
  immutable(n.related == o.related, "related",
            n.related ? GoObjectReference(*n.related) : std::string("null"));
  immutable(n.reporting_controller == o.reporting_controller, "reportingController",
            GoQuote(n.reporting_controller));
  immutable(n.reporting_instance == o.reporting_instance, "reportingInstance",
            GoQuote(n.reporting_instance));
  return errs;
}

FieldErrors ValidateObjectMetaCommon(const meta::ObjectMeta& m) {
  return ValidateObjectMeta(
      m, [](std::string name, bool /*prefix*/) { return IsValidPathSegmentName(name); });
}

FieldErrors ValidateObjectMetaUpdateCommon(const meta::ObjectMeta& m, const meta::ObjectMeta& old) {
  FieldErrors errs = ValidateObjectMetaCommon(m);
  Append(errs, ValidateObjectMetaUpdate(m, old));
  return errs;
}

api::meta::v1::Status NewInvalid(std::string_view group, std::string_view kind,
                                 std::string_view name, FieldErrors errors) {
  // The aggregate message lists each distinct "field: body" once.
  std::vector<std::string> seen;
  for (const auto& e : errors) {
    std::string msg = e.field + ": " + e.message;
    if (std::find(seen.begin(), seen.end(), msg) == seen.end()) seen.push_back(std::move(msg));
  }
  auto st = api::errors::NewInvalid(group, kind, name, std::move(errors));
  std::string qualified(kind);
  if (!group.empty()) qualified += "." + std::string(group);
  std::string message = qualified + " " + GoQuote(name) + " is invalid";
  if (!seen.empty()) {
    message += ": ";
    if (seen.size() == 1) {
      message += seen[0];
    } else {
      message += "[";
      for (std::size_t i = 0; i < seen.size(); ++i) {
        if (i > 0) message += ", ";
        message += seen[i];
      }
      message += "]";
    }
  }
  st.message = std::move(message);
  return st;
}

}  // namespace kube::localapiserver::internal

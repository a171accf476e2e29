#include "kubeevents/tools/localapiserver/internal/table.h"

#include <cctype>

#include "kubeevents/api/common/format.h"
#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/localapiserver/internal/conversion.h"

namespace kube::localapiserver::internal {

namespace v1 = api::core::v1;

namespace {

// kube-apiserver's event columns (pkg/printers/internalversion).
constexpr std::pair<const char*, int> kColumns[] = {
    {"Last Seen", 0}, {"Type", 0},    {"Reason", 0},     {"Object", 0}, {"Subobject", 1},
    {"Source", 1},    {"Message", 0}, {"First Seen", 1}, {"Count", 1},  {"Name", 1}};

void WriteColumns(api::internal::JsonWriter& w) {
  w.StartArray();
  for (const auto& [name, priority] : kColumns) {
    WriteColumnDefinition(w, name, std::string_view(name) == "Count" ? "integer" : "string", "",
                          priority);
  }
  w.EndArray();
}

}  // namespace

bool WantsTable(std::string_view accept) {
  // kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io,...` to print columns.
  return accept.find("as=Table") != std::string_view::npos &&
         accept.find("g=meta.k8s.io") != std::string_view::npos;
}

StatusOr<IncludeObject> ParseIncludeObject(std::string_view value) {
  if (value.empty() || value == "Metadata") return IncludeObject::kMetadata;
  if (value == "None") return IncludeObject::kNone;
  if (value == "Object") return IncludeObject::kObject;
  return Status::FromAPIStatus(
      api::errors::NewBadRequest("unrecognized includeObject value: " + GoQuote(value)), 400);
}

// apimachinery's duration.HumanDuration, as kubectl's AGE/LAST SEEN columns print it.
std::string HumanDuration(std::chrono::seconds d) {
  const long long s = d.count();
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 60 * 2) return std::to_string(s) + "s";
  const long long m = s / 60;
  if (m < 10) {
    const long long rs = s % 60;
    return rs == 0 ? std::to_string(m) + "m" : std::to_string(m) + "m" + std::to_string(rs) + "s";
  }
  if (m < 60 * 3) return std::to_string(m) + "m";
  const long long h = m / 60;
  if (h < 8) {
    const long long rm = m % 60;
    return rm == 0 ? std::to_string(h) + "h" : std::to_string(h) + "h" + std::to_string(rm) + "m";
  }
  if (h < 48) return std::to_string(h) + "h";
  if (h < 24 * 8) {
    const long long rh = h % 24;
    return rh == 0 ? std::to_string(h / 24) + "d"
                   : std::to_string(h / 24) + "d" + std::to_string(rh) + "h";
  }
  if (h < 24 * 365 * 2) return std::to_string(h / 24) + "d";
  if (h < 24 * 365 * 8) {
    const long long y = h / 24 / 365;
    const long long rd = h / 24 % 365;
    return rd == 0 ? std::to_string(y) + "y" : std::to_string(y) + "y" + std::to_string(rd) + "d";
  }
  return std::to_string(h / 24 / 365) + "y";
}

void StartTable(api::internal::JsonWriter& w, const std::string& resource_version) {
  w.StartObject();
  w.Key("kind");
  w.String("Table");
  w.Key("apiVersion");
  w.String("meta.k8s.io/v1");
  w.Key("metadata");
  w.StartObject();
  if (!resource_version.empty()) {
    w.Key("resourceVersion");
    w.String(resource_version);
  }
  w.EndObject();
}

void WritePartialObjectMetadata(api::internal::JsonWriter& w,
                                const api::meta::v1::ObjectMeta& metadata) {
  w.StartObject();
  w.Key("kind");
  w.String("PartialObjectMetadata");
  w.Key("apiVersion");
  w.String("meta.k8s.io/v1");
  w.Key("metadata");
  api::internal::Write(w, metadata);
  w.EndObject();
}

void WriteColumnDefinition(api::internal::JsonWriter& w, std::string_view name,
                           std::string_view type, std::string_view format, int priority) {
  w.StartObject();
  w.Key("name");
  w.String(name);
  w.Key("type");
  w.String(type);
  w.Key("format");
  w.String(format);
  w.Key("description");
  w.String("");
  w.Key("priority");
  w.Int(priority);
  w.EndObject();
}

std::string EventTable(const std::vector<EventPtr>& items, const std::string& resource_version,
                       Clock::time_point now, const TableOptions& options) {
  const auto since = [&](const api::meta::v1::TimePoint& t) {
    return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - t));
  };
  std::string out;
  api::internal::JsonWriter w(out);
  StartTable(w, resource_version);
  w.Key("columnDefinitions");
  if (options.no_headers) {
    w.Null();
  } else {
    WriteColumns(w);
  }
  w.Key("rows");
  w.StartArray();
  for (const auto& item : items) {
    const v1::Event& e = *item;
    // Series events report the series' last observation and count.
    api::meta::v1::TimePoint first =
        e.first_timestamp.IsZero() ? e.event_time.time() : e.first_timestamp.time();
    api::meta::v1::TimePoint last = e.last_timestamp.IsZero() ? first : e.last_timestamp.time();
    std::int64_t count = e.count;
    if (e.series) {
      last = e.series->last_observed_time.time();
      count = e.series->count;
    } else if (count == 0) {
      count = 1;  // singletons written through events.k8s.io/v1 have no count
    }
    const bool no_time = e.first_timestamp.IsZero() && e.event_time.IsZero();
    std::string kind = e.involved_object.kind;
    for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string source = e.source.component.empty() ? e.reporting_controller : e.source.component;
    const std::string& host = e.source.host.empty() ? e.reporting_instance : e.source.host;
    if (!host.empty()) source += ", " + host;
    w.StartObject();
    w.Key("cells");
    w.StartArray();
    w.String(no_time ? "<unknown>" : since(last));
    w.String(e.type);
    w.String(e.reason);
    w.String(kind + "/" + e.involved_object.name);
    w.String(e.involved_object.field_path);
    w.String(source);
    w.String(e.message);
    w.String(no_time ? "<unknown>" : since(first));
    w.Int(count);
    w.String(e.metadata.name);
    w.EndArray();
    // The row's object: by default the metadata kubectl prints (NAMESPACE with -A); the
    // whole object for includeObject=Object (kubectl --sort-by, -o custom-columns).
    w.Key("object");
    switch (options.include) {
      case IncludeObject::kNone:
        w.Null();
        break;
      case IncludeObject::kMetadata:
        WritePartialObjectMetadata(w, e.metadata);
        break;
      case IncludeObject::kObject:
        if (options.version == RequestVersion::kCoreV1) {
          v1::Event copy = e;
          copy.type_meta = {"v1", "Event"};
          w.Raw(api::ToJson(copy));
        } else {
          auto converted = ToEventsV1(e);
          converted.type_meta = {"events.k8s.io/v1", "Event"};
          w.Raw(api::ToJson(converted));
        }
        break;
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

TableWatchEncoder::TableWatchEncoder(std::shared_ptr<Clock> clock, TableOptions options)
    : clock_(std::move(clock)), options_(options) {}

std::string TableWatchEncoder::operator()(const Change& change) {
  std::string out = R"({"type":")";
  out += change.type == Change::Type::kAdded      ? "ADDED"
         : change.type == Change::Type::kModified ? "MODIFIED"
                                                  : "DELETED";
  out += R"(","object":)";
  out += EventTable({change.object}, change.object->metadata.resource_version, clock_->Now(),
                    options_);
  out += "}\n";
  options_.no_headers = true;  // the columns travel once per stream
  return out;
}

}  // namespace kube::localapiserver::internal

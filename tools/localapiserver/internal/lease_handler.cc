#include "kubeevents/tools/localapiserver/internal/lease_handler.h"

#include <chrono>
#include <utility>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/localapiserver/internal/names.h"
#include "kubeevents/tools/localapiserver/internal/patch.h"
#include "kubeevents/tools/localapiserver/internal/table.h"

namespace kube::localapiserver::internal {

namespace coordination = api::coordination::v1;
namespace meta = api::meta::v1;
namespace errors = api::errors;

namespace {

constexpr std::string_view kResource = "leases";
constexpr std::string_view kGroupVersion = "coordination.k8s.io/v1";
constexpr std::string_view kLeaseResource =
    R"({"name":"leases","singularName":"lease","namespaced":true,"kind":"Lease","verbs":["create","delete","get","list","patch","update","watch"]})";
constexpr std::string_view kVersions =
    R"("versions":[{"groupVersion":"coordination.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"coordination.k8s.io/v1","version":"v1"})";

Response MethodNotSupported(std::string_view verb) {
  return StatusResponse(errors::NewMethodNotSupported(LeaseHandler::kGroup, kResource, verb));
}

// The body of a create or update, decoded as the apiserver's JSON serializer would.
StatusOr<coordination::Lease> DecodeLease(std::string_view body) {
  auto fail = [](const std::string& why) {
    return Status::FromAPIStatus(
        errors::NewBadRequest("Lease in version \"v1\" cannot be handled as a Lease: " + why), 400);
  };
  auto doc = api::internal::ParseDocument(body);
  if (!doc) return fail(doc.status().message());
  if (!doc->IsObject()) return fail("expected a JSON object");
  coordination::Lease lease;
  api::internal::JsonPath root;
  if (Status st = api::internal::Read(*doc, root, lease); !st.ok()) return fail(st.message());
  const auto& tm = lease.type_meta;
  if (!tm.api_version.empty() && tm.api_version != kGroupVersion) {
    return Status::FromAPIStatus(
        errors::NewBadRequest("the API version in the data (" + tm.api_version +
                              ") does not match the expected API version (" +
                              std::string(kGroupVersion) + ")"),
        400);
  }
  if (!tm.kind.empty() && tm.kind != "Lease") {
    return fail("no kind \"" + tm.kind + "\" is registered for version \"" +
                std::string(kGroupVersion) + "\"");
  }
  lease.type_meta = {std::string(kGroupVersion), "Lease"};
  return lease;
}

// Checks a body's name and namespace against the URL (PUT and PATCH).
Status CheckIdentity(const coordination::Lease& lease, std::string_view ns, std::string_view name) {
  if (lease.metadata.name != name) {
    return Status::FromAPIStatus(
        errors::NewBadRequest("the name of the object (" + lease.metadata.name +
                              ") does not match the name on the URL (" + std::string(name) + ")"),
        400);
  }
  if (!lease.metadata.namespace_.empty() && lease.metadata.namespace_ != ns) {
    return Status::FromAPIStatus(
        errors::NewBadRequest("the namespace of the object (" + lease.metadata.namespace_ +
                              ") does not match the namespace on the URL (" + std::string(ns) +
                              ")"),
        400);
  }
  return {};
}

// fieldValidation (Ignore|Warn|Strict, default Warn) of a body against the Lease schema: the
// Warning header's value, or the 400 Strict / 422 bad-directive error.
StatusOr<std::string> ValidateFields(const LeaseHandler::Context& context, std::string_view body,
                                     std::string_view options_kind, bool decode_prefix) {
  if (context.openapi == nullptr) return std::string();
  std::string_view directive;
  if (context.query != nullptr) {
    if (auto it = context.query->find("fieldValidation"); it != context.query->end()) {
      directive = it->second;
    }
  }
  return context.openapi->ValidateFields(
      directive, options_kind, LeaseHandler::kGroup, "v1", "Lease", body,
      decode_prefix ? "Lease in version \"v1\" cannot be handled as a Lease: " : "");
}

std::string_view Param(const LeaseHandler::Context& context, std::string_view key) {
  if (context.query == nullptr) return {};
  auto it = context.query->find(key);
  return it == context.query->end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace

struct LeaseHandler::Route {
  std::string ns;
  std::string name;
  bool collection = true;
};

LeaseHandler::LeaseHandler(std::shared_ptr<LeaseStore> store, std::shared_ptr<Clock> clock)
    : store_(std::move(store)), clock_(std::move(clock)) {}

std::string LeaseHandler::APIGroupJson() {
  return R"({"name":"coordination.k8s.io",)" + std::string(kVersions) + "}";
}

Response LeaseHandler::Handle(const Request& request, const Context& context) {
  const auto seg = context.segments;
  const auto& m = request.method;
  // Discovery: /apis/coordination.k8s.io and /apis/coordination.k8s.io/v1.
  if (seg.size() <= 1) {
    if (!seg.empty() && seg[0] != "v1") return NotFoundPath();
    if (m != "GET") {
      return StatusResponse(
          errors::NewGeneric(errors::kReasonMethodNotAllowed, 405,
                             "the server does not allow this method on the requested resource"));
    }
    if (!context.accepts_json) return NotAcceptable();
    if (seg.empty()) {
      return Json(200, R"({"kind":"APIGroup","apiVersion":"v1","name":"coordination.k8s.io",)" +
                           std::string(kVersions) + "}");
    }
    return Json(
        200,
        R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"coordination.k8s.io/v1","resources":[)" +
            std::string(kLeaseResource) + "]}");
  }
  if (seg[0] != "v1") return NotFoundPath();
  Route route;
  std::size_t i = 1;
  bool watch = false;
  if (seg[i] == "watch") {  // the legacy /watch/ path prefix
    watch = true;
    ++i;
  }
  if (i + 1 < seg.size() && seg[i] == "namespaces") {
    route.ns = seg[i + 1];
    i += 2;
  }
  if (i >= seg.size() || seg[i] != kResource || seg.size() - i > 2) return NotFoundPath();
  if (seg.size() - i == 2) {
    route.collection = false;
    route.name = seg[i + 1];
  }
  if (const auto w = Param(context, "watch"); w == "true" || w == "1") watch = true;
  if (watch) {
    if (m != "GET") return MethodNotSupported(m);
    // A watch of one lease is, as in kube-apiserver, the collection's watch filtered by
    // metadata.name (Watch adds the requirement).
    if (!route.collection && route.ns.empty()) return NotFoundPath();
    return Watch(route, context);
  }
  if (route.collection) {
    if (m == "GET") return List(route, context);
    if (m == "POST" && !route.ns.empty()) return Create(request, route, context);
    return MethodNotSupported(m == "POST" ? "create" : m);
  }
  if (route.ns.empty()) return NotFoundPath();
  if (m == "GET") return Get(route, context);
  if (m == "PUT") return Put(request, route, context);
  if (m == "PATCH") return Patch(request, route, context);
  if (m == "DELETE") return Delete(request, route);
  return MethodNotSupported(m);
}

Response LeaseHandler::Get(const Route& route, const Context& context) {
  auto lease = store_->Get(route.ns, route.name);
  if (!lease) return FromStatus(lease.status());
  if (context.wants_table) return Table({*lease}, "");
  if (!context.accepts_json) return NotAcceptable();
  return Json(200, api::ToJson(*lease));
}

Response LeaseHandler::List(const Route& route, const Context& context) {
  auto selector =
      Selector::ParseForLeases(Param(context, "fieldSelector"), Param(context, "labelSelector"));
  if (!selector) return StatusResponse(errors::NewBadRequest(selector.status().message()));
  auto listed = store_->List(route.ns, *selector);
  const std::string rv = std::to_string(listed.resource_version);
  if (context.wants_table) return Table(listed.items, rv);
  if (!context.accepts_json) return NotAcceptable();
  coordination::LeaseList list;
  list.metadata.resource_version = rv;
  list.items = std::move(listed.items);
  for (auto& item : list.items) item.type_meta = {};
  return Json(200, api::ToJson(list));
}

Response LeaseHandler::Watch(const Route& route, const Context& context) {
  if (!context.wants_table && !context.accepts_json) return NotAcceptable();
  Response r;
  r.watch_timeout = WatchTimeout(Param(context, "timeoutSeconds"));
  LeaseStore::FrameEncoder encode;
  if (context.wants_table) {
    // `kubectl get leases -w`: each object is a one-row Table; the columns travel once.
    encode = [this, first = true](std::string_view type, const coordination::Lease& lease) mutable {
      std::string out = R"({"type":")" + std::string(type) + R"(","object":)" +
                        TableJson({lease}, lease.metadata.resource_version, !first) + "}\n";
      first = false;
      return out;
    };
  } else {
    encode = [](std::string_view type, const coordination::Lease& lease) {
      return R"({"type":")" + std::string(type) + R"(","object":)" + api::ToJson(lease) + "}\n";
    };
  }
  std::string fields(Param(context, "fieldSelector"));
  if (!route.collection) {
    if (route.name.find_first_of(",=!") != std::string::npos) {
      return StatusResponse(errors::NewBadRequest("invalid lease name \"" + route.name + "\""));
    }
    fields = NameFieldSelector(route.name, fields);
  }
  auto selector = Selector::ParseForLeases(fields, Param(context, "labelSelector"));
  if (!selector) return StatusResponse(errors::NewBadRequest(selector.status().message()));
  auto w = store_->Watch(route.ns, std::move(*selector), Param(context, "resourceVersion"),
                         std::move(encode));
  if (!w) {
    if (w.status().code() == StatusCode::kOutOfRange) {
      r.watch_error_frame = ExpiredWatchFrame(w.status().message());
      return r;
    }
    return StatusResponse(errors::NewBadRequest(w.status().message()));
  }
  r.watch = std::move(*w);
  return r;
}

Response LeaseHandler::Create(const Request& request, const Route& route, const Context& context) {
  if (!JsonContentType(request.content_type)) return UnsupportedMediaType("application/json");
  auto lease = DecodeLease(request.body);
  if (!lease) return FromStatus(lease.status());
  auto warning = ValidateFields(context, request.body, "CreateOptions", true);
  if (!warning) return FromStatus(warning.status());
  auto& md = lease->metadata;
  if (md.namespace_.empty()) md.namespace_ = route.ns;
  if (md.namespace_ != route.ns) {
    return StatusResponse(errors::NewBadRequest(
        "the namespace of the provided object does not match the namespace sent on the request"));
  }
  auto stored = store_->Create(std::move(*lease));
  if (!stored) return FromStatus(stored.status());
  return WithWarning(Json(201, api::ToJson(*stored)), *warning);
}

Response LeaseHandler::Put(const Request& request, const Route& route, const Context& context) {
  if (!JsonContentType(request.content_type)) return UnsupportedMediaType("application/json");
  auto lease = DecodeLease(request.body);
  if (!lease) return FromStatus(lease.status());
  auto warning = ValidateFields(context, request.body, "UpdateOptions", true);
  if (!warning) return FromStatus(warning.status());
  if (auto st = CheckIdentity(*lease, route.ns, route.name); !st.ok()) return FromStatus(st);
  lease->metadata.namespace_ = route.ns;
  bool created = false;
  auto stored = store_->Update(std::move(*lease), created);
  if (!stored) return FromStatus(stored.status());
  return WithWarning(Json(created ? 201 : 200, api::ToJson(*stored)), *warning);
}

Response LeaseHandler::Patch(const Request& request, const Route& route, const Context& context) {
  const auto type = MediaType(request.content_type);
  if (type != "application/merge-patch+json" && type != "application/strategic-merge-patch+json") {
    return StatusResponse(errors::NewGeneric(
        errors::kReasonUnsupportedMediaType, 415,
        "the body of the request was in an unknown format - accepted media types include: "
        "application/merge-patch+json, application/strategic-merge-patch+json"));
  }
  // Read, patch, then update with the read resourceVersion. kube-apiserver retries when a
  // concurrent writer got in between, unless the patch itself carries a resourceVersion.
  bool patch_has_rv = false;
  if (auto doc = api::internal::ParseDocument(request.body); doc && doc->IsObject()) {
    const auto md = doc->FindMember("metadata");
    patch_has_rv =
        md != doc->MemberEnd() && md->value.IsObject() && md->value.HasMember("resourceVersion");
  }
  for (int attempt = 0;; ++attempt) {
    auto current = store_->Get(route.ns, route.name);
    if (!current) return FromStatus(current.status());
    // Lease has no patch strategies in its schema, so both patch types merge like RFC 7386.
    auto patched = ApplyMergePatch(api::ToJson(*current), request.body);
    if (!patched) return StatusResponse(errors::NewBadRequest(patched.status().message()));
    auto next = DecodeLease(*patched);
    if (!next) return FromStatus(next.status());
    auto warning = ValidateFields(context, *patched, "PatchOptions", false);
    if (!warning) return FromStatus(warning.status());
    if (auto st = CheckIdentity(*next, route.ns, route.name); !st.ok()) return FromStatus(st);
    next->metadata.namespace_ = route.ns;
    bool created = false;
    auto stored = store_->Update(std::move(*next), created);
    if (stored) return WithWarning(Json(200, api::ToJson(*stored)), *warning);
    if (!patch_has_rv && attempt < 5 && errors::IsConflict(stored.status())) continue;
    return FromStatus(stored.status());
  }
}

Response LeaseHandler::Delete(const Request& request, const Route& route) {
  std::string rv;
  if (!request.body.empty()) {
    auto doc = api::internal::ParseDocument(request.body);
    if (!doc || !doc->IsObject()) {
      return StatusResponse(errors::NewBadRequest(
          "DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: " +
          (doc ? std::string("expected an object") : doc.status().message())));
    }
    if (doc->HasMember("preconditions") && (*doc)["preconditions"].IsObject()) {
      const auto& p = (*doc)["preconditions"];
      if (p.HasMember("resourceVersion") && p["resourceVersion"].IsString()) {
        rv = p["resourceVersion"].GetString();
      }
    }
  }
  auto deleted = store_->Delete(route.ns, route.name, rv);
  if (!deleted) return FromStatus(deleted.status());
  meta::Status st;
  st.status = "Success";
  st.has_details = true;
  st.details.name = route.name;
  st.details.group = std::string(kGroup);
  st.details.kind = std::string(kResource);
  st.details.uid = deleted->metadata.uid;
  return Json(200, api::ToJson(st));
}

Response LeaseHandler::Table(const std::vector<coordination::Lease>& items,
                             const std::string& resource_version) const {
  return Json(200, TableJson(items, resource_version, false));
}

std::string LeaseHandler::TableJson(const std::vector<coordination::Lease>& items,
                                    const std::string& resource_version, bool no_headers) const {
  const auto now = clock_->Now();
  std::string out;
  api::internal::JsonWriter w(out);
  StartTable(w, resource_version);
  // kube-apiserver's lease columns (pkg/printers/internalversion).
  static constexpr std::pair<const char*, const char*> kColumns[] = {
      {"Name", "name"}, {"Holder", ""}, {"Age", ""}};
  w.Key("columnDefinitions");
  if (no_headers) {
    w.Null();  // as kube-apiserver's watch frames after the first
  } else {
    w.StartArray();
    for (const auto& [name, format] : kColumns) WriteColumnDefinition(w, name, "string", format, 0);
    w.EndArray();
  }
  w.Key("rows");
  w.StartArray();
  for (const auto& lease : items) {
    w.StartObject();
    w.Key("cells");
    w.StartArray();
    w.String(lease.metadata.name);
    w.String(lease.spec.holder_identity.value_or(""));
    w.String(lease.metadata.creation_timestamp.IsZero()
                 ? "<unknown>"
                 : HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(
                       now - lease.metadata.creation_timestamp.time())));
    w.EndArray();
    w.Key("object");
    WritePartialObjectMetadata(w, lease.metadata);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace kube::localapiserver::internal

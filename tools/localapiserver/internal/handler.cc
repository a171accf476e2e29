#include "kubeevents/tools/localapiserver/internal/handler.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "kubeevents/api/common/format.h"
#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/localapiserver/internal/conversion.h"
#include "kubeevents/tools/localapiserver/internal/lease_handler.h"
#include "kubeevents/tools/localapiserver/internal/names.h"
#include "kubeevents/tools/localapiserver/internal/patch.h"
#include "kubeevents/tools/localapiserver/internal/table.h"

namespace kube::localapiserver::internal {

namespace v1 = api::core::v1;
namespace meta = api::meta::v1;
namespace errors = api::errors;

namespace {

constexpr std::string_view kEventsGroup = "events.k8s.io";
constexpr std::string_view kMergePatch = "application/merge-patch+json";
constexpr std::string_view kStrategicMergePatch = "application/strategic-merge-patch+json";
constexpr std::string_view kVersionBody =
    R"({"major":"1","minor":"32","gitVersion":"v1.32.0-kubeevents","gitCommit":"kubeevents-local-apiserver","gitTreeState":"clean","buildDate":"2025-01-01T00:00:00Z","goVersion":"go1.23.0","compiler":"gc","platform":"linux/amd64"})";
constexpr std::string_view kEventResource =
    R"({"name":"events","singularName":"event","namespaced":true,"kind":"Event","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["ev"]})";

using Query = std::map<std::string, std::string, std::less<>>;

Query ParseQuery(std::string_view q) {
  Query out;
  std::size_t start = 0;
  while (start <= q.size() && !q.empty()) {
    const auto amp = q.find('&', start);
    const auto part = q.substr(start, amp == std::string_view::npos ? amp : amp - start);
    if (!part.empty()) {
      const auto eq = part.find('=');
      auto key = PercentDecode(part.substr(0, eq), true);
      auto value =
          eq == std::string_view::npos ? std::string() : PercentDecode(part.substr(eq + 1), true);
      out.emplace(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

std::string_view QueryValue(const Query& q, std::string_view key) {
  auto it = q.find(key);
  return it == q.end() ? std::string_view() : std::string_view(it->second);
}

// Whether the Accept header allows a plain JSON answer.
bool AcceptsJson(std::string_view accept) {
  if (accept.empty()) return true;
  std::size_t start = 0;
  while (start <= accept.size()) {
    const auto comma = accept.find(',', start);
    const auto range =
        accept.substr(start, comma == std::string_view::npos ? comma : comma - start);
    const auto type = MediaType(range);
    const bool has_as = range.find("as=") != std::string_view::npos;
    if (!has_as && (type == "application/json" || type == "*/*" || type == "application/*")) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

std::string Base64UrlEncode(std::string_view in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 |
                       static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const unsigned v =
        static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
  }
  return out;
}

StatusOr<std::string> Base64UrlDecode(std::string_view in) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return InvalidArgumentError("illegal base64 data");
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string EncodeContinue(std::uint64_t rv, std::string_view last_key) {
  std::string json = R"({"v":"meta.k8s.io/v1","rv":)" + std::to_string(rv) + R"(,"start":)";
  api::internal::AppendQuoted(json, std::string(last_key) + '\0');
  json += "}";
  return Base64UrlEncode(json);
}

StatusOr<std::string> DecodeContinue(std::string_view token) {
  auto raw = Base64UrlDecode(token);
  if (!raw) return InvalidArgumentError("continue key is not valid: " + raw.status().message());
  auto doc = api::internal::ParseDocument(*raw);
  if (!doc || !doc->IsObject() || !doc->HasMember("v") || !(*doc)["v"].IsString() ||
      std::string_view((*doc)["v"].GetString()) != "meta.k8s.io/v1" || !doc->HasMember("start") ||
      !(*doc)["start"].IsString()) {
    return InvalidArgumentError(
        "continue key is not valid: incorrect encoded start resourceVersion (version "
        "meta.k8s.io/v1)");
  }
  std::string start((*doc)["start"].GetString(), (*doc)["start"].GetStringLength());
  if (!start.empty() && start.back() == '\0') start.pop_back();
  return start;
}

// A resource this server does not serve (`kubectl get --raw /api/v1/pods`): kube-apiserver's
// 404 message, then what is served here.
Response UnservedResource(std::string_view resource) {
  std::string message = "the server could not find the requested resource";
  if (!resource.empty() && resource != "events") {
    message += ": kube-local-apiserver does not serve \"" + std::string(resource) +
               "\"; it serves events (v1), events.events.k8s.io (events.k8s.io/v1) and "
               "leases.coordination.k8s.io (coordination.k8s.io/v1) only";
  }
  auto st = errors::NewGeneric(errors::kReasonNotFound, 404, message);
  st.has_details = true;
  return StatusResponse(st);
}

Response BadRequest(std::string_view message) {
  return StatusResponse(errors::NewBadRequest(message));
}

}  // namespace

Response StatusResponse(const meta::Status& status) {
  Response r;
  r.status = status.code != 0 ? status.code : 500;
  r.body = api::ToJson(status);
  return r;
}

Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response NotFoundPath() {
  auto st = errors::NewGeneric(errors::kReasonNotFound, 404,
                               "the server could not find the requested resource");
  st.has_details = true;
  return StatusResponse(st);
}

Response NotAcceptable() {
  return StatusResponse(
      errors::NewGeneric(errors::kReasonNotAcceptable, 406,
                         "only the following media types are accepted: application/json"));
}

Response UnsupportedMediaType(std::string_view accepted) {
  return StatusResponse(errors::NewGeneric(
      errors::kReasonUnsupportedMediaType, 415,
      "the body of the request was in an unknown format - accepted media types include: " +
          std::string(accepted)));
}

bool JsonContentType(std::string_view content_type) {
  const auto t = MediaType(content_type);
  return t.empty() || t == "application/json";
}

Response FromStatus(const Status& st) {
  if (st.api_status() != nullptr) return StatusResponse(*st.api_status());
  return StatusResponse(errors::NewInternalError(st.message()));
}

std::string EncodeWatchFrame(const Change& change, RequestVersion version) {
  if (change.type == Change::Type::kRaw) return change.raw ? *change.raw : std::string();
  if (change.type == Change::Type::kBookmark) {
    // kube-apiserver: an object of the watched kind carrying only metadata.resourceVersion.
    return std::string(R"({"type":"BOOKMARK","object":{"kind":"Event","apiVersion":")") +
           (version == RequestVersion::kCoreV1 ? "v1" : "events.k8s.io/v1") +
           R"(","metadata":{"resourceVersion":")" + std::to_string(change.bookmark_rv) + R"("}}})" +
           "\n";
  }
  std::string out = R"({"type":")";
  out += change.type == Change::Type::kAdded      ? "ADDED"
         : change.type == Change::Type::kModified ? "MODIFIED"
                                                  : "DELETED";
  out += R"(","object":)";
  if (version == RequestVersion::kCoreV1) {
    out += api::ToJson(*change.object);
  } else {
    out += api::ToJson(ToEventsV1(*change.object));
  }
  out += "}\n";
  return out;
}

struct Handler::Route {
  RequestVersion version = RequestVersion::kCoreV1;
  std::string group;
  std::string ns;
  std::string name;
  bool collection = true;
  bool watch_path = false;
  Query query;

  std::string_view Param(std::string_view key) const { return QueryValue(query, key); }
};

Handler::Handler(Options options)
    : options_(std::move(options)),
      openapi_(std::make_shared<const OpenAPI>(
          [&] {
            auto gvs = EventOpenAPIGroupVersions(options_.serve_events_v1);
            gvs.push_back(LeaseOpenAPIGroupVersion());
            return gvs;
          }(),
          "v1.32.0-kubeevents")),
      terminating_(options_.terminating_namespaces),
      server_address_(options_.server_address),
      leases_(std::make_shared<LeaseHandler>(
          std::make_shared<LeaseStore>(options_.clock ? options_.clock : MakeRealClock()),
          options_.clock ? options_.clock : MakeRealClock())),

      token_(options_.token) {}

void Handler::SetNamespaceTerminating(const std::string& ns, bool terminating) {
  std::lock_guard lock(mu_);
  if (terminating) {
    terminating_.insert(ns);
  } else {
    terminating_.erase(ns);
  }
}

std::set<std::string> Handler::TerminatingNamespaces() const {
  std::lock_guard lock(mu_);
  return terminating_;
}

void Handler::SetToken(std::string token) {
  std::lock_guard lock(mu_);
  token_ = std::move(token);
}

std::string Handler::CurrentToken() const {
  std::lock_guard lock(mu_);
  return token_;
}

void Handler::SetServerAddress(std::string address) {
  std::lock_guard lock(mu_);
  server_address_ = std::move(address);
}

bool Handler::IsTerminating(const std::string& ns) const {
  std::lock_guard lock(mu_);
  return terminating_.contains(ns);
}

bool Handler::IsEventRequest(std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  return (path.starts_with("/api/v1/") || path.starts_with("/apis/events.k8s.io/v1/")) &&
         path.find("/events") != std::string_view::npos;
}

Response Handler::Handle(const Request& request) {
  const std::string_view target = request.target;
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);

  if (request.method == "GET" && (path == "/healthz" || path == "/livez" || path == "/readyz")) {
    Response r = Json(200, "ok");
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  if (path == "/version" && request.method == "GET") return Json(200, std::string(kVersionBody));

  if (const std::string token = CurrentToken(); !token.empty()) {
    if (request.authorization != "Bearer " + token) {
      return StatusResponse(errors::NewUnauthorized("Unauthorized"));
    }
  }

  if (OpenAPI::IsOpenAPIPath(path) && request.method == "GET") {
    auto doc = openapi_->Serve(
        path, qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1),
        request.accept);
    Response r = Json(doc.status, std::move(doc.body));
    r.content_type = std::move(doc.content_type);
    r.headers = std::move(doc.headers);
    return r;
  }
  if (!options_.serve_events_v1 && path.starts_with("/apis/events.k8s.io")) return NotFoundPath();

  // Split the path into decoded segments.
  std::vector<std::string> seg;
  {
    std::size_t start = 1;
    while (start <= path.size()) {
      const auto slash = path.find('/', start);
      auto s = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
      if (!s.empty()) seg.push_back(PercentDecode(s, false));
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
  }

  if (seg.size() >= 2 && seg[0] == "apis" && seg[1] == LeaseHandler::kGroup) {
    const Query query =
        qpos == std::string_view::npos ? Query() : ParseQuery(target.substr(qpos + 1));
    return leases_->Handle(request, {std::span(seg).subspan(2), &query, AcceptsJson(request.accept),
                                     WantsTable(request.accept), openapi_.get()});
  }

  Route route;
  std::size_t i = 0;
  if (seg.size() >= 2 && seg[0] == "api" && seg[1] == "v1") {
    i = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis" && seg[1] == kEventsGroup && seg[2] == "v1") {
    route.version = RequestVersion::kEventsV1;
    route.group = std::string(kEventsGroup);
    i = 3;
  } else {
    return Discovery(request, path);
  }
  if (i == seg.size()) return Discovery(request, path);
  if (seg[i] == "watch") {
    route.watch_path = true;
    ++i;
  }
  if (i + 1 < seg.size() && seg[i] == "namespaces") {
    route.ns = seg[i + 1];
    i += 2;
  }
  if (i >= seg.size() || seg[i] != "events" || seg.size() - i > 2) {
    return UnservedResource(i < seg.size() ? seg[i] : "");
  }
  if (seg.size() - i == 2) {
    route.collection = false;
    route.name = seg[i + 1];
  }
  if (qpos != std::string_view::npos) route.query = ParseQuery(target.substr(qpos + 1));
  return HandleEvents(request, route);
}

Response Handler::Discovery(const Request& request, std::string_view path) {
  if (request.method != "GET") {
    return StatusResponse(
        errors::NewGeneric(errors::kReasonMethodNotAllowed, 405,
                           "the server does not allow this method on the requested resource"));
  }
  // Aggregated discovery (apidiscovery.k8s.io) is not served: a client asking only for it
  // gets 406 and falls back to the legacy documents below.
  if (!AcceptsJson(request.accept)) return NotAcceptable();
  std::string address;
  {
    std::lock_guard lock(mu_);
    address = server_address_;
  }
  if (path == "/api" || path == "/api/") {
    return Json(
        200,
        R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":")" +
            address + R"("}]})");
  }
  if (path == "/api/v1" || path == "/api/v1/") {
    return Json(200, R"({"kind":"APIResourceList","groupVersion":"v1","resources":[)" +
                         std::string(kEventResource) + "]}");
  }
  const std::string group_versions =
      R"("versions":[{"groupVersion":"events.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"events.k8s.io/v1","version":"v1"})";
  if ((path == "/apis" || path == "/apis/") && !options_.serve_events_v1) {
    return Json(200, R"({"kind":"APIGroupList","apiVersion":"v1","groups":[)" +
                         LeaseHandler::APIGroupJson() + "]}");
  }
  if (path == "/apis" || path == "/apis/") {
    return Json(200,
                R"({"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"events.k8s.io",)" +
                    group_versions + "}," + LeaseHandler::APIGroupJson() + "]}");
  }
  if (path == "/apis/events.k8s.io" || path == "/apis/events.k8s.io/") {
    return Json(200, R"({"kind":"APIGroup","apiVersion":"v1","name":"events.k8s.io",)" +
                         group_versions + "}");
  }
  if (path == "/apis/events.k8s.io/v1" || path == "/apis/events.k8s.io/v1/") {
    return Json(
        200,
        R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"events.k8s.io/v1","resources":[)" +
            std::string(kEventResource) + "]}");
  }
  return NotFoundPath();
}

Response Handler::HandleEvents(const Request& request, const Route& route) {
  const bool watch =
      route.watch_path || route.Param("watch") == "true" || route.Param("watch") == "1";
  const auto& m = request.method;
  if (route.collection) {
    if (m == "GET") {
      const bool table = WantsTable(request.accept);
      if (!watch && table) return ListTable(route);
      if (!table && !AcceptsJson(request.accept)) return NotAcceptable();
      if (!watch) return List(route);
      // Watch.
      auto selector = Selector::Parse(route.Param("fieldSelector"), route.Param("labelSelector"),
                                      route.version);
      if (!selector) return BadRequest(selector.status().message());
      Response r;
      r.watch_version = route.version;
      r.watch_timeout = WatchTimeout(route.Param("timeoutSeconds"));
      const auto bookmarks = route.Param("allowWatchBookmarks");
      auto w = options_.store->Watch(route.ns, std::move(*selector), route.Param("resourceVersion"),
                                     nullptr, bookmarks == "true" || bookmarks == "1");
      if (!w) {
        if (w.status().code() == StatusCode::kOutOfRange) {
          r.watch_error_frame = ExpiredWatchFrame(w.status().message());
          return r;
        }
        return BadRequest(w.status().message());
      }
      r.watch = std::move(*w);
      if (table) {
        // `kubectl get events -w`: every WatchEvent's object is a one-row Table.
        auto include = ParseIncludeObject(route.Param("includeObject"));
        if (!include) return BadRequest(include.status().message());
        r.watch_encoder = TableWatchEncoder(options_.clock, {*include, route.version, false});
      }
      return r;
    }
    if (m == "POST") {
      if (route.ns.empty()) {
        return StatusResponse(errors::NewMethodNotSupported(route.group, "events", "create"));
      }
      return Create(request, route);
    }
    if (m == "DELETE" && !route.ns.empty()) return DeleteCollection(route);
    return StatusResponse(errors::NewMethodNotSupported(route.group, "events",
                                                        m == "DELETE" ? "deletecollection" : m));
  }
  if (route.ns.empty()) return NotFoundPath();
  if (m == "GET") {
    if (!WantsTable(request.accept) && !AcceptsJson(request.accept)) return NotAcceptable();
    if (watch) {
      // Watch one object: a watch with a metadata.name selector.
      Route by_name = route;
      by_name.query["fieldSelector"] = NameFieldSelector(route.name, route.Param("fieldSelector"));
      by_name.collection = true;
      Request copy = request;
      return HandleEvents(copy, by_name);
    }
    if (WantsTable(request.accept)) {
      // kube-apiserver answers a single GET with a one-row Table too (`kubectl get event X`).
      auto obj = options_.store->Get(route.ns, route.name);
      if (!obj) return StatusResponse(errors::NewNotFound(route.group, "events", route.name));
      return EventTable({obj}, obj->metadata.resource_version, route);
    }
    return Get(route);
  }
  if (m == "PUT") return Put(request, route);
  if (m == "PATCH") return Patch(request, route);
  if (m == "DELETE") return Delete(request, route);
  return StatusResponse(errors::NewMethodNotSupported(route.group, "events", m));
}

StatusOr<v1::Event> Handler::Decode(const StatusOr<rapidjson::Document>& doc,
                                    RequestVersion version) const {
  const std::string expected_gv = version == RequestVersion::kCoreV1 ? "v1" : "events.k8s.io/v1";
  auto fail = [&](const std::string& why) {
    return Status::FromAPIStatus(
        errors::NewBadRequest("Event in version \"v1\" cannot be handled as a Event: " + why), 400);
  };
  if (!doc) return fail(doc.status().message());
  if (!doc->IsObject()) return fail("expected a JSON object");
  api::internal::JsonPath root;
  v1::Event stored;
  meta::TypeMeta tm;
  if (version == RequestVersion::kCoreV1) {
    Status st = api::internal::Read(*doc, root, stored);
    if (!st.ok()) return fail(st.message());
    tm = stored.type_meta;
  } else {
    api::events::v1::Event e;
    Status st = api::internal::Read(*doc, root, e);
    if (!st.ok()) return fail(st.message());
    tm = e.type_meta;
    stored = ToStored(e);
  }
  if (!tm.api_version.empty() && tm.api_version != expected_gv) {
    return Status::FromAPIStatus(
        errors::NewBadRequest("the API version in the data (" + tm.api_version +
                              ") does not match the expected API version (" + expected_gv + ")"),
        400);
  }
  if (!tm.kind.empty() && tm.kind != "Event") {
    return fail("no kind \"" + tm.kind + "\" is registered for version \"" + expected_gv + "\"");
  }
  stored.type_meta = {"v1", "Event"};
  return stored;
}

std::string Handler::Encode(const v1::Event& e, RequestVersion version) const {
  if (version == RequestVersion::kCoreV1) return api::ToJson(e);
  return api::ToJson(ToEventsV1(e));
}

Response Handler::List(const Route& route) {
  auto selector =
      Selector::Parse(route.Param("fieldSelector"), route.Param("labelSelector"), route.version);
  if (!selector) return BadRequest(selector.status().message());
  std::size_t limit = 0;
  if (auto l = route.Param("limit"); !l.empty()) {
    long long v = 0;
    std::from_chars(l.data(), l.data() + l.size(), v);
    limit = v > 0 ? static_cast<std::size_t>(v) : 0;
  }
  std::string start;
  if (auto c = route.Param("continue"); !c.empty()) {
    auto decoded = DecodeContinue(c);
    if (!decoded) return BadRequest(decoded.status().message());
    start = std::move(*decoded);
  }
  auto result = options_.store->List(route.ns, *selector, limit, start);
  std::string out;
  out.reserve(256 + result.items.size() * 700);
  api::internal::JsonWriter w(out);
  w.StartObject();
  w.Key("kind");
  w.String("EventList");
  w.Key("apiVersion");
  w.String(route.version == RequestVersion::kCoreV1 ? "v1" : "events.k8s.io/v1");
  meta::ListMeta lm;
  lm.resource_version = std::to_string(result.resource_version);
  if (!result.last_key.empty()) {
    lm.continue_token = EncodeContinue(result.resource_version, result.last_key);
    if (selector->Empty()) lm.remaining_item_count = result.remaining;
  }
  w.Key("metadata");
  api::internal::Write(w, lm);
  w.Key("items");
  w.StartArray();
  for (const auto& item : result.items) {
    if (route.version == RequestVersion::kCoreV1) {
      v1::Event copy = *item;
      copy.type_meta = {};
      api::internal::Write(w, copy);
    } else {
      auto e = ToEventsV1(*item);
      e.type_meta = {};
      api::internal::Write(w, e);
    }
  }
  w.EndArray();
  w.EndObject();
  return Json(200, std::move(out));
}

Response Handler::ListTable(const Route& route) {
  auto selector =
      Selector::Parse(route.Param("fieldSelector"), route.Param("labelSelector"), route.version);
  if (!selector) return BadRequest(selector.status().message());
  auto result = options_.store->List(route.ns, *selector, 0, "");
  return EventTable(result.items, std::to_string(result.resource_version), route);
}

Response Handler::EventTable(const std::vector<EventPtr>& items,
                             const std::string& resource_version, const Route& route) const {
  auto include = ParseIncludeObject(route.Param("includeObject"));
  if (!include) return BadRequest(include.status().message());
  return Json(200, internal::EventTable(items, resource_version, options_.clock->Now(),
                                        {*include, route.version, false}));
}

Response Handler::Get(const Route& route) {
  auto obj = options_.store->Get(route.ns, route.name);
  if (!obj) return StatusResponse(errors::NewNotFound(route.group, "events", route.name));
  return Json(200, Encode(*obj, route.version));
}

Status Handler::PrepareCreate(v1::Event& e, const Route& route) const {
  auto& md = e.metadata;
  if (md.namespace_.empty()) md.namespace_ = route.ns;
  if (md.namespace_ != route.ns) {
    return Status::FromAPIStatus(
        errors::NewBadRequest("the namespace of the provided object does "
                              "not match the namespace sent on the request"),
        400);
  }
  if (!md.generate_name.empty() && md.name.empty()) md.name = GenerateName(md.generate_name);
  // Admission (NamespaceLifecycle) runs before validation.
  if (IsTerminating(route.ns)) {
    auto st = errors::NewForbidden(route.group, "events", md.name,
                                   "unable to create new content in namespace " + route.ns +
                                       " because it is being terminated");
    st.details.causes.push_back({std::string(errors::kNamespaceTerminatingCause),
                                 "namespace " + route.ns + " is being terminated",
                                 "metadata.namespace"});
    return Status::FromAPIStatus(std::move(st), 403);
  }
  md.deletion_timestamp.reset();
  md.uid = uids_.Next();
  md.creation_timestamp =
      meta::Time(std::chrono::floor<std::chrono::seconds>(options_.clock->Now()));
  md.generation = 0;
  if (auto errs = ValidateEventCreate(e, route.version); !errs.empty()) {
    return Status::FromAPIStatus(NewInvalid(route.group, "Event", md.name, std::move(errs)), 422);
  }
  if (auto errs = ValidateObjectMetaCommon(md); !errs.empty()) {
    return Status::FromAPIStatus(NewInvalid(route.group, "Event", md.name, std::move(errs)), 422);
  }
  if (!md.resource_version.empty()) {
    return Status::FromAPIStatus(
        errors::NewInternalError("resourceVersion should not be set on objects to be created"),
        500);
  }
  return {};
}

Status Handler::PrepareUpdate(v1::Event& e, const v1::Event& current, const Route& route) const {
  auto& md = e.metadata;
  if (md.resource_version.empty()) {
    md.resource_version = current.metadata.resource_version;  // unconditional update
  } else if (md.resource_version != current.metadata.resource_version) {
    return Status::FromAPIStatus(
        errors::NewConflict(route.group, "events", route.name,
                            "the object has been modified; please apply your changes to the "
                            "latest version and try again"),
        409);
  }
  if (md.namespace_.empty()) md.namespace_ = route.ns;
  md.generation = current.metadata.generation;
  if (md.uid.empty()) md.uid = current.metadata.uid;
  if (!current.metadata.creation_timestamp.IsZero()) {
    md.creation_timestamp = current.metadata.creation_timestamp;
  }
  md.deletion_timestamp = current.metadata.deletion_timestamp;
  auto errs = ValidateObjectMetaUpdateCommon(md, current.metadata);
  auto strategy = ValidateEventUpdate(e, current, route.version);
  errs.insert(errs.end(), strategy.begin(), strategy.end());
  if (!errs.empty()) {
    return Status::FromAPIStatus(NewInvalid(route.group, "Event", md.name, std::move(errs)), 422);
  }
  return {};
}

namespace {

Status CheckDryRun(std::string_view dry_run, std::string_view options_kind) {
  if (dry_run.empty() || dry_run == "All") return {};
  FieldErrors errs{NotSupported("dryRun", "[]string{" + GoQuote(dry_run) + "}", {"All"})};
  return Status::FromAPIStatus(NewInvalid("meta.k8s.io", options_kind, "", std::move(errs)), 422);
}

}  // namespace

// kubectl prints each Warning header as `Warning: …` (fieldValidation=Warn).
Response WithWarning(Response r, const std::string& warning) {
  if (!warning.empty()) r.headers.emplace_back("Warning", warning);
  return r;
}

std::chrono::seconds WatchTimeout(std::string_view timeout_seconds) {
  long secs = 0;
  std::from_chars(timeout_seconds.data(), timeout_seconds.data() + timeout_seconds.size(), secs);
  return std::chrono::seconds(std::max(0L, secs));
}

std::string ExpiredWatchFrame(const std::string& message) {
  return R"({"type":"ERROR","object":)" + api::ToJson(errors::NewGeneric("Expired", 410, message)) +
         "}\n";
}

StatusOr<Handler::DecodedWrite> Handler::DecodeWrite(std::string_view body, const Route& route,
                                                     std::string_view options_kind,
                                                     bool decode_prefix) const {
  std::string buffer;  // the document's strings point into it
  const auto doc = api::internal::ParseDocumentCopy(body, buffer);  // once, for both
  auto decoded = Decode(doc, route.version);
  if (!decoded) return decoded.status();
  auto warning = ValidateFields(route, *doc, options_kind, decode_prefix);
  if (!warning) return warning.status();
  return DecodedWrite{std::move(*decoded), std::move(*warning)};
}

StatusOr<std::string> Handler::ValidateFields(const Route& route, const rapidjson::Value& body,
                                              std::string_view options_kind,
                                              bool decode_prefix) const {
  return openapi_->ValidateFields(
      route.Param("fieldValidation"), options_kind, route.group, "v1", "Event", body,
      decode_prefix ? "Event in version \"v1\" cannot be handled as a Event: " : "");
}

Response Handler::TooLarge() const {
  return StatusResponse(errors::NewGeneric(
      errors::kReasonRequestEntityTooLarge, 413,
      "Request entity too large: limit is " + std::to_string(options_.max_body_bytes)));
}

std::optional<Response> Handler::RejectWrite(const Request& request, const Route& route,
                                             std::string_view options_kind) const {
  if (request.body.size() > options_.max_body_bytes) return TooLarge();
  if (!JsonContentType(request.content_type)) return UnsupportedMediaType("application/json");
  if (auto st = CheckDryRun(route.Param("dryRun"), options_kind); !st.ok()) return FromStatus(st);
  return std::nullopt;
}

Response Handler::Create(const Request& request, const Route& route) {
  if (auto rejected = RejectWrite(request, route, "CreateOptions")) return *std::move(rejected);
  auto decoded = DecodeWrite(request.body, route, "CreateOptions", true);
  if (!decoded) return FromStatus(decoded.status());
  v1::Event e = std::move(decoded->event);
  const std::string warning = std::move(decoded->warning);
  if (auto st = PrepareCreate(e, route); !st.ok()) return FromStatus(st);
  if (route.Param("dryRun") == "All")
    return WithWarning(Json(201, Encode(e, route.version)), warning);
  const std::string name = e.metadata.name;
  auto stored = options_.store->Create(std::move(e));
  if (!stored) return StatusResponse(errors::NewAlreadyExists(route.group, "events", name));
  return WithWarning(Json(201, Encode(**stored, route.version)), warning);
}

Response Handler::Put(const Request& request, const Route& route) {
  if (auto rejected = RejectWrite(request, route, "UpdateOptions")) return *std::move(rejected);
  auto decoded = DecodeWrite(request.body, route, "UpdateOptions", true);
  if (!decoded) return FromStatus(decoded.status());
  v1::Event e = std::move(decoded->event);
  const std::string warning = std::move(decoded->warning);
  if (e.metadata.name != route.name) {
    return BadRequest("the name of the object (" + e.metadata.name +
                      ") does not match the name on the URL (" + route.name + ")");
  }
  if (!e.metadata.namespace_.empty() && e.metadata.namespace_ != route.ns) {
    return BadRequest("the namespace of the object (" + e.metadata.namespace_ +
                      ") does not match the namespace on the URL (" + route.ns + ")");
  }
  const bool dry_run = route.Param("dryRun") == "All";
  int dry_run_code = 0;
  std::string dry_run_body;
  bool created = false;
  auto result = options_.store->Update(
      route.ns, route.name, /*allow_create=*/true,
      [&](const v1::Event* current) -> StatusOr<v1::Event> {
        v1::Event next = e;
        if (current == nullptr) {
          next.metadata.resource_version.clear();
          if (auto st = PrepareCreate(next, route); !st.ok()) return st;
        } else {
          if (auto st = PrepareUpdate(next, *current, route); !st.ok()) return st;
        }
        if (dry_run) {
          // Validation passed: answer with the object that would have been stored.
          dry_run_code = current == nullptr ? 201 : 200;
          dry_run_body = Encode(next, route.version);
          return CancelledError("dry run");
        }
        return next;
      },
      created);
  if (!result) {
    if (dry_run_code != 0) return WithWarning(Json(dry_run_code, std::move(dry_run_body)), warning);
    return FromStatus(result.status());
  }
  return WithWarning(Json(created ? 201 : 200, Encode(**result, route.version)), warning);
}

Response Handler::Patch(const Request& request, const Route& route) {
  if (request.body.size() > options_.max_body_bytes) return TooLarge();
  const auto type = MediaType(request.content_type);
  if (type != kMergePatch && type != kStrategicMergePatch) {
    return UnsupportedMediaType(std::string(kMergePatch) + ", " +
                                std::string(kStrategicMergePatch));
  }
  if (auto st = CheckDryRun(route.Param("dryRun"), "PatchOptions"); !st.ok()) return FromStatus(st);
  const bool dry_run = route.Param("dryRun") == "All";
  std::string dry_run_body;
  std::string warning;
  bool created = false;
  auto result = options_.store->Update(
      route.ns, route.name, /*allow_create=*/false,
      [&](const v1::Event* current) -> StatusOr<v1::Event> {
        const std::string original = Encode(*current, route.version);
        auto patched = type == kMergePatch ? ApplyMergePatch(original, request.body)
                                           : ApplyStrategicMergePatch(original, request.body);
        if (!patched) {
          return Status::FromAPIStatus(errors::NewBadRequest(patched.status().message()), 400);
        }
        auto decoded = DecodeWrite(*patched, route, "PatchOptions", false);
        if (!decoded) return decoded.status();
        warning = std::move(decoded->warning);
        v1::Event& next = decoded->event;
        if (next.metadata.name != route.name) {
          return Status::FromAPIStatus(
              errors::NewBadRequest("the name of the object (" + next.metadata.name +
                                    ") does not match the name on the URL (" + route.name + ")"),
              400);
        }
        if (!next.metadata.namespace_.empty() && next.metadata.namespace_ != route.ns) {
          return Status::FromAPIStatus(
              errors::NewBadRequest("the namespace of the object (" + next.metadata.namespace_ +
                                    ") does not match the namespace on the URL (" + route.ns + ")"),
              400);
        }
        if (auto st = PrepareUpdate(next, *current, route); !st.ok()) return st;
        if (dry_run) {
          dry_run_body = Encode(next, route.version);
          return CancelledError("dry run");
        }
        return std::move(next);
      },
      created);
  if (!result) {
    if (result.status().code() == StatusCode::kNotFound &&
        result.status().api_status() == nullptr) {
      return StatusResponse(errors::NewNotFound(route.group, "events", route.name));
    }
    if (dry_run && !dry_run_body.empty())
      return WithWarning(Json(200, std::move(dry_run_body)), warning);
    return FromStatus(result.status());
  }
  return WithWarning(Json(200, Encode(**result, route.version)), warning);
}

Response Handler::Delete(const Request& request, const Route& route) {
  std::string uid, rv;
  std::string dry_run(route.Param("dryRun"));
  std::string policy(route.Param("propagationPolicy"));
  if (!request.body.empty()) {
    auto doc = api::internal::ParseDocument(request.body);
    if (!doc || !doc->IsObject()) {
      return BadRequest("DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: " +
                        (doc ? std::string("expected an object") : doc.status().message()));
    }
    if (doc->HasMember("preconditions") && (*doc)["preconditions"].IsObject()) {
      const auto& p = (*doc)["preconditions"];
      if (p.HasMember("uid") && p["uid"].IsString()) uid = p["uid"].GetString();
      if (p.HasMember("resourceVersion") && p["resourceVersion"].IsString()) {
        rv = p["resourceVersion"].GetString();
      }
    }
    if (doc->HasMember("propagationPolicy") && (*doc)["propagationPolicy"].IsString()) {
      policy = (*doc)["propagationPolicy"].GetString();
    }
    if (doc->HasMember("dryRun") && (*doc)["dryRun"].IsArray() && !(*doc)["dryRun"].Empty() &&
        (*doc)["dryRun"][0].IsString()) {
      dry_run = (*doc)["dryRun"][0].GetString();
    }
  }
  FieldErrors errs;
  if (!policy.empty() && policy != "Orphan" && policy != "Background" && policy != "Foreground") {
    errs.push_back(NotSupported("propagationPolicy", GoQuote(policy),
                                {"Foreground", "Background", "Orphan", "nil"}));
  }
  if (!dry_run.empty() && dry_run != "All") {
    errs.push_back(NotSupported("dryRun", "[]string{" + GoQuote(dry_run) + "}", {"All"}));
  }
  if (!errs.empty()) {
    return StatusResponse(NewInvalid("meta.k8s.io", "DeleteOptions", "", std::move(errs)));
  }
  EventPtr deleted;
  if (dry_run == "All") {
    deleted = options_.store->Get(route.ns, route.name);
    if (!deleted) return StatusResponse(errors::NewNotFound(route.group, "events", route.name));
  } else {
    auto result = options_.store->Delete(route.ns, route.name, uid, rv);
    if (!result) {
      if (result.status().code() == StatusCode::kFailedPrecondition) {
        return StatusResponse(
            errors::NewConflict(route.group, "events", route.name, result.status().message()));
      }
      return StatusResponse(errors::NewNotFound(route.group, "events", route.name));
    }
    deleted = *result;
  }
  meta::Status st;
  st.status = "Success";
  st.has_details = true;
  st.details.name = route.name;
  st.details.group = route.group;
  st.details.kind = "events";
  st.details.uid = deleted->metadata.uid;
  return Json(200, api::ToJson(st));
}

Response Handler::DeleteCollection(const Route& route) {
  auto selector =
      Selector::Parse(route.Param("fieldSelector"), route.Param("labelSelector"), route.version);
  if (!selector) return BadRequest(selector.status().message());
  auto listed = options_.store->List(route.ns, *selector, 0, "");
  std::string out;
  api::internal::JsonWriter w(out);
  w.StartObject();
  w.Key("kind");
  w.String("EventList");
  w.Key("apiVersion");
  w.String(route.version == RequestVersion::kCoreV1 ? "v1" : "events.k8s.io/v1");
  w.Key("metadata");
  meta::ListMeta lm;
  lm.resource_version = std::to_string(listed.resource_version);
  api::internal::Write(w, lm);
  w.Key("items");
  w.StartArray();
  for (const auto& item : listed.items) {
    auto deleted = options_.store->Delete(item->metadata.namespace_, item->metadata.name, "", "");
    if (!deleted) continue;  // raced with another delete or expiry
    if (route.version == RequestVersion::kCoreV1) {
      v1::Event copy = **deleted;
      copy.type_meta = {};
      api::internal::Write(w, copy);
    } else {
      auto e = ToEventsV1(**deleted);
      e.type_meta = {};
      api::internal::Write(w, e);
    }
  }
  w.EndArray();
  w.EndObject();
  return Json(200, std::move(out));
}

}  // namespace kube::localapiserver::internal

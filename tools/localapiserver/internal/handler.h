// Internal: the transport-independent request handler of the local API server: routing,
// authentication, discovery, the event verbs of both APIs over the one store, admission
// (terminating namespaces), validation and apiserver-shaped errors. The HTTP layer feeds it
// parsed requests and writes what it returns (streaming the watch it may start).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/meta/v1/status.h"
#include "kubeevents/tools/localapiserver/internal/names.h"
#include "kubeevents/tools/localapiserver/internal/openapi.h"
#include "kubeevents/tools/localapiserver/internal/store.h"
#include "kubeevents/tools/localapiserver/internal/validation.h"

namespace kube::localapiserver::internal {

class LeaseHandler;  // coordination.k8s.io/v1 (lease_handler.h)

/// The parts of an HTTP request the handler looks at.
struct Request {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< path + query, as sent
  std::string content_type;
  std::string accept;
  std::string authorization;
  std::string body;
};

/// What to send back. When `watch` is set the status line and headers are sent and the
/// transport streams EncodeWatchFrame(...) for each change until the watch closes or
/// `watch_timeout` passes.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<Watcher> watch;
  RequestVersion watch_version = RequestVersion::kCoreV1;
  std::chrono::seconds watch_timeout{0};  ///< 0 = until the client or the server ends it
  std::string watch_error_frame;          ///< sent first (then the stream ends) when non-empty
  /// Encodes each change of the watch; empty = EncodeWatchFrame(change, watch_version).
  std::function<std::string(const Change&)> watch_encoder;
};

/// A 4xx/5xx Response with a metav1.Status body.
Response StatusResponse(const api::meta::v1::Status& status);

/// A JSON Response with this status code and body.
Response Json(int status, std::string body);

/// `st` as the apiserver would answer it: its metav1.Status when it carries one, else a 500
/// InternalError with its message.
Response FromStatus(const Status& st);

/// The apiserver's 404 for a path it does not serve.
Response NotFoundPath();

/// 406: the request's Accept header allows no media type served here (only JSON is).
Response NotAcceptable();

/// 415: the request body's media type is not one of `accepted`.
Response UnsupportedMediaType(std::string_view accepted);

/// Whether a request body of this Content-Type is JSON (an absent type counts as JSON, as the
/// apiserver's default).
bool JsonContentType(std::string_view content_type);

/// `r` with a `Warning` header when `warning` is non-empty (fieldValidation=Warn).
Response WithWarning(Response r, const std::string& warning);

/// A watch's `timeoutSeconds` parameter as a duration (0 when absent or not a number).
std::chrono::seconds WatchTimeout(std::string_view timeout_seconds);

/// The ERROR frame that ends a watch from a compacted resourceVersion: a 410 `Expired`
/// metav1.Status with `message`.
std::string ExpiredWatchFrame(const std::string& message);

/// One `{"type":…,"object":…}\n` frame of a watch stream in the request's API version.
std::string EncodeWatchFrame(const Change& change, RequestVersion version);

/// Request routing and the apiserver semantics. Thread-safe.
class Handler {
 public:
  struct Options {
    std::shared_ptr<EventStore> store;
    std::shared_ptr<Clock> clock;
    std::string token;  ///< required as `Authorization: Bearer <token>`; empty = no auth
    std::set<std::string> terminating_namespaces;
    std::size_t max_body_bytes = 3 * 1024 * 1024;
    std::string server_address;   ///< host:port reported in /api serverAddressByClientCIDRs
    bool serve_events_v1 = true;  ///< false: behave like a server without events.k8s.io/v1
  };

  explicit Handler(Options options);

  Response Handle(const Request& request);

  /// Whether a request targets the event resources (fault injection applies to those).
  static bool IsEventRequest(std::string_view target);

  /// Marks a namespace terminating (creates fail with NamespaceTerminating) or clears it.
  void SetNamespaceTerminating(const std::string& ns, bool terminating);
  std::set<std::string> TerminatingNamespaces() const;
  void SetServerAddress(std::string address);
  /// Replaces the accepted bearer token (credential rotation in tests).
  void SetToken(std::string token);

 private:
  struct Route;
  Response HandleEvents(const Request& request, const Route& route);
  Response List(const Route& route);
  /// 413 for a body over max_body_bytes.
  Response TooLarge() const;
  /// kubectl's default output: a meta.k8s.io/v1 Table with kube-apiserver's event columns.
  Response ListTable(const Route& route);
  /// That Table for `items` with the list's (or the single object's) resourceVersion and the
  /// row objects `includeObject` asks for (table.h).
  Response EventTable(const std::vector<EventPtr>& items, const std::string& resource_version,
                      const Route& route) const;
  Response Get(const Route& route);
  Response Create(const Request& request, const Route& route);
  Response Put(const Request& request, const Route& route);
  Response Patch(const Request& request, const Route& route);
  Response Delete(const Request& request, const Route& route);
  Response DeleteCollection(const Route& route);
  Response Discovery(const Request& request, std::string_view path);
  bool IsTerminating(const std::string& ns) const;
  std::string CurrentToken() const;
  /// What a create or update fails on before its body is read (too large, not JSON, an
  /// unsupported dryRun): the answer to send, or nullopt to go on.
  std::optional<Response> RejectWrite(const Request& request, const Route& route,
                                      std::string_view options_kind) const;
  /// A write body decoded as an Event, with the Warning header value of its field check.
  struct DecodedWrite {
    api::core::v1::Event event;
    std::string warning;
  };
  /// Parses a write body once, decodes it (Decode) and checks its fields (ValidateFields).
  StatusOr<DecodedWrite> DecodeWrite(std::string_view body, const Route& route,
                                     std::string_view options_kind, bool decode_prefix) const;
  /// Decodes a write body, already parsed (`doc`: DecodeWrite's ParseDocumentCopy), as an
  /// Event of `version`.
  StatusOr<api::core::v1::Event> Decode(const StatusOr<rapidjson::Document>& doc,
                                        RequestVersion version) const;
  std::string Encode(const api::core::v1::Event& e, RequestVersion version) const;
  /// `fieldValidation` of a parsed write body: the Warning header value, or the error (see
  /// OpenAPI::ValidateFields). `decode_prefix`: prefix the message as the decoder does.
  StatusOr<std::string> ValidateFields(const Route& route, const rapidjson::Value& body,
                                       std::string_view options_kind, bool decode_prefix) const;
  /// BeforeCreate + admission + validation for a new object (POST or create-on-PUT).
  Status PrepareCreate(api::core::v1::Event& event, const Route& route) const;
  /// BeforeUpdate + validation against the current object (PUT or PATCH).
  Status PrepareUpdate(api::core::v1::Event& event, const api::core::v1::Event& current,
                       const Route& route) const;

  const Options options_;
  const std::shared_ptr<const OpenAPI> openapi_;  ///< /openapi/v2, /openapi/v3, field checks
  mutable std::mutex mu_;
  std::set<std::string> terminating_;
  std::string server_address_;
  const std::shared_ptr<LeaseHandler> leases_;  ///< serves /apis/coordination.k8s.io
  std::string token_;                           // guarded by mu_; starts as options_.token
  mutable UIDGenerator uids_;                   ///< metadata.uid of created events
};

}  // namespace kube::localapiserver::internal

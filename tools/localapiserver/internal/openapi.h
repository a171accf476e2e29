// Internal: the OpenAPI documents of the local API server, built from one description of the
// served resources — /openapi/v3 (the index with a hash per group version), /openapi/v3/<gv>
// (paths with x-kubernetes-group-version-kind and the component schemas) and /openapi/v2
// (JSON) — and the schema walk behind `fieldValidation=Strict|Warn` (unknown and duplicate
// fields, as kube-apiserver's strict decoder reports them). kubectl reads the v3 documents
// to learn that the server validates fields itself, then sends `fieldValidation=Strict`.
//
// Adding a resource: describe it with an OpenAPIResource in its group version (a new
// OpenAPIGroupVersion for a new group) and give the component schemas of its object and
// list; the shared meta.k8s.io schemas (ObjectMeta, ListMeta, Status, DeleteOptions, Time,
// MicroTime, ...) are in every document.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "kubeevents/api/common/status_or.h"

namespace kube::localapiserver::internal {

/// One resource of a group version, as its OpenAPI paths describe it.
struct OpenAPIResource {
  std::string plural;       ///< "events"
  std::string kind;         ///< "Event"
  std::string schema;       ///< component name of the object, "io.k8s.api.core.v1.Event"
  std::string list_schema;  ///< component name of the list, "io.k8s.api.core.v1.EventList"
  bool namespaced = true;
};

/// A group version: its resources and the component schemas (JSON Schema objects, keyed by
/// component name) its resources use besides the shared meta schemas. In a schema,
/// `#/components/schemas/NAME` references another component (rewritten for v2).
struct OpenAPIGroupVersion {
  std::string group;  ///< "" = the core group (/api/v1)
  std::string version;
  std::vector<OpenAPIResource> resources;
  std::vector<std::pair<std::string, std::string>> schemas;

  /// "api/v1" or "apis/<group>/<version>": the key in the /openapi/v3 index.
  std::string Path() const;
};

/// The event resources: core/v1 events, and events.k8s.io/v1 events when `events_v1`.
std::vector<OpenAPIGroupVersion> EventOpenAPIGroupVersions(bool events_v1);

/// coordination.k8s.io/v1 Leases (what leader election locks on).
OpenAPIGroupVersion LeaseOpenAPIGroupVersion();

/// The meta.k8s.io/v1 component schemas every document carries.
std::vector<std::pair<std::string, std::string>> MetaOpenAPISchemas();

/// The rendered documents and the field-validation walk. Immutable after construction, so
/// thread-safe.
class OpenAPI {
 public:
  /// A served document.
  struct Document {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  OpenAPI(std::vector<OpenAPIGroupVersion> group_versions, std::string server_version);
  ~OpenAPI();
  OpenAPI(const OpenAPI&) = delete;
  OpenAPI& operator=(const OpenAPI&) = delete;

  /// Whether `path` is one of the OpenAPI endpoints (`/openapi/v2`, `/openapi/v3[/...]`).
  static bool IsOpenAPIPath(std::string_view path);

  /// Answers a GET of an OpenAPI endpoint; `query` is the raw query (`hash=...`), `accept`
  /// the Accept header. 404 for an unknown group version, 406 when the client accepts only
  /// protobuf, 301 to the current URL for a stale `hash`.
  Document Serve(std::string_view path, std::string_view query, std::string_view accept) const;

  /// The unknown and duplicate fields of the JSON `body` against the schema of `kind` in
  /// group/version, as kube-apiserver's strict decoder names them (`unknown field "a.b"`,
  /// `duplicate field "c"`). Empty when every field is known. An error when the body is not
  /// JSON or the kind has no schema.
  StatusOr<std::vector<std::string>> FieldErrors(std::string_view group, std::string_view version,
                                                 std::string_view kind,
                                                 std::string_view body) const;
  /// The same for a body already parsed (the handler parses once for decoding and this).
  StatusOr<std::vector<std::string>> FieldErrors(std::string_view group, std::string_view version,
                                                 std::string_view kind,
                                                 const rapidjson::Value& body) const;

  /// `fieldValidation` for a write of `kind` (group/version) with this JSON `body`: the
  /// directive (Ignore; Warn, the default; Strict) decides. Returns the Warning header value
  /// for Warn ("" when every field is known), or an error: 422 Invalid for an unsupported
  /// directive (`options_kind` names the options, e.g. "CreateOptions"), 400 BadRequest for
  /// Strict with unknown or duplicate fields, `message_prefix` + "strict decoding error: …".
  StatusOr<std::string> ValidateFields(std::string_view directive, std::string_view options_kind,
                                       std::string_view group, std::string_view version,
                                       std::string_view kind, std::string_view body,
                                       std::string_view message_prefix) const;
  /// The same for a body already parsed. A value that is not an object has no fields.
  StatusOr<std::string> ValidateFields(std::string_view directive, std::string_view options_kind,
                                       std::string_view group, std::string_view version,
                                       std::string_view kind, const rapidjson::Value& body,
                                       std::string_view message_prefix) const;

  /// The hash (upper-case hex SHA-512 of the document) of a group version's v3 document.
  std::string Hash(std::string_view gv_path) const;

 private:
  struct Schemas;
  std::vector<OpenAPIGroupVersion> gvs_;
  std::map<std::string, std::string, std::less<>> v3_;    // gv path → document
  std::map<std::string, std::string, std::less<>> hash_;  // gv path → hash
  std::string v3_index_;
  std::string v2_;
  std::unique_ptr<Schemas> schemas_;
};

}  // namespace kube::localapiserver::internal

// The component schemas of the served resources (core/v1 and events.k8s.io/v1 Events,
// coordination.k8s.io/v1 Leases) and of meta.k8s.io/v1, in the shape kube-apiserver publishes:
// references as `allOf: [{$ref}]`, `x-kubernetes-group-version-kind` on top-level kinds, maps as
// `additionalProperties`. Descriptions are short summaries of each field's meaning.
#include <initializer_list>

#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/tools/localapiserver/internal/openapi.h"

namespace kube::localapiserver::internal {

namespace {

using Props = std::initializer_list<std::pair<const char*, std::string>>;

std::string Quoted(std::string_view s) {
  std::string out;
  api::internal::AppendQuoted(out, s);
  return out;
}

std::string Described(std::string body, std::string_view description) {
  if (!description.empty()) body += ",\"description\":" + Quoted(description);
  return "{" + body + "}";
}

std::string Str(std::string_view description) {
  return Described(R"("type":"string")", description);
}
std::string Int32(std::string_view description) {
  return Described(R"("type":"integer","format":"int32")", description);
}
std::string Int64(std::string_view description) {
  return Described(R"("type":"integer","format":"int64")", description);
}
std::string Bool(std::string_view description) {
  return Described(R"("type":"boolean")", description);
}
std::string Ref(std::string_view component, std::string_view description) {
  return Described(
      R"("allOf":[{"$ref":"#/components/schemas/)" + std::string(component) + R"("}],"default":{})",
      description);
}
std::string StrList(std::string_view description) {
  return Described(R"("type":"array","items":{"type":"string","default":""})", description);
}
std::string RefList(std::string_view component, std::string_view description) {
  return Described(R"("type":"array","items":{"allOf":[{"$ref":"#/components/schemas/)" +
                       std::string(component) + R"("}],"default":{}})",
                   description);
}
std::string StrMap(std::string_view description) {
  return Described(R"("type":"object","additionalProperties":{"type":"string","default":""})",
                   description);
}

// An object schema; `gvk` = {group, version, kind} for top-level kinds.
std::string Object(std::string_view description, Props props,
                   std::initializer_list<const char*> required = {},
                   std::initializer_list<const char*> gvk = {}) {
  std::string out = "{\"description\":" + Quoted(description) + ",\"type\":\"object\"";
  if (required.size() > 0) {
    out += ",\"required\":[";
    bool first = true;
    for (const char* r : required) {
      if (!first) out += ',';
      first = false;
      out += Quoted(r);
    }
    out += ']';
  }
  out += ",\"properties\":{";
  bool first = true;
  for (const auto& [name, schema] : props) {
    if (!first) out += ',';
    first = false;
    out += Quoted(name) + ":" + schema;
  }
  out += '}';
  if (gvk.size() == 3) {
    auto it = gvk.begin();
    out += R"(,"x-kubernetes-group-version-kind":[{"group":)" + Quoted(it[0]) +
           ",\"kind\":" + Quoted(it[2]) + ",\"version\":" + Quoted(it[1]) + "}]";
  }
  return out + '}';
}

constexpr const char* kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";
std::string M(const char* name) { return std::string(kMeta) + name; }

const char* const kApiVersionDoc =
    "The versioned schema of this representation of an object (group/version).";
const char* const kKindDoc = "The REST resource this object represents, in CamelCase.";

std::string ObjectReference() {
  return Object(
      "A reference to an object: enough to inspect or modify it.",
      {{"apiVersion", Str("API version of the referent.")},
       {"fieldPath", Str("The part of the object referred to, e.g. spec.containers{name}.")},
       {"kind", Str("Kind of the referent.")},
       {"name", Str("Name of the referent.")},
       {"namespace", Str("Namespace of the referent.")},
       {"resourceVersion", Str("Resource version of the referent the reference was made at.")},
       {"uid", Str("UID of the referent.")}});
}

}  // namespace

std::vector<std::pair<std::string, std::string>> MetaOpenAPISchemas() {
  return {
      {M("Time"), R"({"description":"A timestamp in RFC 3339 form with seconds precision.",)"
                  R"("type":"string","format":"date-time"})"},
      {M("MicroTime"),
       R"({"description":"A timestamp in RFC 3339 form with microseconds precision.",)"
       R"("type":"string","format":"date-time"})"},
      {M("FieldsV1"),
       R"({"description":"A set of fields in the FieldsV1 trie format.","type":"object"})"},
      {M("ManagedFieldsEntry"),
       Object("The workflow (manager) that owns a set of fields of an object.",
              {{"apiVersion", Str("The version of the fields (group/version).")},
               {"fieldsType", Str("The format of fieldsV1: only FieldsV1.")},
               {"fieldsV1", Ref(M("FieldsV1"), "The fields owned.")},
               {"manager", Str("The workflow managing these fields.")},
               {"operation", Str("Apply or Update.")},
               {"subresource", Str("The subresource the fields were written through.")},
               {"time", Ref(M("Time"), "When the entry was last changed.")}})},
      {M("OwnerReference"),
       Object("An object that owns this one (garbage collection).",
              {{"apiVersion", Str("API version of the owner.")},
               {"blockOwnerDeletion", Bool("Whether the owner waits for this object's removal.")},
               {"controller", Bool("Whether the owner is the managing controller.")},
               {"kind", Str("Kind of the owner.")},
               {"name", Str("Name of the owner.")},
               {"uid", Str("UID of the owner.")}},
              {"apiVersion", "kind", "name", "uid"})},
      {M("ObjectMeta"),
       Object("Metadata every persisted resource has.",
              {{"annotations", StrMap("Unstructured key value data.")},
               {"creationTimestamp", Ref(M("Time"), "When the object was created (server set).")},
               {"deletionGracePeriodSeconds", Int64("Seconds allowed for graceful deletion.")},
               {"deletionTimestamp", Ref(M("Time"), "When the object will be deleted.")},
               {"finalizers", StrList("Finalizers that must be empty before deletion.")},
               {"generateName", Str("A prefix the server completes into a unique name.")},
               {"generation", Int64("The generation of the desired state.")},
               {"labels", StrMap("Labels for selection and grouping.")},
               {"managedFields", RefList(M("ManagedFieldsEntry"), "Field ownership.")},
               {"name", Str("Name, unique within the namespace.")},
               {"namespace", Str("The namespace the object lives in.")},
               {"ownerReferences", RefList(M("OwnerReference"), "The objects this depends on.")},
               {"resourceVersion", Str("The version of the object, for concurrency control.")},
               {"selfLink", Str("Deprecated and unset.")},
               {"uid", Str("The object's unique id (server set).")}})},
      {M("ListMeta"), Object("Metadata of a list.",
                             {{"continue", Str("Token to fetch the next page of the list.")},
                              {"remainingItemCount", Int64("Items after this page, when known.")},
                              {"resourceVersion", Str("The version of the list, to watch from.")},
                              {"selfLink", Str("Deprecated and unset.")}})},
      {M("StatusCause"),
       Object("One cause of an error.", {{"field", Str("The field that caused the error.")},
                                         {"message", Str("A human-readable description.")},
                                         {"reason", Str("A machine-readable cause.")}})},
      {M("StatusDetails"),
       Object("Details of an error.",
              {{"causes", RefList(M("StatusCause"), "The causes of the error.")},
               {"group", Str("The group of the resource.")},
               {"kind", Str("The kind of the resource.")},
               {"name", Str("The name of the resource.")},
               {"retryAfterSeconds", Int32("Seconds to wait before retrying.")},
               {"uid", Str("The UID of the resource.")}})},
      {M("Status"), Object("The result of an operation that does not return an object.",
                           {{"apiVersion", Str(kApiVersionDoc)},
                            {"code", Int32("The HTTP status code.")},
                            {"details", Ref(M("StatusDetails"), "Details of the error.")},
                            {"kind", Str(kKindDoc)},
                            {"message", Str("A human-readable description.")},
                            {"metadata", Ref(M("ListMeta"), "Standard list metadata.")},
                            {"reason", Str("A machine-readable reason.")},
                            {"status", Str("Success or Failure.")}},
                           {}, {"", "v1", "Status"})},
      {M("Preconditions"),
       Object("Conditions that must hold before a delete.",
              {{"resourceVersion", Str("The object's expected resource version.")},
               {"uid", Str("The object's expected UID.")}})},
      {M("DeleteOptions"),
       Object("Options of a delete.",
              {{"apiVersion", Str(kApiVersionDoc)},
               {"dryRun", StrList("All: validate without persisting.")},
               {"gracePeriodSeconds", Int64("Seconds before the object is deleted.")},
               {"kind", Str(kKindDoc)},
               {"orphanDependents", Bool("Deprecated: use propagationPolicy.")},
               {"preconditions", Ref(M("Preconditions"), "Must hold for the delete to happen.")},
               {"propagationPolicy", Str("Orphan, Background or Foreground.")}},
              {}, {"", "v1", "DeleteOptions"})},
      {M("Patch"),
       R"({"description":"A patch body (merge or strategic merge patch).","type":"object"})"},
      {M("WatchEvent"),
       Object("One change of a watch.",
              {{"object", R"({"description":"The object (or an error Status).","type":"object"})"},
               {"type", Str("ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.")}},
              {"type", "object"})},
  };
}

std::vector<OpenAPIGroupVersion> EventOpenAPIGroupVersions(bool events_v1) {
  std::vector<OpenAPIGroupVersion> out;
  OpenAPIGroupVersion core;
  core.version = "v1";
  core.resources = {
      {"events", "Event", "io.k8s.api.core.v1.Event", "io.k8s.api.core.v1.EventList", true}};
  core.schemas = {
      {"io.k8s.api.core.v1.ObjectReference", ObjectReference()},
      {"io.k8s.api.core.v1.EventSource",
       Object("The component reporting an event.",
              {{"component", Str("The component reporting the event.")},
               {"host", Str("The node the event was generated on.")}})},
      {"io.k8s.api.core.v1.EventSeries",
       Object("A series of recurring events.",
              {{"count", Int32("Occurrences of the event in the series up to lastObservedTime.")},
               {"lastObservedTime", Ref(M("MicroTime"), "When the last occurrence was seen.")}})},
      {"io.k8s.api.core.v1.Event",
       Object("A report of an event somewhere in the cluster.",
              {{"action", Str("What action was taken or failed regarding the object.")},
               {"apiVersion", Str(kApiVersionDoc)},
               {"count", Int32("How many times the event has occurred.")},
               {"eventTime", Ref(M("MicroTime"), "When the event was first observed.")},
               {"firstTimestamp", Ref(M("Time"), "When the event was first recorded.")},
               {"involvedObject",
                Ref("io.k8s.api.core.v1.ObjectReference", "The object this event is about.")},
               {"kind", Str(kKindDoc)},
               {"lastTimestamp", Ref(M("Time"), "When the event most recently occurred.")},
               {"message", Str("A human-readable description of the status of this operation.")},
               {"metadata", Ref(M("ObjectMeta"), "Standard object metadata.")},
               {"reason", Str("A short, machine-understandable reason for the transition.")},
               {"related", Ref("io.k8s.api.core.v1.ObjectReference", "A secondary object.")},
               {"reportingComponent", Str("The controller that emitted the event.")},
               {"reportingInstance", Str("The instance of the controller that emitted it.")},
               {"series", Ref("io.k8s.api.core.v1.EventSeries", "The series it is part of.")},
               {"source", Ref("io.k8s.api.core.v1.EventSource", "The component reporting it.")},
               {"type", Str("Normal or Warning.")}},
              {"metadata", "involvedObject"}, {"", "v1", "Event"})},
      {"io.k8s.api.core.v1.EventList",
       Object("A list of events.",
              {{"apiVersion", Str(kApiVersionDoc)},
               {"items", RefList("io.k8s.api.core.v1.Event", "The events.")},
               {"kind", Str(kKindDoc)},
               {"metadata", Ref(M("ListMeta"), "Standard list metadata.")}},
              {"items"}, {"", "v1", "EventList"})},
  };
  out.push_back(std::move(core));
  if (!events_v1) return out;

  OpenAPIGroupVersion ev;
  ev.group = "events.k8s.io";
  ev.version = "v1";
  ev.resources = {
      {"events", "Event", "io.k8s.api.events.v1.Event", "io.k8s.api.events.v1.EventList", true}};
  ev.schemas = {
      {"io.k8s.api.core.v1.ObjectReference", ObjectReference()},
      {"io.k8s.api.core.v1.EventSource",
       Object("The component reporting an event.",
              {{"component", Str("The component reporting the event.")},
               {"host", Str("The node the event was generated on.")}})},
      {"io.k8s.api.events.v1.EventSeries",
       Object("A series of recurring events, reported periodically (every 30 minutes).",
              {{"count", Int32("Occurrences in the series up to lastObservedTime.")},
               {"lastObservedTime", Ref(M("MicroTime"), "When the last occurrence was seen.")}},
              {"count", "lastObservedTime"})},
      {"io.k8s.api.events.v1.Event",
       Object("A report of an event somewhere in the cluster.",
              {{"action", Str("What action was taken or failed regarding the regarding object.")},
               {"apiVersion", Str(kApiVersionDoc)},
               {"deprecatedCount", Int32("Deprecated: core/v1 count.")},
               {"deprecatedFirstTimestamp", Ref(M("Time"), "Deprecated: core/v1 firstTimestamp.")},
               {"deprecatedLastTimestamp", Ref(M("Time"), "Deprecated: core/v1 lastTimestamp.")},
               {"deprecatedSource",
                Ref("io.k8s.api.core.v1.EventSource", "Deprecated: core/v1 source.")},
               {"eventTime", Ref(M("MicroTime"), "When the event was first observed (required).")},
               {"kind", Str(kKindDoc)},
               {"metadata", Ref(M("ObjectMeta"), "Standard object metadata.")},
               {"note", Str("A human-readable description of the status of this operation.")},
               {"reason", Str("Why the action was taken, machine-readable.")},
               {"regarding",
                Ref("io.k8s.api.core.v1.ObjectReference", "The object this event is about.")},
               {"related", Ref("io.k8s.api.core.v1.ObjectReference", "A secondary object.")},
               {"reportingController", Str("The controller that emitted the event.")},
               {"reportingInstance", Str("The instance of the controller that emitted it.")},
               {"series", Ref("io.k8s.api.events.v1.EventSeries", "The series it is part of.")},
               {"type", Str("Normal or Warning.")}},
              {"eventTime"}, {"events.k8s.io", "v1", "Event"})},
      {"io.k8s.api.events.v1.EventList",
       Object("A list of events.",
              {{"apiVersion", Str(kApiVersionDoc)},
               {"items", RefList("io.k8s.api.events.v1.Event", "The events.")},
               {"kind", Str(kKindDoc)},
               {"metadata", Ref(M("ListMeta"), "Standard list metadata.")}},
              {"items"}, {"events.k8s.io", "v1", "EventList"})},
  };
  out.push_back(std::move(ev));
  return out;
}

OpenAPIGroupVersion LeaseOpenAPIGroupVersion() {
  OpenAPIGroupVersion gv;
  gv.group = "coordination.k8s.io";
  gv.version = "v1";
  gv.resources = {{"leases", "Lease", "io.k8s.api.coordination.v1.Lease",
                   "io.k8s.api.coordination.v1.LeaseList", true}};
  gv.schemas = {
      {"io.k8s.api.coordination.v1.LeaseSpec",
       Object("The specification of a Lease.",
              {{"acquireTime", Ref(M("MicroTime"), "When the current lease was acquired.")},
               {"holderIdentity", Str("The identity of the holder of the current lease.")},
               {"leaseDurationSeconds",
                Int32("How long candidates wait to force-acquire the lease, measured from the "
                      "last observed renewTime.")},
               {"leaseTransitions", Int32("How many times the lease changed holders.")},
               {"preferredHolder",
                Str("Signals to the holder that the lease should be handed over to this "
                    "identity (needs a strategy).")},
               {"renewTime", Ref(M("MicroTime"), "When the current holder last renewed it.")},
               {"strategy", Str("How a coordinated leader election picks a holder "
                                "(OldestEmulationVersion).")}})},
      {"io.k8s.api.coordination.v1.Lease",
       Object("Lease defines a lease concept.",
              {{"apiVersion", Str(kApiVersionDoc)},
               {"kind", Str(kKindDoc)},
               {"metadata", Ref(M("ObjectMeta"), "Standard object metadata.")},
               {"spec",
                Ref("io.k8s.api.coordination.v1.LeaseSpec", "The specification of the Lease.")}},
              {}, {"coordination.k8s.io", "v1", "Lease"})},
      {"io.k8s.api.coordination.v1.LeaseList",
       Object("A list of Lease objects.",
              {{"apiVersion", Str(kApiVersionDoc)},
               {"items", RefList("io.k8s.api.coordination.v1.Lease", "The leases.")},
               {"kind", Str(kKindDoc)},
               {"metadata", Ref(M("ListMeta"), "Standard list metadata.")}},
              {"items"}, {"coordination.k8s.io", "v1", "LeaseList"})},
  };
  return gv;
}

}  // namespace kube::localapiserver::internal

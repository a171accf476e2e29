#include "kubeevents/api/reference/reference.h"

#include "kubeevents/api/internal/json_codec.h"

namespace kube::api {
namespace {

Status MissingTypeInfo(std::string_view what, const meta::v1::ObjectMeta* m) {
  std::string msg = "cannot build a reference: the object";
  if (m != nullptr && !m->name.empty()) msg += " \"" + m->name + "\"";
  msg += " has no ";
  msg += what;
  msg += " (set it, or specialize kube::api::ObjectTraits for the type)";
  return InvalidArgumentError(std::move(msg));
}

}  // namespace

StatusOr<core::v1::ObjectReference> ReferenceFromMeta(std::string_view api_version,
                                                      std::string_view kind,
                                                      const meta::v1::ObjectMeta& m) {
  if (kind.empty()) return MissingTypeInfo("kind", &m);
  if (api_version.empty()) return MissingTypeInfo("apiVersion", &m);
  core::v1::ObjectReference ref;
  ref.kind = std::string(kind);
  ref.api_version = std::string(api_version);
  ref.name = m.name;
  ref.namespace_ = m.namespace_;
  ref.uid = m.uid;
  ref.resource_version = m.resource_version;
  return ref;
}

StatusOr<core::v1::ObjectReference> ReferenceFromListMeta(std::string_view api_version,
                                                          std::string_view kind,
                                                          const meta::v1::ListMeta& m) {
  if (kind.empty()) return MissingTypeInfo("kind", nullptr);
  if (api_version.empty()) return MissingTypeInfo("apiVersion", nullptr);
  core::v1::ObjectReference ref;
  ref.kind = std::string(kind);
  ref.api_version = std::string(api_version);
  ref.resource_version = m.resource_version;
  return ref;
}

StatusOr<core::v1::ObjectReference> GetReference(const JsonObject& object) {
  auto doc = internal::ParseDocument(object.json);
  if (!doc) return doc.status();
  if (!doc->IsObject()) return InvalidArgumentError("cannot build a reference: not a JSON object");
  std::string api_version, kind;
  meta::v1::ObjectMeta metadata;
  const internal::JsonPath root;
  for (const auto& m : doc->GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    const internal::JsonPath path{&root, key};
    if (key == "apiVersion" || key == "kind") {
      if (!m.value.IsString()) return InvalidArgumentError(std::string(key) + ": expected string");
      (key == "kind" ? kind : api_version).assign(m.value.GetString(), m.value.GetStringLength());
    } else if (key == "metadata") {
      Status st = internal::Read(m.value, path, metadata);
      if (!st.ok()) return st;
    }
  }
  return ReferenceFromMeta(api_version, kind, metadata);
}

}  // namespace kube::api

// Building ObjectReferences from objects: client-go's tools/reference.GetReference.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/core/v1/object_reference.h"
#include "kubeevents/api/meta/v1/list_meta.h"
#include "kubeevents/api/meta/v1/object_meta.h"
#include "kubeevents/api/meta/v1/type_meta.h"

namespace kube::api {

/// Customization point: tell kubeevents the apiVersion, kind and metadata of your own C++
/// type so that recorders accept it directly. Specialize in namespace kube::api:
///
/// ```
/// template <> struct kube::api::ObjectTraits<MyWidget> {
///   static std::string_view APIVersion(const MyWidget&) { return "example.com/v1"; }
///   static std::string_view Kind(const MyWidget&) { return "Widget"; }
///   static const kube::api::meta::v1::ObjectMeta& Metadata(const MyWidget& w) { return w.meta; }
/// };
/// ```
/// Types with `type_meta` and `metadata` members (all kubeevents API types) need nothing.
template <typename T>
struct ObjectTraits;

/// True when ObjectTraits<T> is specialized with the three required functions.
template <typename T>
concept HasObjectTraits = requires(const T& t) {
  { ObjectTraits<T>::APIVersion(t) } -> std::convertible_to<std::string_view>;
  { ObjectTraits<T>::Kind(t) } -> std::convertible_to<std::string_view>;
  { ObjectTraits<T>::Metadata(t) } -> std::convertible_to<const meta::v1::ObjectMeta&>;
};

/// True for types shaped like Kubernetes objects: `type_meta` + ObjectMeta `metadata`.
template <typename T>
concept KubernetesObject = requires(const T& t) {
  { t.type_meta } -> std::convertible_to<const meta::v1::TypeMeta&>;
  { t.metadata } -> std::convertible_to<const meta::v1::ObjectMeta&>;
};

/// True for list types: `type_meta` + ListMeta `metadata`.
template <typename T>
concept KubernetesList = requires(const T& t) {
  { t.type_meta } -> std::convertible_to<const meta::v1::TypeMeta&>;
  { t.metadata } -> std::convertible_to<const meta::v1::ListMeta&>;
};

/// The JSON text of any Kubernetes object (e.g. what a dynamic client returned).
struct JsonObject {
  std::string_view json;
};

/// Anything GetReference accepts.
template <typename T>
concept Referenceable = std::same_as<std::remove_cvref_t<T>, core::v1::ObjectReference> ||
    std::same_as<std::remove_cvref_t<T>, JsonObject> || HasObjectTraits<std::remove_cvref_t<T>> ||
    KubernetesObject<std::remove_cvref_t<T>> || KubernetesList<std::remove_cvref_t<T>>;

/// The reference for an object with the given type and object metadata. apiVersion and kind
/// are required (there is no scheme to look them up in): a missing one is kInvalidArgument.
StatusOr<core::v1::ObjectReference> ReferenceFromMeta(std::string_view api_version,
                                                      std::string_view kind,
                                                      const meta::v1::ObjectMeta& metadata);
/// The reference for a list: kind, apiVersion and resourceVersion only.
StatusOr<core::v1::ObjectReference> ReferenceFromListMeta(std::string_view api_version,
                                                          std::string_view kind,
                                                          const meta::v1::ListMeta& metadata);

/// An ObjectReference is returned as is (never a reference to a reference).
inline StatusOr<core::v1::ObjectReference> GetReference(const core::v1::ObjectReference& ref) {
  return ref;
}
/// Reads apiVersion, kind and metadata from a JSON object.
StatusOr<core::v1::ObjectReference> GetReference(const JsonObject& object);

/// The reference to a C++ object (via ObjectTraits or its type_meta/metadata members),
/// carrying kind, apiVersion, name, namespace, uid and resourceVersion.
template <typename T>
requires(HasObjectTraits<T> || KubernetesObject<T> ||
         KubernetesList<T>) StatusOr<core::v1::ObjectReference> GetReference(const T& object) {
  if constexpr (HasObjectTraits<T>) {
    return ReferenceFromMeta(ObjectTraits<T>::APIVersion(object), ObjectTraits<T>::Kind(object),
                             ObjectTraits<T>::Metadata(object));
  } else if constexpr (KubernetesObject<T>) {
    return ReferenceFromMeta(object.type_meta.api_version, object.type_meta.kind, object.metadata);
  } else {
    return ReferenceFromListMeta(object.type_meta.api_version, object.type_meta.kind,
                                 object.metadata);
  }
}

/// A null pointer is an error ("can't reference a nil object"), as in client-go.
template <typename T>
StatusOr<core::v1::ObjectReference> GetReference(const T* object) {
  if (object == nullptr) return InvalidArgumentError("can't reference a nil object");
  return GetReference(*object);
}
template <typename T>
StatusOr<core::v1::ObjectReference> GetReference(const std::shared_ptr<T>& object) {
  return GetReference(static_cast<const T*>(object.get()));
}

/// GetReference plus a fieldPath, e.g. "spec.containers{app}" or "spec.containers[2]".
template <typename T>
StatusOr<core::v1::ObjectReference> GetPartialReference(const T& object,
                                                        std::string_view field_path) {
  auto ref = GetReference(object);
  if (ref.ok()) ref->field_path = std::string(field_path);
  return ref;
}

}  // namespace kube::api

// ObjectReference construction: client-go's reference.GetReference rules.
#include <gtest/gtest.h>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/reference/reference.h"

namespace example {
struct Widget {  // a user's own type, outside kubeevents
  kube::api::meta::v1::ObjectMeta meta;
};
}  // namespace example

template <>
struct kube::api::ObjectTraits<example::Widget> {
  static std::string_view APIVersion(const example::Widget&) { return "example.com/v1"; }
  static std::string_view Kind(const example::Widget&) { return "Widget"; }
  static const meta::v1::ObjectMeta& Metadata(const example::Widget& w) { return w.meta; }
};

namespace kube::api {
namespace {

TEST(ReferenceTest, UserTypeThroughTraits) {
  example::Widget w;
  w.meta.name = "w1";
  w.meta.namespace_ = "ns";
  w.meta.uid = "u1";
  w.meta.resource_version = "7";
  auto ref = GetReference(w);
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(*ref,
            (core::v1::ObjectReference{"Widget", "ns", "w1", "u1", "example.com/v1", "7", ""}));
  auto part = GetPartialReference(w, "spec.containers{app}");
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->field_path, "spec.containers{app}");
}

TEST(ReferenceTest, ApiTypesAndReferencesAsIs) {
  core::v1::Event e;
  e.metadata.name = "ev";
  e.metadata.namespace_ = "default";
  auto ref = GetReference(e);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->kind, "Event");
  EXPECT_EQ(ref->api_version, "v1");

  core::v1::ObjectReference given{"Pod", "a", "b", "c", "v1", "", "spec"};
  auto same = GetReference(given);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, given);

  core::v1::EventList list;
  list.metadata.resource_version = "99";
  auto lref = GetReference(list);
  ASSERT_TRUE(lref.ok());
  EXPECT_EQ(*lref, (core::v1::ObjectReference{"EventList", "", "", "", "v1", "99", ""}));
}

TEST(ReferenceTest, JsonObjects) {
  auto ref = GetReference(JsonObject{
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod",)"
      R"("uid":"u","resourceVersion":"5","labels":{"a":"b"}},"spec":{"replicas":3}})"});
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(*ref,
            (core::v1::ObjectReference{"Deployment", "prod", "web", "u", "apps/v1", "5", ""}));
  EXPECT_FALSE(GetReference(JsonObject{"not json"}).ok());
  EXPECT_FALSE(GetReference(JsonObject{R"({"kind":5})"}).ok());
}

TEST(ReferenceTest, MissingTypeInformationAndNullAreErrors) {
  core::v1::Event e;
  e.type_meta = {};
  e.metadata.name = "x";
  auto ref = GetReference(e);
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.status().message(),
            "cannot build a reference: the object \"x\" has no kind (set it, or specialize "
            "kube::api::ObjectTraits for the type)");
  const core::v1::Event* null_event = nullptr;
  auto n = GetReference(null_event);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "can't reference a nil object");
}

}  // namespace
}  // namespace kube::api

// Wire JSON of coordination.k8s.io/v1 Lease: the form kube-apiserver returns (byte for byte),
// Go's pointer-omitempty rules, null handling and errors naming the path.
#include <gtest/gtest.h>

#include "kubeevents/api/coordination/v1/lease.h"
#include "kubeevents/api/json.h"

namespace kube::api {
namespace {

using coordination::v1::Lease;
using coordination::v1::LeaseList;
using coordination::v1::LeaseSpec;
using meta::v1::MicroTime;

// A kube-controller-manager lock as `kubectl get lease -o json` shows it (compacted).
constexpr std::string_view kControllerManagerLease =
    R"({"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"kube-controller-manager","namespace":"kube-system","uid":"6f0f1e2a-8f3c-4c5e-9d47-0b6a8f2d1c11","resourceVersion":"4711","creationTimestamp":"2024-05-01T10:00:00Z","managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"coordination.k8s.io/v1","time":"2024-05-01T10:05:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:acquireTime":{},"f:holderIdentity":{},"f:leaseDurationSeconds":{},"f:leaseTransitions":{},"f:renewTime":{}}}}]},"spec":{"holderIdentity":"node-1_3c7e9a52-5a52-4d3e-a1a0-2c2d0d8c5f0e","leaseDurationSeconds":15,"acquireTime":"2024-05-01T10:00:00.000000Z","renewTime":"2024-05-01T10:05:00.123456Z","leaseTransitions":3}})";

TEST(LeaseCodecTest, ApiserverLeaseRoundTripsByteForByte) {
  auto lease = FromJson<Lease>(kControllerManagerLease);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(lease->metadata.name, "kube-controller-manager");
  EXPECT_EQ(lease->metadata.resource_version, "4711");
  ASSERT_TRUE(lease->spec.holder_identity.has_value());
  EXPECT_EQ(*lease->spec.holder_identity, "node-1_3c7e9a52-5a52-4d3e-a1a0-2c2d0d8c5f0e");
  EXPECT_EQ(lease->spec.lease_duration_seconds, 15);
  EXPECT_EQ(lease->spec.lease_transitions, 3);
  ASSERT_TRUE(lease->spec.renew_time.has_value());
  EXPECT_EQ(lease->spec.renew_time->ToString(), "2024-05-01T10:05:00.123456Z");
  EXPECT_FALSE(lease->spec.strategy.has_value());
  EXPECT_FALSE(lease->spec.preferred_holder.has_value());
  EXPECT_EQ(ToJson(*lease), kControllerManagerLease);
}

TEST(LeaseCodecTest, AbsentPointersAreOmittedAndSpecIsAlwaysPresent) {
  Lease l;
  l.metadata.name = "a";
  EXPECT_EQ(
      ToJson(l),
      R"({"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"a","creationTimestamp":null},"spec":{}})");
}

TEST(LeaseCodecTest, PresentZeroValuesAreWrittenAsGoWritesNonNilPointers) {
  LeaseSpec s;
  s.holder_identity = "";
  s.lease_duration_seconds = 0;
  s.acquire_time = MicroTime();  // a pointer to the zero time: null
  s.renew_time = MicroTime();
  s.lease_transitions = 0;
  s.strategy = "OldestEmulationVersion";
  s.preferred_holder = "b";
  EXPECT_EQ(
      ToJson(s),
      R"({"holderIdentity":"","leaseDurationSeconds":0,"acquireTime":null,"renewTime":null,"leaseTransitions":0,"strategy":"OldestEmulationVersion","preferredHolder":"b"})");
}

TEST(LeaseCodecTest, NullLeavesAPointerUnset) {
  auto s = FromJson<LeaseSpec>(R"({"holderIdentity":null,"renewTime":null,"leaseTransitions":2})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->holder_identity.has_value());
  EXPECT_FALSE(s->renew_time.has_value());
  EXPECT_EQ(s->lease_transitions, 2);
}

TEST(LeaseCodecTest, RoundTripsEveryField) {
  Lease l;
  l.metadata.name = "lock";
  l.metadata.namespace_ = "ns";
  l.metadata.resource_version = "9";
  l.spec.holder_identity = "me";
  l.spec.lease_duration_seconds = 15;
  const auto t = meta::v1::TimePoint(std::chrono::microseconds(1'714'557'600'123'456));
  l.spec.acquire_time = MicroTime(t);
  l.spec.renew_time = MicroTime(t + std::chrono::seconds(2));
  l.spec.lease_transitions = 7;
  l.spec.strategy = "OldestEmulationVersion";
  l.spec.preferred_holder = "you";
  auto back = FromJson<Lease>(ToJson(l));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, l);
}

TEST(LeaseCodecTest, ListRoundTrips) {
  LeaseList list;
  list.metadata.resource_version = "12";
  Lease a;
  a.type_meta = {};
  a.metadata.name = "a";
  a.spec.holder_identity = "x";
  list.items.push_back(a);
  const std::string json = ToJson(list);
  EXPECT_EQ(
      json,
      R"({"kind":"LeaseList","apiVersion":"coordination.k8s.io/v1","metadata":{"resourceVersion":"12"},"items":[{"metadata":{"name":"a","creationTimestamp":null},"spec":{"holderIdentity":"x"}}]})");
  auto back = FromJson<LeaseList>(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, list);
}

TEST(LeaseCodecTest, WrongTypesNameTheJsonPath) {
  auto bad = FromJson<Lease>(R"({"spec":{"leaseDurationSeconds":"15"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "spec.leaseDurationSeconds: expected integer, got string");
  auto range = FromJson<Lease>(R"({"spec":{"leaseTransitions":4294967296}})");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("spec.leaseTransitions"), std::string::npos);
  auto time = FromJson<Lease>(R"({"spec":{"renewTime":"yesterday"}})");
  ASSERT_FALSE(time.ok());
  EXPECT_NE(time.status().message().find("spec.renewTime"), std::string::npos);
}

}  // namespace
}  // namespace kube::api

// The validation table of the local API server: each rule of kube-apiserver's event
// validation (client-go-events.md §7), accepted and rejected, with the exact cause.
#include "kubeevents/tools/localapiserver/internal/validation.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kube::localapiserver::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace v1 = api::core::v1;
using api::meta::v1::MicroTime;
using api::meta::v1::Time;
using api::meta::v1::TimePoint;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1714557603));

MATCHER_P3(Cause, type, field, message, "") {
  *result_listener << "cause {" << arg.type << ", " << arg.field << ", " << arg.message << "}";
  return arg.type == type && arg.field == field &&
         ::testing::Matches(::testing::Matcher<const std::string&>(message))(arg.message);
}

// An old-style (legacy recorder) event: no eventTime.
v1::Event Legacy() {
  v1::Event e;
  e.metadata.name = "pod1.17ab";
  e.metadata.namespace_ = "default";
  e.involved_object = {"Pod", "default", "pod1", "uid-1", "v1", "", ""};
  e.reason = "Started";
  e.message = "Started container";
  e.source = {"kubelet", "node1"};
  e.first_timestamp = Time(kT0);
  e.last_timestamp = Time(kT0);
  e.count = 1;
  e.type = "Normal";
  return e;
}

// A new-style event as events.k8s.io/v1 creates it (stored form).
v1::Event NewStyle() {
  v1::Event e;
  e.metadata.name = "pod1.17ab";
  e.metadata.namespace_ = "default";
  e.involved_object = {"Pod", "default", "pod1", "uid-1", "v1", "", ""};
  e.reason = "Pulled";
  e.message = "pulled";
  e.type = "Normal";
  e.event_time = MicroTime(kT0);
  e.action = "Pulling";
  e.reporting_controller = "example.com/kubelet";
  e.reporting_instance = "kubelet-node1";
  return e;
}

constexpr auto kCore = RequestVersion::kCoreV1;
constexpr auto kEvents = RequestVersion::kEventsV1;

TEST(ValidationTest, ValidEventsPass) {
  EXPECT_THAT(ValidateEventCreate(Legacy(), kCore), IsEmpty());
  EXPECT_THAT(ValidateEventCreate(NewStyle(), kCore), IsEmpty());
  EXPECT_THAT(ValidateEventCreate(NewStyle(), kEvents), IsEmpty());
}

TEST(ValidationTest, LegacyInvolvedObjectNamespaceMustMatch) {
  auto e = Legacy();
  e.involved_object.namespace_ = "other";
  EXPECT_THAT(ValidateEventCreate(e, kCore),
              ElementsAre(Cause("FieldValueInvalid", "involvedObject.namespace",
                                "Invalid value: \"other\": does not match event.namespace")));
}

TEST(ValidationTest, LegacyClusterScopedObjectOnlyInDefaultOrEmpty) {
  auto e = Legacy();
  e.involved_object = {"Node", "", "node1", "uid-n", "v1", "", ""};
  EXPECT_THAT(ValidateEventCreate(e, kCore), IsEmpty());  // namespace "default"
  e.metadata.namespace_ = "kube-system";
  EXPECT_THAT(ValidateEventCreate(e, kCore),
              ElementsAre(Cause("FieldValueInvalid", "involvedObject.namespace",
                                "Invalid value: \"\": does not match event.namespace")));
}

TEST(ValidationTest, NewStyleClusterScopedObjectOnlyInDefaultOrKubeSystem) {
  auto e = NewStyle();
  e.involved_object = {"Node", "", "node1", "uid-n", "v1", "", ""};
  EXPECT_THAT(ValidateEventCreate(e, kEvents), IsEmpty());
  e.metadata.namespace_ = "kube-system";
  EXPECT_THAT(ValidateEventCreate(e, kEvents), IsEmpty());
  e.metadata.namespace_ = "apps";
  EXPECT_THAT(ValidateEventCreate(e, kEvents),
              ElementsAre(Cause("FieldValueInvalid", "involvedObject.namespace",
                                "Invalid value: \"\": does not match event.namespace")));
}

TEST(ValidationTest, LegacyHasNoLengthLimits) {
  auto e = Legacy();
  e.reason = std::string(500, 'r');
  e.message = std::string(5000, 'm');
  EXPECT_THAT(ValidateEventCreate(e, kCore), IsEmpty());
}

TEST(ValidationTest, ReportingControllerRequiredAndQualifiedFieldNameDependsOnApi) {
  auto e = NewStyle();
  e.reporting_controller.clear();
  const std::string regex =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
      "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
      "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  auto core = ValidateEventCreate(e, kCore);
  ASSERT_EQ(core.size(), 3u);
  EXPECT_THAT(core[0], Cause("FieldValueRequired", "reportingComponent", "Required value"));
  EXPECT_THAT(core[1], Cause("FieldValueInvalid", "reportingComponent",
                             "Invalid value: \"\": name part must be non-empty"));
  EXPECT_THAT(core[2],
              Cause("FieldValueInvalid", "reportingComponent", "Invalid value: \"\": " + regex));
  auto events = ValidateEventCreate(e, kEvents);
  ASSERT_GE(events.size(), 1u);
  EXPECT_EQ(events[0].field, "reportingController");
}

TEST(ValidationTest, ReportingControllerMustBeQualifiedName) {
  auto e = NewStyle();
  e.reporting_controller = "Bad_Prefix/ctrl";
  EXPECT_THAT(
      ValidateEventCreate(e, kEvents),
      ElementsAre(Cause("FieldValueInvalid", "reportingController",
                        "Invalid value: \"Bad_Prefix/ctrl\": prefix part a lowercase RFC 1123 "
                        "subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                        "and must start and end with an alphanumeric character (e.g. "
                        "'example.com', regex used for validation is "
                        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")));
  e.reporting_controller = "a/b/c";
  auto errs = ValidateEventCreate(e, kEvents);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_THAT(errs[0].message, ::testing::HasSubstr("a qualified name must consist of"));
  e.reporting_controller = std::string(64, 'c');
  errs = ValidateEventCreate(e, kEvents);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_THAT(errs[0].message, ::testing::EndsWith("name part must be no more than 63 characters"));
}

TEST(ValidationTest, RequiredFieldsOfNewStyleEvents) {
  for (auto [field, setter] : std::vector<std::pair<std::string, void (*)(v1::Event&)>>{
           {"reportingInstance", [](v1::Event& e) { e.reporting_instance.clear(); }},
           {"action", [](v1::Event& e) { e.action.clear(); }},
           {"reason", [](v1::Event& e) { e.reason.clear(); }}}) {
    auto e = NewStyle();
    setter(e);
    EXPECT_THAT(ValidateEventCreate(e, kCore),
                ElementsAre(Cause("FieldValueRequired", field, "Required value")))
        << field;
  }
}

TEST(ValidationTest, LengthLimitsOfNewStyleEvents) {
  struct Case {
    std::string field;
    std::size_t limit;
    void (*set)(v1::Event&, std::string);
  };
  for (const auto& c : std::vector<Case>{
           {"reportingInstance", 128, [](v1::Event&e, std::string v) { e.reporting_instance = v; }},
           {"action", 128, [](v1::Event&e, std::string v) { e.action = v; }},
           {"reason", 128, [](v1::Event&e, std::string v) { e.reason = v; }},
           {"message", 1024, [](v1::Event&e, std::string v) { e.message = v; }}}) {
    auto e = NewStyle();
    c.set(e, std::string(c.limit, 'x'));
    EXPECT_THAT(ValidateEventCreate(e, kEvents), IsEmpty()) << c.field;
    c.set(e, std::string(c.limit + 1, 'x'));
    EXPECT_THAT(ValidateEventCreate(e, kEvents),
                ElementsAre(Cause("FieldValueInvalid", c.field,
                                  "Invalid value: \"\": can have at most " +
                                      std::to_string(c.limit) + " characters")))
        << c.field;
  }
  // Byte length, not characters: 512 two-byte runes are 1024 bytes.
  auto e = NewStyle();
  std::string utf8;
  for (int i = 0; i < 513; ++i) utf8 += "\xc3\xa9";
  e.message = utf8;
  EXPECT_EQ(ValidateEventCreate(e, kEvents).size(), 1u);
}

TEST(ValidationTest, NamespaceMustBeDNSSubdomain) {
  auto e = Legacy();
  e.metadata.namespace_ = "Bad_NS";
  e.involved_object.namespace_ = "Bad_NS";
  auto errs = ValidateEventCreate(e, kCore);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].type, "FieldValueInvalid");
  EXPECT_EQ(errs[0].field, "namespace");
  EXPECT_THAT(errs[0].message,
              ::testing::StartsWith("Invalid value: \"Bad_NS\": a lowercase RFC 1123 subdomain"));
}

TEST(ValidationTest, EventsV1NameMustBeDNSSubdomainButCoreOnlyPathSegment) {
  auto e = NewStyle();
  e.metadata.name = "Pod1_Started";
  EXPECT_THAT(ValidateEventCreate(e, kCore), IsEmpty());
  EXPECT_THAT(ValidateObjectMetaCommon(e.metadata), IsEmpty());
  auto errs = ValidateEventCreate(e, kEvents);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].field, "metadata.name");
  EXPECT_THAT(errs[0].message,
              ::testing::StartsWith("Invalid value: \"Pod1_Started\": a lowercase"));
  e.metadata.name = "..";
  EXPECT_THAT(ValidateObjectMetaCommon(e.metadata),
              ElementsAre(Cause("FieldValueInvalid", "metadata.name",
                                "Invalid value: \"..\": may not be '..'")));
  e.metadata.name = "";
  EXPECT_THAT(ValidateObjectMetaCommon(e.metadata),
              ElementsAre(Cause("FieldValueRequired", "metadata.name",
                                "Required value: name or generateName is required")));
}

TEST(ValidationTest, EventsV1StrictCreateRules) {
  auto e = NewStyle();
  e.event_time = MicroTime();
  e.type = "Info";
  e.first_timestamp = Time(kT0);
  e.last_timestamp = Time(kT0);
  e.count = 3;
  e.source = {"kubelet", ""};
  e.series = v1::EventSeries{1, MicroTime()};
  e.involved_object.namespace_ = "default";
  auto errs = ValidateEventCreate(e, kEvents);
  // eventTime unset selects the legacy branch (no reportingController rules) first.
  EXPECT_THAT(
      errs,
      ElementsAre(
          Cause("FieldValueInvalid", "series.count", "Invalid value: \"\": should be at least 2"),
          Cause("FieldValueRequired", "series.lastObservedTime", "Required value"),
          Cause("FieldValueRequired", "eventTime", "Required value"),
          Cause("FieldValueInvalid", "type", "Invalid value: \"\": has invalid value: Info"),
          Cause("FieldValueInvalid", "firstTimestamp", "Invalid value: \"\": needs to be unset"),
          Cause("FieldValueInvalid", "lastTimestamp", "Invalid value: \"\": needs to be unset"),
          Cause("FieldValueInvalid", "count", "Invalid value: \"\": needs to be unset"),
          Cause("FieldValueInvalid", "source", "Invalid value: \"\": needs to be unset")));
  // core/v1 skips all of it.
  EXPECT_THAT(ValidateEventCreate(e, kCore), IsEmpty());
}

TEST(ValidationTest, SeriesCountTwoIsValid) {
  auto e = NewStyle();
  e.series = v1::EventSeries{2, MicroTime(kT0)};
  EXPECT_THAT(ValidateEventCreate(e, kEvents), IsEmpty());
}

TEST(ValidationTest, EventsV1UpdateOnlySeriesAndMetadataMayChange) {
  auto old = NewStyle();
  old.metadata.uid = "u1";
  old.metadata.resource_version = "5";
  auto n = old;
  n.series = v1::EventSeries{2, MicroTime(kT0 + std::chrono::seconds(1))};
  n.metadata.annotations["a"] = "b";
  EXPECT_THAT(ValidateEventUpdate(n, old, kEvents), IsEmpty());

  n = old;
  n.reason = "Other";
  EXPECT_THAT(
      ValidateEventUpdate(n, old, kEvents),
      ElementsAre(
          Cause("FieldValueInvalid", "reason", "Invalid value: \"Other\": field is immutable"),
          Cause("FieldValueInvalid", "reason", "Invalid value: \"Other\": field is immutable")));
  n = old;
  n.message = "new note";
  n.involved_object.name = "pod2";
  n.count = 4;
  n.related = v1::ObjectReference{"Node", "", "n1", "", "v1", "", ""};
  EXPECT_THAT(
      ValidateEventUpdate(n, old, kEvents),
      ElementsAre(
          Cause("FieldValueInvalid", "involvedObject",
                "Invalid value: core.ObjectReference{Kind:\"Pod\", Namespace:\"default\", "
                "Name:\"pod2\", UID:\"uid-1\", APIVersion:\"v1\", ResourceVersion:\"\", "
                "FieldPath:\"\"}: field is immutable"),
          Cause("FieldValueInvalid", "message", "Invalid value: \"new note\": field is immutable"),
          Cause("FieldValueInvalid", "count", "Invalid value: 4: field is immutable"),
          Cause("FieldValueInvalid", "related",
                "Invalid value: core.ObjectReference{Kind:\"Node\", Namespace:\"\", Name:\"n1\", "
                "UID:\"\", APIVersion:\"v1\", ResourceVersion:\"\", FieldPath:\"\"}: field is "
                "immutable")));
  // The same changes through core/v1 are legal.
  EXPECT_THAT(ValidateEventUpdate(n, old, kCore), IsEmpty());
}

TEST(ValidationTest, EventTimeToleratesSubMicrosecondChanges) {
  auto old = NewStyle();
  old.metadata.resource_version = "5";
  auto n = old;
  n.event_time = MicroTime(kT0 + std::chrono::nanoseconds(400));
  EXPECT_THAT(ValidateEventUpdate(n, old, kEvents), IsEmpty());
  n.event_time = MicroTime(kT0 + std::chrono::microseconds(1));
  EXPECT_THAT(ValidateEventUpdate(n, old, kEvents),
              ElementsAre(Cause("FieldValueInvalid", "eventTime",
                                "Invalid value: 2024-05-01 10:00:03.000001 +0000 UTC: field is "
                                "immutable")));
}

TEST(ValidationTest, SeriesRulesApplyOnUpdateWhenChanged) {
  auto old = NewStyle();
  old.metadata.resource_version = "5";
  auto n = old;
  n.series = v1::EventSeries{1, MicroTime(kT0)};
  EXPECT_THAT(ValidateEventUpdate(n, old, kEvents),
              ElementsAre(Cause("FieldValueInvalid", "series.count",
                                "Invalid value: \"\": should be at least 2")));
}

TEST(ValidationTest, MetadataUpdateRules) {
  api::meta::v1::ObjectMeta old;
  old.name = "e";
  old.namespace_ = "default";
  old.uid = "u1";
  old.resource_version = "3";
  auto n = old;
  n.uid = "u2";
  n.labels["bad key!"] = "v";
  EXPECT_THAT(ValidateObjectMetaUpdateCommon(n, old),
              ElementsAre(Cause("FieldValueInvalid", "metadata.labels",
                                ::testing::StartsWith("Invalid value: \"bad key!\": name part")),
                          Cause("FieldValueInvalid", "metadata.uid",
                                "Invalid value: \"u2\": field is immutable"),
                          Cause("FieldValueInvalid", "metadata.labels",
                                ::testing::StartsWith("Invalid value: \"bad key!\": name part"))));
}

TEST(ValidationTest, AnnotationsTooLong) {
  api::meta::v1::ObjectMeta m;
  m.name = "e";
  m.namespace_ = "default";
  m.annotations["big"] = std::string(256 * 1024, 'x');
  EXPECT_THAT(ValidateObjectMetaCommon(m),
              ElementsAre(Cause("FieldValueTooLong", "metadata.annotations",
                                "Too long: may not be more than 262144 bytes")));
}

TEST(ValidationTest, InvalidStatusAggregatesLikeApimachinery) {
  auto old = NewStyle();
  old.metadata.resource_version = "5";
  auto n = old;
  n.reason = "Other";
  auto st = NewInvalid("events.k8s.io", "Event", "pod1.17ab", ValidateEventUpdate(n, old, kEvents));
  EXPECT_EQ(st.code, 422);
  EXPECT_EQ(st.reason, "Invalid");
  EXPECT_EQ(st.details.kind, "Event");
  EXPECT_EQ(st.details.group, "events.k8s.io");
  EXPECT_EQ(st.details.causes.size(), 2u);  // duplicates kept in causes
  EXPECT_EQ(st.message,
            "Event.events.k8s.io \"pod1.17ab\" is invalid: reason: Invalid value: \"Other\": field "
            "is immutable");
  auto e = NewStyle();
  e.action.clear();
  e.reason.clear();
  auto st2 = NewInvalid("", "Event", "x", ValidateEventCreate(e, kCore));
  EXPECT_EQ(st2.message,
            "Event \"x\" is invalid: [action: Required value, reason: Required value]");
}

TEST(ValidationTest, GoRendering) {
  EXPECT_EQ(GoQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
  EXPECT_EQ(GoQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(GoTimeString(kT0, false), "2024-05-01 10:00:03 +0000 UTC");
  EXPECT_EQ(GoTimeString(kT0 + std::chrono::milliseconds(120), false),
            "2024-05-01 10:00:03.12 +0000 UTC");
  EXPECT_EQ(GoTimeString({}, true), "0001-01-01 00:00:00 +0000 UTC");
}

TEST(ValidationTest, NameValidators) {
  EXPECT_THAT(IsDNS1123Subdomain("pod1.17ab12cd"), IsEmpty());
  EXPECT_THAT(IsDNS1123Subdomain(std::string(254, 'a')),
              ElementsAre("must be no more than 253 characters"));
  EXPECT_THAT(IsDNS1123Label("a.b"), ElementsAre("must not contain dots"));
  EXPECT_THAT(IsQualifiedName("example.com/My_Name.1"), IsEmpty());
  EXPECT_THAT(IsQualifiedName("/x"), ElementsAre("prefix part must be non-empty"));
  EXPECT_THAT(IsValidLabelValue(""), IsEmpty());
  EXPECT_THAT(IsValidPathSegmentName("a/b%c"),
              ElementsAre("may not contain '/'", "may not contain '%'"));
}

}  // namespace
}  // namespace kube::localapiserver::internal

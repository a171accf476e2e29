// Internal: kube-apiserver's validation of Events (pkg/apis/core/validation/events.go, the
// generic ObjectMeta checks of apimachinery and the name/label validators of
// util/validation), producing field errors shaped exactly like field.Error so the 422 bodies
// match a real server's.
#pragma once

#include "kubeevents/api/common/format.h"

#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/meta/v1/object_meta.h"
#include "kubeevents/api/meta/v1/status.h"
#include "kubeevents/api/meta/v1/time.h"

namespace kube::localapiserver::internal {

/// The API group/version a request came through: validation is stricter for events.k8s.io/v1.
enum class RequestVersion { kCoreV1, kEventsV1 };

/// One field.Error rendered as a StatusCause: type is the CauseType ("FieldValueRequired"),
/// message is field.Error.ErrorBody() ("Required value", "Invalid value: \"x\": detail"), field
/// the JSON path.
using FieldError = api::meta::v1::StatusCause;
using FieldErrors = std::vector<FieldError>;

// --- field.Error constructors (apimachinery util/validation/field) -----------------------
// `value` arguments are the bad value already rendered as Go would print it (see GoQuote,
// GoTimeString, ...).
FieldError Required(std::string field, std::string_view detail);
FieldError Invalid(std::string field, std::string_view rendered_value, std::string_view detail);
FieldError NotSupported(std::string field, std::string_view rendered_value,
                        const std::vector<std::string>& supported);
FieldError TooLong(std::string field, int max_bytes);

// --- Go value rendering ----------------------------------------------------------------
/// strconv.Quote: a double-quoted Go string literal.
using kube::GoQuote;  // Go's strconv.Quote (api/common/format.h)
/// time.Time.String() in UTC: "2024-05-01 10:00:03.123456 +0000 UTC" (zero time too).
std::string GoTimeString(const api::meta::v1::TimePoint& t, bool is_zero);
/// %#v of core.ObjectReference.
std::string GoObjectReference(const api::core::v1::ObjectReference& r);

// --- util/validation name checks: each returns the list of error messages --------------
std::vector<std::string> IsDNS1123Subdomain(std::string_view value);
std::vector<std::string> IsDNS1123Label(std::string_view value);
std::vector<std::string> IsQualifiedName(std::string_view value);
std::vector<std::string> IsValidLabelValue(std::string_view value);
/// path.IsValidPathSegmentName: not "." or "..", no '/' or '%'.
std::vector<std::string> IsValidPathSegmentName(std::string_view value);

// --- Event validation --------------------------------------------------------------------
/// ValidateEventCreate: the legacy rules for every version, plus the strict events.k8s.io/v1
/// rules (DNS-subdomain name, eventTime, type, deprecated fields unset, series).
FieldErrors ValidateEventCreate(const api::core::v1::Event& event, RequestVersion version);
/// ValidateEventUpdate: legacy rules, plus for events.k8s.io/v1 the metadata update rules,
/// series rules when the series changed and the immutable fields.
FieldErrors ValidateEventUpdate(const api::core::v1::Event& event, const api::core::v1::Event& old,
                                RequestVersion version);
/// The generic ObjectMeta check the apiserver runs after the strategy on create
/// (ValidateObjectMetaAccessor with path-segment names, namespace required).
FieldErrors ValidateObjectMetaCommon(const api::meta::v1::ObjectMeta& meta);
/// The generic checks run before the strategy on update (ObjectMeta + ObjectMeta update).
FieldErrors ValidateObjectMetaUpdateCommon(const api::meta::v1::ObjectMeta& meta,
                                           const api::meta::v1::ObjectMeta& old);

/// errors.NewInvalid for `kind` ("Event") in `group` ("" or "events.k8s.io"): causes in
/// order, message aggregated with duplicate messages removed, as apimachinery does.
api::meta::v1::Status NewInvalid(std::string_view group, std::string_view kind,
                                 std::string_view name, FieldErrors errors);

}  // namespace kube::localapiserver::internal

// Classifying and constructing apiserver errors: apimachinery's pkg/api/errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/status.h"
#include "kubeevents/api/meta/v1/status.h"

namespace kube::api::errors {

/// metav1.StatusReason values used by the events machinery.
inline constexpr std::string_view kReasonNotFound = "NotFound";
inline constexpr std::string_view kReasonAlreadyExists = "AlreadyExists";
inline constexpr std::string_view kReasonConflict = "Conflict";
inline constexpr std::string_view kReasonInvalid = "Invalid";
inline constexpr std::string_view kReasonBadRequest = "BadRequest";
inline constexpr std::string_view kReasonUnauthorized = "Unauthorized";
inline constexpr std::string_view kReasonForbidden = "Forbidden";
inline constexpr std::string_view kReasonTooManyRequests = "TooManyRequests";
inline constexpr std::string_view kReasonMethodNotAllowed = "MethodNotAllowed";
inline constexpr std::string_view kReasonUnsupportedMediaType = "UnsupportedMediaType";
inline constexpr std::string_view kReasonRequestEntityTooLarge = "RequestEntityTooLarge";
inline constexpr std::string_view kReasonInternalError = "InternalError";
inline constexpr std::string_view kReasonServiceUnavailable = "ServiceUnavailable";
inline constexpr std::string_view kReasonNotAcceptable = "NotAcceptable";

/// corev1.NamespaceTerminatingCause: the cause type on creates in a terminating namespace.
inline constexpr std::string_view kNamespaceTerminatingCause = "NamespaceTerminating";

/// True when the error is an apiserver response (carries a metav1.Status).
bool IsAPIStatus(const Status& s);
/// The metav1.Status reason of a server error, or "" for other errors.
std::string_view ReasonForError(const Status& s);
/// Reason NotFound, or an unknown reason with HTTP 404 (as apimachinery decides).
bool IsNotFound(const Status& s);
bool IsAlreadyExists(const Status& s);
bool IsConflict(const Status& s);
bool IsInvalid(const Status& s);
bool IsBadRequest(const Status& s);
bool IsUnauthorized(const Status& s);
bool IsForbidden(const Status& s);
bool IsTooManyRequests(const Status& s);
bool IsInternalError(const Status& s);
/// True when details.causes has a cause of this type (e.g. kNamespaceTerminatingCause).
bool HasStatusCause(const Status& s, std::string_view cause_type);

/// apiserver-shaped Status bodies (kind Status, apiVersion v1, status Failure, details).
/// `resource` is the plural resource name, `group` "" for the core group.
meta::v1::Status NewNotFound(std::string_view group, std::string_view resource,
                             std::string_view name);
meta::v1::Status NewAlreadyExists(std::string_view group, std::string_view resource,
                                  std::string_view name);
meta::v1::Status NewConflict(std::string_view group, std::string_view resource,
                             std::string_view name, std::string_view message);
/// 422 with one cause per field error; `kind` is e.g. "Event".
meta::v1::Status NewInvalid(std::string_view group, std::string_view kind, std::string_view name,
                            std::vector<meta::v1::StatusCause> causes);
meta::v1::Status NewBadRequest(std::string_view message);
meta::v1::Status NewUnauthorized(std::string_view message);
meta::v1::Status NewForbidden(std::string_view group, std::string_view resource,
                              std::string_view name, std::string_view message);
meta::v1::Status NewTooManyRequests(std::string_view message, int retry_after_seconds);
meta::v1::Status NewInternalError(std::string_view message);
meta::v1::Status NewServiceUnavailable(std::string_view message);
meta::v1::Status NewMethodNotSupported(std::string_view group, std::string_view resource,
                                       std::string_view verb);
/// A Status with just a reason, code and message (415, 413, 406, ...).
meta::v1::Status NewGeneric(std::string_view reason, int code, std::string_view message);

}  // namespace kube::api::errors

#include "kubeevents/api/errors/errors.h"

#include <utility>

namespace kube::api::errors {

bool IsAPIStatus(const Status& s) { return s.api_status() != nullptr; }

std::string_view ReasonForError(const Status& s) {
  return s.api_status() != nullptr ? std::string_view(s.api_status()->reason) : "";
}

namespace {

// apimachinery: the reason decides; an unknown reason falls back to the HTTP code.
bool ReasonOrCode(const Status& s, std::string_view reason, int code) {
  if (!IsAPIStatus(s)) return false;
  const auto r = ReasonForError(s);
  if (r == reason) return true;
  const int c = s.api_status()->code != 0 ? s.api_status()->code : s.http_code();
  return (r.empty() || r == "Unknown") && c == code;
}

meta::v1::Status Failure(std::string_view reason, int code, std::string message) {
  meta::v1::Status st;
  st.status = "Failure";
  st.message = std::move(message);
  st.reason = std::string(reason);
  st.code = code;
  return st;
}

std::string Qualified(std::string_view group, std::string_view resource) {
  std::string out(resource);
  if (!group.empty()) {
    out += '.';
    out += group;
  }
  return out;
}

void SetDetails(meta::v1::Status& st, std::string_view group, std::string_view kind,
                std::string_view name) {
  st.has_details = true;
  st.details.name = std::string(name);
  st.details.group = std::string(group);
  st.details.kind = std::string(kind);
}

}  // namespace

bool IsNotFound(const Status& s) { return ReasonOrCode(s, kReasonNotFound, 404); }
bool IsAlreadyExists(const Status& s) { return ReasonForError(s) == kReasonAlreadyExists; }
bool IsConflict(const Status& s) { return ReasonOrCode(s, kReasonConflict, 409); }
bool IsInvalid(const Status& s) { return ReasonOrCode(s, kReasonInvalid, 422); }
bool IsBadRequest(const Status& s) { return ReasonOrCode(s, kReasonBadRequest, 400); }
bool IsUnauthorized(const Status& s) { return ReasonOrCode(s, kReasonUnauthorized, 401); }
bool IsForbidden(const Status& s) { return ReasonOrCode(s, kReasonForbidden, 403); }
bool IsTooManyRequests(const Status& s) { return ReasonOrCode(s, kReasonTooManyRequests, 429); }
bool IsInternalError(const Status& s) { return ReasonOrCode(s, kReasonInternalError, 500); }

bool HasStatusCause(const Status& s, std::string_view cause_type) {
  const auto* st = s.api_status();
  if (st == nullptr || !st->has_details) return false;
  for (const auto& c : st->details.causes) {
    if (c.type == cause_type) return true;
  }
  return false;
}

meta::v1::Status NewNotFound(std::string_view group, std::string_view resource,
                             std::string_view name) {
  auto st = Failure(kReasonNotFound, 404,
                    Qualified(group, resource) + " \"" + std::string(name) + "\" not found");
  SetDetails(st, group, resource, name);
  return st;
}

meta::v1::Status NewAlreadyExists(std::string_view group, std::string_view resource,
                                  std::string_view name) {
  auto st = Failure(kReasonAlreadyExists, 409,
                    Qualified(group, resource) + " \"" + std::string(name) + "\" already exists");
  SetDetails(st, group, resource, name);
  return st;
}

meta::v1::Status NewConflict(std::string_view group, std::string_view resource,
                             std::string_view name, std::string_view message) {
  auto st = Failure(kReasonConflict, 409,
                    "Operation cannot be fulfilled on " + Qualified(group, resource) + " \"" +
                        std::string(name) + "\": " + std::string(message));
  SetDetails(st, group, resource, name);
  return st;
}

meta::v1::Status NewInvalid(std::string_view group, std::string_view kind, std::string_view name,
                            std::vector<meta::v1::StatusCause> causes) {
  std::string msg(kind);
  if (!group.empty()) msg.append(".").append(group);
  msg.append(" \"").append(name).append("\" is invalid: ");
  if (causes.size() == 1) {
    msg += causes[0].field + ": " + causes[0].message;
  } else {
    msg += "[";
    for (std::size_t i = 0; i < causes.size(); ++i) {
      if (i > 0) msg += ", ";
      msg += causes[i].field + ": " + causes[i].message;
    }
    msg += "]";
  }
  auto st = Failure(kReasonInvalid, 422, std::move(msg));
  SetDetails(st, group, kind, name);
  st.details.causes = std::move(causes);
  return st;
}

meta::v1::Status NewBadRequest(std::string_view message) {
  return Failure(kReasonBadRequest, 400, std::string(message));
}

meta::v1::Status NewUnauthorized(std::string_view message) {
  return Failure(kReasonUnauthorized, 401, message.empty() ? "Unauthorized" : std::string(message));
}

meta::v1::Status NewForbidden(std::string_view group, std::string_view resource,
                              std::string_view name, std::string_view message) {
  std::string msg = Qualified(group, resource) + " \"" + std::string(name) +
                    "\" is forbidden: " + std::string(message);
  auto st = Failure(kReasonForbidden, 403, std::move(msg));
  SetDetails(st, group, resource, name);
  return st;
}

meta::v1::Status NewTooManyRequests(std::string_view message, int retry_after_seconds) {
  auto st = Failure(kReasonTooManyRequests, 429, std::string(message));
  if (retry_after_seconds > 0) {
    st.has_details = true;
    st.details.retry_after_seconds = retry_after_seconds;
  }
  return st;
}

meta::v1::Status NewInternalError(std::string_view message) {
  auto st = Failure(kReasonInternalError, 500, "Internal error occurred: " + std::string(message));
  st.has_details = true;
  st.details.causes.push_back({"", std::string(message), ""});
  return st;
}

meta::v1::Status NewServiceUnavailable(std::string_view message) {
  return Failure(kReasonServiceUnavailable, 503, std::string(message));
}

meta::v1::Status NewMethodNotSupported(std::string_view group, std::string_view resource,
                                       std::string_view verb) {
  auto st = Failure(kReasonMethodNotAllowed, 405,
                    std::string(verb) + " is not supported on resources of kind \"" +
                        Qualified(group, resource) + "\"");
  SetDetails(st, group, resource, "");
  return st;
}

meta::v1::Status NewGeneric(std::string_view reason, int code, std::string_view message) {
  return Failure(reason, code, std::string(message));
}

}  // namespace kube::api::errors

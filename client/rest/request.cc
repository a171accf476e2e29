#include "kubeevents/client/rest/request.h"

#include "kubeevents/client/rest/internal/client_core.h"
#include "kubeevents/client/rest/internal/request_wire.h"
#include "kubeevents/client/rest/internal/url.h"

namespace kube::rest {

namespace {

// apimachinery path.IsValidPathSegmentName.
std::string InvalidSegmentReason(std::string_view name) {
  if (name == "." || name == "..") return "may not be '" + std::string(name) + "'";
  if (name.find('/') != std::string_view::npos) return "may not contain '/'";
  if (name.find('%') != std::string_view::npos) return "may not contain '%'";
  return "";
}

Status BuildError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message), ErrorOrigin::kRequestBuilding);
}

}  // namespace

Status Result::DecodeError(const Status& s) {
  return Status(StatusCode::kInternal, "decoding response: " + s.message(), ErrorOrigin::kDecode);
}

Request::Request(std::shared_ptr<internal::ClientCore> core, std::string verb)
    : core_(std::move(core)), verb_(std::move(verb)) {
  if (core_) max_retries_ = core_->config().max_retries;
}

Request& Request::GroupVersion(std::string_view gv) {
  if (gv.empty() || gv.front() == '/' || gv.back() == '/' ||
      std::count(gv.begin(), gv.end(), '/') > 1) {
    if (error_.ok()) error_ = BuildError("invalid group/version \"" + std::string(gv) + "\"");
    return *this;
  }
  group_version_ = std::string(gv);
  return *this;
}

Request& Request::AbsPath(std::string_view path) {
  std::string p(path);
  if (p.empty() || p.front() != '/') p.insert(p.begin(), '/');
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  abs_path_ = std::move(p);
  return *this;
}

Request& Request::Namespace(std::string_view ns) {
  if (namespace_set_ && error_.ok()) {
    error_ = BuildError("namespace already set to \"" + namespace_ + "\", cannot change to \"" +
                        std::string(ns) + "\"");
  }
  if (std::string why = InvalidSegmentReason(ns); !why.empty() && error_.ok()) {
    error_ = BuildError("invalid namespace \"" + std::string(ns) + "\": " + why);
  }
  namespace_set_ = true;
  namespace_ = std::string(ns);
  return *this;
}

Request& Request::Resource(std::string_view resource) {
  if (std::string why = InvalidSegmentReason(resource); !why.empty() && error_.ok()) {
    error_ = BuildError("invalid resource \"" + std::string(resource) + "\": " + why);
  }
  resource_ = std::string(resource);
  return *this;
}

Request& Request::Name(std::string_view name) {
  if (name.empty() && error_.ok()) error_ = BuildError("resource name may not be empty");
  if (std::string why = InvalidSegmentReason(name); !why.empty() && error_.ok()) {
    error_ = BuildError("invalid resource name \"" + std::string(name) + "\": " + why);
  }
  name_ = std::string(name);
  return *this;
}

Request& Request::SubResource(std::string_view subresource) {
  if (std::string why = InvalidSegmentReason(subresource); !why.empty() && error_.ok()) {
    error_ = BuildError("invalid subresource \"" + std::string(subresource) + "\": " + why);
  }
  subresource_ = std::string(subresource);
  return *this;
}

Request& Request::Param(std::string_view key, std::string_view value) {
  params_.emplace_back(key, value);
  return *this;
}

Request& Request::SetHeader(std::string_view name, std::string_view value) {
  for (auto& [k, v] : headers_) {
    if (internal::SameFieldName(k, name)) {
      v = std::string(value);
      return *this;
    }
  }
  headers_.emplace_back(name, value);
  return *this;
}

Request& Request::Body(std::string json) {
  body_ = std::move(json);
  return *this;
}

Request& Request::Timeout(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  return *this;
}

Request& Request::Cancellation(std::stop_token token) {
  cancel_ = std::move(token);
  return *this;
}

Request& Request::MaxRetries(int retries) {
  max_retries_ = retries < 0 ? 0 : retries;
  return *this;
}

Request& Request::IdleTimeout(std::chrono::milliseconds timeout) {
  idle_timeout_ = timeout;
  return *this;
}

std::string Request::URLPath() const {
  std::string path = core_ ? core_->path_prefix() : std::string();
  if (abs_path_) {
    path += *abs_path_;
  } else {
    path += group_version_.find('/') == std::string::npos ? "/api/" : "/apis/";
    path += group_version_;
    if (!namespace_.empty())
      path += "/namespaces/" + internal::EscapeURLComponent(namespace_, false);
    if (!resource_.empty()) path += "/" + internal::EscapeURLComponent(resource_, false);
    if (!name_.empty()) path += "/" + internal::EscapeURLComponent(name_, false);
    if (!subresource_.empty()) path += "/" + internal::EscapeURLComponent(subresource_, false);
  }
  if (path.empty()) path = "/";
  for (std::size_t i = 0; i < params_.size(); ++i) {
    path += i == 0 ? '?' : '&';
    path += internal::EscapeURLComponent(params_[i].first, true);
    path += '=';
    path += internal::EscapeURLComponent(params_[i].second, true);
  }
  return path;
}

namespace {

internal::PreparedRequest Prepare(const Request& r, const std::string& verb, std::string target,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::string body, std::optional<std::chrono::milliseconds> t,
                                  std::stop_token cancel, int retries) {
  internal::PreparedRequest p;
  (void)r;
  p.method = verb;
  p.target = std::move(target);
  p.headers = headers;
  p.body = std::move(body);
  p.timeout = t;
  p.cancel = std::move(cancel);
  p.max_retries = retries;
  return p;
}

}  // namespace

Result Request::Do() {
  if (!core_) return Result(BuildError("request has no client"));
  if (!error_.ok()) return Result(error_);
  return core_->Run(Prepare(*this, verb_, URLPath(), headers_, body_, timeout_, cancel_,
                            max_retries_.value_or(10)));
}

void Request::DoAsync(std::function<void(Result)> done) {
  if (!core_) {
    done(Result(BuildError("request has no client")));
    return;
  }
  if (!error_.ok()) {
    done(Result(error_));
    return;
  }
  core_->Start(Prepare(*this, verb_, URLPath(), headers_, body_, timeout_, cancel_,
                       max_retries_.value_or(10)),
               std::move(done));
}

}  // namespace kube::rest

namespace kube::rest {

StatusOr<WatchStream> Request::Watch() {
  if (!core_) return BuildError("request has no client");
  if (!error_.ok()) return error_;
  Request copy = *this;
  bool has_watch = false;
  for (const auto& [k, v] : params_) has_watch = has_watch || k == "watch";
  if (!has_watch) copy.Param("watch", "true");
  auto prepared = Prepare(copy, verb_, copy.URLPath(), headers_, body_, timeout_, {},
                          max_retries_.value_or(10));
  prepared.idle_timeout = idle_timeout_;
  return internal::StartWatch(core_, std::move(prepared), cancel_);
}

}  // namespace kube::rest

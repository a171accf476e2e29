#include "kubeevents/tools/eventer/label_cache.h"

#include <rapidjson/document.h>

#include <cctype>
#include <utility>

#include "kubeevents/api/internal/json_codec.h"

namespace kube::eventer {

std::string ObjectPath(const api::core::v1::ObjectReference& ref) {
  std::string resource;
  for (char c : ref.kind)
    resource += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (resource == "endpoints") {
    // already plural
  } else if (resource.ends_with("y") && resource.size() > 1 &&
             std::string("aeiou").find(resource[resource.size() - 2]) == std::string::npos) {
    resource = resource.substr(0, resource.size() - 1) + "ies";
  } else if (resource.ends_with("s") || resource.ends_with("x") || resource.ends_with("ch") ||
             resource.ends_with("sh")) {
    resource += "es";
  } else {
    resource += "s";
  }
  const std::string& gv = ref.api_version.empty() ? std::string("v1") : ref.api_version;
  std::string path = gv.find('/') == std::string::npos ? "/api/" + gv : "/apis/" + gv;
  if (!ref.namespace_.empty()) path += "/namespaces/" + ref.namespace_;
  return path + "/" + resource + "/" + ref.name;
}

StatusOr<Labels> FetchLabels(rest::RESTClient& client, const api::core::v1::ObjectReference& ref) {
  rest::Result res = client.Get().AbsPath(ObjectPath(ref)).Timeout(std::chrono::seconds(10)).Do();
  if (res.status_code() == 404) return Labels{};
  if (!res.ok()) return res.status();
  // The codec's parse: iterative (a server answering with deeply nested JSON cannot overflow
  // the stack), depth-checked, a NUL byte rejected.
  auto parsed = api::internal::ParseDocument(res.body());
  if (!parsed || !parsed->IsObject()) {
    return InvalidArgumentError("GET " + ObjectPath(ref) + ": response is not a JSON object");
  }
  const rapidjson::Document& doc = *parsed;
  Labels labels;
  auto md = doc.FindMember("metadata");
  if (md != doc.MemberEnd() && md->value.IsObject()) {
    auto l = md->value.FindMember("labels");
    if (l != md->value.MemberEnd() && l->value.IsObject()) {
      for (auto& m : l->value.GetObject()) {
        if (m.value.IsString()) labels[m.name.GetString()] = m.value.GetString();
      }
    }
  }
  return labels;
}

LabelCache::LabelCache(Fetch fetch, std::chrono::milliseconds ttl, std::shared_ptr<Logger> logger)
    : fetch_(std::move(fetch)), ttl_(ttl), logger_(std::move(logger)) {}

std::shared_ptr<const Labels> LabelCache::Get(const api::core::v1::ObjectReference& ref) {
  const std::string key = ref.api_version + "|" + ref.kind + "|" + ref.namespace_ + "|" + ref.name;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.expires > now) return it->second.labels;
    ++fetches_;
  }
  auto fetched = fetch_(ref);
  Entry e;
  if (fetched.ok()) {
    e.labels = std::make_shared<const Labels>(*std::move(fetched));
    e.expires = now + ttl_;
  } else {
    if (logger_) {
      logger_->Warning("cannot fetch the involved object's labels; rules on labels will not match",
                       {{"object", ObjectPath(ref)}, {"error", fetched.status().message()}});
    }
    e.labels = std::make_shared<const Labels>();
    e.expires = now + ttl_ / 10;
  }
  std::lock_guard lock(mu_);
  if (entries_.size() > 100000) entries_.clear();  // bound memory; refetched on demand
  return entries_[key] = e, entries_[key].labels;
}

std::uint64_t LabelCache::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

}  // namespace kube::eventer

#include "kubeevents/client/rest/discovery.h"

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"

namespace kube::rest {

namespace {

Status Decode(std::string_view what) {
  return Status(StatusCode::kInternal, "decoding APIResourceList: " + std::string(what),
                ErrorOrigin::kDecode);
}

std::string Str(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

StatusOr<APIResourceList> ServerResourcesForGroupVersion(RESTClient& client,
                                                         std::string_view group_version) {
  const bool core = group_version.find('/') == std::string_view::npos;
  const std::string path = (core ? "/api/" : "/apis/") + std::string(group_version);
  Result r = client.Get().AbsPath(path).Do();
  if (!r.ok()) return r.status();
  auto doc = api::internal::ParseDocument(r.body());
  if (!doc.ok()) return Decode(doc.status().message());
  if (!doc->IsObject()) return Decode("expected a JSON object");
  APIResourceList list;
  list.group_version = Str(*doc, "groupVersion");
  if (Str(*doc, "kind") != "APIResourceList" && list.group_version.empty()) {
    return Decode("response is not an APIResourceList");
  }
  auto res = doc->FindMember("resources");
  if (res != doc->MemberEnd()) {
    if (!res->value.IsArray()) return Decode("resources: expected an array");
    for (const auto& item : res->value.GetArray()) {
      if (!item.IsObject()) return Decode("resources[]: expected an object");
      APIResource a;
      a.name = Str(item, "name");
      a.singular_name = Str(item, "singularName");
      a.kind = Str(item, "kind");
      if (auto ns = item.FindMember("namespaced"); ns != item.MemberEnd() && ns->value.IsBool()) {
        a.namespaced = ns->value.GetBool();
      }
      if (auto verbs = item.FindMember("verbs");
          verbs != item.MemberEnd() && verbs->value.IsArray()) {
        for (const auto& v : verbs->value.GetArray()) {
          if (v.IsString()) a.verbs.emplace_back(v.GetString(), v.GetStringLength());
        }
      }
      list.resources.push_back(std::move(a));
    }
  }
  return list;
}

StatusOr<bool> ServerSupportsGroupVersion(RESTClient& client, std::string_view group_version) {
  auto list = ServerResourcesForGroupVersion(client, group_version);
  if (list.ok()) return true;
  if (api::errors::IsNotFound(list.status())) return false;
  return list.status();
}

}  // namespace kube::rest

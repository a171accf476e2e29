#include "kubeevents/tools/localapiserver/internal/patch.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "kubeevents/api/internal/json_codec.h"

namespace kube::localapiserver::internal {

namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";

std::string_view Name(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

void RemoveMember(Value& obj, std::string_view key) {
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (Name(it->name) == key) {
      obj.EraseMember(it);
      return;
    }
  }
}

Value* FindMember(Value& obj, std::string_view key) {
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (Name(it->name) == key) return &it->value;
  }
  return nullptr;
}

void SetMember(Value& obj, std::string_view key, Value&& v, Allocator& a) {
  if (Value* existing = FindMember(obj, key)) {
    *existing = std::move(v);
    return;
  }
  obj.AddMember(Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), a), std::move(v),
                a);
}

// RFC 7386 MergePatch(target, patch).
void MergePatch(Value& target, const Value& patch, Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& m : patch.GetObject()) {
    const auto key = Name(m.name);
    if (m.value.IsNull()) {
      RemoveMember(target, key);
      continue;
    }
    Value* existing = FindMember(target, key);
    if (existing == nullptr) {
      Value fresh(rapidjson::kNullType);
      MergePatch(fresh, m.value, a);
      SetMember(target, key, std::move(fresh), a);
    } else {
      MergePatch(*existing, m.value, a);
    }
  }
}

bool SameJson(const Value& a, const Value& b) { return a == b; }

Status StrategicMerge(Value& target, const Value& patch, Allocator& a, std::string_view path);

// Lists: ownerReferences merge by uid; finalizers merge as a set; everything else replaces.
Status MergeList(Value& target, const Value& patch, Allocator& a, std::string_view path) {
  const bool merge_by_uid = path == "metadata.ownerReferences";
  const bool primitive_set = path == "metadata.finalizers";
  if ((!merge_by_uid && !primitive_set) || !target.IsArray()) {
    target.CopyFrom(patch, a);
    return {};
  }
  for (const auto& item : patch.GetArray()) {
    if (primitive_set) {
      bool present = false;
      for (const auto& t : target.GetArray()) present = present || SameJson(t, item);
      if (!present) target.PushBack(Value(item, a), a);
      continue;
    }
    if (!item.IsObject() || !item.HasMember("uid")) {
      return InvalidArgumentError("map: " + std::string(path) +
                                  " does not contain declared merge key: uid");
    }
    Value* match = nullptr;
    for (auto& t : target.GetArray()) {
      if (t.IsObject() && t.HasMember("uid") && t["uid"] == item["uid"]) match = &t;
    }
    const Value* directive =
        item.IsObject() && item.HasMember("$patch") ? &item["$patch"] : nullptr;
    if (directive != nullptr && directive->IsString() && Name(*directive) == "delete") {
      if (match != nullptr) {
        for (auto it = target.Begin(); it != target.End(); ++it) {
          if (&*it == match) {
            target.Erase(it);
            break;
          }
        }
      }
      continue;
    }
    if (match != nullptr) {
      if (auto st = StrategicMerge(*match, item, a, path); !st.ok()) return st;
    } else {
      Value fresh(rapidjson::kObjectType);
      if (auto st = StrategicMerge(fresh, item, a, path); !st.ok()) return st;
      target.PushBack(std::move(fresh), a);
    }
  }
  return {};
}

Status StrategicMerge(Value& target, const Value& patch, Allocator& a, std::string_view path) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return {};
  }
  if (!target.IsObject()) target.SetObject();
  // Directives first.
  if (patch.HasMember("$patch")) {
    const Value& d = patch["$patch"];
    const std::string_view kind = d.IsString() ? Name(d) : std::string_view();
    if (kind == "replace") {
      target.SetObject();
      for (const auto& m : patch.GetObject()) {
        if (Name(m.name) == "$patch") continue;
        target.AddMember(Value(m.name, a), Value(m.value, a), a);
      }
      return {};
    }
    if (kind == "delete") {
      target.SetNull();
      return {};
    }
    if (kind != "merge") {
      return InvalidArgumentError("Unknown patch type: " + std::string(kind) +
                                  " in map: " + std::string(path.empty() ? "<root>" : path));
    }
  }
  if (patch.HasMember("$retainKeys")) {
    const Value& keep = patch["$retainKeys"];
    if (!keep.IsArray()) return InvalidArgumentError("invalid $retainKeys: expected a list");
    std::vector<std::string> drop;
    for (const auto& m : target.GetObject()) {
      bool kept = false;
      for (const auto& k : keep.GetArray())
        kept = kept || (k.IsString() && Name(k) == Name(m.name));
      if (!kept) drop.emplace_back(Name(m.name));
    }
    for (const auto& k : drop) RemoveMember(target, k);
  }
  for (const auto& m : patch.GetObject()) {
    const auto key = Name(m.name);
    if (key == "$patch" || key == "$retainKeys") continue;
    if (key.substr(0, kSetElementOrder.size()) == kSetElementOrder) continue;
    const std::string child_path =
        path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
    if (key.substr(0, kDeleteFromPrimitiveList.size()) == kDeleteFromPrimitiveList) {
      const auto list_key = key.substr(kDeleteFromPrimitiveList.size());
      Value* list = FindMember(target, list_key);
      if (list != nullptr && list->IsArray() && m.value.IsArray()) {
        for (const auto& del : m.value.GetArray()) {
          for (auto it = list->Begin(); it != list->End();) {
            it = SameJson(*it, del) ? list->Erase(it) : it + 1;
          }
        }
      }
      continue;
    }
    if (m.value.IsNull()) {
      RemoveMember(target, key);
      continue;
    }
    Value* existing = FindMember(target, key);
    Value fresh(rapidjson::kNullType);
    Value& slot = existing != nullptr ? *existing : fresh;
    Status st;
    if (m.value.IsArray()) {
      st = MergeList(slot, m.value, a, child_path);
    } else {
      st = StrategicMerge(slot, m.value, a, child_path);
    }
    if (!st.ok()) return st;
    if (slot.IsNull() && m.value.IsObject()) {  // `$patch: delete` removed the map
      RemoveMember(target, key);
      continue;
    }
    if (existing == nullptr) SetMember(target, key, std::move(fresh), a);
  }
  return {};
}

std::string Serialize(const Value& v) {
  std::string out;
  api::internal::JsonWriter w(out);
  api::internal::WriteValue(w, v);
  return out;
}

}  // namespace

StatusOr<std::string> ApplyMergePatch(std::string_view original_json, std::string_view patch_json) {
  auto original = api::internal::ParseDocument(original_json);
  if (!original) return original.status();
  auto patch = api::internal::ParseDocument(patch_json);
  if (!patch) return patch.status();
  MergePatch(*original, *patch, original->GetAllocator());
  return Serialize(*original);
}

StatusOr<std::string> ApplyStrategicMergePatch(std::string_view original_json,
                                               std::string_view patch_json) {
  auto original = api::internal::ParseDocument(original_json);
  if (!original) return original.status();
  auto patch = api::internal::ParseDocument(patch_json);
  if (!patch) return patch.status();
  if (!patch->IsObject()) {
    return InvalidArgumentError("strategic merge patch must be a JSON object");
  }
  if (auto st = StrategicMerge(*original, *patch, original->GetAllocator(), ""); !st.ok())
    return st;
  return Serialize(*original);
}

}  // namespace kube::localapiserver::internal

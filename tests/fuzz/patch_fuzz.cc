// Strategic merge patch and JSON merge patch application, as the local server applies PATCH
// bodies to a stored event. The input is `<original JSON>\n---\n<patch JSON>`; without the
// separator the whole input is the patch and the original is a typical stored event. A
// successful patch yields valid JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/tools/localapiserver/internal/patch.h"

namespace internal = kube::localapiserver::internal;

namespace {

constexpr std::string_view kStoredEvent = R"({"kind":"Event","apiVersion":"v1",
"metadata":{"name":"pod1.17ab","namespace":"default","uid":"0d6f1c2e","resourceVersion":"7",
"labels":{"app":"web"},"finalizers":["a","b"],
"ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"pod1","uid":"u-1"}]},
"involvedObject":{"kind":"Pod","namespace":"default","name":"pod1","uid":"u-1","apiVersion":"v1"},
"reason":"Started","message":"Started container","source":{"component":"kubelet"},
"firstTimestamp":"2024-05-01T10:00:00Z","lastTimestamp":"2024-05-01T10:00:00Z","count":1,
"type":"Normal","eventTime":null,"reportingComponent":"","reportingInstance":""})";

constexpr std::string_view kSeparator = "\n---\n";

void CheckResult(const kube::StatusOr<std::string>& result) {
  if (!result.ok()) {
    KUBEEVENTS_FUZZ_CHECK(!result.status().message().empty(), "error without a message");
    return;
  }
  auto doc = kube::api::internal::ParseDocument(*result);
  KUBEEVENTS_FUZZ_CHECK(doc.ok(), *result, doc.status().message());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view original = kStoredEvent;
  std::string_view patch = input;
  if (const auto sep = input.find(kSeparator); sep != std::string_view::npos) {
    original = input.substr(0, sep);
    patch = input.substr(sep + kSeparator.size());
  }
  CheckResult(internal::ApplyStrategicMergePatch(original, patch));
  CheckResult(internal::ApplyMergePatch(original, patch));
  return 0;
}

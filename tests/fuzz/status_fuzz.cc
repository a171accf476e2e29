// metav1.Status decoding, as the REST client does for every error response: decode, round trip
// through the encoder, turn it into a kube::Status and ask the errors package about it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "kubeevents/api/common/status.h"
#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/json.h"
#include "kubeevents/api/meta/v1/status.h"

namespace meta = kube::api::meta::v1;
namespace errors = kube::api::errors;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = kube::api::FromJson<meta::Status>(input);
  if (!decoded.ok()) return 0;
  const std::string json = kube::api::ToJson(*decoded);
  auto again = kube::api::FromJson<meta::Status>(json);
  KUBEEVENTS_FUZZ_CHECK(again.ok(), json, again.status().message());
  // One round settles the object (invalid UTF-8 became U+FFFD); the next keeps it and its text.
  const std::string json2 = kube::api::ToJson(*again);
  auto third = kube::api::FromJson<meta::Status>(json2);
  KUBEEVENTS_FUZZ_CHECK(third.ok() && *third == *again, json, json2);
  KUBEEVENTS_FUZZ_CHECK(kube::api::ToJson(*third) == json2, json2, kube::api::ToJson(*third));
  for (int code : {decoded->code, 0, 404, 500}) {
    const kube::Status s = kube::Status::FromAPIStatus(*decoded, code);
    (void)errors::ReasonForError(s);
    (void)errors::IsNotFound(s);
    (void)errors::IsConflict(s);
    (void)errors::IsTooManyRequests(s);
    (void)errors::HasStatusCause(s, "FieldValueInvalid");
    (void)s.ToString();
  }
  return 0;
}

// The kubeconfig loader (clientcmd) from bytes: YAML or JSON text, merged into one file's view,
// the context selected and a rest::Config built. Relative file references resolve against an
// empty temporary directory made once, so inputs touch no real credentials and create nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/client/rest/kubeconfig.h"

namespace {

std::string& Origin() {
  static std::string origin;
  return origin;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // mkdtemp replaces the template's six trailing 'X's with a unique suffix.
  std::string dir =
      (std::filesystem::temp_directory_path() / "kubeevents-fuzz-").string() + std::string(6, 'X');
  if (::mkdtemp(dir.data()) == nullptr) std::abort();
  Origin() = dir + "/config";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto logger = std::make_shared<kube::NullLogger>();
  auto config = kube::rest::ParseKubeconfig(text, Origin(), {}, logger);
  if (!config.ok()) {
    KUBEEVENTS_FUZZ_CHECK(!config.status().message().empty(), "error without a message");
    return 0;
  }
  // The same text with every override set must load as well.
  kube::rest::KubeconfigOverrides overrides{
      .context = "", .namespace_ = "fuzz", .server = "https://127.0.0.1:6443"};
  auto overridden = kube::rest::ParseKubeconfig(text, Origin(), overrides, logger);
  KUBEEVENTS_FUZZ_CHECK(overridden.ok(), overridden.status().message());
  KUBEEVENTS_FUZZ_CHECK(overridden->default_namespace == "fuzz", overridden->default_namespace);
  return 0;
}

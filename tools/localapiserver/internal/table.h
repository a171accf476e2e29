// Internal: the meta.k8s.io/v1 Tables the local API server answers when a client asks for
// `as=Table` (kubectl's default output): kube-apiserver's event columns, the row object as
// `includeObject` asks (None, Metadata — the default —, Object), and the Tables of a watch
// (`kubectl get events -w`): each WatchEvent's object is a one-row Table, the first carrying
// the column definitions and the rest `null` columns, as kube-apiserver streams them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/api/meta/v1/object_meta.h"
#include "kubeevents/tools/localapiserver/internal/store.h"

namespace kube::localapiserver::internal {

/// What each Table row carries in `object` (metav1.IncludeObjectPolicy).
enum class IncludeObject { kNone, kMetadata, kObject };

/// Whether an Accept header asks for a meta.k8s.io Table.
bool WantsTable(std::string_view accept);

/// Parses `includeObject` ("" = Metadata); an unknown value is a 400 BadRequest Status.
StatusOr<IncludeObject> ParseIncludeObject(std::string_view value);

/// apimachinery's duration.HumanDuration, as kubectl's AGE/LAST SEEN columns print it.
std::string HumanDuration(std::chrono::seconds d);

/// Opens a Table object: kind, apiVersion and metadata (with `resource_version` unless ""). The
/// caller writes columnDefinitions and rows, then closes the object.
void StartTable(api::internal::JsonWriter& w, const std::string& resource_version);

/// Writes a row's `object` in its default form: a meta.k8s.io/v1 PartialObjectMetadata with
/// `metadata` (what kubectl reads for NAMESPACE with -A).
void WritePartialObjectMetadata(api::internal::JsonWriter& w,
                                const api::meta::v1::ObjectMeta& metadata);

/// One entry of columnDefinitions (metav1.TableColumnDefinition, empty description).
void WriteColumnDefinition(api::internal::JsonWriter& w, std::string_view name,
                           std::string_view type, std::string_view format, int priority);

/// How to render a Table.
struct TableOptions {
  IncludeObject include = IncludeObject::kMetadata;
  RequestVersion version = RequestVersion::kCoreV1;  ///< of the row objects (kObject)
  bool no_headers = false;  ///< `"columnDefinitions":null` (watch frames after the first)
};

/// The Table of `items`; `resource_version` goes into its metadata ("" = none).
std::string EventTable(const std::vector<EventPtr>& items, const std::string& resource_version,
                       Clock::time_point now, const TableOptions& options);

/// Encodes watch changes as WatchEvents of one-row Tables: the first call's Table has the
/// column definitions, later ones none. One encoder per watch stream; not thread-safe.
class TableWatchEncoder {
 public:
  TableWatchEncoder(std::shared_ptr<Clock> clock, TableOptions options);
  std::string operator()(const Change& change);

 private:
  std::shared_ptr<Clock> clock_;
  TableOptions options_;
};

}  // namespace kube::localapiserver::internal

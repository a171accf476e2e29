// kube::eventer::Checkpoint: the last exported resourceVersion of every watch, in a file that
// is replaced atomically (write to a temporary, fsync, rename, fsync the directory).
#pragma once

#include <map>
#include <string>

#include "kubeevents/api/common/status_or.h"

namespace kube::eventer {

/// Watch key (namespace, "" for all, plus the field selector) → resourceVersion.
using CheckpointState = std::map<std::string, std::string>;

/// The key a watch is checkpointed under: "<namespace or *>|<field selector>".
std::string CheckpointKey(const std::string& namespace_, const std::string& field_selector);

/// Reads the file. A missing file is an empty state (OK); an unreadable or corrupt one is
/// kDataLoss naming the file and what was wrong (the exporter warns and lists from scratch).
StatusOr<CheckpointState> ReadCheckpoint(const std::string& path);
/// Writes the state atomically: readers see the old file or the new one, never a torn one.
Status WriteCheckpoint(const std::string& path, const CheckpointState& state);

}  // namespace kube::eventer

// kube::eventer::PostgresReceiver: events into a PostgreSQL table with libpqxx, one row per
// (uid, resourceVersion), inserted idempotently so a re-delivery changes nothing.
#pragma once

#include <memory>
#include <string>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/eventer/config.h"
#include "kubeevents/tools/eventer/receiver.h"

namespace kube::eventer {

/// The table's definition (also printed in docs/eventer.md).
std::string PostgresTableDDL(const std::string& table);

/// Each batch is one transaction of `INSERT ... ON CONFLICT (uid, resource_version) DO
/// NOTHING`; it is acknowledged when COMMIT returns. A lost connection is re-opened on the
/// next attempt (retried by the worker); data errors (a value the server refuses) are
/// permanent. The connection is opened lazily, so a database that is down at start only
/// delays this receiver.
class PostgresReceiver final : public Receiver {
 public:
  PostgresReceiver(PostgresReceiverConfig config, std::shared_ptr<Logger> logger);
  ~PostgresReceiver() override;
  SendResult Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kube::eventer

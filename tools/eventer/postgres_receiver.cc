#include "kubeevents/tools/eventer/postgres_receiver.h"

#include <pqxx/pqxx>

#include <optional>
#include <utility>

namespace kube::eventer {

std::string PostgresTableDDL(const std::string& table) {
  return "CREATE TABLE IF NOT EXISTS " + table +
         " (\n"
         "  uid                  text        NOT NULL,\n"
         "  resource_version     text        NOT NULL,\n"
         "  change               text        NOT NULL,\n"
         "  namespace            text        NOT NULL,\n"
         "  name                 text        NOT NULL,\n"
         "  type                 text        NOT NULL,\n"
         "  reason               text        NOT NULL,\n"
         "  message              text        NOT NULL,\n"
         "  count                integer     NOT NULL,\n"
         "  involved_kind        text        NOT NULL,\n"
         "  involved_namespace   text        NOT NULL,\n"
         "  involved_name        text        NOT NULL,\n"
         "  involved_uid         text        NOT NULL,\n"
         "  involved_api_version text        NOT NULL,\n"
         "  source_component     text        NOT NULL,\n"
         "  source_host          text        NOT NULL,\n"
         "  reporting_controller text        NOT NULL,\n"
         "  reporting_instance   text        NOT NULL,\n"
         "  action               text        NOT NULL,\n"
         "  first_timestamp      timestamptz,\n"
         "  last_timestamp       timestamptz,\n"
         "  event_time           timestamptz,\n"
         "  raw                  jsonb       NOT NULL,\n"
         "  exported_at          timestamptz NOT NULL DEFAULT now(),\n"
         "  PRIMARY KEY (uid, resource_version)\n"
         ")";
}

struct PostgresReceiver::Impl {
  PostgresReceiverConfig config;
  std::shared_ptr<Logger> logger;
  std::optional<pqxx::connection> conn;
  bool table_ready = false;
};

PostgresReceiver::PostgresReceiver(PostgresReceiverConfig config, std::shared_ptr<Logger> logger)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->logger = std::move(logger);
}

PostgresReceiver::~PostgresReceiver() = default;

SendResult PostgresReceiver::Send(std::span<const std::shared_ptr<const ExportedEvent>> batch) {
  Impl& im = *impl_;
  SendResult result;
  try {
    if (!im.conn || !im.conn->is_open()) {
      im.conn.reset();
      im.conn.emplace(im.config.url);
      im.table_ready = false;
    }
    if (!im.table_ready && im.config.create_table) {
      pqxx::work ddl(*im.conn);
      ddl.exec(PostgresTableDDL(im.config.table));
      ddl.commit();
    }
    im.table_ready = true;
    pqxx::work w(*im.conn);
    std::string sql;
    sql.reserve(batch.size() * 1024);
    sql += "INSERT INTO " + im.config.table +
           " (uid, resource_version, change, namespace, name, type, reason, message, count, "
           "involved_kind, involved_namespace, involved_name, involved_uid, "
           "involved_api_version, source_component, source_host, reporting_controller, "
           "reporting_instance, action, first_timestamp, last_timestamp, event_time, raw) "
           "VALUES ";
    auto ts = [&](const std::string& s) { return s.empty() ? std::string("NULL") : w.quote(s); };
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& e = *batch[i];
      const auto& ev = e.event;
      if (i > 0) sql += ',';
      sql += '(';
      for (const std::string* s : {&ev.metadata.uid, &ev.metadata.resource_version}) {
        sql += w.quote(*s);
        sql += ',';
      }
      sql += w.quote(std::string(ChangeTypeName(e.change)));
      for (const std::string* s :
           {&ev.metadata.namespace_, &ev.metadata.name, &ev.type, &ev.reason, &ev.message}) {
        sql += ',';
        sql += w.quote(*s);
      }
      sql += ',' + std::to_string(ev.count);
      for (const std::string* s :
           {&ev.involved_object.kind, &ev.involved_object.namespace_, &ev.involved_object.name,
            &ev.involved_object.uid, &ev.involved_object.api_version, &ev.source.component,
            &ev.source.host, &ev.reporting_controller, &ev.reporting_instance, &ev.action}) {
        sql += ',';
        sql += w.quote(*s);
      }
      sql += ',' + ts(ev.first_timestamp.ToString());
      sql += ',' + ts(ev.last_timestamp.ToString());
      sql += ',' + ts(ev.event_time.ToString());
      sql += ',' + w.quote(e.Json()) + "::jsonb)";
    }
    sql += " ON CONFLICT (uid, resource_version) DO NOTHING";
    w.exec(sql);
    w.commit();
    result.written = batch.size();
  } catch (const pqxx::broken_connection& e) {
    im.conn.reset();
    result.error = UnavailableError(std::string("postgres: connection: ") + e.what());
  } catch (const pqxx::in_doubt_error& e) {
    // COMMIT's outcome is unknown: retrying is safe because the insert is idempotent.
    im.conn.reset();
    result.error = UnavailableError(std::string("postgres: commit in doubt: ") + e.what());
  } catch (const pqxx::transaction_rollback& e) {
    result.error = UnavailableError(std::string("postgres: rolled back: ") + e.what());
  } catch (const pqxx::insufficient_resources& e) {
    result.error = UnavailableError(std::string("postgres: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    // Class 08 (connection), 53 (resources) and 57 (operator intervention, e.g. a restart)
    // are worth retrying; anything else is a statement or data the server refuses.
    const std::string state = e.sqlstate();
    const bool transient = state.starts_with("08") || state.starts_with("53") ||
                           state.starts_with("57") || state.starts_with("40");
    if (transient) im.conn.reset();
    result.error = Status(transient ? StatusCode::kUnavailable : StatusCode::kInvalidArgument,
                          std::string("postgres: ") + e.what() + " (SQLSTATE " + state + ")");
    result.permanent = !transient;
  } catch (const std::exception& e) {
    im.conn.reset();
    result.error = UnavailableError(std::string("postgres: ") + e.what());
  }
  return result;
}

}  // namespace kube::eventer

// Internal: RapidJSON-based readers and Go-faithful writers for every API type, shared by
// the codec, the REST client and the local API server. Not installed.
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/coordination/v1/lease.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/api/meta/v1/status.h"
#include "kubeevents/api/meta/v1/watch_event.h"

namespace kube::api::internal {

/// Deepest nesting a document may have; deeper input is rejected before it is walked.
inline constexpr int kMaxJsonDepth = 256;

/// A location inside a document, for error messages ("items[3].involvedObject.uid").
/// Segments live on the caller's stack; only an error materializes the string.
struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view key;
  long index = -1;
  std::string ToString() const;
};

/// kInvalidArgument naming the offset of the first NUL byte in `json`, if any; else OK. A raw
/// NUL is never valid JSON (inside a string it must be escaped), but RapidJSON takes it for the
/// end of the input, which would accept `{...}<NUL>anything`; every parse here checks first.
Status CheckNoNulByte(std::string_view json);

/// Parses `json` (iteratively, so deep nesting cannot overflow the stack) and checks its
/// depth. Errors are kInvalidArgument naming the offset.
StatusOr<rapidjson::Document> ParseDocument(std::string_view json);

/// Capacity ParseDocumentInsitu wants after a buffer's end: RapidJSON's SSE2 scan reads the
/// whole aligned 16-byte block that holds the terminating NUL.
inline constexpr std::size_t kInsituPadding = 16;

/// ParseDocument of a copy of `json` made in `buffer` and parsed there in place: the same
/// result, faster (RapidJSON's in-place mode neither copies strings into the document's pool
/// nor reads them byte by byte). The document points into `buffer`, which must outlive it.
StatusOr<rapidjson::Document> ParseDocumentCopy(std::string_view json, std::string& buffer);

/// ParseDocument of `buffer` in place (RapidJSON's insitu mode): the document's strings point
/// into `buffer`, which it modifies and which must outlive it. A NUL byte is an error. The
/// buffer's capacity is raised to size() + kInsituPadding first if it is below (reserve it
/// up front to avoid that copy).
StatusOr<rapidjson::Document> ParseDocumentInsitu(std::string& buffer);

/// Reads a metav1.WatchEvent with a SAX pass: the whole frame is validated (syntax, depth,
/// the types of "type" and "object") and the object is kept as the exact text it was sent
/// as, without building a DOM of it or re-encoding it.
StatusOr<meta::v1::WatchEvent> ScanWatchEvent(std::string_view json);

/// Re-encodes an arbitrary RapidJSON value with Go's escaping.
void WriteValue(JsonWriter& w, const rapidjson::Value& v);

// Writers: exact Go field order and omitempty rules.
void Write(JsonWriter& w, const meta::v1::ObjectMeta& m);
void Write(JsonWriter& w, const meta::v1::ListMeta& m);
void Write(JsonWriter& w, const meta::v1::Status& s);
void Write(JsonWriter& w, const meta::v1::WatchEvent& e);
void Write(JsonWriter& w, const core::v1::ObjectReference& r);
void Write(JsonWriter& w, const core::v1::EventSource& s);
void Write(JsonWriter& w, const core::v1::Event& e);
void Write(JsonWriter& w, const core::v1::EventList& l);
void Write(JsonWriter& w, const events::v1::Event& e);
void Write(JsonWriter& w, const events::v1::EventList& l);
void Write(JsonWriter& w, const coordination::v1::LeaseSpec& s);
void Write(JsonWriter& w, const coordination::v1::Lease& l);
void Write(JsonWriter& w, const coordination::v1::LeaseList& l);

// Readers: tolerate unknown fields and null, reject wrong types naming the path. `out` must be
// a default-constructed object (they fill it; they do not reset it first).
Status Read(const rapidjson::Value& v, const JsonPath& p, meta::v1::ObjectMeta& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, meta::v1::ListMeta& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, meta::v1::Status& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, core::v1::ObjectReference& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, core::v1::EventSource& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, core::v1::EventSeries& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, events::v1::EventSeries& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, core::v1::Event& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, core::v1::EventList& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, events::v1::Event& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, events::v1::EventList& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, coordination::v1::LeaseSpec& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, coordination::v1::Lease& out);
Status Read(const rapidjson::Value& v, const JsonPath& p, coordination::v1::LeaseList& out);

}  // namespace kube::api::internal

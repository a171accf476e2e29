// The REST client's request bytes (RequestWire): the input is cut into header fields and a
// body; whatever fields RequestWire accepts, the bytes it produces must parse — with Beast's
// request parser, as a server reads them — as one request carrying exactly those fields (in
// order, values as the parser trims them), the Content-Length, and the body. A field it
// refuses must be one Go's net/http refuses or never sends from a request's headers (name not
// a token, value with a control byte other than tab, a framing field). So no accepted input
// can end the header early, add a field or change the framing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "fuzz_check.h"
#include "kubeevents/client/rest/internal/request_wire.h"

namespace http = boost::beast::http;
using kube::rest::internal::IsFramingField;
using kube::rest::internal::IsHeaderToken;
using kube::rest::internal::IsHeaderValue;
using kube::rest::internal::RequestWire;

namespace {

// Takes a piece whose length is the next input byte (shorter at the end of the input).
std::string_view Take(std::string_view& in) {
  if (in.empty()) return {};
  const std::size_t n =
      std::min<std::size_t>(static_cast<unsigned char>(in.front()), in.size() - 1);
  const std::string_view piece = in.substr(1, n);
  in.remove_prefix(1 + n);
  return piece;
}

// What a parser keeps of a field value: optional whitespace around it removed.
std::string_view Trimmed(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string_view body = Take(in);
  RequestWire wire("POST", "/api/v1/namespaces/default/events", body.size());
  std::vector<std::pair<std::string, std::string>> accepted;
  for (int i = 0; i < 16 && !in.empty(); ++i) {
    const std::string_view name = Take(in);
    const std::string_view value = Take(in);
    const bool ok = wire.Add(name, value).ok();
    KUBEEVENTS_FUZZ_CHECK(
        ok == (IsHeaderToken(name) && !IsFramingField(name) && IsHeaderValue(value)), name, value);
    if (ok) accepted.emplace_back(name, value);
  }
  const std::string bytes = std::move(wire).Finish(body);

  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(1 << 20);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(bytes), ec);
  KUBEEVENTS_FUZZ_CHECK(!ec && parser.is_done() && used == bytes.size(), ec.message(), bytes);
  const auto& req = parser.get();
  KUBEEVENTS_FUZZ_CHECK(req.method_string() == "POST" && req.body() == body, bytes);
  std::size_t i = 0;
  for (const auto& field : req) {
    const std::string_view name(field.name_string().data(), field.name_string().size());
    const std::string_view value(field.value().data(), field.value().size());
    if (i == accepted.size()) {  // only Content-Length follows the accepted fields
      KUBEEVENTS_FUZZ_CHECK(name == "Content-Length" && value == std::to_string(body.size()), name,
                            value, bytes);
      ++i;
      continue;
    }
    KUBEEVENTS_FUZZ_CHECK(
        i < accepted.size() && name == accepted[i].first && value == Trimmed(accepted[i].second),
        name, value, bytes);
    ++i;
  }
  KUBEEVENTS_FUZZ_CHECK(i == accepted.size() + 1, bytes);
  return 0;
}

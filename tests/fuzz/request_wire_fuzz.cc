// The REST client's request bytes (RequestWire): the input is cut into header fields and a
// body; whatever fields RequestWire accepts, the bytes it produces must parse — with Beast's
// request parser, as a server reads them — as one request carrying exactly those fields (each
// name's values in order, as the parser trims them), the Content-Length, and the body. A field it
// refuses must be one Go's net/http refuses or never sends from a request's headers (name not
// a token, value with a control byte other than tab, a framing field). So no accepted input
// can end the header early, add a field or change the framing.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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
  // The parser keeps fields of one name together (in their order), so compare per name.
  std::vector<std::pair<std::string, std::string>> parsed;
  for (const auto& field : req) {
    parsed.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  std::vector<std::pair<std::string, std::string>> expected;
  for (const auto& [name, value] : accepted) expected.emplace_back(name, Trimmed(value));
  expected.emplace_back("Content-Length", std::to_string(body.size()));
  auto by_name = [](const auto& a, const auto& b) { return Lower(a.first) < Lower(b.first); };
  std::stable_sort(parsed.begin(), parsed.end(), by_name);
  std::stable_sort(expected.begin(), expected.end(), by_name);
  KUBEEVENTS_FUZZ_CHECK(parsed == expected, bytes);
  return 0;
}

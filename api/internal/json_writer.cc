#include "kubeevents/api/internal/json_writer.h"

#include <array>
#include <cstdio>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <rapidjson/internal/dtoa.h>

namespace kube::api::internal {

namespace {
// Bytes that can be copied verbatim: printable ASCII except " \\ < > &.
constexpr std::array<bool, 256> MakePlainTable() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[static_cast<std::size_t>(c)] = true;
  for (char c : {'"', '\\', '<', '>', '&'}) t[static_cast<unsigned char>(c)] = false;
  return t;
}
constexpr std::array<bool, 256> kPlain = MakePlainTable();

// The index of the first byte of `s` at or after `from` that is not copied verbatim, or
// s.size(). Messages are often 30-100 bytes, so with SSE2 (every x86-64 CPU) it tests 16
// bytes per step: a byte below 0x20 or above 0x7f (negative as a signed char) or one of
// " \\ < > &. Every load lies inside `s`; the last step overlaps bytes already found plain.
std::size_t PlainPrefixEnd(std::string_view s, std::size_t from) {
  const std::size_t n = s.size();
  std::size_t i = from;
#if defined(__SSE2__)
  if (n - i >= 16) {
    const char* p = s.data();
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i lt = _mm_set1_epi8('<');
    const __m128i gt = _mm_set1_epi8('>');
    const __m128i amp = _mm_set1_epi8('&');
    auto special = [&](std::size_t at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
      const __m128i hit = _mm_or_si128(
          _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, quote)),
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, lt)),
                       _mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, amp))));
      return static_cast<unsigned>(_mm_movemask_epi8(hit));
    };
    for (; n - i >= 16; i += 16) {
      if (const unsigned m = special(i); m != 0)
        return i + static_cast<std::size_t>(__builtin_ctz(m));
    }
    if (i == n) return n;
    const std::size_t last = n - 16;  // overlaps [last, i), already plain
    const unsigned m = special(last);
    return m == 0 ? n : last + static_cast<std::size_t>(__builtin_ctz(m));
  }
#endif
  while (i < n && kPlain[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// Whether every byte of `s` is copied verbatim (the common case: names, reasons, timestamps).
bool AllPlain(std::string_view s) { return PlainPrefixEnd(s, 0) == s.size(); }

// Appends prefix, s and suffix with one change of size (one call instead of three: most
// strings of an event are short, so the calls, not the bytes, were the cost).
void AppendFramed(std::string& out, std::string_view prefix, std::string_view s,
                  std::string_view suffix) {
  const std::size_t at = out.size();
  out.resize(at + prefix.size() + s.size() + suffix.size());
  char* p = out.data() + at;
  for (char c : prefix) *p++ = c;  // 1-2 bytes: a library memcpy call costs more
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p += s.size();
  for (char c : suffix) *p++ = c;
}

// AppendQuoted for a string with at least one byte to escape or validate.
void AppendQuotedSlow(std::string& out, std::string_view s);

}  // namespace

void AppendQuoted(std::string& out, std::string_view s) {
  if (AllPlain(s)) {
    AppendFramed(out, "\"", s, "\"");
    return;
  }
  AppendQuotedSlow(out, s);
}

namespace {

void AppendQuotedSlow(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    // Fast path: copy a run of characters that need no escaping in one append.
    const std::size_t run = PlainPrefixEnd(s, i);
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i >= n) break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('\\');
        switch (c) {
          case '"':
            out.push_back('"');
            break;
          case '\\':
            out.push_back('\\');
            break;
          case '\n':
            out.push_back('n');
            break;
          case '\r':
            out.push_back('r');
            break;
          case '\t':
            out.push_back('t');
            break;
          default:
            out += "u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: validate; invalid sequences become U+FFFD as in Go.
    int len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool valid = len > 0 && i + static_cast<std::size_t>(len) <= n;
    for (int k = 1; valid && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (valid) {
      if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
          cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        valid = false;
    }
    if (!valid) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      out += cp == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.data() + i, static_cast<std::size_t>(len));
    }
    i += static_cast<std::size_t>(len);
  }
  out.push_back('"');
}

}  // namespace

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = 0;
  }
}

void JsonWriter::StartObject() {
  BeforeValue();
  out_.push_back('{');
  first_.push_back(1);
}
void JsonWriter::EndObject() {
  out_.push_back('}');
  first_.pop_back();
}
void JsonWriter::StartArray() {
  BeforeValue();
  out_.push_back('[');
  first_.push_back(1);
}
void JsonWriter::EndArray() {
  out_.push_back(']');
  first_.pop_back();
}
void JsonWriter::Key(std::string_view key) {
  const bool first = first_.back() != 0;
  first_.back() = 0;
  after_key_ = true;
  if (AllPlain(key)) {  // ,"key": in one piece
    AppendFramed(out_, first ? std::string_view("\"") : std::string_view(",\""), key, "\":");
    return;
  }
  if (!first) out_.push_back(',');
  AppendQuotedSlow(out_, key);
  out_.push_back(':');
}
void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendQuoted(out_, value);
}
void JsonWriter::Int(std::int64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
}
void JsonWriter::Uint(std::uint64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
}
void JsonWriter::Double(double value) {
  BeforeValue();
  char buf[32];
  char* end = rapidjson::internal::dtoa(value, buf);
  out_.append(buf, end);
}
void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
}
void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}
void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
}

}  // namespace kube::api::internal

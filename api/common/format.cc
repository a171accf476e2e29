#include "kubeevents/api/common/format.h"

#include <charconv>
#include <cstdio>
#include <cstring>

namespace kube {
namespace {

struct Spec {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  int width = -1;
  int precision = -1;
  /// No flags, width or precision: the verb's plain form.
  bool IsDefault() const {
    return !plus && !minus && !sharp && !space && !zero && width < 0 && precision < 0;
  }
};

void Pad(std::string& out, std::string_view body, const Spec& spec) {
  const int n = static_cast<int>(body.size());
  if (spec.width <= n) {
    out.append(body);
    return;
  }
  const auto fill = static_cast<std::size_t>(spec.width - n);
  if (spec.minus) {
    out.append(body);
    out.append(fill, ' ');
  } else {
    out.append(fill, spec.zero ? '0' : ' ');
    out.append(body);
  }
}

// Numbers: zero padding goes after the sign, as in Go.
void PadNumber(std::string& out, std::string body, const Spec& spec) {
  if (spec.zero && !spec.minus && spec.width > static_cast<int>(body.size())) {
    std::size_t sign = (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' '));
    body.insert(sign, static_cast<std::size_t>(spec.width) - body.size(), '0');
    out += body;
    return;
  }
  Spec s = spec;
  s.zero = false;
  Pad(out, body, s);
}

std::string IntBody(bool negative, std::uint64_t mag, int base, bool upper, const Spec& spec) {
  char digits[72];
  auto r = std::to_chars(digits, digits + sizeof digits, mag, base);
  std::string d(digits, r.ptr);
  if (upper) {
    for (auto& c : d) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (spec.precision >= 0) {
    if (spec.precision == 0 && mag == 0) d.clear();
    while (static_cast<int>(d.size()) < spec.precision) d.insert(d.begin(), '0');
  }
  std::string prefix;
  if (spec.sharp) {
    if (base == 16) prefix = upper ? "0X" : "0x";
    if (base == 8 && (d.empty() || d[0] != '0')) prefix = "0";
    if (base == 2) prefix = "0b";
  }
  std::string sign = negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  return sign + prefix + d;
}

// Go's strconv.FormatFloat(v, 'g', -1, 64), which is what %v and %g print: the shortest
// digits that round-trip, in %e form when the exponent is < -4 or >= 6 (so 1e6 → "1e+06").
std::string ShortestG(double v, int exp_threshold) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // e.g. "1.5e+06", "-2e-05", "inf", "nan"
  if (sci == "inf") return "+Inf";
  if (sci == "-inf") return "-Inf";
  if (sci.find("nan") != std::string::npos) return "NaN";
  const auto epos = sci.find('e');
  const int exp = std::atoi(sci.c_str() + epos + 1);
  if (exp < -4 || exp >= exp_threshold) {
    // Go prints at least two exponent digits: 1e+06.
    std::string mant = sci.substr(0, epos);
    std::string e = sci.substr(epos + 2);
    while (e.size() < 2) e.insert(e.begin(), '0');
    return mant + "e" + sci[epos + 1] + e;
  }
  r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string CFloat(char verb, double v, const Spec& spec) {
  std::string fmt = "%";
  if (spec.plus) fmt += '+';
  if (spec.space) fmt += ' ';
  if (spec.sharp) fmt += '#';
  if (spec.precision >= 0) fmt += "." + std::to_string(spec.precision);
  fmt += verb;
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt.c_str(), v);
  std::string s(buf);
  if (s == "inf" || s == "+inf") return "+Inf";
  if (s == "-inf") return "-Inf";
  if (s == "nan" || s == "-nan") return "NaN";
  return s;
}

void FormatDefault(std::string& out, const FormatArg& a) {
  switch (a.kind()) {
    case FormatArg::Kind::kInt:
      out += std::to_string(a.int_value());
      break;
    case FormatArg::Kind::kUint:
      out += std::to_string(a.uint_value());
      break;
    case FormatArg::Kind::kDouble:
      out += ShortestG(a.double_value(), 6);
      break;
    case FormatArg::Kind::kBool:
      out += a.bool_value() ? "true" : "false";
      break;
    case FormatArg::Kind::kString:
      out += a.string_value();
      break;
    case FormatArg::Kind::kPointer: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(a.uint_value()));
      out += a.uint_value() == 0 ? "<nil>" : buf;
      break;
    }
  }
}

void BadVerb(std::string& out, char verb, const FormatArg& a) {
  out += "%!";
  out += verb;
  out += '(';
  out += a.type_name();
  out += '=';
  FormatDefault(out, a);
  out += ')';
}

void FormatOne(std::string& out, char verb, const Spec& spec, const FormatArg& a) {
  using K = FormatArg::Kind;
  const K k = a.kind();
  if (verb == 'T') {
    Pad(out, a.type_name(), spec);
    return;
  }
  if (verb == 'v') {
    if (k == K::kDouble) {
      if (spec.precision >= 0) {
        PadNumber(out, CFloat('g', a.double_value(), spec), spec);
      } else {
        std::string s = ShortestG(a.double_value(), 6);
        if (spec.plus && s[0] != '-' && s[0] != '+') s.insert(s.begin(), '+');
        PadNumber(out, s, spec);
      }
      return;
    }
    if (k == K::kInt || k == K::kUint)
      verb = 'd';
    else if (k == K::kBool)
      verb = 't';
    else if (k == K::kString)
      verb = 's';
    else if (k == K::kPointer)
      verb = 'p';
  }
  switch (k) {
    case K::kBool:
      if (verb != 't') return BadVerb(out, verb, a);
      Pad(out, a.bool_value() ? "true" : "false", spec);
      return;
    case K::kInt:
    case K::kUint: {
      const bool neg = k == K::kInt && a.int_value() < 0;
      const std::uint64_t mag = k == K::kUint ? a.uint_value()
                                              : (neg ? 0 - static_cast<std::uint64_t>(a.int_value())
                                                     : static_cast<std::uint64_t>(a.int_value()));
      switch (verb) {
        case 'd':
          return PadNumber(out, IntBody(neg, mag, 10, false, spec), spec);
        case 'x':
          return PadNumber(out, IntBody(neg, mag, 16, false, spec), spec);
        case 'X':
          return PadNumber(out, IntBody(neg, mag, 16, true, spec), spec);
        case 'o':
          return PadNumber(out, IntBody(neg, mag, 8, false, spec), spec);
        case 'b':
          return PadNumber(out, IntBody(neg, mag, 2, false, spec), spec);
        case 'c': {
          std::string s;
          const auto cp = static_cast<std::uint32_t>(mag);
          if (cp < 0x80) {
            s += static_cast<char>(cp);
          } else if (cp < 0x800) {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
          } else if (cp < 0x10000) {
            s += static_cast<char>(0xE0 | (cp >> 12));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            s += static_cast<char>(0xF0 | (cp >> 18));
            s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
          }
          return Pad(out, s, spec);
        }
        case 'q': {
          std::string s = "'";
          s += static_cast<char>(mag);
          s += "'";
          return Pad(out, s, spec);
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
          return BadVerb(out, verb, a);
        default:
          return BadVerb(out, verb, a);
      }
    }
    case K::kDouble:
      switch (verb) {
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G': {
          Spec s = spec;
          if ((verb == 'e' || verb == 'E' || verb == 'f' || verb == 'F') && s.precision < 0)
            s.precision = 6;
          if ((verb == 'g' || verb == 'G') && s.precision < 0) {
            std::string g = ShortestG(a.double_value(), 6);
            if (verb == 'G')
              for (auto& c : g) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return PadNumber(out, g, spec);
          }
          return PadNumber(out, CFloat(verb == 'F' ? 'f' : verb, a.double_value(), s), spec);
        }
        default:
          return BadVerb(out, verb, a);
      }
    case K::kString: {
      std::string_view s = a.string_value();
      switch (verb) {
        case 's': {
          if (spec.precision >= 0 && static_cast<std::size_t>(spec.precision) < s.size())
            s = s.substr(0, static_cast<std::size_t>(spec.precision));
          return Pad(out, s, spec);
        }
        case 'q': {
          return Pad(out, GoQuote(s), spec);
        }
        case 'x':
        case 'X': {
          static constexpr char kLower[] = "0123456789abcdef";
          static constexpr char kUpper[] = "0123456789ABCDEF";
          const char* hex = verb == 'x' ? kLower : kUpper;
          std::string h;
          for (unsigned char c : s) {
            h += hex[c >> 4];
            h += hex[c & 0xF];
          }
          return Pad(out, h, spec);
        }
        default:
          return BadVerb(out, verb, a);
      }
    }
    case K::kPointer:
      if (verb != 'p') return BadVerb(out, verb, a);
      {
        std::string p;
        FormatDefault(p, a);
        return Pad(out, p, spec);
      }
  }
}

}  // namespace

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  const auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex(s[i + 1]);
      const int lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && s[i] == '+') ? ' ' : s[i];
  }
  return out;
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      switch (c) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        }
      }
      ++i;
    } else {
      // Multi-byte UTF-8: keep valid sequences (printable in Go's sense for our purposes),
      // escape invalid bytes as \x.. like strconv.Quote.
      int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      bool valid = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
      for (int k = 1; valid && k < len; ++k) {
        valid = (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0xC0) == 0x80;
      }
      if (valid) {
        out.append(s.substr(i, static_cast<std::size_t>(len)));
        i += static_cast<std::size_t>(len);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
        ++i;
      }
    }
  }
  out += '"';
  return out;
}

namespace {

// The verbs most messages use, without flags, width or precision — %s or %v of a string, %d
// or %v of an integer — written straight into `out`. False for anything else (FormatOne's).
bool AppendPlain(std::string& out, char verb, const FormatArg& a) {
  using K = FormatArg::Kind;
  switch (a.kind()) {
    case K::kString:
      if (verb != 's' && verb != 'v') return false;
      out.append(a.string_value());
      return true;
    case K::kInt:
    case K::kUint: {
      if (verb != 'd' && verb != 'v') return false;
      char digits[24];
      char* p = digits;
      if (a.kind() == K::kUint) {
        p = std::to_chars(p, digits + sizeof digits, a.uint_value()).ptr;
      } else {
        p = std::to_chars(p, digits + sizeof digits, a.int_value()).ptr;
      }
      out.append(digits, p);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

void AppendSprintf(std::string& out, std::string_view f, std::span<const FormatArg> args) {
  std::size_t argi = 0;
  const std::size_t n = f.size();
  std::size_t i = 0;
  while (i < n) {
    const std::size_t pct = f.find('%', i);
    if (pct == std::string_view::npos) {
      out.append(f.substr(i));
      break;
    }
    out.append(f.substr(i, pct - i));
    i = pct + 1;
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    Spec spec;
    for (; i < n; ++i) {
      const char c = f[i];
      if (c == '+')
        spec.plus = true;
      else if (c == '-')
        spec.minus = true;
      else if (c == '#')
        spec.sharp = true;
      else if (c == ' ')
        spec.space = true;
      else if (c == '0')
        spec.zero = !spec.minus;
      else
        break;
    }
    while (i < n && f[i] >= '0' && f[i] <= '9') {
      spec.width = (spec.width < 0 ? 0 : spec.width) * 10 + (f[i] - '0');
      if (spec.width > 4096) spec.width = 4096;
      ++i;
    }
    if (i < n && f[i] == '.') {
      ++i;
      spec.precision = 0;
      while (i < n && f[i] >= '0' && f[i] <= '9') {
        spec.precision = spec.precision * 10 + (f[i] - '0');
        if (spec.precision > 4096) spec.precision = 4096;
        ++i;
      }
    }
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const char verb = f[i++];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (argi >= args.size()) {
      out += "%!";
      out += verb;
      out += "(MISSING)";
      continue;
    }
    const FormatArg& arg = args[argi++];
    if (spec.IsDefault() && AppendPlain(out, verb, arg)) continue;
    FormatOne(out, verb, spec, arg);
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (std::size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      out += args[k].type_name();
      out += '=';
      FormatDefault(out, args[k]);
    }
    out += ')';
  }
}

}  // namespace kube

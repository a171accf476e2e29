#include "kubeevents/api/meta/v1/time.h"

#include <charconv>
#include <cstdint>

namespace kube::api::meta::v1 {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t y;
  unsigned m, d;
};

Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

void Put(char*& p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  p += width;
}

bool ReadDigits(std::string_view s, std::size_t pos, int n, unsigned& out) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

kube::Status Bad(std::string_view text, std::string_view why) {
  return InvalidArgumentError("invalid RFC 3339 time \"" + std::string(text.substr(0, 64)) +
                              "\": " + std::string(why));
}

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::string FormatRFC3339(TimePoint t, int fraction_digits) {
  std::string out;
  AppendRFC3339(out, t, fraction_digits);
  return out;
}

void AppendRFC3339(std::string& out, TimePoint t, int fraction_digits) {
  using namespace std::chrono;
  if (fraction_digits < 0) fraction_digits = 0;
  if (fraction_digits > 9) fraction_digits = 9;
  const auto ns_total = duration_cast<nanoseconds>(t.time_since_epoch()).count();
  std::int64_t secs = ns_total / 1'000'000'000;
  std::int64_t ns = ns_total % 1'000'000'000;
  if (ns < 0) {
    ns += 1'000'000'000;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  const Civil c = CivilFromDays(days);
  char buf[40];
  char* p = buf;
  Put(p, static_cast<unsigned>(c.y), 4);
  *p++ = '-';
  Put(p, c.m, 2);
  *p++ = '-';
  Put(p, c.d, 2);
  *p++ = 'T';
  Put(p, static_cast<unsigned>(sod / 3600), 2);
  *p++ = ':';
  Put(p, static_cast<unsigned>(sod / 60 % 60), 2);
  *p++ = ':';
  Put(p, static_cast<unsigned>(sod % 60), 2);
  if (fraction_digits > 0) {
    *p++ = '.';
    auto frac = static_cast<unsigned>(ns);
    for (int i = fraction_digits; i < 9; ++i) frac /= 10;
    Put(p, frac, fraction_digits);
  }
  *p++ = 'Z';
  out.append(buf, p);
}

StatusOr<TimePoint> ParseRFC3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  unsigned y, mo, d, h, mi, se;
  if (!ReadDigits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !ReadDigits(s, 5, 2, mo) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !ReadDigits(s, 11, 2, h) || s[13] != ':' || !ReadDigits(s, 14, 2, mi) || s[16] != ':' ||
      !ReadDigits(s, 17, 2, se)) {
    return Bad(s, "expected the form 2006-01-02T15:04:05Z07:00");
  }
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12) return Bad(s, "month out of range");
  unsigned max_day = kDays[mo - 1] + (mo == 2 && IsLeap(y) ? 1 : 0);
  if (d < 1 || d > max_day) return Bad(s, "day out of range");
  if (h > 23) return Bad(s, "hour out of range");
  if (mi > 59) return Bad(s, "minute out of range");
  if (se > 59) return Bad(s, "second out of range");
  std::size_t pos = 19;
  std::int64_t ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        ns = ns * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return Bad(s, "empty fractional second");
    for (int i = digits; i < 9; ++i) ns *= 10;
  }
  if (pos >= s.size()) return Bad(s, "missing time zone offset");
  std::int64_t offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    unsigned oh, om;
    if (!ReadDigits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return Bad(s, "malformed time zone offset");
    }
    offset = (static_cast<std::int64_t>(oh) * 60 + om) * 60;
    if (s[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return Bad(s, "malformed time zone offset");
  }
  if (pos != s.size()) return Bad(s, "trailing characters");
  const std::int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  // system_clock counts nanoseconds in 64 bits: years 1678..2262.
  constexpr std::int64_t kMaxSeconds = 9'223'372'035;
  if (secs > kMaxSeconds || secs < -kMaxSeconds) return Bad(s, "year out of the supported range");
  using namespace std::chrono;
  return TimePoint(duration_cast<system_clock::duration>(seconds(secs) + nanoseconds(ns)));
}

StatusOr<Time> Time::Parse(std::string_view text) {
  if (text.empty()) return Time();
  auto t = ParseRFC3339(text);
  if (!t) return t.status();
  return Time(*t);
}

StatusOr<MicroTime> MicroTime::Parse(std::string_view text) {
  if (text.empty()) return MicroTime();
  auto t = ParseRFC3339(text);
  if (!t) return t.status();
  return MicroTime(*t);
}

}  // namespace kube::api::meta::v1

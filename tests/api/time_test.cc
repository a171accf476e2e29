// metav1.Time and MicroTime: RFC 3339 formatting and parsing as Go does it.
#include <gtest/gtest.h>

#include "kubeevents/api/meta/v1/time.h"

namespace kube::api::meta::v1 {
namespace {

using namespace std::chrono;

TimePoint At(std::int64_t s, std::int64_t ns = 0) {
  return TimePoint(duration_cast<system_clock::duration>(seconds(s) + nanoseconds(ns)));
}

TEST(TimeTest, FormatsSecondsAndMicrosecondsTruncating) {
  EXPECT_EQ(Time(At(1714557603, 999'999'999)).ToString(), "2024-05-01T10:00:03Z");
  EXPECT_EQ(MicroTime(At(1714557603, 123'456'789)).ToString(), "2024-05-01T10:00:03.123456Z");
  EXPECT_EQ(MicroTime(At(0)).ToString(), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRFC3339(At(951782400), 0), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRFC3339(At(-1), 0), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRFC3339(At(7258118399), 3), "2199-12-31T23:59:59.000Z");
  EXPECT_FALSE(ParseRFC3339("9999-12-31T23:59:59Z").ok());  // beyond system_clock's range
}

TEST(TimeTest, ZeroIsEmpty) {
  EXPECT_TRUE(Time().IsZero());
  EXPECT_EQ(Time().ToString(), "");
  EXPECT_FALSE(Time(At(0)).IsZero());  // the Unix epoch is a real time, not Go's zero
  EXPECT_NE(Time(), Time(At(0)));
}

TEST(TimeTest, ParsesOffsetsAndAnyPrecisionToUtc) {
  auto t = ParseRFC3339("2024-05-01T12:00:03+02:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, At(1714557603));
  t = ParseRFC3339("2024-05-01T05:30:03.5-04:30");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, At(1714557603, 500'000'000));
  t = ParseRFC3339("2024-05-01t10:00:03.123456789123z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, At(1714557603, 123'456'789));
  auto m = MicroTime::Parse("2024-05-01T10:00:03.1Z");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->ToString(), "2024-05-01T10:00:03.100000Z");
}

TEST(TimeTest, RejectsMalformedTimesWithAReason) {
  for (const char* bad : {"2024-05-01", "2024-05-01T10:00:03", "2024-13-01T10:00:03Z",
                          "2023-02-29T10:00:03Z", "2024-05-01T24:00:03Z", "2024-05-01T10:00:03.Z",
                          "2024-05-01T10:00:03+0200", "2024-05-01T10:00:03Zjunk", "x"}) {
    auto t = ParseRFC3339(bad);
    EXPECT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.status().message().find("invalid RFC 3339 time"), std::string::npos) << bad;
  }
}

TEST(TimeTest, RoundTripsEveryDayOfAFourHundredYearCycle) {
  for (std::int64_t day = -200 * 365; day < 200 * 366; day += 1) {
    const TimePoint t = At(day * 86400 + 3661);
    auto back = ParseRFC3339(FormatRFC3339(t, 0));
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, t) << FormatRFC3339(t, 0);
  }
}

}  // namespace
}  // namespace kube::api::meta::v1

// kube::Sprintf follows Go's fmt.Sprintf, including its rendering of mistakes.
#include <gtest/gtest.h>

#include "kubeevents/api/common/format.h"

namespace kube {
namespace {

TEST(SprintfTest, CommonVerbs) {
  EXPECT_EQ(Sprintf("pod %s restarted %d times", "web-0", 3), "pod web-0 restarted 3 times");
  EXPECT_EQ(Sprintf("%v|%v|%v|%v", 42, std::string("s"), true, 2.5), "42|s|true|2.5");
  EXPECT_EQ(Sprintf("%q", "a\"b\n"), R"("a\"b\n")");
  EXPECT_EQ(Sprintf("%x %X %o %b", 255, 255, 8, 5), "ff FF 10 101");
  EXPECT_EQ(Sprintf("%#x %#o", 255, 8), "0xff 010");
  EXPECT_EQ(Sprintf("%5d|%-5d|%05d|%+d", 42, 42, -42, 42), "   42|42   |-0042|+42");
  EXPECT_EQ(Sprintf("%.2f %e %g", 3.14159, 1234.5678, 0.000012), "3.14 1.234568e+03 1.2e-05");
  EXPECT_EQ(Sprintf("%v %v", 1e6, 123456.0), "1e+06 123456");
  EXPECT_EQ(Sprintf("%.3s|%6s|%-6s|", "abcdef", "ab", "ab"), "abc|    ab|ab    |");
  EXPECT_EQ(Sprintf("%c%c", 'h', 0x4e16), "h\xe4\xb8\x96");
  EXPECT_EQ(Sprintf("%x", "hi"), "6869");
  EXPECT_EQ(Sprintf("100%%"), "100%");
  EXPECT_EQ(Sprintf("%T %T %T", 1, "s", 1.0), "int string float64");
  EXPECT_EQ(Sprintf("%d", static_cast<std::uint64_t>(18446744073709551615ull)),
            "18446744073709551615");
  EXPECT_EQ(Sprintf("%d", static_cast<std::int64_t>(-9223372036854775807LL - 1)),
            "-9223372036854775808");
}

// Plain %s, %d and %v are written without the general formatter; every kind of argument
// must still come out as Go prints it, and anything else must still reach it.
TEST(SprintfTest, PlainVerbsOfEveryKind) {
  EXPECT_EQ(Sprintf("%v %v %d %v", static_cast<std::int64_t>(-9223372036854775807LL - 1),
                    static_cast<std::uint64_t>(18446744073709551615ull), -1,
                    static_cast<unsigned char>(7)),
            "-9223372036854775808 18446744073709551615 -1 7");
  EXPECT_EQ(Sprintf("%s|%v|%s", std::string_view("view"), "", std::string("str")), "view||str");
  EXPECT_EQ(Sprintf("%v %d", 'A', static_cast<short>(-3)), "65 -3");
  EXPECT_EQ(Sprintf("%s %v %s", 3, true, 2.5), "%!s(int=3) true %!s(float64=2.5)");
  EXPECT_EQ(Sprintf("%d %d", true, 1.5), "%!d(bool=true) %!d(float64=1.5)");
  EXPECT_EQ(Sprintf("%v", static_cast<const char*>(nullptr)), "<nil>");
}

TEST(SprintfTest, MistakesRenderLikeGo) {
  EXPECT_EQ(Sprintf("%d", "abc"), "%!d(string=abc)");
  EXPECT_EQ(Sprintf("%s and %s", "one"), "one and %!s(MISSING)");
  EXPECT_EQ(Sprintf("x", 3, "y"), "x%!(EXTRA int=3, string=y)");
  EXPECT_EQ(Sprintf("trailing %"), "trailing %!(NOVERB)");
  EXPECT_EQ(Sprintf("%z", 1), "%!z(int=1)");
  EXPECT_EQ(Sprintf("%t", 1), "%!t(int=1)");
}

TEST(SprintfTest, NullCStringIsNil) {
  const char* p = nullptr;
  EXPECT_EQ(Sprintf("%s", p), "<nil>");
}

// Shared by the client (proxy user info) and the local server (paths and queries).
TEST(PercentDecodeTest, LikeGoUnescapeButLenient) {
  EXPECT_EQ(PercentDecode("al%40ice:p%3Ass"), "al@ice:p:ss");
  EXPECT_EQ(PercentDecode("a+b%2Bc"), "a+b+c");
  EXPECT_EQ(PercentDecode("a+b%2Bc", /*plus_is_space=*/true), "a b+c");
  EXPECT_EQ(PercentDecode("100%"), "100%") << "a lone % is kept";
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
}

}  // namespace
}  // namespace kube

// kube::FillRandomBytes, and FormatUUIDv4 / NewUUID: RFC 4122 version 4 UUIDs in their
// canonical text.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <regex>
#include <set>

#include "kubeevents/api/common/random.h"
#include "kubeevents/api/common/uuid.h"

namespace kube {
namespace {

TEST(UUIDTest, FormatSetsVersionAndVariantAndKeepsTheRest) {
  std::array<unsigned char, 16> ones;
  ones.fill(0xFF);
  // Version nibble 4 (byte 6), variant bits 10 (byte 8): every other bit is the input's.
  EXPECT_EQ(FormatUUIDv4(ones), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  std::array<unsigned char, 16> zeros{};
  EXPECT_EQ(FormatUUIDv4(zeros), "00000000-0000-4000-8000-000000000000");
  std::array<unsigned char, 16> counting;
  for (std::size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<unsigned char>(i);
  EXPECT_EQ(FormatUUIDv4(counting), "00010203-0405-4607-8809-0a0b0c0d0e0f");
}

TEST(UUIDTest, NewUUIDIsARandomVersion4UUID) {
  const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewUUID();
    EXPECT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(std::move(id));
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomTest, FillRandomBytesWritesEveryByte) {
  // Two 4 KiB draws (the local server's UID pool size): every byte value turns up in them, and
  // they differ. A buffer left partly unwritten would keep its sentinel runs.
  std::array<unsigned char, 4096> a;
  std::array<unsigned char, 4096> b;
  a.fill(0);
  b.fill(0);
  FillRandomBytes(a);
  FillRandomBytes(b);
  EXPECT_NE(a, b);
  std::set<unsigned char> values(a.begin(), a.end());
  values.insert(b.begin(), b.end());
  EXPECT_EQ(values.size(), 256u);  // one value missing from 8 KiB: about 256 * e^-32
  std::size_t zero_run = 0;
  std::size_t longest = 0;
  for (unsigned char c : a) {
    zero_run = c == 0 ? zero_run + 1 : 0;
    longest = std::max(longest, zero_run);
  }
  EXPECT_LT(longest, 8u);  // eight zero bytes in a row: about 4096 / 2^64, i.e. never
  FillRandomBytes({});     // an empty span is fine
}

}  // namespace
}  // namespace kube

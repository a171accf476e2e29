// kube::FormatUUIDv4 / NewUUID: RFC 4122 version 4 UUIDs in their canonical text.
#include <gtest/gtest.h>

#include <array>
#include <regex>
#include <set>

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

}  // namespace
}  // namespace kube

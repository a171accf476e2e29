// The correlator's LRU map and key hash (tools/record/internal): k8s.io/utils/lru semantics.
#include "kubeevents/tools/record/internal/lru_cache.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "kubeevents/tools/record/internal/key_hash.h"

namespace kube::record::internal {
namespace {

std::string Key(int i) { return "source/Pod/default/web-" + std::to_string(i) + "/Started/msg"; }

TEST(LruCacheTest, GetOrInsertReportsInsertionAndKeepsValues) {
  LruCache<int> c(3);
  bool inserted = false;
  c.GetOrInsert("a", inserted) = 1;
  EXPECT_TRUE(inserted);
  EXPECT_EQ(c.GetOrInsert("a", inserted), 1);
  EXPECT_FALSE(inserted);
  c.Add("b", 2);
  ASSERT_NE(c.Get("b"), nullptr);
  EXPECT_EQ(*c.Get("b"), 2);
  EXPECT_EQ(c.Get("missing"), nullptr);
  EXPECT_EQ(c.size(), 2u);
}

TEST(LruCacheTest, EvictsTheLeastRecentlyUsedAndGetRefreshesRecency) {
  LruCache<int> c(2);
  c.Add("a", 1);
  c.Add("b", 2);
  ASSERT_NE(c.Get("a"), nullptr);  // a is now more recent than b
  c.Add("c", 3);                   // evicts b
  EXPECT_EQ(c.Get("b"), nullptr);
  ASSERT_NE(c.Get("a"), nullptr);
  EXPECT_EQ(*c.Get("a"), 1);
  EXPECT_EQ(*c.Get("c"), 3);
  EXPECT_EQ(c.size(), 2u);
  c.Add("a", 10);  // replacing refreshes a, so the next insertion evicts c
  c.Add("d", 4);
  EXPECT_EQ(c.Get("c"), nullptr);
  EXPECT_EQ(*c.Get("a"), 10);
}

TEST(LruCacheTest, AReusedEntryHandsBackTheEvictedValueToReset) {
  LruCache<std::string> c(1);
  c.Add("a", "old");
  bool inserted = false;
  std::string& v = c.GetOrInsert("b", inserted);
  EXPECT_TRUE(inserted);
  EXPECT_EQ(v, "old") << "recycled: the caller resets it";
  EXPECT_EQ(c.Get("a"), nullptr);
}

// Grows past its initial buckets, then holds exactly the `capacity` most recent of many keys.
TEST(LruCacheTest, ManyKeysKeepExactlyTheMostRecent) {
  constexpr int kCapacity = 1000;
  LruCache<int> c(kCapacity);
  for (int i = 0; i < kCapacity; ++i) c.Add(Key(i), i);
  for (int i = 0; i < kCapacity; ++i) {
    ASSERT_NE(c.Get(Key(i)), nullptr) << i;
    ASSERT_EQ(*c.Get(Key(i)), i);
  }
  for (int i = kCapacity; i < 5 * kCapacity; ++i) c.Add(Key(i), i);
  EXPECT_EQ(c.size(), std::size_t{kCapacity});
  for (int i = 0; i < 4 * kCapacity; ++i) ASSERT_EQ(c.Get(Key(i)), nullptr) << i;
  for (int i = 4 * kCapacity; i < 5 * kCapacity; ++i) {
    ASSERT_NE(c.Get(Key(i)), nullptr) << i;
    ASSERT_EQ(*c.Get(Key(i)), i);
  }
}

// Keys that are prefixes of each other, or differ in one byte anywhere, are different keys.
TEST(LruCacheTest, SimilarKeysStayDistinct) {
  LruCache<int> c(64);
  const std::string base(40, 'x');
  for (std::size_t n = 0; n <= base.size(); ++n) c.Add(base.substr(0, n), static_cast<int>(n));
  for (std::size_t n = 0; n <= base.size(); ++n) {
    ASSERT_NE(c.Get(base.substr(0, n)), nullptr);
    EXPECT_EQ(*c.Get(base.substr(0, n)), static_cast<int>(n));
  }
  std::string flipped = base;
  flipped[17] = 'y';
  EXPECT_EQ(c.Get(flipped), nullptr);
}

TEST(KeyHashTest, DependsOnEveryByteAndTheLength) {
  const std::string s(100, 'a');
  std::set<std::uint64_t> hashes;
  for (std::size_t n = 0; n <= s.size(); ++n)
    hashes.insert(HashKey(std::string_view(s).substr(0, n)));
  EXPECT_EQ(hashes.size(), s.size() + 1) << "every length hashes differently";
  hashes.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::string t = s;
    t[i] = 'b';
    hashes.insert(HashKey(t));
  }
  EXPECT_EQ(hashes.size(), s.size()) << "a change at any position changes the hash";
  EXPECT_EQ(HashKey("same key"), HashKey(std::string("same key")));
}

}  // namespace
}  // namespace kube::record::internal

#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace smolvlm {
namespace {

// Every index in [0, n) is visited exactly once, in contiguous chunks.
void expect_exact_cover(ThreadPool& pool, int64_t n) {
  std::vector<std::atomic<int>> hits(n);
  std::mutex m;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  pool.parallel_for(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) hits[i].fetch_add(1);
    std::lock_guard<std::mutex> lock(m);
    chunks.emplace_back(begin, end);
  });
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of " << n;
  EXPECT_LE(chunks.size(), static_cast<size_t>(pool.size()));
  for (const auto& [b, e] : chunks) EXPECT_LT(b, e);
}

TEST(ThreadPool, CoversEveryIndexOnceForManySizes) {
  for (int threads : {1, 2, 3, 8, 65}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t n : {1, 2, 3, 7, 64, 65, 1000}) expect_exact_cover(pool, n);
  }
}

TEST(ThreadPool, EmptyRangeCallsNothing) {
  ThreadPool pool(4);
  bool called = false;
  pool.parallel_for(0, [&](int64_t, int64_t) { called = true; });
  EXPECT_FALSE(called);
}

TEST(ThreadPool, StaticChunksAreTheSameEveryRun) {
  ThreadPool pool(3);
  auto run = [&] {
    std::mutex m;
    std::set<std::pair<int64_t, int64_t>> chunks;
    pool.parallel_for(100, [&](int64_t b, int64_t e) {
      std::lock_guard<std::mutex> lock(m);
      chunks.emplace(b, e);
    });
    return chunks;
  };
  const auto first = run();
  EXPECT_EQ(first, (std::set<std::pair<int64_t, int64_t>>{{0, 33}, {33, 66}, {66, 100}}));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(run(), first);
}

TEST(ThreadPool, SeveralChunksPerThread) {
  ThreadPool pool(2);
  std::mutex m;
  std::set<std::pair<int64_t, int64_t>> chunks;
  pool.parallel_for(
      100,
      [&](int64_t b, int64_t e) {
        std::lock_guard<std::mutex> lock(m);
        chunks.emplace(b, e);
      },
      4);
  EXPECT_EQ(chunks.size(), 8u);
  EXPECT_EQ(chunks.begin()->first, 0);
  EXPECT_EQ(chunks.rbegin()->second, 100);
}

TEST(ThreadPool, UsesSeveralThreads) {
  ThreadPool pool(4);
  std::mutex m;
  std::set<std::thread::id> ids;
  std::atomic<int> arrived{0};
  pool.parallel_for(4, [&](int64_t, int64_t) {
    // Each chunk waits until all four run at once, which proves four threads.
    arrived.fetch_add(1);
    while (arrived.load() < 4) std::this_thread::yield();
    std::lock_guard<std::mutex> lock(m);
    ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(ids.size(), 4u);
}

TEST(ThreadPool, NestedCallsRunInline) {
  ThreadPool pool(4);
  std::atomic<int64_t> sum{0};
  pool.parallel_for(8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const std::thread::id outer = std::this_thread::get_id();
      pool.parallel_for(10, [&](int64_t ib, int64_t ie) {
        EXPECT_EQ(std::this_thread::get_id(), outer);
        sum.fetch_add(ie - ib);
      });
    }
  });
  EXPECT_EQ(sum.load(), 80);
}

TEST(ThreadPool, ConcurrentCallersBothFinish) {
  ThreadPool pool(3);
  std::atomic<int64_t> a{0}, b{0};
  std::thread other([&] {
    for (int r = 0; r < 200; ++r) pool.parallel_for(50, [&](int64_t s, int64_t e) { a.fetch_add(e - s); });
  });
  for (int r = 0; r < 200; ++r) pool.parallel_for(50, [&](int64_t s, int64_t e) { b.fetch_add(e - s); });
  other.join();
  EXPECT_EQ(a.load(), 200 * 50);
  EXPECT_EQ(b.load(), 200 * 50);
}

TEST(ThreadPool, ExceptionReachesTheCallerAndThePoolStaysUsable) {
  ThreadPool pool(4);
  EXPECT_THROW(pool.parallel_for(4,
                                 [](int64_t b, int64_t) {
                                   if (b == 3) throw std::runtime_error("chunk 3");
                                 }),
               std::runtime_error);
  expect_exact_cover(pool, 100);
}

TEST(ThreadPool, ManyShortLoopsBackToBack) {
  ThreadPool pool(2);
  int64_t total = 0;
  std::vector<int64_t> part(2);
  for (int r = 0; r < 20000; ++r) {
    pool.parallel_for(2, [&](int64_t b, int64_t e) { part[b] = e - b; });
    total += part[0] + part[1];
  }
  EXPECT_EQ(total, 40000);
}

TEST(ThreadPool, DefaultCountFollowsTheEnvironment) {
  setenv("SMOLVLM_THREADS", "3", 1);
  EXPECT_EQ(default_thread_count(), 3);
  setenv("SMOLVLM_THREADS", "zero", 1);
  EXPECT_GE(default_thread_count(), 1);
  unsetenv("SMOLVLM_THREADS");
  EXPECT_GE(default_thread_count(), 1);
}

TEST(ThreadPool, SharedPoolCanBeResized) {
  set_shared_pool_threads(3);
  EXPECT_EQ(shared_pool().size(), 3);
  expect_exact_cover(shared_pool(), 10);
  set_shared_pool_threads(default_thread_count());
}

}  // namespace
}  // namespace smolvlm

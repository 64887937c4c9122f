// The task grids of the matmul drivers (kernels/gemm_driver.h): panel grids
// cover every row once in near-equal runs of whole tiles, give each thread
// many tasks, and number them so that consecutive tasks share a column block.
#include <gtest/gtest.h>

#include <vector>

#include "kernels/gemm_driver.h"

namespace smolvlm::kernels {
namespace {

std::vector<GemmJob> jobs_of(std::initializer_list<int64_t> outputs, int64_t k) {
  std::vector<GemmJob> jobs;
  for (int64_t out : outputs) jobs.push_back(GemmJob{WeightView{DType::BF16_PANELS, out, k, nullptr}, nullptr, nullptr});
  return jobs;
}

TEST(PanelTaskGrid, CoversEveryRowOnceInRunsOfWholeTilesThatDifferByOneTile) {
  for (int64_t n : {4, 7, 13, 100, 512, 1031})
    for (int64_t row_blocks : {1, 3}) {
      const auto jobs = jobs_of({576}, 64);
      const TaskGrid g = panel_task_grid(n, row_blocks, 6, 64, jobs, 2);
      ASSERT_EQ(g.row_begin(n, 0), 0);
      ASSERT_EQ(g.row_begin(n, g.row_blocks), n);
      int64_t shortest = n, longest = 0;
      for (int64_t b = 0; b < g.row_blocks; ++b) {
        const int64_t r0 = g.row_begin(n, b), r1 = g.row_begin(n, b + 1);
        ASSERT_LT(r0, r1) << "n " << n << ", block " << b << " of " << g.row_blocks;
        EXPECT_EQ(r0 % 6, 0) << "n " << n;
        EXPECT_LE(r1 - r0, g.max_block_rows(n));
        if (r1 < n) shortest = std::min(shortest, r1 - r0);
        longest = std::max(longest, r1 - r0);
      }
      if (g.row_blocks > 2) {
        EXPECT_LE(longest - shortest, 6) << "n " << n;
      }
    }
}

TEST(PanelTaskGrid, SplitsRowsUntilEachThreadHasManyTasksAndKeepsWholeRowsForWideOutputs) {
  // A 512-token SmolLM2-135M q_proj: 9 panels of 64, 2 threads.
  const auto narrow = jobs_of({576}, 576);
  const TaskGrid g = panel_task_grid(512, 1, 6, 64, narrow, 2);
  EXPECT_EQ(g.col_blocks, 9);
  EXPECT_GE(g.tasks(), 64);
  EXPECT_EQ(g.per_thread(), g.tasks());  // claimed one by one
  // A SmolLM2-1.7B gate/up group: 256 panels are tasks enough with whole rows.
  const auto wide = jobs_of({8192, 8192}, 2048);
  EXPECT_EQ(panel_task_grid(512, 1, 6, 64, wide, 2).row_blocks, 1);
  // Rows never split below one tile each.
  EXPECT_EQ(panel_task_grid(10, 1, 6, 64, narrow, 2).row_blocks, 2);
}

TEST(PanelTaskGrid, ConsecutiveTasksShareAColumnBlockAndEveryTaskComesOnce) {
  const auto jobs = jobs_of({576, 192, 192}, 576);
  const TaskGrid g = panel_task_grid(512, 1, 6, 64, jobs, 2);
  std::vector<int> seen(static_cast<size_t>(g.tasks()), 0);
  for (int64_t t = 0; t < g.tasks(); ++t) {
    ++seen[static_cast<size_t>(g.col_block_of(t) * g.row_blocks + g.row_block_of(t))];
    if (t % g.row_blocks != 0) {
      EXPECT_EQ(g.col_block_of(t), g.col_block_of(t - 1)) << t;
    }
  }
  for (int count : seen) EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace smolvlm::kernels

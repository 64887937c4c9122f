#include "kernels/embedding.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

TEST(Embedding, GathersRowsExactly) {
  std::mt19937 rng(41);
  const int64_t V = 11, H = 5;
  for (DType dtype : {DType::BF16, DType::F16, DType::F32}) {
    const testing::StoredWeight table(dtype, V, H, testing::random_floats(rng, V * H));
    const std::vector<int32_t> ids{3, 0, 10, 3};
    std::vector<float> out(ids.size() * H);
    embedding_rows(table.view(), ids, out);
    for (size_t t = 0; t < ids.size(); ++t)
      for (int64_t i = 0; i < H; ++i) EXPECT_EQ(out[t * H + i], table.values[ids[t] * H + i]);
  }
}

TEST(Embedding, RejectsOutOfRangeIds) {
  const testing::StoredWeight table(DType::BF16, 4, 2, std::vector<float>(8, 1.0f));
  std::vector<float> out(2);
  for (int32_t id : {-1, 4}) {
    const std::vector<int32_t> ids{id};
    try {
      embedding_rows(table.view(), ids, out);
      FAIL() << "id " << id << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(id)), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace smolvlm::kernels

#include "kernels/linear.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "kernel_test_util.h"
#include "kernels/matmul.h"

namespace smolvlm::kernels {
namespace {

using testing::random_floats;
using testing::StoredWeight;

TEST(Linear, IsMatmulPlusBiasPerRow) {
  std::mt19937 rng(19);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
    const int64_t N = 5, IN = 37, OUT = 11;
    const auto x = random_floats(rng, N * IN);
    const StoredWeight w(dtype, OUT, IN, random_floats(rng, OUT * IN, 0.1f));
    const StoredWeight b(dtype, 1, OUT, random_floats(rng, OUT));
    std::vector<float> y(N * OUT), product(N * OUT);
    linear(x, N, w.view(), b.view(), y);
    matmul(x, N, w.view(), product);
    for (int64_t t = 0; t < N; ++t)
      for (int64_t o = 0; o < OUT; ++o) EXPECT_EQ(y[t * OUT + o], product[t * OUT + o] + b.values[o]);
  }
}

TEST(Linear, WrongBiasSizeThrows) {
  const StoredWeight w(DType::F32, 2, 3, {1, 2, 3, 4, 5, 6});
  const StoredWeight b(DType::F32, 1, 3, {1, 2, 3});
  std::vector<float> x(3, 1.0f), y(2);
  EXPECT_THROW(linear(x, 1, w.view(), b.view(), y), Error);
}

}  // namespace
}  // namespace smolvlm::kernels

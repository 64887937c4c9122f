// The element-wise ops and norms on every supported ISA against the reference
// kernels, on sizes with vector tails and sizes large enough to run threaded.
#include <gtest/gtest.h>

#include <random>

#include "kernel_test_util.h"
#include "kernels/activations.h"
#include "kernels/gelu.h"
#include "kernels/layer_norm.h"
#include "kernels/norms.h"
#include "simd_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;
using testing::StoredWeight;

std::vector<double> as_double(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

const int64_t kSizes[] = {1, 7, 8, 15, 16, 17, 100, 70001};

class ElementwiseOnIsa : public ::testing::TestWithParam<Isa> {
 protected:
  ScopedIsa isa_{GetParam()};
};

TEST_P(ElementwiseOnIsa, GeluMatchesTheReference) {
  std::mt19937 rng(20);
  for (int64_t n : kSizes) {
    auto x = random_floats(rng, n, 4.0f);
    if (n > 2) x[0] = -30.0f, x[1] = 30.0f;
    auto ref = x;
    gelu_tanh(x);
    reference::gelu_tanh(ref);
    EXPECT_LT(max_scaled_error(x, as_double(ref)), 1e-6) << n;
  }
}

TEST_P(ElementwiseOnIsa, SiluMulAndAddMatchTheReference) {
  std::mt19937 rng(21);
  for (int64_t n : kSizes) {
    auto g = random_floats(rng, n, 5.0f), u = random_floats(rng, n);
    if (n > 2) g[0] = -200.0f, g[1] = 200.0f;
    std::vector<float> out(n), ref(n);
    silu_mul(g, u, out);
    reference::silu_mul(g, u, ref);
    EXPECT_LT(max_scaled_error(out, as_double(ref)), 1e-6) << n;
    auto a = random_floats(rng, n), b = a;
    const auto d = random_floats(rng, n);
    add_in_place(a, d);
    reference::add_in_place(b, d);
    EXPECT_EQ(a, b) << n;
  }
}

TEST_P(ElementwiseOnIsa, NormsMatchTheReference) {
  std::mt19937 rng(22);
  for (int64_t dim : {1, 15, 64, 72, 576, 1153})
    for (int64_t rows : {1, 3, 40}) {
      const auto x = random_floats(rng, rows * dim, 3.0f);
      const StoredWeight w(DType::BF16, 1, dim, random_floats(rng, dim));
      const StoredWeight b(DType::F32, 1, dim, random_floats(rng, dim));
      std::vector<float> y(rows * dim), ref(rows * dim);
      rms_norm(x, rows, w.view(), 1e-5f, y);
      reference::rms_norm(x, rows, w.view(), 1e-5f, ref);
      EXPECT_LT(max_scaled_error(y, as_double(ref)), 1e-6) << "rms dim=" << dim << " rows=" << rows;
      layer_norm(x, rows, w.view(), b.view(), 1e-6f, y);
      reference::layer_norm(x, rows, w.view(), b.view(), 1e-6f, ref);
      EXPECT_LT(max_scaled_error(y, as_double(ref)), 1e-6) << "layer dim=" << dim << " rows=" << rows;
    }
}

INSTANTIATE_TEST_SUITE_P(Isas, ElementwiseOnIsa, ::testing::ValuesIn(testing::supported_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace smolvlm::kernels

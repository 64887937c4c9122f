#include "kernels/conv_patch.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;
using testing::StoredWeight;

// Conv2d(kernel = stride = p, valid padding) straight from its definition.
std::vector<double> conv_oracle(const std::vector<float>& image, const PatchGrid& g, const StoredWeight& w,
                                const StoredWeight& b) {
  const int64_t C = g.channels, S = g.size, P = g.patch, N = g.per_side(), H = w.rows;
  std::vector<double> out(N * N * H);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j < N; ++j)
      for (int64_t o = 0; o < H; ++o) {
        double acc = b.values[o];
        for (int64_t c = 0; c < C; ++c)
          for (int64_t ky = 0; ky < P; ++ky)
            for (int64_t kx = 0; kx < P; ++kx)
              acc += static_cast<double>(image[(c * S + i * P + ky) * S + j * P + kx]) *
                     w.values[o * C * P * P + (c * P + ky) * P + kx];
        out[(i * N + j) * H + o] = acc;
      }
  return out;
}

TEST(ConvPatch, MatchesDoubleOracleIncludingARemainder) {
  std::mt19937 rng(23);
  // {C, S, p}: exact grids and ones whose last S mod p rows/cols are never read (384 = 27*14 + 6).
  const PatchGrid grids[] = {{3, 8, 4}, {3, 20, 6}, {1, 5, 5}, {3, 46, 14}};
  for (const PatchGrid& g : grids) {
    const int64_t K = g.channels * g.patch * g.patch, H = 7, N = g.per_side();
    const auto image = random_floats(rng, g.channels * g.size * g.size);
    const StoredWeight w(DType::BF16, H, K, random_floats(rng, H * K, 0.1f));
    const StoredWeight b(DType::BF16, 1, H, random_floats(rng, H));
    std::vector<float> out(N * N * H);
    conv_patch(image, g, w.view(), b.view(), out);
    EXPECT_LT(max_scaled_error(out, conv_oracle(image, g, w, b)), 1e-5) << "S=" << g.size << " p=" << g.patch;
  }
}

TEST(ConvPatch, RemainderPixelsAreNeverRead) {
  std::mt19937 rng(24);
  const PatchGrid g{3, 46, 14};  // 3 patches per side, 4 trailing pixels
  const int64_t K = 3 * 14 * 14, H = 5, N = 3;
  auto image = random_floats(rng, 3 * 46 * 46);
  const StoredWeight w(DType::F32, H, K, random_floats(rng, H * K));
  const StoredWeight b(DType::F32, 1, H, random_floats(rng, H));
  std::vector<float> before(N * N * H), after(N * N * H);
  conv_patch(image, g, w.view(), b.view(), before);
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < 46; ++y)
      for (int64_t x = 0; x < 46; ++x)
        if (y >= 42 || x >= 42) image[(c * 46 + y) * 46 + x] = NAN;
  conv_patch(image, g, w.view(), b.view(), after);
  EXPECT_EQ(before, after);
}

TEST(ConvPatch, WrongWeightWidthThrows) {
  const StoredWeight w(DType::F32, 2, 3, {1, 2, 3, 4, 5, 6});
  const StoredWeight b(DType::F32, 1, 2, {1, 2});
  std::vector<float> image(3 * 4 * 4), out(4 * 2);
  EXPECT_THROW(conv_patch(image, PatchGrid{3, 4, 2}, w.view(), b.view(), out), Error);
}

}  // namespace
}  // namespace smolvlm::kernels

// The pixel shuffle index map of SPEC §4.1, on synthetic inputs whose values
// name their own token and channel.
#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "model/pixel_shuffle.h"

namespace smolvlm {
namespace {

// x[t][e] = t * 100000 + e, exact in f32 for the sizes used here.
std::vector<float> labelled_tokens(int64_t seq, int64_t dim) {
  std::vector<float> x(seq * dim);
  for (int64_t t = 0; t < seq; ++t)
    for (int64_t e = 0; e < dim; ++e) x[t * dim + e] = static_cast<float>(t * 100000 + e);
  return x;
}

TEST(PixelShuffle, WorkedExampleOfTheSpec) {
  // 256M: N = 32, s = 4, D = 768 -> 64 tokens x 12288. Output token 9 (I = 1, J = 1),
  // channel 5*768 + 7 (a = 1, b = 1, e = 7) is input token (4+1)*32 + (4+1) = 165, channel 7.
  const int64_t N = 32, S = 4, D = 768;
  const std::vector<float> x = labelled_tokens(N * N, D);
  std::vector<float> y(64 * 12288);
  pixel_shuffle(x, N * N, D, S, y);
  EXPECT_EQ(y[9 * 12288 + 5 * 768 + 7], 165 * 100000 + 7);
}

TEST(PixelShuffle, FollowsTheIndexMapEverywhere) {
  for (const auto& [N, S, D] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{{27, 3, 5}, {32, 4, 3}, {4, 2, 2}}) {
    const int64_t M = N / S, OUT_DIM = D * S * S;
    const std::vector<float> x = labelled_tokens(N * N, D);
    std::vector<float> y(M * M * OUT_DIM);
    pixel_shuffle(x, N * N, D, S, y);
    for (int64_t I = 0; I < M; ++I)
      for (int64_t J = 0; J < M; ++J)
        for (int64_t a = 0; a < S; ++a)
          for (int64_t b = 0; b < S; ++b)
            for (int64_t e = 0; e < D; ++e)
              ASSERT_EQ(y[(I * M + J) * OUT_DIM + (a * S + b) * D + e], x[((I * S + a) * N + (J * S + b)) * D + e])
                  << "N=" << N << " s=" << S << " I=" << I << " J=" << J << " a=" << a << " b=" << b;
  }
}

TEST(PixelShuffle, RejectsGridsItCannotShuffle) {
  std::vector<float> x(12 * 2), y(12 * 2);
  EXPECT_THROW(pixel_shuffle(x, 12, 2, 2, y), Error);  // 12 tokens are not a square
  std::vector<float> x27(27 * 27), y27(27 * 27);
  EXPECT_THROW(pixel_shuffle(x27, 27 * 27, 1, 2, y27), Error);  // 2 does not divide 27
  std::vector<float> x16(16 * 2), y_short(4 * 7);
  EXPECT_THROW(pixel_shuffle(x16, 16, 2, 2, y_short), Error);  // output buffer too small
}

}  // namespace
}  // namespace smolvlm

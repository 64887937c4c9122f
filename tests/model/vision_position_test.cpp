// Patch validity and bucketed position ids (SPEC §3.2, §3.4).
#include <gtest/gtest.h>

#include <numeric>

#include "core/error.h"
#include "model/vision_embeddings.h"

namespace smolvlm {
namespace {

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(PositionBuckets, FullSidesAreTheIdentity) {
  for (int64_t N : {26, 27, 32}) EXPECT_EQ(position_buckets(N, N), iota(N)) << "N=" << N;
}

TEST(PositionBuckets, PartialSidesOfTheSpec) {
  EXPECT_EQ(position_buckets(32, 5), (std::vector<int64_t>{0, 6, 12, 19, 25}));
  EXPECT_EQ(position_buckets(27, 5), (std::vector<int64_t>{0, 5, 10, 16, 21}));
  EXPECT_EQ(position_buckets(32, 2), (std::vector<int64_t>{0, 16}));
  EXPECT_EQ(position_buckets(32, 1), (std::vector<int64_t>{0}));
}

TEST(PositionBuckets, RejectsImpossibleCounts) {
  EXPECT_THROW(position_buckets(32, 0), Error);
  EXPECT_THROW(position_buckets(32, 33), Error);
}

TEST(PositionIds, FullTileIsTheIdentity) {
  for (int64_t N : {26, 27, 32}) {
    const std::vector<int32_t> ids = vision_position_ids(std::vector<uint8_t>(N * N, 1), N);
    for (int64_t p = 0; p < N * N; ++p) ASSERT_EQ(ids[p], p) << "N=" << N;
  }
}

TEST(PositionIds, PaddedPatchesKeepZeroAndValidOnesAreBucketed) {
  // N = 32 with a 5 (rows) x 2 (cols) valid top-left rectangle.
  const int64_t N = 32;
  std::vector<uint8_t> valid(N * N, 0);
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 2; ++j) valid[i * N + j] = 1;
  const std::vector<int32_t> ids = vision_position_ids(valid, N);
  const int64_t rows[] = {0, 6, 12, 19, 25}, cols[] = {0, 16};
  for (int64_t p = 0; p < N * N; ++p) {
    const int64_t i = p / N, j = p % N;
    const int32_t want = valid[p] ? static_cast<int32_t>(rows[i] * N + cols[j]) : 0;
    ASSERT_EQ(ids[p], want) << "patch (" << i << ", " << j << ")";
  }
}

TEST(PositionIds, RejectsMasksTransformersCannotUse) {
  const int64_t N = 4;
  EXPECT_THROW(vision_position_ids(std::vector<uint8_t>(N * N, 0), N), Error);  // nothing valid
  std::vector<uint8_t> ragged(N * N, 1);
  ragged[N * N - 1] = 0;  // 15 valid patches, but row 0 / column 0 describe 4 x 4
  EXPECT_THROW(vision_position_ids(ragged, N), Error);
  EXPECT_THROW(vision_position_ids(std::vector<uint8_t>(N * N - 1, 1), N), Error);  // wrong size
}

TEST(PatchMask, AnyRealPixelMakesAPatchValid) {
  // 512 px, patch 16: real pixels in columns 0..99 -> patch columns 0..6 (ceil(100 / 16)).
  const int64_t S = 512, P = 16, N = 32;
  std::vector<uint8_t> pixels(S * S, 0);
  for (int64_t y = 0; y < S; ++y)
    for (int64_t x = 0; x < 100; ++x) pixels[y * S + x] = 1;
  const std::vector<uint8_t> valid = patch_mask_from_pixels(pixels, S, P);
  ASSERT_EQ(valid.size(), static_cast<size_t>(N * N));
  for (int64_t p = 0; p < N * N; ++p) ASSERT_EQ(valid[p], p % N < 7 ? 1 : 0) << "patch " << p;
}

TEST(PatchMask, TrailingRemainderIsDiscarded) {
  // 384 px, patch 14: 27 patches per side; the last 6 pixel rows/cols belong to none.
  const int64_t S = 384, P = 14, N = 27;
  std::vector<uint8_t> pixels(S * S, 0);
  for (int64_t y = 0; y < S; ++y)
    for (int64_t x = 0; x < S; ++x) pixels[y * S + x] = (y >= N * P || x >= N * P) ? 1 : 0;
  const std::vector<uint8_t> valid = patch_mask_from_pixels(pixels, S, P);
  ASSERT_EQ(valid.size(), static_cast<size_t>(N * N));
  for (uint8_t v : valid) ASSERT_EQ(v, 0);
}

}  // namespace
}  // namespace smolvlm

#include "model/vision_embeddings.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "kernels/activations.h"
#include "kernels/conv_patch.h"
#include "kernels/embedding.h"

namespace smolvlm {
namespace {

// torch.arange(start, end, step) with a float32 result: ceil((end - start) / step)
// elements, element i = float32(start + i * step) evaluated in double. torch's
// vectorised arange rounds a per-block base first; for N in {26, 27, 32} and
// every n <= N that gives the same buckets (checked by emulation).
std::vector<float> arange_f32(double start, double end, double step) {
  const int64_t n = static_cast<int64_t>(std::ceil((end - start) / step));
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(start + static_cast<double>(i) * step);
  return v;
}

int64_t count_valid(std::span<const uint8_t> patch_valid, int64_t first, int64_t stride, int64_t n) {
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += patch_valid[first + i * stride] != 0;
  return count;
}

}  // namespace

std::vector<uint8_t> patch_mask_from_pixels(std::span<const uint8_t> pixel_mask, int64_t size, int64_t patch) {
  const int64_t S = size, P = patch, N = size / patch;
  if (static_cast<int64_t>(pixel_mask.size()) != S * S)
    throw Error("pixel attention mask", "holds " + std::to_string(pixel_mask.size()) + " values, expected " +
                                            std::to_string(S) + " x " + std::to_string(S));
  std::vector<uint8_t> valid(N * N, 0);
  for (int64_t y = 0; y < N * P; ++y)
    for (int64_t x = 0; x < N * P; ++x)
      if (pixel_mask[y * S + x] != 0) valid[(y / P) * N + x / P] = 1;
  return valid;
}

std::vector<int64_t> position_buckets(int64_t n_per_side, int64_t n_valid) {
  const int64_t N = n_per_side;
  if (n_valid <= 0 || n_valid > N)
    throw Error("position buckets", std::to_string(n_valid) + " valid patches on a side of " + std::to_string(N));
  // boundaries = torch.arange(1/N, 1.0, 1/N): k/N for k = 1 .. N-1 (plus a
  // harmless 1.0 for N = 27, since coordinates stay below 1).
  const std::vector<float> boundaries = arange_f32(1.0 / N, 1.0, 1.0 / N);
  // coords = torch.arange(0, 1 - 1e-6, 1 / n): 1 / n is a float32 tensor there.
  const double step = static_cast<double>(1.0f / static_cast<float>(n_valid));
  const std::vector<float> coords = arange_f32(0.0, 1.0 - 1e-6, step);
  // bucketize(right=True): the number of boundaries <= x.
  std::vector<int64_t> buckets;
  for (float x : coords) {
    int64_t b = 0;
    for (float boundary : boundaries) b += boundary <= x;
    buckets.push_back(b);
  }
  return buckets;
}

std::vector<int32_t> vision_position_ids(std::span<const uint8_t> patch_valid, int64_t n_per_side) {
  const int64_t N = n_per_side;
  if (static_cast<int64_t>(patch_valid.size()) != N * N)
    throw Error("patch mask",
                "holds " + std::to_string(patch_valid.size()) + " values, expected " + std::to_string(N * N));
  const int64_t n_h = count_valid(patch_valid, 0, N, N), n_w = count_valid(patch_valid, 0, 1, N);
  const int64_t n_valid = count_valid(patch_valid, 0, 1, N * N);
  if (n_valid == 0) throw Error("patch mask", "no patch is valid (an all-padding tile)");
  if (n_valid != n_h * n_w)
    throw Error("patch mask", std::to_string(n_valid) + " valid patches are not the " + std::to_string(n_h) + " x " +
                                  std::to_string(n_w) + " grid that row 0 and column 0 describe");
  const std::vector<int64_t> rows = position_buckets(N, n_h), cols = position_buckets(N, n_w);
  std::vector<int32_t> ids(N * N, 0);
  int64_t k = 0;  // the k-th valid patch in row-major order gets the k-th grid id
  for (int64_t p = 0; p < N * N; ++p)
    if (patch_valid[p] != 0) {
      ids[p] = static_cast<int32_t>(rows[k / n_w] * N + cols[k % n_w]);
      ++k;
    }
  return ids;
}

void vision_embeddings_forward(const VisionWeights& w, const VisionConfig& c, std::span<const float> tile,
                               std::span<const int32_t> position_ids, std::span<float> x,
                               kernels::ComputeMode mode) {
  const kernels::PatchGrid grid{c.num_channels, c.image_size, c.patch_size};
  kernels::conv_patch(tile, grid, w.patch_embedding.weight, w.patch_embedding.bias, x, mode);
  std::vector<float> positions(x.size());
  kernels::embedding_rows(w.position_embedding, position_ids, positions);
  kernels::add_in_place(x, positions);
}

}  // namespace smolvlm

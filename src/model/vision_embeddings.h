// The vision tower's input side (SPEC §3.2-3.4): which patches are valid,
// their bucketed position ids, and patch + position embeddings.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "kernels/compute_mode.h"
#include "model/vision_weights.h"

namespace smolvlm {

// §3.2: pixel_mask [size, size] (nonzero = real pixel) -> patch mask [N*N]
// with N = size / patch, row-major; a patch is valid (1) iff any pixel of its
// p x p block is. Trailing size mod patch rows/cols are discarded.
std::vector<uint8_t> patch_mask_from_pixels(std::span<const uint8_t> pixel_mask, int64_t size, int64_t patch);

// §3.4: the bucket of each of n_valid fractional coordinates on a side of
// n_per_side patches (N), as torch computes them in float32. For n_valid == N
// this is 0 .. N-1; N=32, n=5 gives [0, 6, 12, 19, 25].
std::vector<int64_t> position_buckets(int64_t n_per_side, int64_t n_valid);

// §3.4: position ids [N*N] for a patch mask [N*N]. n_h = valid patches in
// column 0, n_w = valid patches in row 0; the valid patches, in row-major
// order, get bucket_h * N + bucket_w; invalid patches keep 0. Throws Error when
// no patch is valid or the valid patches do not number n_h * n_w.
std::vector<int32_t> vision_position_ids(std::span<const uint8_t> patch_valid, int64_t n_per_side);

// §3.3-3.4: x [N*N, D] = patch_embedding(tile) + position_embedding[position_ids];
// tile [C, S, S] f32 (normalised pixels).
void vision_embeddings_forward(const VisionWeights& w, const VisionConfig& c, std::span<const float> tile,
                               std::span<const int32_t> position_ids, std::span<float> x,
                               kernels::ComputeMode mode);

}  // namespace smolvlm

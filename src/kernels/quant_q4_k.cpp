#include "kernels/quant_q4_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/dtype.h"

namespace smolvlm::kernels {
namespace {

constexpr int kSub = 8, kSubLen = 32;

void pack_scale_min(BlockQ4_K& b, int j, uint8_t ls, uint8_t lm) {
  if (j < 4) {
    b.scales[j] = ls;
    b.scales[j + 4] = lm;
  } else {
    b.scales[j + 4] = static_cast<uint8_t>((ls & 0x0f) | ((lm & 0x0f) << 4));
    b.scales[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
    b.scales[j] |= static_cast<uint8_t>((lm >> 4) << 6);
  }
}

// ggml's nearest_int: to nearest, ties to even.
long nearest(float v) { return static_cast<long>(std::nearbyint(v)); }
uint8_t six_bits(float v) { return static_cast<uint8_t>(std::min(63L, nearest(v))); }

}  // namespace

void q4_k_scale_min(const BlockQ4_K& b, int j, uint8_t& scale, uint8_t& min) {
  const uint8_t* q = b.scales;
  if (j < 4) {
    scale = q[j] & 63;
    min = q[j + 4] & 63;
  } else {
    scale = static_cast<uint8_t>((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
    min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

void quantize_block_q4_k(const float* x, BlockQ4_K& b) {
  float scales[kSub], mins[kSub], max_scale = 0.0f, max_min = 0.0f;
  for (int j = 0; j < kSub; ++j) {
    const float* s = x + j * kSubLen;
    const float lo = std::min(0.0f, *std::min_element(s, s + kSubLen)), hi = *std::max_element(s, s + kSubLen);
    scales[j] = (hi - lo) / 15.0f;
    mins[j] = -lo;
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  std::memset(&b, 0, sizeof b);
  const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f, inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
  for (int j = 0; j < kSub; ++j) pack_scale_min(b, j, six_bits(inv_scale * scales[j]), six_bits(inv_min * mins[j]));
  b.d = f32_to_f16(max_scale / 63.0f);
  b.dmin = f32_to_f16(max_min / 63.0f);
  uint8_t L[kSub * kSubLen] = {};
  for (int j = 0; j < kSub; ++j) {
    uint8_t sc, m;
    q4_k_scale_min(b, j, sc, m);
    const float d = f16_to_f32(b.d) * sc, dm = f16_to_f32(b.dmin) * m;
    if (d == 0.0f) continue;
    for (int i = 0; i < kSubLen; ++i)
      L[j * kSubLen + i] = static_cast<uint8_t>(std::clamp(nearest((x[j * kSubLen + i] + dm) / d), 0L, 15L));
  }
  for (int i = 0; i < 4; ++i)
    for (int l = 0; l < kSubLen; ++l)
      b.qs[i * 32 + l] = static_cast<uint8_t>(L[64 * i + l] | (L[64 * i + 32 + l] << 4));
}

void dequantize_block_q4_k(const BlockQ4_K& b, float* x) {
  const float d = f16_to_f32(b.d), dmin = f16_to_f32(b.dmin);
  for (int i = 0; i < 4; ++i) {
    uint8_t sc0, m0, sc1, m1;
    q4_k_scale_min(b, 2 * i, sc0, m0);
    q4_k_scale_min(b, 2 * i + 1, sc1, m1);
    const float d0 = d * sc0, dm0 = dmin * m0, d1 = d * sc1, dm1 = dmin * m1;
    const uint8_t* q = b.qs + 32 * i;
    for (int l = 0; l < 32; ++l) {
      x[64 * i + l] = d0 * (q[l] & 0x0f) - dm0;
      x[64 * i + 32 + l] = d1 * (q[l] >> 4) - dm1;
    }
  }
}

}  // namespace smolvlm::kernels

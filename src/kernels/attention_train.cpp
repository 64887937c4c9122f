#include "kernels/attention_train.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/matmul.h"
#include "kernels/matmul_backward.h"
#include "kernels/parallel.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {
namespace {

// Queries per block: a block's scores [B, keys up to its last query] are one
// matmul, and every product below is a GEMM (matmul / matmul_backward_*)
// running on the shared pool.
constexpr int64_t kQueryBlock = 128;

struct Layout {
  int64_t n, nh, nkv, d, group;
  float scale;
  explicit Layout(const TrainAttentionShape& s)
      : n(s.n_tokens),
        nh(s.n_heads),
        nkv(s.n_kv_heads),
        d(s.head_dim),
        group(s.n_kv_heads > 0 ? s.n_heads / s.n_kv_heads : 0),
        scale(1.0f / std::sqrt(static_cast<float>(s.head_dim))) {
    if (n <= 0 || nh <= 0 || nkv <= 0 || d <= 0 || nh % nkv != 0)
      throw Error("kernels::causal_attention_train", "bad shape: tokens, heads, kv heads and head_dim must be positive "
                                                     "and heads a multiple of kv heads");
  }
};

void check_sizes(const Layout& L, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                 std::span<const float> out, std::span<const float> lse) {
  check_size("causal_attention_train", "q", q.size(), L.n * L.nh * L.d);
  check_size("causal_attention_train", "k", k.size(), L.n * L.nkv * L.d);
  check_size("causal_attention_train", "v", v.size(), L.n * L.nkv * L.d);
  check_size("causal_attention_train", "out", out.size(), L.n * L.nh * L.d);
  check_size("causal_attention_train", "lse", lse.size(), L.nh * L.n);
}

// Head `h` of a token-major [n, heads * d] tensor as a contiguous [n, d] copy, and back.
std::vector<float> gather_head(std::span<const float> x, const Layout& L, int64_t heads, int64_t h) {
  std::vector<float> out(L.n * L.d);
  for (int64_t t = 0; t < L.n; ++t) std::copy_n(x.data() + (t * heads + h) * L.d, L.d, out.data() + t * L.d);
  return out;
}
void scatter_head(const std::vector<float>& x, const Layout& L, int64_t heads, int64_t h, std::span<float> out) {
  for (int64_t t = 0; t < L.n; ++t) std::copy_n(x.data() + t * L.d, L.d, out.data() + (t * heads + h) * L.d);
}

WeightView rows_of(const std::vector<float>& x, int64_t rows, int64_t d) { return {DType::F32, rows, d, x.data()}; }

// One block of queries [t0, t0 + rows) against keys [0, t0 + rows).
struct Block {
  int64_t t0, rows, keys;
};

// Rows of scores s [rows, keys] (q·k, unscaled) become p = exp(s * scale - lse_t) for
// j <= t and 0 past the causal edge. With `lse` null the row's lse is computed
// (max + log of the sum, in double) and written to lse_out.
void probabilities(std::span<float> s, const Block& b, float scale, const float* lse, float* lse_out) {
  shared_pool().parallel_for(b.rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* row = s.data() + r * b.keys;
      const int64_t visible = b.t0 + r + 1;
      float l;
      if (lse) {
        l = lse[r];
      } else {
        float max = -INFINITY;
        for (int64_t j = 0; j < visible; ++j) max = std::max(max, row[j] * scale);
        double sum = 0.0;
        for (int64_t j = 0; j < visible; ++j) sum += std::exp(static_cast<double>(row[j] * scale - max));
        l = static_cast<float>(max + std::log(sum));
        lse_out[r] = l;
      }
      for (int64_t j = 0; j < visible; ++j) row[j] = std::exp(row[j] * scale - l);
      std::fill(row + visible, row + b.keys, 0.0f);
    }
  });
}

template <class Fn>
void for_each_block(const Layout& L, Fn&& fn) {
  for (int64_t t0 = 0; t0 < L.n; t0 += kQueryBlock) {
    const int64_t rows = std::min(kQueryBlock, L.n - t0);
    fn(Block{t0, rows, t0 + rows});
  }
}

}  // namespace

void causal_attention_train_forward(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                                    const TrainAttentionShape& shape, std::span<float> out, std::span<float> lse) {
  const Layout L(shape);
  check_sizes(L, q, k, v, out, lse);
  std::vector<float> s, o;
  for (int64_t g = 0; g < L.nkv; ++g) {
    const std::vector<float> kg = gather_head(k, L, L.nkv, g), vg = gather_head(v, L, L.nkv, g);
    for (int64_t h = g * L.group; h < (g + 1) * L.group; ++h) {
      const std::vector<float> qh = gather_head(q, L, L.nh, h);
      std::vector<float> oh(L.n * L.d);
      for_each_block(L, [&](const Block& b) {
        s.resize(b.rows * b.keys);
        matmul(std::span(qh).subspan(b.t0 * L.d, b.rows * L.d), b.rows, rows_of(kg, b.keys, L.d), s);
        probabilities(s, b, L.scale, nullptr, lse.data() + h * L.n + b.t0);
        matmul_backward_input(s, b.rows, rows_of(vg, b.keys, L.d), std::span(oh).subspan(b.t0 * L.d, b.rows * L.d),
                              false);
      });
      scatter_head(oh, L, L.nh, h, out);
    }
  }
}

void causal_attention_train_backward(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                                     std::span<const float> out, std::span<const float> lse,
                                     std::span<const float> dout, const TrainAttentionShape& shape,
                                     std::span<float> dq, std::span<float> dk, std::span<float> dv) {
  const Layout L(shape);
  check_sizes(L, q, k, v, out, lse);
  check_size("causal_attention_train_backward", "dout", dout.size(), L.n * L.nh * L.d);
  check_size("causal_attention_train_backward", "dq", dq.size(), L.n * L.nh * L.d);
  check_size("causal_attention_train_backward", "dk", dk.size(), L.n * L.nkv * L.d);
  check_size("causal_attention_train_backward", "dv", dv.size(), L.n * L.nkv * L.d);
  std::vector<float> p, dp;
  for (int64_t g = 0; g < L.nkv; ++g) {
    const std::vector<float> kg = gather_head(k, L, L.nkv, g), vg = gather_head(v, L, L.nkv, g);
    std::vector<float> dkg(L.n * L.d, 0.0f), dvg(L.n * L.d, 0.0f);
    for (int64_t h = g * L.group; h < (g + 1) * L.group; ++h) {
      const std::vector<float> qh = gather_head(q, L, L.nh, h), doh = gather_head(dout, L, L.nh, h);
      const std::vector<float> oh = gather_head(out, L, L.nh, h);
      std::vector<float> dqh(L.n * L.d);
      for_each_block(L, [&](const Block& b) {
        const auto q_blk = std::span(qh).subspan(b.t0 * L.d, b.rows * L.d);
        const auto do_blk = std::span(doh).subspan(b.t0 * L.d, b.rows * L.d);
        p.resize(b.rows * b.keys);
        dp.resize(b.rows * b.keys);
        matmul(q_blk, b.rows, rows_of(kg, b.keys, L.d), p);
        probabilities(p, b, L.scale, lse.data() + h * L.n + b.t0, nullptr);
        matmul(do_blk, b.rows, rows_of(vg, b.keys, L.d), dp);
        // ds = p (dp - D_t) · scale, D_t = dout_t·out_t (the softmax backward's row term).
        shared_pool().parallel_for(b.rows, [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const float* o_t = oh.data() + (b.t0 + r) * L.d;
            float D = 0.0f;
            for (int64_t i = 0; i < L.d; ++i) D += do_blk[r * L.d + i] * o_t[i];
            float* row = dp.data() + r * b.keys;
            const float* pr = p.data() + r * b.keys;
            for (int64_t j = 0; j < b.keys; ++j) row[j] = pr[j] * (row[j] - D) * L.scale;
          }
        });
        matmul_backward_input(dp, b.rows, rows_of(kg, b.keys, L.d), std::span(dqh).subspan(b.t0 * L.d, b.rows * L.d),
                              false);
        matmul_backward_weight(dp, q_blk, b.rows, b.keys, L.d, std::span(dkg).first(b.keys * L.d));
        matmul_backward_weight(p, do_blk, b.rows, b.keys, L.d, std::span(dvg).first(b.keys * L.d));
      });
      scatter_head(dqh, L, L.nh, h, dq);
    }
    scatter_head(dkg, L, L.nkv, g, dk);
    scatter_head(dvg, L, L.nkv, g, dv);
  }
}

}  // namespace smolvlm::kernels

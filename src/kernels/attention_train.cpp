#include "kernels/attention_train.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/parallel.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {
namespace {

// Row strides and the head grouping of one shape.
struct Layout {
  int64_t n, nh, nkv, d, group, q_row, kv_row;
  float scale;
  explicit Layout(const TrainAttentionShape& s)
      : n(s.n_tokens),
        nh(s.n_heads),
        nkv(s.n_kv_heads),
        d(s.head_dim),
        group(s.n_kv_heads > 0 ? s.n_heads / s.n_kv_heads : 0),
        q_row(s.n_heads * s.head_dim),
        kv_row(s.n_kv_heads * s.head_dim),
        scale(1.0f / std::sqrt(static_cast<float>(s.head_dim))) {
    if (n <= 0 || nh <= 0 || nkv <= 0 || d <= 0 || nh % nkv != 0)
      throw Error("kernels::causal_attention_train", "bad shape: tokens, heads, kv heads and head_dim must be positive "
                                                     "and heads a multiple of kv heads");
  }
  const float* q(const float* base, int64_t t, int64_t h) const { return base + t * q_row + h * d; }
  const float* kv(const float* base, int64_t j, int64_t g) const { return base + j * kv_row + g * d; }
};

float dot(const float* a, const float* b, int64_t len) {
  float acc = 0.0f;
  for (int64_t i = 0; i < len; ++i) acc += a[i] * b[i];
  return acc;
}

void check_sizes(const Layout& L, std::span<const float> q, std::span<const float> k, std::span<const float> v,
                 std::span<const float> out, std::span<const float> lse) {
  check_size("causal_attention_train", "q", q.size(), L.n * L.q_row);
  check_size("causal_attention_train", "k", k.size(), L.n * L.kv_row);
  check_size("causal_attention_train", "v", v.size(), L.n * L.kv_row);
  check_size("causal_attention_train", "out", out.size(), L.n * L.q_row);
  check_size("causal_attention_train", "lse", lse.size(), L.nh * L.n);
}

// Tasks of the passes: (head, block of rows), rows in blocks of this many.
constexpr int64_t kRowsPerTask = 16;

}  // namespace

void causal_attention_train_forward(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                                    const TrainAttentionShape& shape, std::span<float> out, std::span<float> lse) {
  const Layout L(shape);
  check_sizes(L, q, k, v, out, lse);
  const int64_t blocks = (L.n + kRowsPerTask - 1) / kRowsPerTask;
  shared_pool().parallel_for(
      L.nh * blocks,
      [&](int64_t begin, int64_t end) {
        std::vector<float> s(L.n);
        std::vector<double> acc(L.d);
        for (int64_t task = begin; task < end; ++task) {
          const int64_t h = task / blocks, g = h / L.group, t0 = task % blocks * kRowsPerTask;
          for (int64_t t = t0; t < std::min(L.n, t0 + kRowsPerTask); ++t) {
            const float* qt = L.q(q.data(), t, h);
            float max = -INFINITY;
            for (int64_t j = 0; j <= t; ++j) max = std::max(max, s[j] = dot(qt, L.kv(k.data(), j, g), L.d) * L.scale);
            double sum = 0.0;
            std::fill(acc.begin(), acc.end(), 0.0);
            for (int64_t j = 0; j <= t; ++j) {
              const double p = std::exp(static_cast<double>(s[j]) - max);
              sum += p;
              const float* vj = L.kv(v.data(), j, g);
              for (int64_t i = 0; i < L.d; ++i) acc[i] += p * vj[i];
            }
            float* ot = out.data() + t * L.q_row + h * L.d;
            for (int64_t i = 0; i < L.d; ++i) ot[i] = static_cast<float>(acc[i] / sum);
            lse[h * L.n + t] = static_cast<float>(max + std::log(sum));
          }
        }
      },
      4);
}

void causal_attention_train_backward(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                                     std::span<const float> out, std::span<const float> lse,
                                     std::span<const float> dout, const TrainAttentionShape& shape,
                                     std::span<float> dq, std::span<float> dk, std::span<float> dv) {
  const Layout L(shape);
  check_sizes(L, q, k, v, out, lse);
  check_size("causal_attention_train_backward", "dout", dout.size(), L.n * L.q_row);
  check_size("causal_attention_train_backward", "dq", dq.size(), L.n * L.q_row);
  check_size("causal_attention_train_backward", "dk", dk.size(), L.n * L.kv_row);
  check_size("causal_attention_train_backward", "dv", dv.size(), L.n * L.kv_row);
  // D[h, t] = dout_t·out_t: the softmax backward's row term.
  std::vector<float> D(L.nh * L.n);
  for (int64_t h = 0; h < L.nh; ++h)
    for (int64_t t = 0; t < L.n; ++t) D[h * L.n + t] = dot(L.q(dout.data(), t, h), L.q(out.data(), t, h), L.d);
  auto prob = [&](int64_t h, int64_t t, int64_t j) {
    const float s = dot(L.q(q.data(), t, h), L.kv(k.data(), j, h / L.group), L.d) * L.scale;
    return std::exp(s - lse[h * L.n + t]);
  };
  const int64_t blocks = (L.n + kRowsPerTask - 1) / kRowsPerTask;
  // dq: one query row at a time, over its keys.
  shared_pool().parallel_for(
      L.nh * blocks,
      [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
          const int64_t h = task / blocks, g = h / L.group, t0 = task % blocks * kRowsPerTask;
          for (int64_t t = t0; t < std::min(L.n, t0 + kRowsPerTask); ++t) {
            float* dqt = dq.data() + t * L.q_row + h * L.d;
            std::fill(dqt, dqt + L.d, 0.0f);
            const float* dot_ = L.q(dout.data(), t, h);
            for (int64_t j = 0; j <= t; ++j) {
              const float ds = prob(h, t, j) * (dot(dot_, L.kv(v.data(), j, g), L.d) - D[h * L.n + t]) * L.scale;
              const float* kj = L.kv(k.data(), j, g);
              for (int64_t i = 0; i < L.d; ++i) dqt[i] += ds * kj[i];
            }
          }
        }
      },
      4);
  // dk, dv: one key row of one kv head at a time, over the queries of its group that see it.
  shared_pool().parallel_for(
      L.nkv * blocks,
      [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
          const int64_t g = task / blocks, j0 = task % blocks * kRowsPerTask;
          for (int64_t j = j0; j < std::min(L.n, j0 + kRowsPerTask); ++j) {
            float* dkj = dk.data() + j * L.kv_row + g * L.d;
            float* dvj = dv.data() + j * L.kv_row + g * L.d;
            std::fill(dkj, dkj + L.d, 0.0f);
            std::fill(dvj, dvj + L.d, 0.0f);
            const float* vj = L.kv(v.data(), j, g);
            for (int64_t h = g * L.group; h < (g + 1) * L.group; ++h)
              for (int64_t t = j; t < L.n; ++t) {
                const float p = prob(h, t, j);
                const float* dot_ = L.q(dout.data(), t, h);
                const float ds = p * (dot(dot_, vj, L.d) - D[h * L.n + t]) * L.scale;
                const float* qt = L.q(q.data(), t, h);
                for (int64_t i = 0; i < L.d; ++i) {
                  dvj[i] += p * dot_[i];
                  dkj[i] += ds * qt[i];
                }
              }
          }
        }
      },
      4);
}

}  // namespace smolvlm::kernels

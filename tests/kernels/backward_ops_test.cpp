// The training kernels' backward passes against central differences of
// double-precision forwards (small random shapes with odd sizes), and the
// SIMD backward matmuls against a double oracle on every ISA.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "core/error.h"
#include "kernel_test_util.h"
#include "kernels/activations_backward.h"
#include "kernels/attention_train.h"
#include "kernels/cross_entropy.h"
#include "kernels/embedding_backward.h"
#include "kernels/matmul_backward.h"
#include "kernels/norms.h"
#include "kernels/norms_backward.h"
#include "kernels/rope.h"
#include "kernels/rope_backward.h"
#include "simd_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::random_floats;
using testing::StoredWeight;
using Vec = std::vector<double>;

// d/dx_i of f at x by central differences (f is a double-precision forward
// contracted with a fixed output gradient, so this is the exact vector-Jacobian product).
Vec numeric_gradient(const std::function<double(const Vec&)>& f, Vec x, double h = 1e-5) {
  Vec g(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = f(x);
    x[i] = keep - h;
    const double down = f(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

// ||got - want|| / ||want||.
double norm_relative_error(const std::vector<float>& got, const Vec& want) {
  double diff = 0, ref = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff += (got[i] - want[i]) * (got[i] - want[i]);
    ref += want[i] * want[i];
  }
  return std::sqrt(diff / ref);
}

Vec to_double(const std::vector<float>& v) { return Vec(v.begin(), v.end()); }

double contract(const Vec& y, const std::vector<float>& dy) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += y[i] * dy[i];
  return s;
}

class BackwardMatmulOnIsa : public ::testing::TestWithParam<Isa> {
 protected:
  ScopedIsa isa_{GetParam()};
};

TEST_P(BackwardMatmulOnIsa, InputAndWeightGradientsMatchADoubleOracle) {
  std::mt19937 rng(7);
  const int64_t shapes[][3] = {{1, 1, 1}, {3, 17, 9}, {5, 33, 70}, {13, 100, 97}, {50, 200, 130}, {7, 5, 600}};
  for (DType dtype : {DType::F32, DType::BF16, DType::F16})
    for (const auto& s : shapes) {
      const int64_t N = s[0], IN = s[1], OUT = s[2];
      const auto dy = random_floats(rng, N * OUT), x = random_floats(rng, N * IN);
      const StoredWeight w(dtype, OUT, IN, random_floats(rng, OUT * IN, 0.1f));
      Vec want_dx(N * IN, 0.0), want_dw(OUT * IN, 0.0);
      const auto dx_start = random_floats(rng, N * IN), dw_start = random_floats(rng, OUT * IN);
      for (int64_t t = 0; t < N; ++t)
        for (int64_t o = 0; o < OUT; ++o)
          for (int64_t i = 0; i < IN; ++i) {
            want_dx[t * IN + i] += static_cast<double>(dy[t * OUT + o]) * w.values[o * IN + i];
            want_dw[o * IN + i] += static_cast<double>(dy[t * OUT + o]) * x[t * IN + i];
          }
      for (size_t i = 0; i < want_dw.size(); ++i) want_dw[i] += dw_start[i];
      Vec want_dx_acc = want_dx;
      for (size_t i = 0; i < want_dx.size(); ++i) want_dx_acc[i] += dx_start[i];
      std::vector<float> dx(N * IN, 123.0f), dx_acc = dx_start, dw = dw_start;
      matmul_backward_input(dy, N, w.view(), dx, false);
      matmul_backward_input(dy, N, w.view(), dx_acc, true);
      matmul_backward_weight(dy, x, N, OUT, IN, dw);
      const std::string where = std::string(dtype_name(dtype)) + " n=" + std::to_string(N) + " in=" +
                                std::to_string(IN) + " out=" + std::to_string(OUT);
      EXPECT_LT(testing::max_scaled_error(dx, want_dx), 2e-5) << where;
      EXPECT_LT(testing::max_scaled_error(dx_acc, want_dx_acc), 2e-5) << where;
      EXPECT_LT(testing::max_scaled_error(dw, want_dw), 2e-5) << where;
    }
}

INSTANTIATE_TEST_SUITE_P(Isas, BackwardMatmulOnIsa, ::testing::ValuesIn(testing::supported_isas()),
                         testing::isa_param_name);

TEST(RmsNormBackward, MatchesCentralDifferences) {
  std::mt19937 rng(3);
  const int64_t N = 3, D = 37;
  const float eps = 1e-5f;
  const auto x = random_floats(rng, N * D), dy = random_floats(rng, N * D);
  const StoredWeight w(DType::BF16, 1, D, random_floats(rng, D, 1.0f));
  auto forward = [&](const Vec& xs, const Vec& ws) {
    Vec y(N * D);
    for (int64_t t = 0; t < N; ++t) {
      double ss = 0;
      for (int64_t i = 0; i < D; ++i) ss += xs[t * D + i] * xs[t * D + i];
      const double r = 1.0 / std::sqrt(ss / D + eps);
      for (int64_t i = 0; i < D; ++i) y[t * D + i] = ws[i] * xs[t * D + i] * r;
    }
    return contract(y, dy);
  };
  const Vec xd = to_double(x), wd = to_double(w.values);
  const Vec want_dx = numeric_gradient([&](const Vec& v) { return forward(v, wd); }, xd);
  const Vec want_dw = numeric_gradient([&](const Vec& v) { return forward(xd, v); }, wd);
  std::vector<float> dx(N * D, 0.0f), dw(D, 0.0f);
  rms_norm_backward(x, N, w.view(), eps, dy, dx, dw);
  EXPECT_LT(norm_relative_error(dx, want_dx), 1e-6);
  EXPECT_LT(norm_relative_error(dw, want_dw), 1e-6);
  // dx is added to what is there (the residual's gradient); a frozen weight takes no gradient.
  std::vector<float> dx2(N * D, 1.0f);
  rms_norm_backward(x, N, w.view(), eps, dy, dx2, {});
  for (int64_t i = 0; i < N * D; ++i) EXPECT_NEAR(dx2[i], 1.0f + dx[i], 1e-6f);
}

TEST(SiluMulBackward, MatchesCentralDifferences) {
  std::mt19937 rng(4);
  const int64_t N = 41;
  const auto gate = random_floats(rng, N, 3.0f), up = random_floats(rng, N), dout = random_floats(rng, N);
  auto forward = [&](const Vec& g, const Vec& u) {
    Vec y(N);
    for (int64_t i = 0; i < N; ++i) y[i] = g[i] / (1 + std::exp(-g[i])) * u[i];
    return contract(y, dout);
  };
  const Vec gd = to_double(gate), ud = to_double(up);
  std::vector<float> dgate(N), dup(N);
  silu_mul_backward(gate, up, dout, dgate, dup);
  EXPECT_LT(norm_relative_error(dgate, numeric_gradient([&](const Vec& v) { return forward(v, ud); }, gd)), 1e-6);
  EXPECT_LT(norm_relative_error(dup, numeric_gradient([&](const Vec& v) { return forward(gd, v); }, ud)), 1e-6);
}

TEST(RopeBackward, MatchesCentralDifferences) {
  std::mt19937 rng(5);
  const int64_t NH = 3, D = 10;
  const auto inv_freq = rope_inv_freq(D, 10000.0);
  std::vector<float> cos(D), sin(D);
  rope_cos_sin(inv_freq, 7, cos, sin);
  const auto x = random_floats(rng, NH * D), dy = random_floats(rng, NH * D);
  auto forward = [&](const Vec& xs) {
    Vec y(NH * D);
    for (int64_t h = 0; h < NH; ++h)
      for (int64_t i = 0; i < D / 2; ++i) {
        const double lo = xs[h * D + i], hi = xs[h * D + i + D / 2];
        y[h * D + i] = lo * cos[i] - hi * sin[i];
        y[h * D + i + D / 2] = hi * cos[i + D / 2] + lo * sin[i + D / 2];
      }
    return contract(y, dy);
  };
  std::vector<float> g = dy;
  rope_apply_backward(g, NH, cos, sin);
  EXPECT_LT(norm_relative_error(g, numeric_gradient(forward, to_double(x))), 1e-7);
}

TEST(CausalAttentionTrain, ForwardMatchesAFullSoftmaxAndBackwardCentralDifferences) {
  std::mt19937 rng(6);
  const TrainAttentionShape shape{7, 6, 2, 5};  // 3 query heads per kv head, odd head_dim
  const int64_t N = shape.n_tokens, NH = shape.n_heads, NKV = shape.n_kv_heads, D = shape.head_dim;
  const auto q = random_floats(rng, N * NH * D), k = random_floats(rng, N * NKV * D), v = random_floats(rng, N * NKV * D);
  const auto dout = random_floats(rng, N * NH * D);
  auto forward = [&](const Vec& qs, const Vec& ks, const Vec& vs) {
    Vec out(N * NH * D, 0.0);
    for (int64_t h = 0; h < NH; ++h) {
      const int64_t g = h / (NH / NKV);
      for (int64_t t = 0; t < N; ++t) {
        Vec s(t + 1);
        double max = -1e300, sum = 0;
        for (int64_t j = 0; j <= t; ++j) {
          double d = 0;
          for (int64_t i = 0; i < D; ++i) d += qs[t * NH * D + h * D + i] * ks[j * NKV * D + g * D + i];
          s[j] = d / std::sqrt(static_cast<double>(D));
          max = std::max(max, s[j]);
        }
        for (int64_t j = 0; j <= t; ++j) sum += s[j] = std::exp(s[j] - max);
        for (int64_t j = 0; j <= t; ++j)
          for (int64_t i = 0; i < D; ++i) out[t * NH * D + h * D + i] += s[j] / sum * vs[j * NKV * D + g * D + i];
      }
    }
    return out;
  };
  std::vector<float> out(N * NH * D), lse(NH * N);
  causal_attention_train_forward(q, k, v, shape, out, lse);
  const Vec qd = to_double(q), kd = to_double(k), vd = to_double(v);
  EXPECT_LT(testing::max_scaled_error(out, forward(qd, kd, vd)), 1e-6);
  std::vector<float> dq(q.size()), dk(k.size()), dv(v.size());
  causal_attention_train_backward(q, k, v, out, lse, dout, shape, dq, dk, dv);
  auto loss_q = [&](const Vec& x) { return contract(forward(x, kd, vd), dout); };
  auto loss_k = [&](const Vec& x) { return contract(forward(qd, x, vd), dout); };
  auto loss_v = [&](const Vec& x) { return contract(forward(qd, kd, x), dout); };
  EXPECT_LT(norm_relative_error(dq, numeric_gradient(loss_q, qd)), 1e-5);
  EXPECT_LT(norm_relative_error(dk, numeric_gradient(loss_k, kd)), 1e-5);
  EXPECT_LT(norm_relative_error(dv, numeric_gradient(loss_v, vd)), 1e-5);
}

// Several query blocks (the kernel cuts queries into blocks of 128): the
// forward against the double softmax, the backward by directional derivatives.
TEST(CausalAttentionTrain, LongSequencesMatchDirectionalDerivatives) {
  std::mt19937 rng(9);
  const TrainAttentionShape shape{300, 4, 2, 8};
  const int64_t N = shape.n_tokens, NH = shape.n_heads, NKV = shape.n_kv_heads, D = shape.head_dim;
  const auto q = random_floats(rng, N * NH * D), k = random_floats(rng, N * NKV * D), v = random_floats(rng, N * NKV * D);
  const auto dout = random_floats(rng, N * NH * D);
  auto forward = [&](const Vec& qs, const Vec& ks, const Vec& vs) {
    Vec out(N * NH * D, 0.0);
    for (int64_t h = 0; h < NH; ++h)
      for (int64_t t = 0; t < N; ++t) {
        const int64_t g = h / (NH / NKV);
        Vec s(t + 1);
        double max = -1e300, sum = 0;
        for (int64_t j = 0; j <= t; ++j) {
          double d = 0;
          for (int64_t i = 0; i < D; ++i) d += qs[t * NH * D + h * D + i] * ks[j * NKV * D + g * D + i];
          max = std::max(max, s[j] = d / std::sqrt(static_cast<double>(D)));
        }
        for (int64_t j = 0; j <= t; ++j) sum += s[j] = std::exp(s[j] - max);
        for (int64_t j = 0; j <= t; ++j)
          for (int64_t i = 0; i < D; ++i) out[t * NH * D + h * D + i] += s[j] / sum * vs[j * NKV * D + g * D + i];
      }
    return out;
  };
  std::vector<float> out(N * NH * D), lse(NH * N), dq(q.size()), dk(k.size()), dv(v.size());
  causal_attention_train_forward(q, k, v, shape, out, lse);
  const Vec qd = to_double(q), kd = to_double(k), vd = to_double(v);
  EXPECT_LT(testing::max_scaled_error(out, forward(qd, kd, vd)), 1e-5);
  causal_attention_train_backward(q, k, v, out, lse, dout, shape, dq, dk, dv);
  // d/de of <dout, attention(x + e * dir)> at e = 0 equals <grad, dir>.
  auto check = [&](const std::vector<float>& grad, int which) {
    const auto dir = random_floats(rng, static_cast<int64_t>(grad.size()));
    auto at = [&](double e) {
      Vec x[3] = {qd, kd, vd};
      for (size_t i = 0; i < dir.size(); ++i) x[which][i] += e * dir[i];
      return contract(forward(x[0], x[1], x[2]), dout);
    };
    const double h = 1e-4, numeric = (at(h) - at(-h)) / (2 * h);
    double analytic = 0;
    for (size_t i = 0; i < dir.size(); ++i) analytic += static_cast<double>(grad[i]) * dir[i];
    EXPECT_NEAR(analytic, numeric, 1e-4 * std::abs(numeric) + 1e-6) << "input " << which;
  };
  check(dq, 0);
  check(dk, 1);
  check(dv, 2);
}

TEST(CrossEntropy, LossAndGradientMatchCentralDifferencesWithIgnoredRows) {
  std::mt19937 rng(8);
  const int64_t N = 4, V = 23;
  const auto logits = random_floats(rng, N * V, 4.0f);
  const std::vector<int32_t> targets = {5, -100, 0, 22};
  const std::vector<float> scale = {0.5f, 3.0f, -1.0f, 2.0f};
  auto forward = [&](const Vec& z) {
    double total = 0;
    for (int64_t t = 0; t < N; ++t) {
      if (targets[t] < 0) continue;
      double m = -1e300, s = 0;
      for (int64_t j = 0; j < V; ++j) m = std::max(m, z[t * V + j]);
      for (int64_t j = 0; j < V; ++j) s += std::exp(z[t * V + j] - m);
      total += scale[t] * (m + std::log(s) - z[t * V + targets[t]]);
    }
    return total;
  };
  std::vector<float> loss(N), lse(N);
  cross_entropy_forward(logits, N, V, targets, loss, lse);
  double weighted = 0;
  for (int64_t t = 0; t < N; ++t) weighted += scale[t] * loss[t];
  EXPECT_NEAR(weighted, forward(to_double(logits)), 1e-5);
  EXPECT_EQ(loss[1], 0.0f);
  std::vector<float> grad = logits;
  cross_entropy_backward(grad, N, V, targets, lse, scale);
  EXPECT_LT(norm_relative_error(grad, numeric_gradient(forward, to_double(logits))), 1e-6);
  for (int64_t j = 0; j < V; ++j) EXPECT_EQ(grad[1 * V + j], 0.0f);
  EXPECT_THROW(cross_entropy_forward(logits, N, V, std::vector<int32_t>{0, 1, 2, 23}, loss, lse), Error);
}

TEST(EmbeddingBackward, AddsRowsPerTokenAndSkipsReplacedPositions) {
  const int64_t D = 3;
  const std::vector<int32_t> ids = {2, -1, 2, 0};
  const std::vector<float> dx = {1, 2, 3, 100, 100, 100, 10, 20, 30, 4, 5, 6};
  std::vector<float> table(4 * D, 1.0f);
  embedding_rows_backward(ids, dx, D, table);
  EXPECT_EQ(table, (std::vector<float>{5, 6, 7, 1, 1, 1, 12, 23, 34, 1, 1, 1}));
  EXPECT_THROW(embedding_rows_backward(std::vector<int32_t>{4}, std::vector<float>(3), D, table), Error);
}

}  // namespace
}  // namespace smolvlm::kernels

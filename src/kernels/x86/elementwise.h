// Element-wise ops and row norms for any vector ISA V, each the vector form of
// its reference kernel (gelu.cpp, activations.cpp, norms.cpp, layer_norm.cpp):
// the same formula and rounding steps; only exp and the summation order of
// the moments differ.
#pragma once

#include <cstdint>

#include "kernels/x86/vec_math.h"

namespace smolvlm::kernels::x86 {

// Applies f to x[0, n) in vectors, the tail masked.
template <class V, class Fn>
inline void map_in_place(float* x, int64_t n, Fn f) {
  int64_t i = 0;
  for (; i + V::L <= n; i += V::L) V::store(x + i, f(V::load(x + i)));
  if (i < n) V::store_n(x + i, f(V::load_n(x + i, static_cast<int>(n - i))), static_cast<int>(n - i));
}

template <class V>
void gelu_tanh(float* x, int64_t n) {
  // 0.5 x (1 + tanh(u)) = x / (1 + e^(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3).
  const typename V::F beta2 = V::set1(2.0f * 0.7978845608028654f), kappa = V::set1(0.044715f);
  map_in_place<V>(x, n, [&](typename V::F v) {
    const typename V::F inner = V::mul(beta2, V::fma(kappa, V::mul(V::mul(v, v), v), v));
    return x_sigmoid<V>(v, inner);
  });
}

template <class V>
void silu_mul(const float* gate, const float* up, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + V::L <= n; i += V::L) {
    const typename V::F g = V::load(gate + i);
    V::store(out + i, V::mul(x_sigmoid<V>(g, g), V::load(up + i)));
  }
  if (i < n) {
    const int t = static_cast<int>(n - i);
    const typename V::F g = V::load_n(gate + i, t);
    V::store_n(out + i, V::mul(x_sigmoid<V>(g, g), V::load_n(up + i, t)), t);
  }
}

template <class V>
void add(float* x, const float* delta, int64_t n) {
  int64_t i = 0;
  for (; i + V::L <= n; i += V::L) V::store(x + i, V::add(V::load(x + i), V::load(delta + i)));
  if (i < n) {
    const int t = static_cast<int>(n - i);
    V::store_n(x + i, V::add(V::load_n(x + i, t), V::load_n(delta + i, t)), t);
  }
}

template <class V>
void rms_norm(const float* x, int64_t rows, int64_t dim, const float* w, float eps, float* y) {
  for (int64_t t = 0; t < rows; ++t) {
    const float* xt = x + t * dim;
    const float variance = static_cast<float>(V::dsum(xt, dim, 0.0, true) / static_cast<double>(dim));
    const typename V::F inv = V::set1(1.0f / __builtin_sqrtf(variance + eps));
    float* yt = y + t * dim;
    int64_t i = 0;
    for (; i + V::L <= dim; i += V::L) V::store(yt + i, V::mul(V::load(w + i), V::mul(V::load(xt + i), inv)));
    if (i < dim) {
      const int n = static_cast<int>(dim - i);
      V::store_n(yt + i, V::mul(V::load_n(w + i, n), V::mul(V::load_n(xt + i, n), inv)), n);
    }
  }
}

template <class V>
void layer_norm(const float* x, int64_t rows, int64_t dim, const float* w, const float* b, float eps, float* y) {
  using F = typename V::F;
  for (int64_t t = 0; t < rows; ++t) {
    const float* xt = x + t * dim;
    const double mean_d = V::dsum(xt, dim, 0.0, false) / static_cast<double>(dim);
    const float variance = static_cast<float>(V::dsum(xt, dim, mean_d, true) / static_cast<double>(dim));
    const float rstd = 1.0f / __builtin_sqrtf(variance + eps);
    const F vr = V::set1(rstd), off = V::set1(-rstd * static_cast<float>(mean_d));
    float* yt = y + t * dim;
    auto row = [&](F v, F wv, F bv) { return V::add(V::mul(V::add(V::mul(v, vr), off), wv), bv); };
    int64_t i = 0;
    for (; i + V::L <= dim; i += V::L) V::store(yt + i, row(V::load(xt + i), V::load(w + i), V::load(b + i)));
    if (i < dim) {
      const int n = static_cast<int>(dim - i);
      V::store_n(yt + i, row(V::load_n(xt + i, n), V::load_n(w + i, n), V::load_n(b + i, n)), n);
    }
  }
}

}  // namespace smolvlm::kernels::x86

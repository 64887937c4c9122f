// exp and the activations built on it, for any vector ISA V. Accurate to a
// few ulp (Cephes' expf polynomial), well inside the exact mode's 1e-4.
#pragma once

namespace smolvlm::kernels::x86 {

// e^xc for xc in [V::kExpMin, ln(FLT_MAX)]: Cephes' expf.
template <class V>
inline typename V::F exp_in_range(typename V::F xc) {
  using F = typename V::F;
  const F n = V::round(V::mul(xc, V::set1(1.44269504088896341f)));
  // r = x - n ln2, with ln2 split in two so n * ln2_hi is exact.
  F r = V::fma(n, V::set1(-0.693359375f), xc);
  r = V::fma(n, V::set1(2.12194440e-4f), r);
  F p = V::set1(1.9875691500e-4f);
  p = V::fma(p, r, V::set1(1.3981999507e-3f));
  p = V::fma(p, r, V::set1(8.3334519073e-3f));
  p = V::fma(p, r, V::set1(4.1665795894e-2f));
  p = V::fma(p, r, V::set1(1.6666665459e-1f));
  p = V::fma(p, r, V::set1(5.0000001201e-1f));
  p = V::add(V::fma(p, V::mul(r, r), r), V::set1(1.0f));
  return V::ldexp(p, n);
}

// e^x; 0 below V::kExpMin (so exp(-inf) is exactly 0), inf above ln(FLT_MAX)
// (so x / (1 + e^-x) saturates to -0 as the reference does).
template <class V>
inline typename V::F exp(typename V::F x) {
  const typename V::F lo = V::set1(V::kExpMin);
  const typename V::F e = exp_in_range<V>(V::max(V::min(x, V::set1(88.3762626647949f)), lo));
  return V::select(V::lt(x, lo), V::zero(),
                   V::select(V::lt(V::set1(88.72283935546875f), x), V::set1(__builtin_inff()), e));
}

// exp for x <= 0 or -inf (a softmax's S - max), the same bits, with no
// overflow side: three operations fewer of some twenty.
template <class V>
inline typename V::F exp_nonpositive(typename V::F x) {
  const typename V::F lo = V::set1(V::kExpMin);
  return V::select(V::lt(x, lo), V::zero(), exp_in_range<V>(V::max(x, lo)));
}

// 2^t for t <= 0 or -inf to 3e-6 relative, where that is plenty: fast-mode
// softmax, whose probabilities are rounded to BF16 (2^-9) next. 2^n · p(t - n),
// p a degree-4 minimax fit of 2^f on [-1/2, 1/2] (11 operations where exp takes
// about 15). Below 2^-125 it is 0 (so -inf gives exactly 0) and it never makes
// a subnormal: letting scalef underflow (t down to -151) slowed a 256M decode
// step by ~10 % (random weights, whose scores spread far).
template <class V>
inline typename V::F exp2_nonpositive_bf16(typename V::F t) {
  using F = typename V::F;
  const F lo = V::set1(-125.0f);
  const F tc = V::max(t, lo), n = V::round(tc), f = V::sub(tc, n);
  F p = V::set1(9.5701022074e-03f);
  p = V::fma(p, f, V::set1(5.5917859077e-02f));
  p = V::fma(p, f, V::set1(2.4024744332e-01f));
  p = V::fma(p, f, V::set1(6.9312179089e-01f));
  p = V::fma(p, f, V::set1(9.9999928474e-01f));
  return V::select(V::lt(t, lo), V::zero(), V::ldexp(p, n));
}

// x / (1 + e^-z): the logistic form of x * (1 + tanh(z / 2)) / 2, with no
// cancellation where tanh nears -1.
template <class V>
inline typename V::F x_sigmoid(typename V::F x, typename V::F z) {
  return V::div(x, V::add(V::set1(1.0f), exp<V>(V::sub(V::zero(), z))));
}

}  // namespace smolvlm::kernels::x86

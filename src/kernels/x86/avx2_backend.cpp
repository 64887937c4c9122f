// The AVX2 + FMA + F16C kernel table (exact mode only: no BF16 dot product).
// This file is compiled with those -m flags (CMakeLists.txt) and runs only
// where isa.cpp found them.
#if defined(__x86_64__)
#include "kernels/x86/attention_exact.h"
#include "kernels/x86/attention_tiles.h"
#include "kernels/x86/backends.h"
#include "kernels/x86/elementwise.h"
#include "kernels/x86/gemm_accumulate.h"
#include "kernels/x86/gemm_exact.h"
#include "kernels/x86/vec_avx2.h"

namespace smolvlm::kernels::x86 {
namespace {

void attention_any_kv(const AttentionArgs& a, int64_t t0, int64_t t1, float* scratch) {
  switch (a.kv_element) {
    case KvElement::F32: return attention<Avx2, ExactProducts<Avx2, KvElement::F32>>(a, t0, t1, scratch);
    case KvElement::BF16: return attention<Avx2, ExactProducts<Avx2, KvElement::BF16>>(a, t0, t1, scratch);
    case KvElement::F16: return attention<Avx2, ExactProducts<Avx2, KvElement::F16>>(a, t0, t1, scratch);
  }
}

}  // namespace

const Backend& avx2_backend() {
  static const Backend table = [] {
    Backend b;
    b.isa = Isa::Avx2;
    b.gemm_exact = gemm_exact<Avx2>;
    b.gemm_scratch_floats = gemm_scratch_floats<Avx2>;
    b.gemm_accumulate = gemm_accumulate<Avx2>;
    b.attention = attention_any_kv;
    b.attention_scratch_floats = attention_scratch_floats<Avx2, ExactProducts<Avx2>>;
    b.attention_rows = Avx2::kAttnRows;
    b.gelu_tanh = gelu_tanh<Avx2>;
    b.silu_mul = silu_mul<Avx2>;
    b.add = add<Avx2>;
    b.rms_norm = rms_norm<Avx2>;
    b.layer_norm = layer_norm<Avx2>;
    return b;
  }();
  return table;
}

}  // namespace smolvlm::kernels::x86
#endif

// The AVX-512 (F/BW/VL/DQ + BF16) kernel table. This file is compiled with
// those -m flags (CMakeLists.txt) and runs only where isa.cpp found them.
#if defined(__x86_64__)
#include "kernels/x86/attention_bf16.h"
#include "kernels/x86/attention_bf16_rows.h"
#include "kernels/x86/attention_exact.h"
#include "kernels/x86/attention_tiles.h"
#include "kernels/x86/backends.h"
#include "kernels/x86/elementwise.h"
#include "kernels/x86/gemm_accumulate.h"
#include "kernels/x86/gemm_bf16.h"
#include "kernels/x86/gemm_exact.h"
#include "kernels/x86/gemm_panels.h"
#include "kernels/x86/vec_avx512.h"

namespace smolvlm::kernels::x86 {
namespace {

// Packed BF16 products pay off for many queries (prefill, vision); for a few
// (a decode step) packing would be a pass over the whole cache per step, so
// they read the cache rows in place. The exact mode keeps its transposed keys.
bool bf16_products(const AttentionArgs& a) { return a.fast && a.n_queries >= 16; }
bool bf16_row_products(const AttentionArgs& a) { return a.fast && !bf16_products(a); }

template <KvElement E>
void attention_stored_as(const AttentionArgs& a, int64_t t0, int64_t t1, float* scratch) {
  if (bf16_products(a)) return attention<Avx512, Bf16Products<E>>(a, t0, t1, scratch);
  if (bf16_row_products(a)) return attention<Avx512, Bf16RowProducts<E>>(a, t0, t1, scratch);
  attention<Avx512, ExactProducts<Avx512, E>>(a, t0, t1, scratch);
}

void attention_either(const AttentionArgs& a, int64_t t0, int64_t t1, float* scratch) {
  switch (a.kv_element) {
    case KvElement::F32: return attention_stored_as<KvElement::F32>(a, t0, t1, scratch);
    case KvElement::BF16: return attention_stored_as<KvElement::BF16>(a, t0, t1, scratch);
    case KvElement::F16: return attention_stored_as<KvElement::F16>(a, t0, t1, scratch);
  }
}

// Scratch does not depend on how K and V are stored.
int64_t attention_scratch_either(const AttentionArgs& a) {
  if (bf16_products(a)) return attention_scratch_floats<Avx512, Bf16Products<>>(a);
  if (bf16_row_products(a)) return attention_scratch_floats<Avx512, Bf16RowProducts<KvElement::BF16>>(a);
  return attention_scratch_floats<Avx512, ExactProducts<Avx512>>(a);
}

}  // namespace

const Backend& avx512_backend() {
  static const Backend table = [] {
    Backend b;
    b.isa = Isa::Avx512Bf16;
    b.gemm_exact = gemm_exact<Avx512>;
    b.gemm_scratch_floats = gemm_scratch_floats<Avx512>;
    b.gemm_accumulate = gemm_accumulate<Avx512>;
    b.gemm_bf16 = gemm_bf16;
    b.gemm_bf16_scratch_floats = gemm_bf16_scratch_floats;
    b.gemm_bf16_panels = gemm_bf16_panels;
    b.to_bf16 = to_bf16;
    b.attention = attention_either;
    b.attention_scratch_floats = attention_scratch_either;
    b.attention_rows = Avx512::kAttnRows;
    b.attention_bf16 = true;
    b.gelu_tanh = gelu_tanh<Avx512>;
    b.silu_mul = silu_mul<Avx512>;
    b.add = add<Avx512>;
    b.rms_norm = rms_norm<Avx512>;
    b.layer_norm = layer_norm<Avx512>;
    return b;
  }();
  return table;
}

}  // namespace smolvlm::kernels::x86
#endif

#include "kernels/isa.h"

#include <gtest/gtest.h>

#include "kernels/backend.h"

namespace smolvlm::kernels {
namespace {

TEST(Isa, TheActiveIsaIsTheBestSupportedOne) {
  const Isa best = isa_supported(Isa::Avx512Bf16) ? Isa::Avx512Bf16
                   : isa_supported(Isa::Avx2)     ? Isa::Avx2
                                                  : Isa::Scalar;
  EXPECT_EQ(active_isa(), best);
  EXPECT_EQ(backend().isa, best);
  EXPECT_TRUE(isa_supported(Isa::Scalar));
}

TEST(Isa, ScopedIsaForcesAPathAndRestoresIt) {
  const Isa before = active_isa();
  {
    ScopedIsa forced(Isa::Scalar);
    EXPECT_EQ(active_isa(), Isa::Scalar);
    EXPECT_EQ(backend().gemm_exact, nullptr);  // the drivers then run the reference kernels
  }
  EXPECT_EQ(active_isa(), before);
}

TEST(Isa, EverySimdTableIsComplete) {
  for (Isa isa : {Isa::Avx2, Isa::Avx512Bf16}) {
    if (!isa_supported(isa)) continue;
    ScopedIsa forced(isa);
    const Backend& b = backend();
    EXPECT_EQ(b.isa, isa);
    EXPECT_TRUE(b.gemm_exact && b.gemm_scratch_floats && b.attention && b.attention_scratch_floats && b.gelu_tanh &&
                b.silu_mul && b.add && b.rms_norm && b.layer_norm)
        << isa_name(isa);
    EXPECT_EQ(b.gemm_bf16 != nullptr, isa == Isa::Avx512Bf16) << isa_name(isa);
  }
}

}  // namespace
}  // namespace smolvlm::kernels

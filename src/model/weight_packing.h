// The fast mode's BF16 weights in panels (kernels/bf16_panels.h): every BF16
// weight that weight_quantization.h would quantize (the decoder's and the
// vision layers' projections, a stored lm_head, the connector) and that is not
// quantized, re-laid out at load. Bit for bit the same values; the stored pages
// are released as each is packed, so the model is held once.
#pragma once

#include "io/model_config.h"
#include "io/safetensors.h"

namespace smolvlm {

// `store` with those weights packed. Call only for ComputeMode::Fast on a CPU
// whose backend has gemm_bf16_panels (else the store comes back as it was).
TensorStore pack_store_for_fast_matmul(TensorStore store, const ModelConfig& config);

}  // namespace smolvlm

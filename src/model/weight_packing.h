// The fast mode's weights in the fast kernels' layouts: every BF16 weight that
// weight_quantization.h would quantize (the decoder's and the vision layers'
// projections, a stored lm_head, the connector) and is not quantized, as
// BF16_PANELS (kernels/bf16_panels.h), and every Q8_0 / Q4_0 weight as its
// panels (kernels/quant_panels.h), re-laid out at load. Bit for bit the same
// values; the stored pages are released as each is packed, so the model is
// held once.
#pragma once

#include "io/model_config.h"
#include "io/safetensors.h"

namespace smolvlm {

// `store` with those weights packed, each only where this CPU has the kernel
// that reads it. Call for ComputeMode::Fast only.
TensorStore pack_store_for_fast_matmul(TensorStore store, const ModelConfig& config);

}  // namespace smolvlm

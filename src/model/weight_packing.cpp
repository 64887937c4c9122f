#include "model/weight_packing.h"

#include <span>
#include <vector>

#include "kernels/backend.h"
#include "kernels/bf16_panels.h"
#include "kernels/quant_matmul.h"
#include "kernels/quant_panels.h"
#include "model/weight_quantization.h"

namespace smolvlm {
namespace {

bool packs_as_bf16_panels(const std::string& name, const TensorView& t, const ModelConfig& config) {
  const WeightDtypes every_part{DType::BF16_PANELS, DType::BF16_PANELS, DType::BF16_PANELS};
  return kernels::backend().gemm_bf16_panels && t.dtype == DType::BF16 &&
         quantized_dtype_for(name, t, config, every_part) && t.shape[1] % 2 == 0;
}

// Every Q8_0 / Q4_0 tensor is a projection weight (weight_quantization.h).
bool packs_as_quant_panels(const TensorView& t) {
  return kernels::quant_fast_available() && (t.dtype == DType::Q8_0 || t.dtype == DType::Q4_0) && t.shape.size() == 2;
}

TensorToWrite packed(const std::string& name, const TensorView& t, DType dtype) {
  const kernels::WeightView w{t.dtype, t.shape[0], t.shape[1], t.data};
  TensorToWrite p{name, dtype, t.shape, std::vector<uint8_t>(*dtype_tensor_bytes(dtype, t.shape))};
  if (dtype == DType::BF16_PANELS)
    kernels::pack_bf16_panels(w, std::span(reinterpret_cast<uint16_t*>(p.bytes.data()), p.bytes.size() / 2));
  else
    kernels::pack_quant_panels(w, p.bytes);
  return p;
}

}  // namespace

TensorStore pack_store_for_fast_matmul(TensorStore store, const ModelConfig& config) {
  std::vector<TensorToWrite> replacements;
  for (const std::string& name : store.names()) {
    const TensorView& t = store.get(name);
    if (packs_as_bf16_panels(name, t, config))
      replacements.push_back(packed(name, t, DType::BF16_PANELS));
    else if (packs_as_quant_panels(t))
      replacements.push_back(packed(name, t, kernels::quant_panels_of(t.dtype)));
    else
      continue;
    store.release_pages(name);  // the stored bytes are not read again
  }
  return TensorStore::with_replacements(std::move(store), std::move(replacements));
}

}  // namespace smolvlm

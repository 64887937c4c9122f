#include "model/weight_packing.h"

#include <span>
#include <vector>

#include "kernels/backend.h"
#include "kernels/bf16_panels.h"
#include "model/weight_quantization.h"

namespace smolvlm {

TensorStore pack_store_for_fast_matmul(TensorStore store, const ModelConfig& config) {
  if (!kernels::backend().gemm_bf16_panels) return store;
  const WeightDtypes every_part{DType::BF16_PANELS, DType::BF16_PANELS, DType::BF16_PANELS};
  std::vector<TensorToWrite> packed;
  for (const std::string& name : store.names()) {
    const TensorView& t = store.get(name);
    if (t.dtype != DType::BF16 || !quantized_dtype_for(name, t, config, every_part) || t.shape[1] % 2 != 0) continue;
    const kernels::WeightView w{t.dtype, t.shape[0], t.shape[1], t.data};
    TensorToWrite p{name, DType::BF16_PANELS, t.shape,
                    std::vector<uint8_t>(*dtype_tensor_bytes(DType::BF16_PANELS, t.shape))};
    kernels::pack_bf16_panels(w, std::span(reinterpret_cast<uint16_t*>(p.bytes.data()), p.bytes.size() / 2));
    store.release_pages(name);  // the stored bytes are not read again
    packed.push_back(std::move(p));
  }
  return TensorStore::with_replacements(std::move(store), std::move(packed));
}

}  // namespace smolvlm

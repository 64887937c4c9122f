#include "model/weight_quantization.h"

#include <string>

#include "core/error.h"
#include "kernels/parallel.h"
#include "kernels/quant_formats.h"
#include "kernels/weight_view.h"

namespace smolvlm {
namespace {

const std::string kVisionLayers = "model.vision_model.encoder.layers.";               // SPEC §3.6
const std::string kConnector = "model.connector.modality_projection.proj.weight";  // SPEC §4.2

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TensorToWrite quantize_tensor(const std::string& name, const TensorView& t, DType dtype) {
  const int64_t rows = t.shape[0], cols = t.shape[1];
  const size_t row_bytes = kernels::quant_row_bytes(dtype, cols);
  TensorToWrite out{name, dtype, {rows, cols}, std::vector<uint8_t>(static_cast<size_t>(rows) * row_bytes)};
  const kernels::WeightView w{t.dtype, rows, cols, t.data};
  shared_pool().parallel_for(rows, [&](int64_t r0, int64_t r1) {
    float* row = kernels::thread_scratch(cols);
    for (int64_t r = r0; r < r1; ++r) {
      const std::span<float> values(row, static_cast<size_t>(cols));
      kernels::weight_row_to_f32(w, r, values);
      kernels::quantize_row(dtype, values, out.bytes.data() + r * row_bytes);
    }
  });
  return out;
}

}  // namespace

WeightDtypes whole_model_dtypes(DType decoder) {
  const DType prefill_parts = decoder == DType::Q4_K ? DType::Q4_0 : decoder;
  return WeightDtypes{decoder, prefill_parts, prefill_parts};
}

std::optional<DType> quantized_dtype_for(const std::string& name, const TensorView& t, const ModelConfig& config,
                                         const WeightDtypes& dtypes) {
  const bool floating = t.dtype == DType::BF16 || t.dtype == DType::F16 || t.dtype == DType::F32;
  if (!floating || t.shape.size() != 2 || !ends_with(name, ".weight")) return std::nullopt;
  std::optional<DType> dtype;
  if (name == kConnector)
    dtype = dtypes.connector;
  else if (starts_with(name, kVisionLayers))
    dtype = dtypes.vision;
  else if (starts_with(name, config.text_prefix + "layers.") || name == config.lm_head_name)
    dtype = dtypes.text;
  // Rows that are not whole super-blocks take Q4_0's 32-blocks instead (llama.cpp
  // falls back likewise); rows that are not whole blocks are kept as stored.
  if (dtype == DType::Q4_K && t.shape[1] % dtype_block_elems(DType::Q4_K) != 0) dtype = DType::Q4_0;
  if (dtype && t.shape[1] % dtype_block_elems(*dtype) != 0) return std::nullopt;
  return dtype;
}

std::vector<TensorToWrite> quantize_weights(const TensorStore& store, const ModelConfig& config,
                                            const WeightDtypes& dtypes) {
  for (const auto& d : {dtypes.text, dtypes.vision, dtypes.connector})
    if (d && !dtype_is_quantized(*d))
      throw Error("quantize", std::string(dtype_name(*d)) + " is not a quantized weight dtype (Q8_0, Q4_0 or Q4_K)");
  std::vector<TensorToWrite> out;
  for (const std::string& name : store.names()) {
    const TensorView& t = store.get(name);
    if (const std::optional<DType> dtype = quantized_dtype_for(name, t, config, dtypes)) {
      out.push_back(quantize_tensor(name, t, *dtype));
      store.release_pages(name);  // the stored bytes are not read again
    }
  }
  return out;
}

TensorStore quantize_store(TensorStore store, const ModelConfig& config, const WeightDtypes& dtypes) {
  if (!dtypes.any()) return store;
  std::vector<TensorToWrite> replacements = quantize_weights(store, config, dtypes);
  return TensorStore::with_replacements(std::move(store), std::move(replacements));
}

}  // namespace smolvlm

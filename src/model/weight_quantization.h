// Which weights are block-quantized (kernels/quant_formats.h), per part of
// the model, and quantizing them from a checkpoint's stored dtype.
//
// Quantized: the 2-D Linear weights whose width is a whole number of
// blocks (32 values; 256 for Q4_K): the decoder's attention and MLP projections and a stored
// (untied) lm_head; the vision encoder layers' attention and MLP
// projections; the connector projection. Norms, biases, embeddings, position
// embeddings and the patch convolution stay as stored, as do matrices of
// another width (so400m's fc2, 4304 wide).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "io/model_config.h"
#include "io/safetensors.h"

namespace smolvlm {

struct WeightDtypes {
  std::optional<DType> text;       // Q8_0, Q4_0 or Q4_K; none: as stored
  std::optional<DType> vision;
  std::optional<DType> connector;
  bool any() const { return text || vision || connector; }
};

// What one dtype for the whole model (`--dtype`) gives each part: `decoder`
// for the decoder, and for the vision tower and connector the same except
// Q4_0 for Q4_K: they only run many-row products, where Q4_K's row kernel is
// ~5x slower than Q4_0's panels.
WeightDtypes whole_model_dtypes(DType decoder);

// The dtype `name` gets under `dtypes` (none: it stays as stored).
std::optional<DType> quantized_dtype_for(const std::string& name, const TensorView& t, const ModelConfig& config,
                                         const WeightDtypes& dtypes);

// The quantized replacements of every weight `dtypes` selects, each made row
// by row from the stored dtype (one f32 row at a time: no f32 copy of a
// matrix). Already-quantized tensors are left alone. Throws Error for a
// dtype that is not a block dtype.
std::vector<TensorToWrite> quantize_weights(const TensorStore& store, const ModelConfig& config,
                                            const WeightDtypes& dtypes);

// `store` with those replacements (TensorStore::with_replacements).
TensorStore quantize_store(TensorStore store, const ModelConfig& config, const WeightDtypes& dtypes);

}  // namespace smolvlm

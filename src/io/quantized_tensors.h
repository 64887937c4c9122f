// Block-quantized tensors (Q8_0 / Q4_0, kernels/quant_formats.h) in
// safetensors files, which cannot name block dtypes. The layout `smolvlm
// quantize` writes and the engine maps as is:
//
//   - a quantized [rows, cols] tensor is stored under its own name as a U8
//     tensor [rows, row_bytes] holding its raw GGUF blocks (row_bytes =
//     cols / 32 x 34 for Q8_0, x 18 for Q4_0; cols / 256 x 144 for Q4_K);
//   - the file's __metadata__ marks it: "smolvlm.quant.<name>":
//     "q8_0:<rows>x<cols>" (or "q4_0:...", "q4_k:...");
//   - every other tensor is stored as in the checkpoint it came from.
//
// Readers without this convention see plain U8 tensors and fail on the
// shape; SafetensorsFile applies it, so TensorStore hands out Q8_0 / Q4_0
// views of the logical shape.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "io/safetensors.h"

namespace smolvlm {

constexpr std::string_view kQuantMetadataPrefix = "smolvlm.quant.";

// "q8_0:<rows>x<cols>" for a [rows, cols] tensor of `dtype`.
std::string quant_metadata_value(DType dtype, int64_t rows, int64_t cols);

// Turns the tensors `metadata` marks into views of their block dtype and
// logical shape. Throws Error naming `path` and the tensor when a marked
// tensor is missing, not U8, or not rows x row_bytes, or the mark is malformed.
void apply_quantized_metadata(const std::string& path, const std::map<std::string, std::string>& metadata,
                              std::map<std::string, TensorView>& tensors);

// Writes `tensors` (views into mapped or owned bytes, written in place: no
// copy of the model is made) to one safetensors file, quantized ones in the
// layout above, with `metadata` plus their marks.
void write_tensor_views(const std::string& path, const std::vector<const TensorView*>& tensors,
                        std::map<std::string, std::string> metadata = {});

}  // namespace smolvlm

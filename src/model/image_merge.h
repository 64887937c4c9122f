// Merging image features into the token embeddings (SPEC §5): the k-th
// `<image>` position of the prompt takes row k of the flattened features.
#pragma once

#include <cstdint>
#include <span>

namespace smolvlm {

// embeddings [ids.size(), hidden]; features [n_feature_rows, hidden] in
// processor order (images, then tiles row-major, global last). Throws
// Error("prompt", ...) when the number of image tokens differs from the
// number of feature rows (transformers fails there too; SmolVLM's check).
void merge_image_features(std::span<const int32_t> ids, int32_t image_token_id, std::span<const float> features,
                          int64_t hidden, std::span<float> embeddings);

}  // namespace smolvlm

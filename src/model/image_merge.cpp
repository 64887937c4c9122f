#include "model/image_merge.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace smolvlm {

void merge_image_features(std::span<const int32_t> ids, int32_t image_token_id, std::span<const float> features,
                          int64_t hidden, std::span<float> embeddings) {
  const auto n_image_tokens = std::count(ids.begin(), ids.end(), image_token_id);
  const auto n_rows = static_cast<int64_t>(features.size()) / hidden;
  if (n_image_tokens != n_rows)
    throw Error("prompt", "has " + std::to_string(n_image_tokens) + " image tokens but the images give " +
                              std::to_string(n_rows) + " feature rows");
  const float* row = features.data();
  for (size_t t = 0; t < ids.size(); ++t) {
    if (ids[t] != image_token_id) continue;
    std::copy(row, row + hidden, embeddings.begin() + static_cast<std::ptrdiff_t>(t * hidden));
    row += hidden;
  }
}

}  // namespace smolvlm

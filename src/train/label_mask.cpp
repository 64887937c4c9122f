#include "train/label_mask.h"

#include <string>

#include "core/error.h"
#include "train/training_example.h"

namespace smolvlm::train {

std::vector<int32_t> notebook_labels(std::span<const int32_t> ids, int32_t image_token_id,
                                     std::optional<int32_t> pad_token_id) {
  std::vector<int32_t> labels(ids.begin(), ids.end());
  for (int32_t& label : labels)
    if (label == image_token_id || (pad_token_id && label == *pad_token_id)) label = kIgnoreLabel;
  return labels;
}

std::vector<int32_t> assistant_only_labels(std::span<const int32_t> ids, std::span<const TokenSpan> targets) {
  std::vector<int32_t> labels(ids.size(), kIgnoreLabel);
  for (const TokenSpan& span : targets) {
    if (span.begin > span.end || span.end > ids.size())
      throw Error("assistant-only labels", "target tokens [" + std::to_string(span.begin) + ", " +
                                               std::to_string(span.end) + ") outside a sequence of " +
                                               std::to_string(ids.size()));
    for (size_t t = span.begin; t < span.end; ++t) labels[t] = ids[t];
  }
  return labels;
}

}  // namespace smolvlm::train

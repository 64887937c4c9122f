// From a conversation to what the decoder consumes (SPEC §5-§7): the chat
// template, image loading/preprocessing/encoding, <image> expansion,
// tokenization and the input embeddings with image features merged in.
// Shared by the one-shot Engine and the server's scheduler.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "engine/image_inputs.h"
#include "io/model_config.h"
#include "smolvlm.h"
#include "tokenizer/tokenizer.h"
#include "vision/processor_config.h"

namespace smolvlm {

class TensorStore;
class TextDecoder;
class VisionEncoder;

struct PreparedPrompt {
  std::string rendered_prompt;
  std::string expanded_prompt;
  std::vector<int32_t> ids;
  std::vector<float> embeddings;           // [ids.size(), hidden], image features merged
  std::vector<ImageLayout> images;
  int64_t tile_size = 0;
  std::vector<float> pixel_values;         // when options.keep_image_tensors
  std::vector<float> image_hidden_states;  // when options.keep_image_tensors
  double vision_ms = 0;
};

class PromptBuilder {
 public:
  // `decoder` and `vision` (null for text-only checkpoints) must outlive the builder.
  PromptBuilder(const std::string& model_dir, const ModelConfig& config, const TextDecoder& decoder,
                const VisionEncoder* vision);

  std::string render(const Conversation& conversation, bool add_generation_prompt) const;

  // Throws Error for bad images, placeholder/image count mismatches and prompts
  // longer than max_position_embeddings.
  PreparedPrompt prepare(const Conversation& conversation, const GenerationOptions& options);

  const Tokenizer& tokenizer() const { return tokenizer_; }

 private:
  std::vector<float> encode_images(const Conversation& conversation, const GenerationOptions& options,
                                   PreparedPrompt& prompt);

  const ModelConfig& config_;
  const TextDecoder& decoder_;
  const VisionEncoder* vision_;
  Tokenizer tokenizer_;
  ChatTemplate template_;
  std::optional<ImageProcessorConfig> processor_config_;
  ImageEncodingCache image_cache_;
};

}  // namespace smolvlm

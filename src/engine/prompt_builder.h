// From a conversation to what the decoder consumes (SPEC §5-§7): the chat
// template, image loading/preprocessing/encoding, <image> expansion,
// tokenization and the input embeddings with image features merged in.
// Shared by the one-shot Engine and the server's scheduler.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_template.h"
#include "engine/image_inputs.h"
#include "engine/video_inputs.h"
#include "io/model_config.h"
#include "smolvlm.h"
#include "tokenizer/tokenizer.h"
#include "vision/processor_config.h"

namespace smolvlm {

class TensorStore;
class TextDecoder;
class VisionEncoder;

// What a prompt from an untrusted user (the server's) may do.
struct PromptPolicy {
  // Message text is literal: added-token text typed in it ("<image>",
  // "<end_of_utterance>") is plain text, never prompt structure.
  bool literal_text = false;
  DecodeLimits image_limits;  // per image, checked before pixels are allocated
  VideoLimits video_limits;   // per video file or in-memory video
};

struct PreparedPrompt {
  std::string rendered_prompt;
  std::string expanded_prompt;
  std::vector<int32_t> ids;
  std::vector<float> embeddings;           // [ids.size(), hidden], image features merged
  std::vector<ImageLayout> images;
  std::vector<VideoSummary> videos;
  int64_t tile_size = 0;
  std::vector<float> pixel_values;         // when options.keep_image_tensors
  std::vector<float> image_hidden_states;  // when options.keep_image_tensors
  double vision_ms = 0;
};

class PromptBuilder {
 public:
  // `decoder` and `vision` (null for text-only checkpoints) must outlive the
  // builder. Image encodings are cached within `image_cache_bytes`.
  PromptBuilder(const std::string& model_dir, const ModelConfig& config, const TextDecoder& decoder,
                const VisionEncoder* vision, size_t image_cache_bytes = size_t{64} << 20);

  std::string render(const Conversation& conversation, bool add_generation_prompt) const;

  // Throws Error for bad images, placeholder/image count mismatches and prompts
  // longer than max_position_embeddings. Safe to call from several threads.
  PreparedPrompt prepare(const Conversation& conversation, const GenerationOptions& options,
                         const PromptPolicy& policy = {});

  // A finished prompt text, as a processor is handed one (VLMEvalKit's SmolVLM
  // wrappers build "<|im_start|>User:<image>Question: ...<end_of_utterance>\nAssistant:";
  // training data is the chat template's output): no template runs; the i-th
  // "<image>" of the text takes images[i] (image items only, in order) and is
  // expanded as prepare() expands template output (SPEC §7.2). rendered_prompt
  // is the text itself. Throws Error as prepare() does, and for non-image items.
  PreparedPrompt prepare_text(std::string_view prompt_text, const std::vector<Content>& images,
                              const GenerationOptions& options);

  const Tokenizer& tokenizer() const { return tokenizer_; }
  ImageCacheStats image_cache_stats() const { return image_cache_.stats(); }

 private:
  bool content_as_string() const;
  // Encodes the images, fills prompt.images / tile_size / pixel values, and
  // returns the features in prompt order with the grids for expansion.
  std::vector<float> encode_images(const Conversation& conversation, const GenerationOptions& options,
                                   const PromptPolicy& policy, ExpandedVideos& videos, PreparedPrompt& prompt,
                                   std::vector<ImageGrid>& grids);
  std::string expand(std::string_view rendered, const std::vector<ImageGrid>& grids) const;
  // Checks the length of prompt.ids and fills prompt.embeddings, image features merged in.
  void embed(PreparedPrompt& prompt, const std::vector<float>& features) const;

  const ModelConfig& config_;
  const TextDecoder& decoder_;
  const VisionEncoder* vision_;
  Tokenizer tokenizer_;
  ChatTemplate template_;
  std::optional<ImageProcessorConfig> processor_config_;
  ImageEncodingCache image_cache_;
  VideoInputs video_inputs_;
};

}  // namespace smolvlm

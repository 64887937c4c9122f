#include "engine/prompt_builder.h"

#include <chrono>

#include "core/error.h"
#include "engine/conversation.h"
#include "model/image_merge.h"
#include "model/text_decoder.h"
#include "model/vision_encoder.h"
#include "vision/image_prompt.h"

namespace smolvlm {
namespace {

// Encoded images kept for later turns of a chat (features only: ~2 MB for a
// 13-tile image on the 256M model).
constexpr size_t kImageCacheEntries = 16;

}  // namespace

PromptBuilder::PromptBuilder(const std::string& model_dir, const ModelConfig& config, const TextDecoder& decoder,
                             const VisionEncoder* vision)
    : config_(config),
      decoder_(decoder),
      vision_(vision),
      tokenizer_(Tokenizer::from_dir(model_dir)),
      template_(ChatTemplate::from_dir(model_dir)),
      image_cache_(kImageCacheEntries) {
  if (vision_ != nullptr) processor_config_ = load_image_processor_config(model_dir);
}

std::string PromptBuilder::render(const Conversation& conversation, bool add_generation_prompt) const {
  // VLM templates index typed content lists; SmolLM2's concatenate strings.
  const bool content_as_string = config_.architecture == Architecture::Llama;
  return template_.render(conversation_to_json(conversation, content_as_string), add_generation_prompt);
}

PreparedPrompt PromptBuilder::prepare(const Conversation& conversation, const GenerationOptions& options) {
  PreparedPrompt prompt;
  prompt.rendered_prompt = render(conversation, options.add_generation_prompt);
  const std::vector<float> features = encode_images(conversation, options, prompt);
  prompt.ids = tokenizer_.encode(prompt.expanded_prompt);
  const auto n_prompt = static_cast<int64_t>(prompt.ids.size());
  const int64_t max_positions = config_.text.max_position_embeddings;
  if (n_prompt > max_positions)
    throw Error("prompt", std::to_string(n_prompt) + " tokens (images included) exceed the model's " +
                              "max_position_embeddings of " + std::to_string(max_positions));
  const int64_t hidden = config_.text.hidden_size;
  prompt.embeddings.resize(static_cast<size_t>(n_prompt * hidden));
  decoder_.embed(prompt.ids, prompt.embeddings);
  merge_image_features(prompt.ids, static_cast<int32_t>(config_.image_token_id), features, hidden, prompt.embeddings);
  return prompt;
}

// Loads, preprocesses and encodes the conversation's images (once per request,
// or once per chat through the cache; the features serve the whole generation,
// SPEC §5.3), expands the <image> placeholders, and returns the features in
// prompt order.
std::vector<float> PromptBuilder::encode_images(const Conversation& conversation, const GenerationOptions& options,
                                                PreparedPrompt& prompt) {
  const std::vector<std::string> paths = conversation_images(conversation);
  prompt.expanded_prompt = prompt.rendered_prompt;
  if (paths.empty()) return {};
  if (vision_ == nullptr)
    throw Error("messages", "this checkpoint (" + config_.architecture_name + ") has no vision tower");
  const auto start = std::chrono::steady_clock::now();
  const ImageProcessorConfig config =
      with_overrides(*processor_config_, {options.image_splitting, options.max_image_edge});
  std::vector<ImageGrid> grids;
  std::vector<float> features;
  for (const std::string& path : paths) {
    EncodedImage image = image_cache_.encode(path, options.image_loading, config, *vision_, options.keep_image_tensors);
    grids.push_back(image.grid);
    prompt.images.push_back(image.layout);
    prompt.tile_size = image.tile_size;
    features.insert(features.end(), image.features.begin(), image.features.end());
    prompt.pixel_values.insert(prompt.pixel_values.end(), image.pixel_values.begin(), image.pixel_values.end());
  }
  prompt.expanded_prompt = expand_image_placeholders(prompt.rendered_prompt, grids, config.image_seq_len);
  if (options.keep_image_tensors) prompt.image_hidden_states = features;
  prompt.vision_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return features;
}

}  // namespace smolvlm

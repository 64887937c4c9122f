#include "engine/prompt_builder.h"

#include <chrono>

#include "core/error.h"
#include "engine/conversation.h"
#include "engine/literal_prompt.h"
#include "model/image_merge.h"
#include "model/text_decoder.h"
#include "model/vision_encoder.h"

namespace smolvlm {

PromptBuilder::PromptBuilder(const std::string& model_dir, const ModelConfig& config, const TextDecoder& decoder,
                             const VisionEncoder* vision, size_t image_cache_bytes)
    : config_(config),
      decoder_(decoder),
      vision_(vision),
      tokenizer_(Tokenizer::from_dir(model_dir)),
      template_(ChatTemplate::from_dir(model_dir)),
      image_cache_(image_cache_bytes),
      video_inputs_(model_dir) {
  if (vision_ != nullptr) processor_config_ = load_image_processor_config(model_dir);
}

// VLM templates index typed content lists; SmolLM2's concatenate strings.
bool PromptBuilder::content_as_string() const { return config_.architecture == Architecture::Llama; }

std::string PromptBuilder::render(const Conversation& conversation, bool add_generation_prompt) const {
  return template_.render(conversation_to_json(conversation, content_as_string()), add_generation_prompt);
}

PreparedPrompt PromptBuilder::prepare(const Conversation& request, const GenerationOptions& options,
                                      const PromptPolicy& policy) {
  PreparedPrompt prompt;
  // Videos become text and image items before the template sees them (SPEC §9.2).
  ExpandedVideos videos = video_inputs_.expand(request, options, processor_config_ ? &*processor_config_ : nullptr,
                                               policy.video_limits);
  const Conversation& conversation = videos.conversation();
  prompt.videos = videos.summaries();
  std::vector<ImageGrid> grids;
  const std::vector<float> features = encode_images(conversation, options, policy, videos, prompt, grids);
  if (policy.literal_text) {
    // Expansion runs on the marked structure, where every "<image>" is the
    // template's; message text joins the tokenizer's input as literal pieces.
    const LiteralPrompt literal(template_, conversation, content_as_string(), options.add_generation_prompt);
    const std::string expanded = expand(literal.structure(), grids);
    prompt.rendered_prompt = literal.joined(literal.structure());
    prompt.expanded_prompt = literal.joined(expanded);
    prompt.ids = tokenizer_.encode(literal.pieces(expanded));
  } else {
    prompt.rendered_prompt = render(conversation, options.add_generation_prompt);
    prompt.expanded_prompt = expand(prompt.rendered_prompt, grids);
    prompt.ids = tokenizer_.encode(prompt.expanded_prompt);
  }
  embed(prompt, features);
  return prompt;
}

PreparedPrompt PromptBuilder::prepare_text(std::string_view prompt_text, const std::vector<Content>& images,
                                           const GenerationOptions& options) {
  for (size_t i = 0; i < images.size(); ++i)
    if (images[i].kind != Content::Kind::Image)
      throw Error("images[" + std::to_string(i) + "]",
                  "a prompt text takes image items only (sample a video's frames into images first)");
  // The images as one message, so they take prepare()'s path: cache, limits, loading modes.
  const Conversation holder = {{"user", images}};
  ExpandedVideos no_videos = video_inputs_.expand(holder, options, processor_config_ ? &*processor_config_ : nullptr);
  PreparedPrompt prompt;
  std::vector<ImageGrid> grids;
  const std::vector<float> features = encode_images(holder, options, {}, no_videos, prompt, grids);
  prompt.rendered_prompt = std::string(prompt_text);
  prompt.expanded_prompt = expand(prompt_text, grids);
  prompt.ids = tokenizer_.encode(prompt.expanded_prompt);
  embed(prompt, features);
  return prompt;
}

void PromptBuilder::embed(PreparedPrompt& prompt, const std::vector<float>& features) const {
  const auto n_prompt = static_cast<int64_t>(prompt.ids.size());
  const int64_t max_positions = config_.text.max_position_embeddings;
  if (n_prompt > max_positions)
    throw Error("prompt", std::to_string(n_prompt) + " tokens (images included) exceed the model's " +
                              "max_position_embeddings of " + std::to_string(max_positions));
  const int64_t hidden = config_.text.hidden_size;
  prompt.embeddings.resize(static_cast<size_t>(n_prompt * hidden));
  decoder_.embed(prompt.ids, prompt.embeddings);
  merge_image_features(prompt.ids, static_cast<int32_t>(config_.image_token_id), features, hidden, prompt.embeddings);
}

std::string PromptBuilder::expand(std::string_view rendered, const std::vector<ImageGrid>& grids) const {
  if (grids.empty()) return std::string(rendered);  // no images: "<image>" text stays as typed
  return expand_image_placeholders(rendered, grids, processor_config_->image_seq_len);
}

// Loads, preprocesses and encodes the conversation's images (once per request,
// or once per chat through the cache; the features serve the whole generation,
// SPEC §5.3) and returns the features in prompt order.
std::vector<float> PromptBuilder::encode_images(const Conversation& conversation, const GenerationOptions& options,
                                                const PromptPolicy& policy, ExpandedVideos& videos,
                                                PreparedPrompt& prompt, std::vector<ImageGrid>& grids) {
  const std::vector<const Content*> items = conversation_images(conversation);
  if (items.empty()) return {};
  if (vision_ == nullptr)
    throw Error("messages", "this checkpoint (" + config_.architecture_name + ") has no vision tower");
  const auto start = std::chrono::steady_clock::now();
  const ImageProcessorConfig config =
      with_overrides(*processor_config_, {options.image_splitting, options.max_image_edge});
  std::vector<float> features;
  for (size_t i = 0; i < items.size(); ++i) {
    EncodedImage image = videos.is_frame(i)
                             ? videos.encode_frame(i, image_cache_, *vision_, options.keep_image_tensors)
                             : image_cache_.encode(*items[i], options.image_loading, config, *vision_,
                                                   options.keep_image_tensors, policy.image_limits);
    grids.push_back(image.grid);
    prompt.images.push_back(image.layout);
    prompt.tile_size = image.tile_size;
    features.insert(features.end(), image.features.begin(), image.features.end());
    prompt.pixel_values.insert(prompt.pixel_values.end(), image.pixel_values.begin(), image.pixel_values.end());
  }
  if (options.keep_image_tensors) prompt.image_hidden_states = features;
  prompt.vision_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return features;
}

}  // namespace smolvlm

// The Engine behind include/smolvlm.h: wires checkpoint loading, the chat
// template, the tokenizer, the decoder and the generation loop together.
#include <chrono>
#include <filesystem>

#include "chat/chat_template.h"
#include "core/error.h"
#include "engine/conversation.h"
#include "generate/generator.h"
#include "io/model_config.h"
#include "io/safetensors.h"
#include "engine/image_inputs.h"
#include "model/image_merge.h"
#include "model/kv_cache.h"
#include "model/text_decoder.h"
#include "model/vision_encoder.h"
#include "smolvlm.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Used when neither the request nor generation_config.json bounds the answer.
constexpr int64_t kDefaultMaxNewTokens = 512;
// Encoded images kept for later turns of a chat (features only: ~2 MB for a
// 13-tile image on the 256M model).
constexpr size_t kImageCacheEntries = 16;

class EngineImpl final : public Engine {
 public:
  explicit EngineImpl(const std::string& model_dir)
      : config_(load_model_config(model_dir)),
        generation_config_(load_generation_config(model_dir)),
        tokenizer_(Tokenizer::from_dir(model_dir)),
        template_(ChatTemplate::from_dir(model_dir)),
        weights_(TensorStore::open_dir(model_dir)),
        decoder_(weights_, config_) {
    if (config_.vision) {
      processor_config_ = load_image_processor_config(model_dir);
      vision_.emplace(weights_, config_);
    }
  }

  std::string render_prompt(const Conversation& conversation, bool add_generation_prompt) const override {
    const bool content_as_string = config_.architecture == Architecture::Llama;
    return template_.render(conversation_to_json(conversation, content_as_string), add_generation_prompt);
  }

  std::vector<int32_t> tokenize(std::string_view text) const override { return tokenizer_.encode(text); }

  std::string detokenize(const std::vector<int32_t>& ids, bool skip_special_tokens) const override {
    return tokenizer_.decode(ids, skip_special_tokens);
  }

  GenerationResult generate(const Conversation& conversation, const GenerationOptions& options,
                            const TextCallback& on_text) override {
    GenerationResult result;
    result.rendered_prompt = render_prompt(conversation, options.add_generation_prompt);
    const std::vector<float> features = encode_images(conversation, options, result);
    result.input_ids = tokenizer_.encode(result.expanded_prompt);
    const auto n_prompt = static_cast<int64_t>(result.input_ids.size());
    const int64_t max_positions = config_.text.max_position_embeddings;
    if (n_prompt > max_positions)
      throw Error("prompt", std::to_string(n_prompt) + " tokens (images included) exceed the model's " +
                                "max_position_embeddings of " + std::to_string(max_positions));

    GenerationRequest request;
    request.prompt_ids = result.input_ids;
    std::vector<float> embeddings(static_cast<size_t>(n_prompt * config_.text.hidden_size));
    decoder_.embed(result.input_ids, embeddings);
    merge_image_features(result.input_ids, static_cast<int32_t>(config_.image_token_id), features,
                         config_.text.hidden_size, embeddings);
    request.prompt_embeddings = embeddings;
    request.max_new_tokens = std::min(max_new_tokens(options, n_prompt), max_positions - n_prompt);
    if (!options.ignore_eos) request.eos_ids = generation_config_.eos_token_ids;
    request.stop_strings = options.stop_strings;
    request.sampling = sampling_params(options);
    request.keep_all_logits = options.keep_all_logits;

    KvCache cache(config_.text, n_prompt + request.max_new_tokens);
    GenerationOutput out = smolvlm::generate(decoder_, tokenizer_, cache, request, on_text);
    result.generated_ids = std::move(out.generated_ids);
    result.text = std::move(out.text);
    result.finish_reason = std::move(out.finish_reason);
    result.logits_last = std::move(out.logits_last);
    result.prompt_logits = std::move(out.prompt_logits);
    result.timings.load_ms = load_ms_;
    result.timings.prefill_ms = out.prefill_ms;
    result.timings.decode_ms = out.decode_ms;
    result.timings.prompt_tokens = n_prompt;
    result.timings.generated_tokens = static_cast<int64_t>(result.generated_ids.size());
    return result;
  }

  std::string architecture() const override { return config_.architecture_name; }
  int64_t vocab_size() const override { return config_.text.vocab_size; }
  int64_t max_positions() const override { return config_.text.max_position_embeddings; }
  int64_t hidden_size() const override { return config_.text.hidden_size; }
  bool has_vision() const override { return vision_.has_value(); }
  double load_ms() const override { return load_ms_; }
  void set_load_ms(double ms) { load_ms_ = ms; }

 private:
  int64_t max_new_tokens(const GenerationOptions& options, int64_t n_prompt) const {
    if (options.max_new_tokens) {
      if (*options.max_new_tokens < 0) throw Error("max_new_tokens", "must not be negative");
      return *options.max_new_tokens;
    }
    if (generation_config_.max_new_tokens) return *generation_config_.max_new_tokens;
    if (generation_config_.max_length) return std::max<int64_t>(0, *generation_config_.max_length - n_prompt);
    return kDefaultMaxNewTokens;
  }

  // Loads, preprocesses and encodes the conversation's images (once per
  // request; the features serve the whole generation, SPEC §5.3), expands the
  // prompt's <image> placeholders, and returns the features in prompt order.
  std::vector<float> encode_images(const Conversation& conversation, const GenerationOptions& options,
                                   GenerationResult& result) {
    const std::vector<std::string> paths = conversation_images(conversation);
    result.expanded_prompt = result.rendered_prompt;
    if (paths.empty()) return {};
    if (!vision_) throw Error("messages", "this checkpoint (" + config_.architecture_name + ") has no vision tower");
    const auto start = Clock::now();
    const ImageProcessorConfig config =
        with_overrides(*processor_config_, {options.image_splitting, options.max_image_edge});
    std::vector<ImageGrid> grids;
    std::vector<float> features;
    for (const std::string& path : paths) {
      EncodedImage image = image_cache_.encode(path, options.image_loading, config, *vision_, options.keep_image_tensors);
      grids.push_back(image.grid);
      result.images.push_back(image.layout);
      result.tile_size = image.tile_size;
      features.insert(features.end(), image.features.begin(), image.features.end());
      result.pixel_values.insert(result.pixel_values.end(), image.pixel_values.begin(), image.pixel_values.end());
    }
    result.expanded_prompt = expand_image_placeholders(result.rendered_prompt, grids, config.image_seq_len);
    if (options.keep_image_tensors) result.image_hidden_states = features;
    result.timings.vision_ms = ms_since(start);
    return features;
  }

  SamplingParams sampling_params(const GenerationOptions& o) const {
    const GenerationConfig& g = generation_config_;
    SamplingParams p;
    p.do_sample = o.do_sample.value_or(g.do_sample);
    p.temperature = o.temperature.value_or(g.temperature);
    p.top_k = o.top_k.value_or(g.top_k);
    p.top_p = o.top_p.value_or(g.top_p);
    p.min_p = o.min_p ? o.min_p : g.min_p;
    p.repetition_penalty = o.repetition_penalty.value_or(g.repetition_penalty);
    p.seed = o.seed;
    validate(p);
    return p;
  }

  ModelConfig config_;
  GenerationConfig generation_config_;
  Tokenizer tokenizer_;
  ChatTemplate template_;
  TensorStore weights_;
  TextDecoder decoder_;
  std::optional<ImageProcessorConfig> processor_config_;
  std::optional<VisionEncoder> vision_;
  ImageEncodingCache image_cache_{kImageCacheEntries};
  double load_ms_ = 0;
};

}  // namespace

std::unique_ptr<Engine> Engine::load(const std::string& model_dir) {
  if (!std::filesystem::is_directory(model_dir)) throw Error(model_dir, "is not a checkpoint folder");
  const auto start = Clock::now();
  auto engine = std::make_unique<EngineImpl>(model_dir);
  engine->set_load_ms(ms_since(start));
  return engine;
}

}  // namespace smolvlm

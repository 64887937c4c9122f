// The Engine behind include/smolvlm.h: a loaded checkpoint (weights, decoder,
// vision tower, prompt builder) and the generation loop.
#include <chrono>
#include <filesystem>

#include "core/error.h"
#include "engine/loaded_model.h"
#include "engine/request_settings.h"
#include "generate/generator.h"
#include "model/kv_cache.h"
#include "smolvlm.h"

namespace smolvlm {
namespace {

// The image-encoding cache of one engine (features only; a 13-tile image of the
// 256M model is ~2 MB).
constexpr size_t kImageCacheBytes = size_t{64} << 20;

class EngineImpl final : public Engine {
 public:
  EngineImpl(const std::string& model_dir, const LoadOptions& options)
      : model_(model_dir, kImageCacheBytes, options) {}

  std::string render_prompt(const Conversation& conversation, bool add_generation_prompt) const override {
    return model_.prompts.render(conversation, add_generation_prompt);
  }

  std::vector<int32_t> tokenize(std::string_view text) const override {
    return model_.prompts.tokenizer().encode(text);
  }

  std::string detokenize(const std::vector<int32_t>& ids, bool skip_special_tokens) const override {
    return model_.prompts.tokenizer().decode(ids, skip_special_tokens);
  }

  GenerationResult generate(const Conversation& conversation, const GenerationOptions& options,
                            const TextCallback& on_text) override {
    return run(model_.prompts.prepare(conversation, options), options, on_text);
  }

  GenerationResult generate_from_text(std::string_view prompt_text, const std::vector<Content>& images,
                                      const GenerationOptions& options, const TextCallback& on_text) override {
    return run(model_.prompts.prepare_text(prompt_text, images, options), options, on_text);
  }

  std::string architecture() const override { return model_.config.architecture_name; }
  int64_t vocab_size() const override { return model_.config.text.vocab_size; }
  int64_t max_positions() const override { return model_.config.text.max_position_embeddings; }
  int64_t hidden_size() const override { return model_.config.text.hidden_size; }
  bool has_vision() const override { return model_.vision != nullptr; }
  double load_ms() const override { return load_ms_; }
  void set_load_ms(double ms) { load_ms_ = ms; }

 private:
  GenerationResult run(PreparedPrompt prompt, const GenerationOptions& options, const TextCallback& on_text) {
    const auto n_prompt = static_cast<int64_t>(prompt.ids.size());
    GenerationRequest request =
        settle_request(options, model_.generation_config, n_prompt, max_positions());
    request.prompt_ids = prompt.ids;
    request.prompt_embeddings = prompt.embeddings;

    KvCache cache(model_.config.text, n_prompt + request.max_new_tokens, model_.decoder.kv_element());
    GenerationOutput out = smolvlm::generate(model_.decoder, model_.prompts.tokenizer(), cache, request, on_text);

    GenerationResult result;
    result.rendered_prompt = std::move(prompt.rendered_prompt);
    result.expanded_prompt = std::move(prompt.expanded_prompt);
    result.input_ids = std::move(prompt.ids);
    result.images = std::move(prompt.images);
    result.videos = std::move(prompt.videos);
    result.tile_size = prompt.tile_size;
    result.pixel_values = std::move(prompt.pixel_values);
    result.image_hidden_states = std::move(prompt.image_hidden_states);
    result.generated_ids = std::move(out.generated_ids);
    result.text = std::move(out.text);
    result.finish_reason = std::move(out.finish_reason);
    result.logits_last = std::move(out.logits_last);
    result.prompt_logits = std::move(out.prompt_logits);
    result.timings.load_ms = load_ms_;
    result.timings.vision_ms = prompt.vision_ms;
    result.timings.prefill_ms = out.prefill_ms;
    result.timings.decode_ms = out.decode_ms;
    result.timings.prompt_tokens = n_prompt;
    result.timings.generated_tokens = static_cast<int64_t>(result.generated_ids.size());
    result.timings.kv_cache_bytes = cache.size_bytes();
    return result;
  }

  LoadedModel model_;
  double load_ms_ = 0;
};

}  // namespace

std::unique_ptr<Engine> Engine::load(const std::string& model_dir, const LoadOptions& options) {
  if (!std::filesystem::is_directory(model_dir)) throw Error(model_dir, "is not a checkpoint folder");
  const auto start = std::chrono::steady_clock::now();
  auto engine = std::make_unique<EngineImpl>(model_dir, options);
  engine->set_load_ms(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  return engine;
}

}  // namespace smolvlm

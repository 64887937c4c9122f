#include "ttft.h"


#include "engine/request_settings.h"
#include "generate/generator.h"
#include "model/kv_cache.h"

namespace smolvlm::bench {
namespace {

// An ordinary question, grown a character at a time to the first length of
// `tokens` tokens (a word can be several tokens, a character rarely more than one).
std::string question_of(const Tokenizer& tokenizer, int64_t tokens) {
  static const std::string kText =
      "What is shown in this picture, and which colours are the most visible near its edges? Describe it. ";
  std::string text;
  for (size_t i = 0; static_cast<int64_t>(tokenizer.encode(text).size()) < tokens; ++i) text += kText[i % kText.size()];
  return text;
}

struct Once {
  int64_t tiles = 0, prompt_tokens = 0;
  double images_s = 0, prefill_s = 0;
};

Once first_token(LoadedModel& model, const Conversation& chat, const GenerationOptions& options) {
  PreparedPrompt prompt = model.prompts.prepare(chat, options);
  const auto n_prompt = static_cast<int64_t>(prompt.ids.size());
  GenerationRequest request = settle_request(options, model.generation_config, n_prompt,
                                             model.config.text.max_position_embeddings);
  request.prompt_ids = prompt.ids;
  request.prompt_embeddings = prompt.embeddings;
  KvCache cache(model.config.text, n_prompt + request.max_new_tokens, model.decoder.kv_element());
  const GenerationOutput out = generate(model.decoder, model.prompts.tokenizer(), cache, request, {});
  int64_t tiles = 0;
  for (const ImageLayout& image : prompt.images) tiles += image.tiles;
  return {tiles, n_prompt, prompt.vision_ms / 1e3, out.prefill_ms / 1e3};
}

}  // namespace

TtftResult time_ttft(LoadedModel& model, const std::string& image_path, int64_t question_tokens,
                     const Repetitions& r) {
  return time_ttft(model, Content::image_item(image_path), question_tokens, r);
}

TtftResult time_ttft(LoadedModel& model, const Content& media, int64_t question_tokens, const Repetitions& r) {
  const std::string question = question_of(model.prompts.tokenizer(), question_tokens);
  const Conversation chat = {{"user", {media, Content::text_item(question)}}};
  GenerationOptions options;
  options.max_new_tokens = 1;
  options.do_sample = false;
  options.ignore_eos = true;

  TtftResult out;
  out.question_tokens = static_cast<int64_t>(model.prompts.tokenizer().encode(question).size());
  std::vector<Once> runs;
  out.seconds = repeat(r, [&] { runs.push_back(first_token(model, chat, options)); });
  runs.erase(runs.begin(), runs.begin() + r.warmup);
  for (const Once& run : runs) {
    out.images_s.push_back(run.images_s);
    out.prefill_s.push_back(run.prefill_s);
  }
  out.tiles = runs.back().tiles;
  out.prompt_tokens = runs.back().prompt_tokens;
  return out;
}

}  // namespace smolvlm::bench

#include "eval/batched_generation.h"

#include <optional>
#include <span>

#include "core/error.h"
#include "engine/loaded_model.h"
#include "engine/request_settings.h"
#include "generate/sequence_state.h"
#include "model/kv_cache.h"

namespace smolvlm::eval {

struct BatchedGeneration::Sequence {
  size_t tag = 0;
  std::vector<int32_t> prompt_ids;  // the request's span points here
  std::unique_ptr<KvCache> cache;
  std::optional<SequenceState> state;
  std::string error;
};

BatchedGeneration::BatchedGeneration(LoadedModel& model, GenerationOptions options, size_t max_batch)
    : model_(model), options_(std::move(options)), max_batch_(max_batch) {
  if (max_batch_ < 1) throw Error("parallel", "must be at least 1");
}

BatchedGeneration::~BatchedGeneration() = default;

void BatchedGeneration::start(size_t tag, std::string_view prompt_text, const std::vector<Content>& images) {
  if (!has_room()) throw Error("batched generation", "the batch is full");
  PreparedPrompt prompt = model_.prompts.prepare_text(prompt_text, images, options_);
  const auto n_prompt = static_cast<int64_t>(prompt.ids.size());
  if (n_prompt == 0) throw Error("prompt", "is empty");
  auto s = std::make_unique<Sequence>();
  s->tag = tag;
  s->prompt_ids = std::move(prompt.ids);
  GenerationRequest request =
      settle_request(options_, model_.generation_config, n_prompt, model_.config.text.max_position_embeddings);
  request.prompt_ids = s->prompt_ids;
  request.prompt_embeddings = prompt.embeddings;
  s->cache = std::make_unique<KvCache>(model_.config.text, n_prompt + request.max_new_tokens,
                                       model_.decoder.kv_element());
  s->state.emplace(model_.prompts.tokenizer(), request, nullptr);
  // generate()'s prefill: the whole prompt in one pass, then the first token.
  logits_.resize(static_cast<size_t>(model_.config.text.vocab_size));
  model_.decoder.forward(prompt.embeddings, n_prompt, *s->cache, logits_, false);
  if (!s->state->finished()) s->state->next(logits_);
  running_.push_back(std::move(s));
}

std::vector<BatchedGeneration::Finished> BatchedGeneration::next_finished() {
  std::vector<Finished> done = take_finished();
  while (done.empty() && !running_.empty()) {
    decode_step();
    done = take_finished();
  }
  return done;
}

// One token for every running sample, in one batched decoder pass.
void BatchedGeneration::decode_step() {
  const auto B = static_cast<int64_t>(running_.size());
  const int64_t H = model_.config.text.hidden_size, V = model_.config.text.vocab_size;
  std::vector<int32_t> ids;
  std::vector<KvCache*> caches;
  for (const std::unique_ptr<Sequence>& s : running_) {
    ids.push_back(s->state->generated_ids().back());
    caches.push_back(s->cache.get());
  }
  try {
    std::vector<float> rows(static_cast<size_t>(B * H));
    model_.decoder.embed(ids, rows);
    logits_.resize(static_cast<size_t>(B * V));
    model_.decoder.forward_batch(rows, caches, logits_);
  } catch (const std::exception& e) {
    for (std::unique_ptr<Sequence>& s : running_) s->error = e.what();
    return;
  }
  for (int64_t b = 0; b < B; ++b) {
    try {
      running_[b]->state->next(std::span(logits_).subspan(b * V, V));
    } catch (const std::exception& e) {
      running_[b]->error = e.what();  // this sample's own failure
    }
  }
}

std::vector<BatchedGeneration::Finished> BatchedGeneration::take_finished() {
  std::vector<Finished> done;
  std::erase_if(running_, [&](const std::unique_ptr<Sequence>& s) {
    if (s->error.empty() && !s->state->finished()) return false;
    done.push_back({s->tag, s->state->text(), static_cast<int64_t>(s->state->generated_ids().size()), s->error});
    return true;
  });
  return done;
}

}  // namespace smolvlm::eval

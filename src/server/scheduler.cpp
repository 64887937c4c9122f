#include "server/scheduler.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "generate/sequence_state.h"
#include "model/kv_cache.h"
#include "model/text_decoder.h"
#include "server/api_error.h"

namespace smolvlm::server {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

struct Scheduler::Sequence {
  Job job;
  std::shared_ptr<SequenceChannel> channel = std::make_shared<SequenceChannel>();
  size_t kv_bytes = 0;
  std::unique_ptr<KvCache> cache;      // from admission on
  std::optional<SequenceState> state;  // from admission on
  PrefixKey prefix_key;                // the prompt's (empty without prefix reuse)
  int64_t prefilled = 0;               // prompt positions in the cache
  bool done = false;                   // result sent (or client gone), cache released
  Clock::time_point submitted = Clock::now(), admitted, first_token;

  int64_t prompt_tokens() const { return static_cast<int64_t>(job.prompt.ids.size()); }
  bool prefilling() const { return !done && !state->finished() && prefilled < prompt_tokens(); }
  bool decoding() const { return !done && prefilled == prompt_tokens() && !state->finished(); }
};

Scheduler::Slot::~Slot() {
  if (owner_ == nullptr) return;
  std::lock_guard lock(owner_->mutex_);
  --owner_->pending_;
}

Scheduler::Scheduler(const TextDecoder& decoder, const Tokenizer& tokenizer, SchedulerOptions options)
    : decoder_(decoder), tokenizer_(tokenizer), options_(options), prefix_cache_(options.prefix_cache_bytes) {
  if (options_.max_batch < 1 || options_.max_waiting < 1 || options_.prefill_chunk < 1)
    throw Error("scheduler", "max_batch, max_waiting and prefill_chunk must be positive");
  thread_ = std::thread([this] { run(); });
}

Scheduler::~Scheduler() { stop(); }

std::optional<Scheduler::Slot> Scheduler::try_reserve() {
  std::lock_guard lock(mutex_);
  if (stopping_ || pending_ >= options_.max_waiting) return std::nullopt;
  ++pending_;
  return Slot(this);
}

size_t Scheduler::kv_bytes_for(int64_t positions) const {
  const TextConfig& c = decoder_.config();
  return static_cast<size_t>(c.num_layers * 2 * c.num_kv_heads * c.head_dim * positions) *
         kernels::kv_element_bytes(decoder_.kv_element());
}

std::shared_ptr<SequenceChannel> Scheduler::submit(Slot slot, Job job) {
  auto s = std::make_unique<Sequence>();
  s->job = std::move(job);
  s->job.request.prompt_ids = s->job.prompt.ids;
  s->job.request.prompt_embeddings = s->job.prompt.embeddings;
  if (s->job.prompt.ids.empty()) throw ApiError::invalid("The prompt is empty.", "messages");
  s->kv_bytes = kv_bytes_for(s->prompt_tokens() + s->job.request.max_new_tokens);
  if (options_.prefix_cache_bytes > 0)  // hashed here, on the caller's thread
    s->prefix_key = prefix_key(s->job.prompt.ids, s->job.prompt.embeddings, decoder_.config().hidden_size,
                               options_.image_token_id);
  if (s->kv_bytes > options_.kv_budget_bytes)
    throw ApiError::invalid("The prompt and max_tokens need " + std::to_string(s->kv_bytes >> 20) +
                                " MiB of KV cache, more than this server's budget of " +
                                std::to_string(options_.kv_budget_bytes >> 20) + " MiB; ask for fewer tokens.",
                            "max_tokens", "context_length_exceeded");
  std::shared_ptr<SequenceChannel> channel = s->channel;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw ApiError(503, "server_error", "The server is shutting down.");
    slot.owner_ = nullptr;  // its place in pending_ now belongs to the queued sequence
    waiting_.push_back(std::move(s));
  }
  wake_.notify_one();
  return channel;
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(mutex_);
  SchedulerStats s = stats_;
  s.waiting = pending_;
  s.kv_bytes = kv_in_use_;
  return s;
}

void Scheduler::run() {
  bool stopping = false;
  while (!stopping) {
    for (std::unique_ptr<Sequence>& s : take_admissions(stopping)) {
      running_.push_back(std::move(s));
      try {
        start(*running_.back());
      } catch (const std::exception& e) {
        finish(*running_.back(), e.what());
      }
    }
    retire();  // clients that left, budgets of 0
    prefill_step();
    decode_step();
    retire();
  }
  for (std::unique_ptr<Sequence>& s : running_) finish(*s, "the server is shutting down");
  running_.clear();
  std::lock_guard lock(mutex_);
  SequenceResult shutdown;
  shutdown.error = "the server is shutting down";
  for (std::unique_ptr<Sequence>& s : waiting_) s->channel->finish(shutdown);
  pending_ -= static_cast<int64_t>(waiting_.size());
  waiting_.clear();
}

// Waits while idle; moves the queue's head into the batch while the batch has
// room and its KV cache fits the budget (first come, first served).
std::vector<std::unique_ptr<Scheduler::Sequence>> Scheduler::take_admissions(bool& stopping) {
  std::vector<std::unique_ptr<Sequence>> out;
  std::unique_lock lock(mutex_);
  stats_.running = static_cast<int64_t>(running_.size());
  wake_.wait(lock, [&] { return stopping_ || !waiting_.empty() || !running_.empty(); });
  stopping = stopping_;
  if (stopping) return out;
  std::erase_if(waiting_, [&](const std::unique_ptr<Sequence>& s) {
    if (!s->channel->cancelled()) return false;
    --pending_;
    ++stats_.cancelled;
    return true;
  });
  while (!waiting_.empty() && static_cast<int64_t>(running_.size() + out.size()) < options_.max_batch &&
         kv_in_use_ + waiting_.front()->kv_bytes <= options_.kv_budget_bytes) {
    kv_in_use_ += waiting_.front()->kv_bytes;
    --pending_;
    out.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
  stats_.running += static_cast<int64_t>(out.size());
  return out;
}

void Scheduler::start(Sequence& s) {
  s.admitted = Clock::now();
  s.cache = std::make_unique<KvCache>(decoder_.config(), s.prompt_tokens() + s.job.request.max_new_tokens,
                                      decoder_.kv_element());
  // At least the last prompt position is prefilled: its logits give the first token.
  if (options_.prefix_cache_bytes > 0 && s.prompt_tokens() > 1) {
    s.prefilled = prefix_cache_.restore(s.prefix_key, s.prompt_tokens() - 1, *s.cache);
    std::lock_guard lock(mutex_);
    stats_.prefix_cache = prefix_cache_.stats();
  }
  std::shared_ptr<SequenceChannel> channel = s.channel;
  s.state.emplace(tokenizer_, s.job.request, [channel](std::string_view text) { channel->push_text(text); });
}

// Up to prefill_chunk prompt tokens, from the earliest admitted prompts that
// are not fully read (several short prompts share one step, so a burst of
// requests joins the batch quickly); a prompt's last chunk yields its first
// token.
void Scheduler::prefill_step() {
  const int64_t H = decoder_.config().hidden_size, V = decoder_.config().vocab_size;
  const auto start = Clock::now();
  int64_t budget = options_.prefill_chunk;
  for (std::unique_ptr<Sequence>& p : running_) {
    if (budget == 0) break;
    Sequence& s = *p;
    if (!s.prefilling()) continue;
    const int64_t n = std::min(budget, s.prompt_tokens() - s.prefilled);
    budget -= n;
    try {
      logits_.resize(static_cast<size_t>(V));
      decoder_.forward(std::span(s.job.prompt.embeddings).subspan(s.prefilled * H, n * H), n, *s.cache, logits_, false);
      s.prefilled += n;
      if (s.prefilled == s.prompt_tokens()) {
        s.state->next(logits_);
        s.first_token = Clock::now();
        s.job.prompt.embeddings = {};  // read into the cache; free it
      }
    } catch (const std::exception& e) {
      finish(s, e.what());
    }
  }
  if (budget == options_.prefill_chunk) return;
  std::lock_guard lock(mutex_);
  stats_.prefill_tokens += static_cast<uint64_t>(options_.prefill_chunk - budget);
  stats_.prefill_seconds += seconds(start, Clock::now());
}

// One token for every generating sequence, in one batched decoder pass.
void Scheduler::decode_step() {
  std::vector<Sequence*> batch;
  for (std::unique_ptr<Sequence>& s : running_)
    if (s->decoding()) batch.push_back(s.get());
  if (batch.empty()) return;
  const auto B = static_cast<int64_t>(batch.size());
  const int64_t H = decoder_.config().hidden_size, V = decoder_.config().vocab_size;
  const auto start = Clock::now();
  std::vector<int32_t> ids;
  std::vector<KvCache*> caches;
  for (Sequence* s : batch) {
    ids.push_back(s->state->generated_ids().back());
    caches.push_back(s->cache.get());
  }
  try {
    std::vector<float> rows(static_cast<size_t>(B * H));
    decoder_.embed(ids, rows);
    logits_.resize(static_cast<size_t>(B * V));
    decoder_.forward_batch(rows, caches, logits_);
  } catch (const std::exception& e) {
    for (Sequence* s : batch) finish(*s, e.what());
    return;
  }
  for (int64_t b = 0; b < B; ++b) {
    try {
      batch[b]->state->next(std::span(logits_).subspan(b * V, V));
    } catch (const std::exception& e) {
      finish(*batch[b], e.what());
    }
  }
  std::lock_guard lock(mutex_);
  ++stats_.decode_steps;
  stats_.decode_rows += static_cast<uint64_t>(B);
  stats_.decode_seconds += seconds(start, Clock::now());
}

// Sends the results of finished sequences, drops those whose client left, and
// frees their caches.
void Scheduler::retire() {
  for (std::unique_ptr<Sequence>& s : running_) {
    if (s->done) continue;
    if (s->channel->cancelled()) {
      release(*s);
      std::lock_guard lock(mutex_);
      ++stats_.cancelled;
    } else if (s->state->finished()) {
      remember_prefix(*s);
      finish(*s, "");
    }
  }
  std::erase_if(running_, [](const std::unique_ptr<Sequence>& s) { return s->done; });
}

// Keeps the finished sequence's cache for prompts that extend it: its prompt
// and the generated tokens that were fed back (all but the last).
void Scheduler::remember_prefix(const Sequence& s) {
  if (options_.prefix_cache_bytes == 0 || !s.cache) return;
  PrefixKey key = s.prefix_key;
  const std::vector<int32_t>& generated = s.state->generated_ids();
  key.ids.insert(key.ids.end(), generated.begin(), generated.end());
  try {
    prefix_cache_.store(std::move(key), *s.cache);
  } catch (const std::exception&) {
    return;  // out of memory for the copy: the cache is an optimisation
  }
  std::lock_guard lock(mutex_);
  stats_.prefix_cache = prefix_cache_.stats();
}

void Scheduler::finish(Sequence& s, std::string error) {
  if (s.done) return;
  SequenceResult r;
  r.error = std::move(error);
  if (s.state) {
    if (r.error.empty()) r.finish_reason = s.state->finish_reason();
    r.completion_tokens = static_cast<int64_t>(s.state->generated_ids().size());
  }
  r.prompt_tokens = s.prompt_tokens();
  r.queue_seconds = seconds(s.submitted, s.admitted);
  r.first_token_seconds = s.first_token == Clock::time_point() ? 0 : seconds(s.submitted, s.first_token);
  s.channel->finish(std::move(r));
  release(s);
}

void Scheduler::release(Sequence& s) {
  s.done = true;
  s.cache.reset();
  std::lock_guard lock(mutex_);
  kv_in_use_ -= s.kv_bytes;
}

}  // namespace smolvlm::server

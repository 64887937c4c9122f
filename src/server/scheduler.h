// Continuous batching (one scheduler thread): requests join the running batch
// and leave it at token boundaries. Each step reads at most prefill_chunk
// tokens of newly admitted prompts (so running streams keep flowing while a
// long prompt is read) and then runs one decode step for every sequence that
// is generating, as a single TextDecoder::forward_batch, so the weights are
// read once per step whatever the batch size.
//
// Memory: every running sequence owns a KV cache sized for its prompt plus
// its token budget; the caches together stay within a global byte budget
// (requests wait in the queue until theirs fits). The queue is bounded: when
// it is full, try_reserve() fails and the caller answers 429.
//
// Prefix reuse: finished sequences' caches are kept (prefix_cache.h) and a
// new prompt that extends one starts from a copy of the shared positions.
//
// Parity: a sequence's tokens are those of `smolvlm run` for the same prompt,
// whoever shares its batch: chunked prefill and batched decode give every row
// the single-sequence bits (tests/model/batched_decode_test.cpp), and the
// token choice is the same SequenceState that generate() uses.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "engine/prompt_builder.h"
#include "generate/generator.h"
#include "server/prefix_cache.h"
#include "server/sequence_channel.h"

namespace smolvlm {
class TextDecoder;
class Tokenizer;
}  // namespace smolvlm

namespace smolvlm::server {

struct SchedulerOptions {
  int64_t max_batch = 16;       // sequences generating together
  int64_t max_waiting = 64;     // requests being prepared or queued; more get 429
  int64_t prefill_chunk = 128;  // prompt tokens per step, all new prompts together
  size_t kv_budget_bytes = size_t{2} << 30;
  size_t prefix_cache_bytes = size_t{256} << 20;  // 0: no prefix reuse
  // The image placeholder id, whose positions are told apart by their
  // embeddings for prefix reuse (-1: prompts have no images).
  int64_t image_token_id = -1;
};

struct SchedulerStats {
  int64_t waiting = 0;  // being prepared or queued
  int64_t running = 0;
  size_t kv_bytes = 0;  // KV caches allocated
  uint64_t decode_steps = 0;
  uint64_t decode_rows = 0;  // tokens decoded, all sequences together
  double decode_seconds = 0;
  uint64_t prefill_tokens = 0;
  double prefill_seconds = 0;
  uint64_t cancelled = 0;  // sequences dropped because their client left
  PrefixCacheStats prefix_cache;
};

// A prepared request. The scheduler points request.prompt_ids and
// request.prompt_embeddings at `prompt` itself.
struct Job {
  PreparedPrompt prompt;
  GenerationRequest request;
};

class Scheduler {
 public:
  // `decoder` and `tokenizer` must outlive the scheduler. Starts the thread.
  Scheduler(const TextDecoder& decoder, const Tokenizer& tokenizer, SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // A place in the bounded queue, held while a request is being prepared;
  // released unless submitted.
  class Slot {
   public:
    Slot(Slot&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class Scheduler;
    explicit Slot(Scheduler* owner) : owner_(owner) {}
    Scheduler* owner_;
  };
  std::optional<Slot> try_reserve();  // empty when the queue is full

  // KV cache bytes of a sequence of `positions` tokens.
  size_t kv_bytes_for(int64_t positions) const;
  size_t kv_budget_bytes() const { return options_.kv_budget_bytes; }

  // Queues the job; its text and result arrive through the returned channel.
  // Throws ApiError: 400 when the job can never fit the KV budget, 503 when
  // the scheduler has stopped.
  std::shared_ptr<SequenceChannel> submit(Slot slot, Job job);

  // Ends every sequence with an error result and joins the thread.
  void stop();

  SchedulerStats stats() const;

 private:
  struct Sequence;
  void run();
  std::vector<std::unique_ptr<Sequence>> take_admissions(bool& stopping);
  void start(Sequence& s);
  void prefill_step();
  void decode_step();
  void retire();
  void finish(Sequence& s, std::string error);  // sends the result (error: empty on success)
  void release(Sequence& s);
  void remember_prefix(const Sequence& s);

  const TextDecoder& decoder_;
  const Tokenizer& tokenizer_;
  const SchedulerOptions options_;

  mutable std::mutex mutex_;  // guards everything below it up to running_
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Sequence>> waiting_;
  int64_t pending_ = 0;  // reserved slots + waiting_
  size_t kv_in_use_ = 0;
  bool stopping_ = false;
  SchedulerStats stats_;

  std::vector<std::unique_ptr<Sequence>> running_;  // the scheduler thread's own
  PrefixCache prefix_cache_;                        // the scheduler thread's own
  std::vector<float> logits_;
  std::thread thread_;
};

}  // namespace smolvlm::server

// The hand-over between the scheduler thread, which produces one sequence's
// text, and the HTTP thread that sends it: streamed text, then one final
// result; and, the other way, a cancel flag (the client went away).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace smolvlm::server {

struct SequenceResult {
  std::string finish_reason;  // "stop" or "length"; empty when error is set
  std::string error;          // the sequence failed (server side)
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  double queue_seconds = 0;        // submitted -> admitted into the batch
  double first_token_seconds = 0;  // submitted -> first token
};

class SequenceChannel {
 public:
  // Scheduler side.
  void push_text(std::string_view text);
  void finish(SequenceResult result);

  // HTTP side: waits up to `timeout` for text or the result, then takes what
  // arrived. `result` is set once, with the last text.
  struct Update {
    std::string text;
    std::optional<SequenceResult> result;
  };
  Update wait(std::chrono::milliseconds timeout);

  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::string text_;
  std::optional<SequenceResult> result_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace smolvlm::server

// Several eval samples generating together (`smolvlm eval --parallel N`):
// each sample's prompt is prepared and prefilled on its own, then every
// running sample takes its next token in one TextDecoder::forward_batch, so
// the weights are read once per step for the whole batch. A sample that
// finishes leaves, and the caller starts the next one in its place.
//
// This is the server's continuous batching (server/scheduler.h) without its
// thread, queue, KV budget and prefix cache, driven here because eval must not
// depend on the server layer and the scheduler is tied to it (HTTP errors,
// channels). The parity argument is the scheduler's: the prefill is
// generate()'s (one forward over the whole prompt), a batched decode row has
// the single-sequence bits (tests/model/batched_decode_test.cpp), and the
// token choice is the same SequenceState, so a sample's text does not depend
// on which samples share its steps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smolvlm.h"

namespace smolvlm {
struct LoadedModel;
}

namespace smolvlm::eval {

class BatchedGeneration {
 public:
  struct Finished {
    size_t tag = 0;              // as given to start()
    std::string text;            // generated text, special tokens skipped
    int64_t generated_tokens = 0;
    std::string error;           // the batch step failed ("" when fine)
  };

  // `model` must outlive this object; options are the run's (greedy by default).
  BatchedGeneration(LoadedModel& model, GenerationOptions options, size_t max_batch);
  ~BatchedGeneration();

  bool has_room() const { return running_.size() < max_batch_; }
  bool idle() const { return running_.empty(); }

  // Prepares the finished prompt text with its images (PromptBuilder::
  // prepare_text) and prefills it. Throws Error, adding nothing, for bad
  // images or a prompt longer than the model's context.
  void start(size_t tag, std::string_view prompt_text, const std::vector<Content>& images);

  // The samples that have finished; when none has, runs batched decode steps
  // until one does. Empty only when idle().
  std::vector<Finished> next_finished();

 private:
  struct Sequence;
  void decode_step();
  std::vector<Finished> take_finished();

  LoadedModel& model_;
  GenerationOptions options_;
  size_t max_batch_;
  std::vector<std::unique_ptr<Sequence>> running_;
  std::vector<float> logits_;
};

}  // namespace smolvlm::eval

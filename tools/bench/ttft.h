// Time to first token for one picture plus a short question, through the
// engine's own path: PromptBuilder::prepare (decode the image file,
// preprocess, split into tiles, encode every tile, expand and tokenize the
// prompt, merge the features), settle_request, a KV cache, and generate() up
// to the first (greedy) token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/loaded_model.h"
#include "repeat.h"

namespace smolvlm::bench {

struct TtftResult {
  std::vector<double> seconds;
  // Where the time went, per timed run: the picture (decode, preprocess,
  // encode every tile), as PreparedPrompt::vision_ms says, and the prefill.
  std::vector<double> images_s, prefill_s;
  int64_t tiles = 0;            // vision encodes of the picture (its tiles + the global view)
  int64_t prompt_tokens = 0;
  int64_t question_tokens = 0;
};

// `image_path` is a picture the model's image loader reads; the question is
// grown to `question_tokens` tokens (or the first length past it).
TtftResult time_ttft(LoadedModel& model, const std::string& image_path, int64_t question_tokens,
                     const Repetitions& r);

// The same for any media item before the question, e.g. a video
// (Content::video_item): its frames are the "picture", each an image.
TtftResult time_ttft(LoadedModel& model, const Content& media, int64_t question_tokens, const Repetitions& r);

}  // namespace smolvlm::bench

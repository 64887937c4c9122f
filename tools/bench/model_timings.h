// Timings of the engine's real model objects, each after `warmup` untimed
// runs, in seconds per repetition:
//   - one tile through VisionEncoder::encode (tower, pixel shuffle, connector);
//   - a prefill of `prefill_tokens` through TextDecoder::forward into an empty
//     KV cache;
//   - `decode_tokens` single-token steps (embed + forward) after that prefill,
//     so each step attends to the prompt as in a real answer.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "model/text_decoder.h"
#include "model/vision_encoder.h"
#include "repeat.h"

namespace smolvlm::bench {

std::vector<double> time_vision_tile(const VisionEncoder& vision, const Repetitions& r);

struct TextTimings {
  std::vector<double> prefill_s;  // per prefill of prefill_tokens
  std::vector<double> decode_s;   // per run of decode_tokens steps
};

// before_decode runs, untimed, just before each timed run of decode steps.
// Throws Error when prefill_tokens + decode_tokens exceed max_position_embeddings.
TextTimings time_text(const TextDecoder& decoder, int64_t prefill_tokens, int64_t decode_tokens, const Repetitions& r,
                      const std::function<void()>& before_decode = [] {});

}  // namespace smolvlm::bench

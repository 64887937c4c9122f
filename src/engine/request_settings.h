// A request's generation settings resolved against the checkpoint's
// generation_config.json (SPEC §8): budget, EOS ids, sampling parameters.
#pragma once

#include <cstdint>

#include "generate/generator.h"
#include "io/model_config.h"
#include "smolvlm.h"

namespace smolvlm {

// Fills everything of a GenerationRequest but the prompt. The budget is the
// request's, else the checkpoint's, else 512 tokens, and never beyond
// max_positions. Throws Error for invalid sampling parameters.
GenerationRequest settle_request(const GenerationOptions& options, const GenerationConfig& checkpoint,
                                 int64_t n_prompt, int64_t max_positions);

}  // namespace smolvlm

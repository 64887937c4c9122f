// MathVista without the GPT judge VLMEvalKit requires (README "mathvista"): only
// the rule-based prefetch of utils/mathvista.py post_check(prefetch=True) runs.
// A prefetched answer is then scored as MathVista_acc does, with
// post_check(prefetch=False) on it; a row the prefetch cannot settle stays
// unscored (it needs the LLM judge) and is never guessed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "eval/eval_row.h"

namespace smolvlm::eval {

struct MathVistaPrefetch {
  // str() of what post_check(prefetch=True) returned when it was truthy: the
  // option letter, int(pred) ("14"), float(pred) as repr ("0.6"), or "None";
  // nullopt = the prefetch failed (False, 0 or 0.0): the row needs the judge.
  std::optional<std::string> prefetched;
  std::optional<double> score;  // post_check(prefetch=False) on the prefetched answer; nullopt with it
};

// Reads "question_type", "answer_type", "answer", and for multi_choice "choices"
// (a Python list literal) and "answer_option".
MathVistaPrefetch mathvista_prefetch(const EvalRow& row, std::string_view prediction);

}  // namespace smolvlm::eval

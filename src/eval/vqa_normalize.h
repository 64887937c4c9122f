// VLMEvalKit's VQA answer normaliser (vqa_eval.py process_answer, smp/misc.py
// process_punctuation), a copy of the GT-VisionLab VQA evaluation with its
// quirks (README "textvqa"): punctuation is deleted or spaced by a test on the
// ORIGINAL text, at most 32 periods go (re.sub gets re.UNICODE as its count),
// and the contraction table's capitalised keys never match.
#pragma once

#include <string>
#include <string_view>

namespace smolvlm::eval {

std::u32string vlmeval_process_punctuation(std::u32string_view text);
std::u32string vlmeval_process_digit_article(std::u32string_view text);
// '\n', '\t' -> ' ', strip, process_punctuation, process_digit_article.
std::u32string vlmeval_process_answer(std::u32string_view text);

}  // namespace smolvlm::eval

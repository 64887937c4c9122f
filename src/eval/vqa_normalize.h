// VLMEvalKit's VQA answer normaliser (vqa_eval.py process_answer, smp/misc.py
// process_punctuation), a copy of the GT-VisionLab VQA evaluation with its
// quirks (README "textvqa"): punctuation is deleted or spaced by a test on the
// ORIGINAL text, at most 32 periods go (re.sub gets re.UNICODE as its count),
// and the contraction table's capitalised keys never match.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace smolvlm::eval {

// Which periods process_punctuation deletes (at most 32 either way): VLMEvalKit's
// (?<!\d)\.(?!\d) keeps those next to a digit; the m4 GT-VisionLab copy's
// (?!<=\d)(\.)(?!\d) keeps only those followed by one.
enum class PeriodRule { NotNextToDigit, NotFollowedByDigit };

std::u32string vlmeval_process_punctuation(std::u32string_view text,
                                           PeriodRule period_rule = PeriodRule::NotNextToDigit);
std::u32string vlmeval_process_digit_article(std::u32string_view text);
// '\n', '\t' -> ' ', strip, process_punctuation, process_digit_article.
std::u32string vlmeval_process_answer(std::u32string_view text);

// The word tables of _process_digit_article, shared with m4's copies (its
// utils.py has the same tables): number words none/zero..ten -> digits, and
// vqa_eval.py `contractions` verbatim (including keys that can never match).
const std::map<std::u32string, std::u32string>& vqa_number_words();
const std::map<std::u32string, std::u32string>& vqa_contractions();

}  // namespace smolvlm::eval

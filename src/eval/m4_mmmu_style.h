// smollm's m4 MMMU-style open-ended accuracy (open_ended_vqa_metrics.py
// _compute_mmmu_style_vqa_accuracy; utils.py normalize_str_mmmu,
// parse_open_response_mmmu, extract_numbers_mmmu, copied from the MMMU
// repository), the `m4_mmmu_style` key of the MMMU and MathVista fixtures;
// optional, for comparison with VLMEvalKit's score.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace smolvlm::eval {

// normalize_str_mmmu's result: a number rounded to 2 decimals, or lower-cased text.
using MmmuValue = std::variant<double, std::u32string>;

// strip; "Answer: " removed; numbers (m4 convert_to_number) -> round(x, 2); else lower().
MmmuValue m4_normalize_str_mmmu(std::u32string_view text);

// extract_numbers_mmmu: findall of the comma-grouped, scientific and simple number
// patterns, in that order (Python re semantics, Unicode \d and \b).
std::vector<std::u32string> m4_extract_numbers_mmmu(std::u32string_view text);

// parse_open_response_mmmu with normalize_str_mmmu: the tails after the key
// indicators ("is ", "answer ", "=" in the last line, ...) plus the numbers in them.
std::vector<MmmuValue> m4_parse_open_response_mmmu(std::u32string_view response);

// One sample: the candidates are the whole normalised prediction when accept_mcq
// and the first answer is one of "A".."I" (oe_mmmu_style_vqa_accuracy), else the
// parsed open response; an answer text contained in a candidate text, or an answer
// number equal to a candidate number, scores 1.
double m4_mmmu_style_accuracy(const std::vector<std::string>& answers, std::string_view prediction, bool accept_mcq);

}  // namespace smolvlm::eval

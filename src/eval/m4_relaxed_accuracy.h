// smollm's m4 relaxed accuracy (open_ended_vqa_metrics.py
// _compute_relaxed_vqa_accuracy, utils.py convert_to_number), the `m4_relaxed`
// key of the ChartQA fixtures; optional, for comparison with VLMEvalKit's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval {

// utils.py convert_to_number: lower, number words one..nine/zero replaced as
// substrings, commas removed, then float(); nullopt where float() fails.
std::optional<double> m4_convert_to_number(std::u32string_view text);

// Both sides .strip('.'); a numeric answer is compared with a numeric prediction by
// |p - a| / a < 0.05 (strict, and divided by the signed answer, so any prediction
// passes a negative answer) and ends the loop; otherwise exact, case-sensitive text.
double m4_relaxed_accuracy(const std::vector<std::string>& answers, std::string_view prediction);

}  // namespace smolvlm::eval

// Video-MME answer extraction (VLMEvalKit dataset/videomme.py evaluate,
// utils/videomme.py extract_characters_regex and extract_option; README
// "videomme"), without an LLM judge.
#pragma once

#include <string>
#include <string_view>

#include "eval/eval_row.h"

namespace smolvlm::eval {

// extract_characters_regex: strip, delete the answer prefixes (the reference list
// misses two commas, so "The best option isThe correct option is" and
// "Best answer:Best option:" are single prefixes), '' for more than ten words
// without A-D, else the FIRST capital A-D anywhere.
std::string videomme_regex_letter(std::string_view prediction);

struct VideoMmeScore {
  std::string regex_letter;  // extract_characters_regex(pred); "" when it found none
  std::string extracted;     // the letter compared with the answer
  double score = 0.0;
};

// Reads "answer" (a letter), "question" and "candidates" (a Python list literal
// of "A. text" lines). When the regex finds nothing, extract_option parses the
// options from the lines after the first of the question as the model saw it:
// question + "\n" + the candidates, one per line (VideoMME.build_prompt). Note:
// VLMEvalKit itself hands extract_option the TSV's bare question, where it finds
// no option lines and answers 'Z'; the fixtures (scoring/videomme.jsonl) expect
// the options to be found, and so do we.
VideoMmeScore score_videomme(const EvalRow& row, std::string_view prediction);

}  // namespace smolvlm::eval

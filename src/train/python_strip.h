// Python's str.strip() with no argument, which the SmolVLM notebook applies to
// the chat template's output (fixtures/training/README.md "Data /
// tokenization": it removes the "\n" after the last <end_of_utterance>).
#pragma once

#include <cstddef>
#include <string_view>

namespace smolvlm::train {

// Where the stripped text lies in `text` (UTF-8): leading and trailing code
// points that Python's str.isspace() accepts are cut off.
struct StrippedRange {
  size_t begin = 0;
  size_t end = 0;
};
StrippedRange python_strip_range(std::string_view text);

inline std::string_view python_strip(std::string_view text) {
  const StrippedRange r = python_strip_range(text);
  return text.substr(r.begin, r.end - r.begin);
}

}  // namespace smolvlm::train

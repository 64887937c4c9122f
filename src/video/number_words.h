// English cardinal numbers as Python's num2words (0.5.x, lang "en") writes
// them, for the frame count in the video intro (SPEC §9.2): 21 ->
// "twenty-one", 101 -> "one hundred and one", 1100 -> "one thousand, one
// hundred".
#pragma once

#include <cstdint>
#include <string>

namespace smolvlm {

// Throws Error("number_words", ...) outside 0..999999.
std::string number_words(int64_t n);

}  // namespace smolvlm

// The Python literals VLMEvalKit `eval()`s out of TSV columns: answer lists
// ("['a', \"b\"]"), MathVista choices, Video-MME candidates.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval {

// If `text` is a Python list display whose items are str, int, float, bool or
// None literals (str with quotes of any kind, r/u prefixes, escapes, implicit
// concatenation), their str() values; otherwise nullopt: eval() fails or gives
// another type. Lists holding anything else (nested containers, bytes, names,
// hexadecimal numbers, \N{} escapes) are outside this subset and also give
// nullopt; no benchmark answer column holds them.
std::optional<std::vector<std::string>> parse_python_list(std::string_view text);

// repr() of a Python float: the shortest round-tripping digits, positional for
// 1e-4 <= |x| < 1e16 ("0.6", "14.0", "1e+16", "1.5e-05").
std::string python_float_repr(double value);

// repr() of a Python str.
std::string python_str_repr(std::string_view text);

}  // namespace smolvlm::eval

// Python str semantics over UTF-8: Python strings are sequences of code
// points, so lengths, indexes, slices and case mapping work on those.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::jinja::text {

// Invalid UTF-8 bytes decode to U+DC80+byte (Python's surrogateescape) and
// encode back to the same byte, so no input is ever lost or rejected.
std::u32string decode(std::string_view utf8);
std::string encode(std::u32string_view code_points);
void append_utf8(std::string& out, char32_t c);
std::size_t length(std::string_view utf8);

// str.isspace(): ASCII whitespace, \x1c-\x1f, and the Unicode spaces.
bool is_space(char32_t c);
// Byte offset just past the run of whitespace that starts at `pos`.
std::size_t skip_spaces(std::string_view s, std::size_t pos);
// Byte length of `s` without its trailing whitespace (str.rstrip()).
std::size_t rstripped_size(std::string_view s);
bool is_cased(char32_t c);
char32_t to_upper(char32_t c);
char32_t to_lower(char32_t c);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string capitalize(std::string_view s);   // str.capitalize()
std::string python_title(std::string_view s); // str.title()
std::string jinja_title(std::string_view s);  // jinja2's |title filter (splits on -, space, brackets)

enum class StripSide { kBoth, kLeft, kRight };
// str.strip(chars): `chars` absent strips whitespace.
std::string strip(std::string_view s, const std::optional<std::string>& chars, StripSide side);

// str.split(sep, maxsplit) / str.rsplit; absent sep splits on whitespace runs.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               std::int64_t maxsplit, bool from_right);
// str.replace(old, new, count); count < 0 replaces all.
std::string replace(std::string_view s, std::string_view old_text, std::string_view new_text,
                    std::int64_t count);

// Code-point index of the first/last occurrence, or -1 (str.find / str.rfind).
std::int64_t find(std::string_view s, std::string_view needle, bool from_right);
std::int64_t count(std::string_view s, std::string_view needle);

}  // namespace smolvlm::jinja::text

#include "chat/jinja_text.h"

#include <locale.h>
#include <wctype.h>

#include <algorithm>

#include "chat/jinja_value.h"

namespace smolvlm::jinja::text {
namespace {

// glibc's C.UTF-8 locale carries Unicode's simple case mappings; without it
// only ASCII changes case. Full mappings (ß -> SS) are not applied.
locale_t unicode_locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return locale;
}

bool is_surrogate_escape(char32_t c) { return c >= 0xDC80 && c <= 0xDCFF; }

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Decodes the code point at `pos` into `c`; returns the offset just past it.
std::size_t decode_at(std::string_view s, std::size_t pos, char32_t& c) {
  const auto lead = static_cast<unsigned char>(s[pos]);
  const std::size_t n = utf8_sequence_length(lead);
  bool valid = n != 0 && pos + n <= s.size();
  char32_t value = n == 1 ? lead : lead & (0x7F >> n);
  for (std::size_t k = 1; valid && k < n; ++k) {
    const auto cont = static_cast<unsigned char>(s[pos + k]);
    valid = (cont & 0xC0) == 0x80;
    value = (value << 6) | (cont & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range values are not UTF-8.
  if (valid && ((n == 3 && value < 0x800) || (n == 4 && (value < 0x10000 || value > 0x10FFFF)) ||
                (value >= 0xD800 && value <= 0xDFFF))) {
    valid = false;
  }
  if (!valid) {
    c = 0xDC00 + lead;
    return pos + 1;
  }
  c = value;
  return pos + n;
}

std::size_t code_point_end(std::string_view s, std::size_t pos) {
  char32_t ignored;
  return decode_at(s, pos, ignored);
}

bool contains(const std::u32string& set, char32_t c) { return set.find(c) != std::u32string::npos; }

enum class CaseKind { kUpper, kLower, kTitle };

// Python applies Unicode's full case mappings; these are the ones that differ
// from the simple one-to-one mappings the C library knows.
struct SpecialCasing {
  char32_t c;
  std::u32string_view upper;
  std::u32string_view title;
};
constexpr SpecialCasing kSpecialCasing[] = {
    {0x00DF, U"SS", U"Ss"},   {0x0149, U"\u02BCN", U"\u02BCN"}, {0x01F0, U"J\u030C", U"J\u030C"},
    {0xFB00, U"FF", U"Ff"},   {0xFB01, U"FI", U"Fi"},           {0xFB02, U"FL", U"Fl"},
    {0xFB03, U"FFI", U"Ffi"}, {0xFB04, U"FFL", U"Ffl"},         {0xFB05, U"ST", U"St"},
    {0xFB06, U"ST", U"St"},
};

// Title case of the Latin digraphs (DŽ Dž dž ...) is the middle form.
char32_t digraph_title(char32_t c) {
  if (c >= 0x01C4 && c <= 0x01C6) return 0x01C5;
  if (c >= 0x01C7 && c <= 0x01C9) return 0x01C8;
  if (c >= 0x01CA && c <= 0x01CC) return 0x01CB;
  if (c >= 0x01F1 && c <= 0x01F3) return 0x01F2;
  return 0;
}

void append_case(std::u32string& out, char32_t c, CaseKind kind) {
  if (kind == CaseKind::kLower) {
    if (c == 0x0130) {
      out += U"i\u0307";
    } else {
      out.push_back(to_lower(c));
    }
    return;
  }
  for (const SpecialCasing& special : kSpecialCasing) {
    if (special.c == c) {
      out += kind == CaseKind::kUpper ? special.upper : special.title;
      return;
    }
  }
  if (kind == CaseKind::kTitle && digraph_title(c) != 0) {
    out.push_back(digraph_title(c));
    return;
  }
  out.push_back(to_upper(c));
}

// Python lower-cases a capital sigma that ends a word to the final form ς.
bool is_final_sigma(const std::u32string& cps, std::size_t i) {
  if (cps[i] != 0x03A3 || i == 0 || !is_cased(cps[i - 1])) return false;
  return i + 1 == cps.size() || !is_cased(cps[i + 1]);
}

// Index of code point boundaries: byte offset of code point i (plus the end).
std::vector<std::size_t> code_point_offsets(std::string_view s) {
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < s.size(); i = code_point_end(s, i)) offsets.push_back(i);
  offsets.push_back(s.size());
  return offsets;
}

std::int64_t byte_to_code_point_index(std::string_view s, std::size_t byte_offset) {
  return static_cast<std::int64_t>(length(s.substr(0, byte_offset)));
}

}  // namespace

std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t c;
    i = decode_at(s, i, c);
    out.push_back(c);
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (is_surrogate_escape(c)) {
    out.push_back(static_cast<char>(c - 0xDC00));
  } else if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string encode(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t c : cps) append_utf8(out, c);
  return out;
}

std::size_t length(std::string_view s) { return code_point_offsets(s).size() - 1; }

bool is_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

std::size_t skip_spaces(std::string_view s, std::size_t pos) {
  while (pos < s.size()) {
    char32_t c;
    const std::size_t next = decode_at(s, pos, c);
    if (!is_space(c)) break;
    pos = next;
  }
  return pos;
}

std::size_t rstripped_size(std::string_view s) {
  const std::vector<std::size_t> offsets = code_point_offsets(s);
  std::size_t end = offsets.size() - 1;
  char32_t c;
  while (end > 0 && (decode_at(s, offsets[end - 1], c), is_space(c))) --end;
  return offsets[end];
}

bool is_cased(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  locale_t loc = unicode_locale();
  if (loc == nullptr || is_surrogate_escape(c)) return false;
  return iswupper_l(static_cast<wint_t>(c), loc) || iswlower_l(static_cast<wint_t>(c), loc);
}

char32_t to_upper(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  locale_t loc = unicode_locale();
  if (loc == nullptr || is_surrogate_escape(c)) return c;
  return static_cast<char32_t>(towupper_l(static_cast<wint_t>(c), loc));
}

char32_t to_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  locale_t loc = unicode_locale();
  if (loc == nullptr || is_surrogate_escape(c)) return c;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), loc));
}

std::string upper(std::string_view s) {
  std::u32string out;
  for (char32_t c : decode(s)) append_case(out, c, CaseKind::kUpper);
  return encode(out);
}

std::string lower(std::string_view s) {
  const std::u32string cps = decode(s);
  std::u32string out;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (is_final_sigma(cps, i)) out.push_back(0x03C2);
    else append_case(out, cps[i], CaseKind::kLower);
  }
  return encode(out);
}

std::string capitalize(std::string_view s) {
  const std::u32string cps = decode(s);
  std::u32string out;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (i > 0 && is_final_sigma(cps, i)) out.push_back(0x03C2);
    else append_case(out, cps[i], i == 0 ? CaseKind::kTitle : CaseKind::kLower);
  }
  return encode(out);
}

std::string python_title(std::string_view s) {
  const std::u32string cps = decode(s);
  std::u32string out;
  bool previous_cased = false;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (previous_cased && is_final_sigma(cps, i)) out.push_back(0x03C2);
    else append_case(out, cps[i], previous_cased ? CaseKind::kLower : CaseKind::kTitle);
    previous_cased = is_cased(cps[i]);
  }
  return encode(out);
}

std::string jinja_title(std::string_view s) {
  // jinja2 splits on runs of [-\s({\[<] and upper-cases each piece's first
  // character, lower-casing the rest; separators have no case.
  auto is_separator = [](char32_t c) {
    return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || is_space(c);
  };
  const std::u32string cps = decode(s);
  std::u32string out;
  bool word_start = true;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (!word_start && is_final_sigma(cps, i)) out.push_back(0x03C2);
    else append_case(out, cps[i], word_start ? CaseKind::kUpper : CaseKind::kLower);
    word_start = is_separator(cps[i]);
  }
  return encode(out);
}

std::string strip(std::string_view s, const std::optional<std::string>& chars, StripSide side) {
  const std::u32string cps = decode(s);
  const std::u32string set = chars ? decode(*chars) : std::u32string();
  auto strippable = [&](char32_t c) { return chars ? contains(set, c) : is_space(c); };
  std::size_t begin = 0, end = cps.size();
  if (side != StripSide::kRight) {
    while (begin < end && strippable(cps[begin])) ++begin;
  }
  if (side != StripSide::kLeft) {
    while (end > begin && strippable(cps[end - 1])) --end;
  }
  return encode(std::u32string_view(cps).substr(begin, end - begin));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               std::int64_t maxsplit, bool from_right) {
  std::vector<std::string> parts;
  if (sep) {
    if (sep->empty()) throw RuntimeError("empty separator");
    if (!from_right) {
      std::size_t start = 0;
      while (maxsplit < 0 || static_cast<std::int64_t>(parts.size()) < maxsplit) {
        const std::size_t hit = s.find(*sep, start);
        if (hit == std::string_view::npos) break;
        parts.emplace_back(s.substr(start, hit - start));
        start = hit + sep->size();
      }
      parts.emplace_back(s.substr(start));
      return parts;
    }
    std::size_t end = s.size();
    while (maxsplit < 0 || static_cast<std::int64_t>(parts.size()) < maxsplit) {
      if (end < sep->size()) break;
      const std::size_t hit = s.rfind(*sep, end - sep->size());
      if (hit == std::string_view::npos) break;
      parts.emplace_back(s.substr(hit + sep->size(), end - hit - sep->size()));
      end = hit;
    }
    parts.emplace_back(s.substr(0, end));
    std::reverse(parts.begin(), parts.end());
    return parts;
  }
  // Whitespace splitting drops empty pieces; the unsplit remainder keeps all
  // its whitespace except the run next to the last split.
  std::u32string cps = decode(s);
  if (from_right) std::reverse(cps.begin(), cps.end());
  std::size_t i = 0;
  std::vector<std::u32string> pieces;
  while (true) {
    while (i < cps.size() && is_space(cps[i])) ++i;
    if (i == cps.size()) break;
    if (maxsplit >= 0 && static_cast<std::int64_t>(pieces.size()) == maxsplit) {
      pieces.push_back(cps.substr(i));
      break;
    }
    std::size_t start = i;
    while (i < cps.size() && !is_space(cps[i])) ++i;
    pieces.push_back(cps.substr(start, i - start));
  }
  if (from_right) {
    std::reverse(pieces.begin(), pieces.end());
    for (auto& piece : pieces) std::reverse(piece.begin(), piece.end());
  }
  for (const auto& piece : pieces) parts.push_back(encode(piece));
  return parts;
}

std::string replace(std::string_view s, std::string_view old_text, std::string_view new_text,
                    std::int64_t count) {
  std::string out;
  if (old_text.empty()) {
    // Python inserts the replacement before every code point and at the end.
    const std::vector<std::size_t> offsets = code_point_offsets(s);
    std::int64_t done = 0;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      if (count < 0 || done < count) {
        out += new_text;
        ++done;
      }
      if (i + 1 < offsets.size()) out += s.substr(offsets[i], offsets[i + 1] - offsets[i]);
    }
    return out;
  }
  std::size_t start = 0;
  std::int64_t done = 0;
  while (count < 0 || done < count) {
    const std::size_t hit = s.find(old_text, start);
    if (hit == std::string_view::npos) break;
    out += s.substr(start, hit - start);
    out += new_text;
    start = hit + old_text.size();
    ++done;
  }
  out += s.substr(start);
  return out;
}

std::int64_t find(std::string_view s, std::string_view needle, bool from_right) {
  const std::size_t hit = from_right ? s.rfind(needle) : s.find(needle);
  if (hit == std::string_view::npos) return -1;
  return byte_to_code_point_index(s, hit);
}

std::int64_t count(std::string_view s, std::string_view needle) {
  if (needle.empty()) return static_cast<std::int64_t>(length(s)) + 1;
  std::int64_t n = 0;
  for (std::size_t at = s.find(needle); at != std::string_view::npos; at = s.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace smolvlm::jinja::text

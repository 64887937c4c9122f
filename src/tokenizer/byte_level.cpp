#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/unicode.h"

namespace smolvlm::tok {

namespace {

// Bytes that are printable Latin-1 keep their own code point; the other 68
// take U+0100.. in byte order. Code points used end at U+0143.
constexpr char32_t kMappedEnd = 0x144;

struct ByteLevelTables {
  std::array<char32_t, 256> byte_to_char{};
  std::array<int16_t, kMappedEnd> char_to_byte{};

  ByteLevelTables() {
    char_to_byte.fill(-1);
    char32_t next_substitute = 0x100;
    for (int byte = 0; byte < 256; ++byte) {
      const bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
                             (byte >= 0xAE && byte <= 0xFF);
      const char32_t c = printable ? static_cast<char32_t>(byte) : next_substitute++;
      byte_to_char[byte] = c;
      char_to_byte[c] = static_cast<int16_t>(byte);
    }
  }
};

const ByteLevelTables& tables() {
  static const ByteLevelTables instance;
  return instance;
}

}  // namespace

char32_t byte_to_char(uint8_t byte) { return tables().byte_to_char[byte]; }

std::optional<uint8_t> char_to_byte(char32_t c) {
  if (c >= kMappedEnd || tables().char_to_byte[c] < 0) return std::nullopt;
  return static_cast<uint8_t>(tables().char_to_byte[c]);
}

std::string to_byte_level(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char byte : bytes) append_utf8(out, byte_to_char(static_cast<uint8_t>(byte)));
  return out;
}

std::string byte_level_token_bytes(std::string_view token) {
  std::string bytes;
  bytes.reserve(token.size());
  for (size_t pos = 0; pos < token.size();) {
    const Utf8Step step = step_utf8(token, pos);
    const std::optional<uint8_t> byte = step.valid ? char_to_byte(step.code_point) : std::nullopt;
    if (!byte) return std::string(token);
    bytes += static_cast<char>(*byte);
    pos += step.length;
  }
  return bytes;
}

}  // namespace smolvlm::tok

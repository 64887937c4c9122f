// GPT-2's reversible byte <-> printable-character mapping: byte-level BPE
// vocabularies spell every byte as one of 256 visible characters (a space is
// "Ġ", a newline "Ċ"), so any UTF-8 text is covered without an unknown token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smolvlm::tok {

// The vocabulary spelling of one byte.
char32_t byte_to_char(uint8_t byte);

// The byte a vocabulary character stands for; nullopt for characters outside the 256.
std::optional<uint8_t> char_to_byte(char32_t c);

// Raw bytes -> vocabulary spelling (UTF-8 of the mapped characters).
std::string to_byte_level(std::string_view bytes);

// What HF's ByteLevel decoder turns one token string into: its characters
// mapped back to bytes, or, if any character is outside the mapping (as in
// an added token containing a plain space), the token's own UTF-8 unchanged.
std::string byte_level_token_bytes(std::string_view token);

}  // namespace smolvlm::tok

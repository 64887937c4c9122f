// Base64 (RFC 4648) decoding, shared by the server's data URLs and the eval
// layer's VLMEvalKit TSV image columns.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace smolvlm {

// Strict base64 (RFC 4648 alphabet); false for any other character, bad
// padding or a dangling single character. ASCII whitespace is skipped (MIME
// line breaks); padding is optional.
bool base64_decode(std::string_view text, std::vector<uint8_t>& out);

}  // namespace smolvlm

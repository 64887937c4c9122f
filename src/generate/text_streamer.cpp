#include "generate/text_streamer.h"

#include <cstdint>

namespace smolvlm {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Decodes `bytes` lossily into `out`. Returns the number of bytes consumed;
// with `at_end` false, a trailing incomplete-but-valid prefix is left unconsumed.
size_t decode_lossy(std::string_view bytes, bool at_end, std::string& out) {
  size_t i = 0;
  while (i < bytes.size()) {
    const auto b = static_cast<uint8_t>(bytes[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    // Sequence length and the allowed range of the second byte (RFC 3629 /
    // Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
    size_t len = 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {  // continuation byte without a lead, C0/C1, F5..FF
      out += kReplacement;
      ++i;
      continue;
    }
    size_t k = 1;
    while (k < len && i + k < bytes.size()) {
      const auto c = static_cast<uint8_t>(bytes[i + k]);
      const bool ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
      if (!ok) break;
      ++k;
    }
    if (k == len) {
      out.append(bytes.substr(i, len));
      i += len;
    } else if (i + k == bytes.size() && !at_end) {
      return i;  // a valid prefix that later bytes may complete
    } else {
      out += kReplacement;  // the maximal subpart bytes[i, i+k) is one U+FFFD
      i += k;
    }
  }
  return i;
}

}  // namespace

std::string TextStreamer::push(std::string_view token_bytes) {
  pending_.append(token_bytes);
  std::string out;
  const size_t used = decode_lossy(pending_, /*at_end=*/false, out);
  pending_.erase(0, used);
  return out;
}

std::string TextStreamer::finish() {
  std::string out;
  decode_lossy(pending_, /*at_end=*/true, out);
  pending_.clear();
  return out;
}

}  // namespace smolvlm

// UTF-8-safe incremental text for streaming generation. Byte-level BPE tokens
// can end in the middle of a character (an emoji is often 2-4 tokens), so raw
// token bytes are buffered until they form whole characters.
#pragma once

#include <string>
#include <string_view>

namespace smolvlm {

// Usage: for each generated non-special token, out += streamer.push(
// tokenizer.token_bytes(id)); at the end, out += streamer.finish(). The
// concatenation equals String::from_utf8_lossy of all bytes pushed: every
// maximal ill-formed subsequence becomes one U+FFFD (the Unicode / WHATWG
// "maximal subpart" rule), so invalid bytes are replaced as soon as they are
// known to be invalid and are never held back forever. Only a trailing,
// still-completable prefix of a character (at most 3 bytes) is held.
class TextStreamer {
 public:
  // Appends token bytes; returns the text that is now complete (valid UTF-8).
  std::string push(std::string_view token_bytes);
  // Flushes: an incomplete trailing character becomes U+FFFD. The streamer is
  // empty afterwards and can be reused.
  std::string finish();

 private:
  std::string pending_;  // bytes not yet returned: a possible character prefix
};

}  // namespace smolvlm

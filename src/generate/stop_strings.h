// User stop strings over streamed text: generation stops once the text contains
// one, the text is cut right before it, and streamed output never shows a part
// of a stop string, because anything that could be the start of one is held
// back until it is known not to be.
//
// Matching is on UTF-8 bytes of the decoded text (after TextStreamer), so a
// stop string may span any number of tokens. The engine's answer excludes the
// stop string (transformers' StopStringCriteria would keep it in the output;
// cutting is the usual API behaviour and what callers of "stop" expect).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm {

struct StopMatch {
  size_t stop_index = 0;  // which of the stop strings matched
  size_t position = 0;    // byte offset, in all text fed so far, where it begins
};

struct StopStep {
  // Text that is now safe to stream (never part of a stop string). With a
  // match, it ends right before the stop string.
  std::string ready;
  std::optional<StopMatch> match;
};

class StopStringMatcher {
 public:
  // Throws Error("stop strings", ...) for an empty stop string. No stop strings
  // is allowed: then every chunk is ready at once.
  explicit StopStringMatcher(std::vector<std::string> stop_strings);

  // Feeds the next chunk of decoded text. When several stop strings complete
  // inside one chunk, the one ending first wins (generation would have stopped
  // there); of those ending at the same byte, the longest (earliest start).
  // After a match, further chunks are ignored (empty steps).
  StopStep feed(std::string_view chunk);

  // At the end of generation without a match: the held-back text, which is no
  // longer a possible stop string start. Empty after a match.
  std::string flush();

  // Bytes at the end of the text fed so far that are held back because they
  // are a proper prefix of some stop string.
  size_t held_back() const { return pending_.size(); }
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  size_t max_len_ = 0;
  // The held-back bytes, starting at absolute offset pending_offset_. A stop
  // string can only begin inside them or in later text: any earlier start
  // would have made a longer held-back suffix.
  std::string pending_;
  size_t pending_offset_ = 0;
  bool stopped_ = false;

  size_t longest_partial_suffix() const;
};

}  // namespace smolvlm

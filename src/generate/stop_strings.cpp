#include "generate/stop_strings.h"

#include <algorithm>

#include "core/error.h"

namespace smolvlm {

StopStringMatcher::StopStringMatcher(std::vector<std::string> stop_strings) : stops_(std::move(stop_strings)) {
  for (const std::string& s : stops_) {
    if (s.empty()) throw Error("stop strings", "a stop string must not be empty");
    max_len_ = std::max(max_len_, s.size());
  }
}

size_t StopStringMatcher::longest_partial_suffix() const {
  const size_t limit = std::min(pending_.size(), max_len_ == 0 ? 0 : max_len_ - 1);
  for (size_t len = limit; len > 0; --len) {
    const std::string_view suffix = std::string_view(pending_).substr(pending_.size() - len);
    for (const std::string& s : stops_) {
      if (s.size() > len && std::string_view(s).substr(0, len) == suffix) return len;
    }
  }
  return 0;
}

StopStep StopStringMatcher::feed(std::string_view chunk) {
  StopStep step;
  if (stopped_) return step;
  const size_t old_size = pending_.size();
  pending_.append(chunk);
  const std::string_view text = pending_;
  // Earliest end first: generation, fed token by token, would stop there.
  for (size_t end = old_size + 1; end <= text.size(); ++end) {
    std::optional<size_t> best;
    for (size_t j = 0; j < stops_.size(); ++j) {
      const size_t len = stops_[j].size();
      if (len <= end && text.substr(end - len, len) == stops_[j] &&
          (!best || len > stops_[*best].size())) {
        best = j;
      }
    }
    if (best) {
      const size_t start = end - stops_[*best].size();
      step.ready = pending_.substr(0, start);
      step.match = StopMatch{*best, pending_offset_ + start};
      stopped_ = true;
      pending_.clear();
      return step;
    }
  }
  const size_t ready = pending_.size() - longest_partial_suffix();
  step.ready = pending_.substr(0, ready);
  pending_.erase(0, ready);
  pending_offset_ += ready;
  return step;
}

std::string StopStringMatcher::flush() {
  std::string out = std::move(pending_);
  pending_offset_ += out.size();
  pending_.clear();
  return out;
}

}  // namespace smolvlm

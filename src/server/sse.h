// Server-sent events framing for streamed completions, as OpenAI sends them:
// one "data: <json>" event per chunk, a blank line after each, and a final
// "data: [DONE]".
#pragma once

#include <string>
#include <string_view>

#include "core/json_file.h"

namespace smolvlm::server {

// JSON never contains a raw newline when dumped compactly, so one data line suffices.
inline std::string sse_event(const Json& data) {
  return "data: " + data.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
}

inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

}  // namespace smolvlm::server

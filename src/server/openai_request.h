// POST /v1/chat/completions bodies (OpenAI's format) to a conversation and
// generation options, with every field type- and range-checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "smolvlm.h"

namespace smolvlm::server {

struct RequestLimits {
  int64_t max_images = 8;         // image parts per request, all messages together
  int64_t max_new_tokens = 4096;  // the largest max_tokens a client may ask for
  int64_t max_stop_strings = 4;   // as OpenAI
  int64_t max_messages = 256;
  int64_t max_videos = 1;                      // video_url parts per request
  size_t max_video_bytes = size_t{16} << 20;  // per video, decoded
  bool allow_image_urls = false;              // remote http(s) image URLs (fetched by the route)
};

// A remote image URL the route fetches before preparing the prompt: it fills
// conversation[message].content[part].image_bytes.
struct RemoteImageRef {
  size_t message = 0;
  size_t part = 0;
  std::string url;
  std::string param;  // where it was in the request, for errors
};

struct ChatRequest {
  Conversation conversation;      // images as in-memory bytes
  GenerationOptions options;      // unset fields follow the checkpoint
  bool max_tokens_given = false;  // the client bounded the answer (else the budget is clamped silently)
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  std::vector<RemoteImageRef> remote_images;  // only when limits.allow_image_urls
};

// Throws ApiError 400 naming the field (param) for malformed JSON, wrong
// types, out-of-range values, unknown fields (as OpenAI: "Unrecognized
// request argument supplied"), unsupported features (n > 1, tools, logprobs,
// penalties, non-text response formats, audio/file parts), remote image URLs
// unless limits.allow_image_urls, remote video URLs, and videos over the limits.
// A video_url part (vLLM's convention) holds a data:video/...;base64 URL.
//
// Sampling: temperature 0 is greedy and temperature > 0 samples; without a
// temperature the checkpoint's generation_config decides (greedy for
// SmolVLM), as `smolvlm run` does. top_p, seed and the extensions top_k,
// min_p and repetition_penalty (as vLLM and llama.cpp accept them) apply
// when sampling.
ChatRequest parse_chat_request(const std::string& body, const RequestLimits& limits);

}  // namespace smolvlm::server

// Response bodies in OpenAI's exact shapes: chat.completion objects,
// chat.completion.chunk objects for streaming, usage, errors and the model list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json_file.h"
#include "server/api_error.h"

namespace smolvlm::server {

struct Usage {
  int64_t prompt_tokens = 0;      // image tokens included
  int64_t completion_tokens = 0;  // generated ids, a final EOS included
};

// What every object of one completion shares.
struct CompletionHeader {
  std::string id;       // "chatcmpl-..."
  int64_t created = 0;  // Unix seconds
  std::string model;
};

Json usage_json(const Usage& usage);

// The non-streaming answer.
Json completion_json(const CompletionHeader& h, const std::string& text, const std::string& finish_reason,
                     const Usage& usage);

// One streamed chunk. `role` goes in the first chunk's delta, `content` in
// text chunks, `finish_reason` in the last choice chunk. With include_usage
// every chunk carries "usage": null, as OpenAI's do.
Json chunk_json(const CompletionHeader& h, std::optional<std::string> role, std::optional<std::string> content,
                std::optional<std::string> finish_reason, bool include_usage);

// The usage chunk that ends a stream with include_usage: no choices.
Json usage_chunk_json(const CompletionHeader& h, const Usage& usage);

Json error_json(const ApiError& error);

Json models_json(const std::string& model_id, int64_t created);
Json model_json(const std::string& model_id, int64_t created);

}  // namespace smolvlm::server

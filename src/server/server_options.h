// Everything `smolvlm serve` can be told, with the defaults it uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "server/openai_request.h"
#include "smolvlm.h"
#include "server/remote_image.h"
#include "server/scheduler.h"
#include "video/video_reader.h"

namespace smolvlm::server {

struct ServerOptions {
  std::string model_dir;
  std::string model_id;            // the name /v1/models reports; default: the folder's name
  std::string host = "127.0.0.1";  // loopback unless asked otherwise
  int port = 8080;                 // 0: any free port (printed at start)
  std::string api_key;             // empty: no authentication
  LoadOptions load;                // arithmetic, quantized weights, LoRA adapters (include/smolvlm.h)

  size_t max_body_bytes = size_t{32} << 20;  // whole request body (images are base64 inside it)
  int64_t max_image_pixels = 25'000'000;     // per image, checked before decoding
  int64_t max_prompt_tokens = 0;             // 0: the model's max_position_embeddings
  RequestLimits request_limits;  // request_limits.allow_image_urls: --allow-image-urls
  RemoteImageLimits remote_images;
  // Per video_url video: frames the stream may hold (demuxing indexes them
  // all), pixels per frame, duration.
  VideoLimits video_limits = {
      .max_pixels = 25'000'000, .max_side = 16384, .max_frames = 36'000, .max_duration_s = 3600};
  size_t image_cache_bytes = size_t{256} << 20;
  int prepare_threads = 2;  // requests decoding/encoding images at once
  int http_threads = 0;     // 0: enough for every batch slot and queue place, plus spare

  SchedulerOptions scheduler;
};

}  // namespace smolvlm::server

// smolvlm serve: the OpenAI-compatible HTTP server with continuous batching
// and the embedded chat page (src/server/).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "cli_args.h"
#include "commands.h"
#include "generation_flags.h"
#include "server/http_server.h"

namespace smolvlm::cli {
namespace {

ArgParser make_parser() {
  ArgParser p("serve", "--model DIR [--host 127.0.0.1] [--port 8080] [--api-key KEY] [options]",
              "Serves a checkpoint over HTTP: POST /v1/chat/completions (OpenAI format, streaming, images as\n"
              "data URLs, videos as video_url data URLs), GET /v1/models, /health, /metrics (Prometheus), and a\n"
              "chat page at /. Concurrent requests share one batched decode. Remote image URLs are refused\n"
              "unless --allow-image-urls (SSRF).");
  p.option("model", "DIR", "Checkpoint folder as downloaded from the Hugging Face hub")
      .option("host", "ADDR", "Address to listen on (default 127.0.0.1, loopback only)")
      .option("port", "N", "Port (default 8080; 0 picks a free one)")
      .option("api-key", "KEY", "Require 'Authorization: Bearer KEY' on /v1/* and /metrics (or set SMOLVLM_API_KEY)")
      .option("model-id", "NAME", "Model name reported by /v1/models (default: the folder's name)")
      .option("max-batch", "N", "Sequences decoded together (default 16)")
      .option("max-queue", "N", "Requests waiting or being prepared before new ones get 429 (default 64)")
      .option("prefill-chunk", "N", "Prompt tokens read per scheduler step (default 128)")
      .option("kv-cache-mb", "N", "KV cache budget of all running sequences together, MiB (default 2048)")
      .option("image-cache-mb", "N", "Encoded-image cache budget, MiB (default 256)")
      .option("prefix-cache-mb", "N",
              "KV caches of finished conversations kept for requests that extend them, MiB (default 256; 0: off)")
      .option("max-body-mb", "N", "Largest request body, MiB (default 32)")
      .option("max-images", "N", "Images per request (default 8)")
      .option("max-image-pixels", "N", "Pixels per image, checked before decoding (default 25000000)")
      .option("max-prompt-tokens", "N", "Longest prompt in tokens, images included (default: the model's context)")
      .option("max-tokens", "N", "Largest max_tokens a request may ask for (default 4096)")
      .option("prepare-threads", "N", "Requests decoding and encoding images at once (default 2)")
      .flag("allow-image-urls",
            "Fetch remote http(s) image URLs (off by default: SSRF). Public addresses only, bounded in size,\n"
            "time and redirects; hosts resolving to loopback, private or link-local addresses are refused")
      .flag("allow-private-image-urls",
            "With --allow-image-urls: also fetch from loopback, private and link-local addresses\n"
            "(the server's own network: only for trusted clients)")
      .option("image-url-max-mb", "N", "Largest fetched image, MiB (default 16)")
      .option("image-url-timeout-s", "N", "Deadline of one image fetch, redirects included, seconds (default 20)")
      .option("max-videos", "N", "video_url parts per request (default 1)")
      .option("max-video-mb", "N", "Largest video, decoded, MiB (default 16)")
      .option("max-video-frames", "N", "Frames a video's stream may hold (default 36000)");
  add_load_flags(p);
  return p;
}

int64_t positive(const ArgParser& args, const std::string& name, int64_t fallback) {
  const int64_t v = args.get_int(name).value_or(fallback);
  if (v <= 0) throw UsageError("serve: --" + name + " must be positive");
  return v;
}

server::ServerOptions options_from_args(const ArgParser& args) {
  server::ServerOptions o;
  o.model_dir = args.require("model");
  o.model_id = args.get("model-id").value_or("");
  o.load = load_options_from_flags(args, "serve");
  o.host = args.get("host").value_or(o.host);
  const int64_t port = args.get_int("port").value_or(o.port);
  if (port < 0 || port > 65535) throw UsageError("serve: --port must be 0..65535");
  o.port = static_cast<int>(port);
  if (auto key = args.get("api-key"))
    o.api_key = *key;
  else if (const char* env = std::getenv("SMOLVLM_API_KEY"))
    o.api_key = env;
  o.scheduler.max_batch = positive(args, "max-batch", o.scheduler.max_batch);
  o.scheduler.max_waiting = positive(args, "max-queue", o.scheduler.max_waiting);
  o.scheduler.prefill_chunk = positive(args, "prefill-chunk", o.scheduler.prefill_chunk);
  o.scheduler.kv_budget_bytes = static_cast<size_t>(positive(args, "kv-cache-mb", 2048)) << 20;
  o.image_cache_bytes = static_cast<size_t>(positive(args, "image-cache-mb", 256)) << 20;
  const int64_t prefix_mb = args.get_int("prefix-cache-mb").value_or(256);
  if (prefix_mb < 0) throw UsageError("serve: --prefix-cache-mb must be 0 or more");
  o.scheduler.prefix_cache_bytes = static_cast<size_t>(prefix_mb) << 20;
  o.max_body_bytes = static_cast<size_t>(positive(args, "max-body-mb", 32)) << 20;
  o.request_limits.max_images = positive(args, "max-images", o.request_limits.max_images);
  o.max_image_pixels = positive(args, "max-image-pixels", o.max_image_pixels);
  o.max_prompt_tokens = args.get_int("max-prompt-tokens").value_or(0);
  o.request_limits.max_new_tokens = positive(args, "max-tokens", o.request_limits.max_new_tokens);
  o.prepare_threads = static_cast<int>(positive(args, "prepare-threads", o.prepare_threads));
  o.request_limits.allow_image_urls = args.has("allow-image-urls");
  o.remote_images.allow_private_addresses = args.has("allow-private-image-urls");
  if (o.remote_images.allow_private_addresses && !o.request_limits.allow_image_urls)
    throw UsageError("serve: --allow-private-image-urls needs --allow-image-urls");
  o.remote_images.max_bytes = static_cast<size_t>(positive(args, "image-url-max-mb", 16)) << 20;
  o.remote_images.total_timeout_ms = static_cast<int>(positive(args, "image-url-timeout-s", 20) * 1000);
  o.request_limits.max_videos = positive(args, "max-videos", o.request_limits.max_videos);
  o.request_limits.max_video_bytes = static_cast<size_t>(positive(args, "max-video-mb", 16)) << 20;
  o.video_limits.max_frames = positive(args, "max-video-frames", o.video_limits.max_frames);
  return o;
}

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

}  // namespace

int serve_main(int argc, char** argv) {
  ArgParser args = make_parser();
  if (!args.parse(argc, argv, 2)) return 0;
  const server::ServerOptions options = options_from_args(args);

  // SIGINT / SIGTERM are blocked in every thread (threads inherit the mask)
  // and taken by sigwait below, so shutdown runs as ordinary code.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::HttpServer server(options);
  const int port = server.bind();
  if (!is_loopback(options.host) && options.api_key.empty())
    std::cerr << "smolvlm serve: warning: listening on " << options.host << " without --api-key\n";
  std::cout << "smolvlm serve: " << server.model_id() << " at http://" << options.host << ":" << port << "/"
            << std::endl;
  std::thread http([&server] {
    server.serve();
    kill(getpid(), SIGTERM);  // serving ended on its own: wake the main thread
  });
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "smolvlm serve: stopping\n";
  server.stop();
  http.join();
  return 0;
}

}  // namespace smolvlm::cli

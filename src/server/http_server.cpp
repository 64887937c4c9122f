#include "server/http_server.h"

#include <httplib.h>

#include <chrono>
#include <filesystem>

#include "core/error.h"
#include "server/api_error.h"
#include "server/openai_response.h"
#include "server/web_assets.h"

namespace smolvlm::server {
namespace {

constexpr const char* kJson = "application/json";

// The chat page loads only its own files and talks only to this server.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Metric labels: known routes by name, everything else as one label.
std::string route_label(const httplib::Request& req) {
  for (const char* route : {"/v1/chat/completions", "/v1/models", "/health", "/metrics"})
    if (req.path == route) return route;
  if (req.path.starts_with("/v1/models/")) return "/v1/models/{id}";
  return req.method == "GET" ? "static" : "other";
}

bool needs_key(const std::string& path) { return path.starts_with("/v1/") || path == "/metrics"; }

// Compares every byte whatever the first difference, so response time does
// not reveal how much of a guessed key was right.
bool same_secret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status;
  res.set_content(error_json(e).dump(), kJson);
}

SchedulerOptions with_image_token(SchedulerOptions o, const ModelConfig& config) {
  o.image_token_id = config.image_token_id;
  return o;
}

std::string default_model_id(const std::string& dir) {
  const std::filesystem::path p = std::filesystem::path(dir).lexically_normal();
  const std::string name = (p.has_filename() ? p.filename() : p.parent_path().filename()).string();
  return name.empty() ? "smolvlm" : name;
}

}  // namespace

HttpServer::HttpServer(ServerOptions options)
    : options_(std::move(options)),
      model_(std::make_unique<LoadedModel>(options_.model_dir, options_.image_cache_bytes, options_.load)),
      model_id_(options_.model_id.empty() ? default_model_id(options_.model_dir) : options_.model_id),
      created_(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count()),
      scheduler_(std::make_unique<Scheduler>(model_->decoder, model_->prompts.tokenizer(),
                                             with_image_token(options_.scheduler, model_->config))),
      chat_(std::make_unique<ChatRoute>(*model_, *scheduler_, metrics_, options_, model_id_)),
      http_(std::make_unique<httplib::Server>()) {
  // Every streaming client holds a thread while it reads, so there is one for
  // every batch slot and queue place, plus some for cheap requests.
  const int threads = options_.http_threads > 0
                          ? options_.http_threads
                          : static_cast<int>(options_.scheduler.max_batch + options_.scheduler.max_waiting + 8);
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_keep_alive_max_count(1000);
  add_routes();
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  const int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                                      : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port < 0) throw Error(options_.host + ":" + std::to_string(options_.port), "cannot listen on this address");
  return port;
}

void HttpServer::serve() { http_->listen_after_bind(); }

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  scheduler_->stop();  // ends every sequence, so no response waits for tokens
  http_->stop();
}

bool HttpServer::authorized(const std::string& authorization) const {
  return options_.api_key.empty() || same_secret(authorization, "Bearer " + options_.api_key);
}

void HttpServer::add_routes() {
  httplib::Server& s = *http_;
  // Authentication runs before the body is read, so strangers cannot make the
  // server read large bodies.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (needs_key(req.path) && !authorized(req.get_header_value("Authorization"))) {
      res.set_header("WWW-Authenticate", "Bearer");
      send_error(res,
                 ApiError(401, "invalid_request_error",
                          "Incorrect or missing API key (send 'Authorization: Bearer KEY').", "", "invalid_api_key"));
      return httplib::Server::HandlerResponse::Handled;
    }
    // httplib bounds a body only by its Content-Length: a chunked or
    // compressed body could grow without limit, so neither is accepted.
    if (req.has_header("Transfer-Encoding")) {
      send_error(res, ApiError(411, "invalid_request_error", "Send the request body with a Content-Length.", "",
                               "length_required"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.has_header("Content-Encoding")) {
      send_error(res, ApiError(415, "invalid_request_error", "Compressed request bodies are not accepted.", "",
                               "unsupported_media_type"));
      return httplib::Server::HandlerResponse::Handled;
    }
    // httplib would parse a form body itself (and cap it at 8 KB): say what is expected instead.
    if (req.method == "POST" && !req.get_header_value("Content-Type").starts_with("application/json")) {
      send_error(
          res, ApiError(415, "invalid_request_error", "Send the request body as JSON (Content-Type: application/json).",
                        "", "unsupported_media_type"));
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.Post("/v1/chat/completions",
         [this](const httplib::Request& req, httplib::Response& res) { chat_->handle(req, res); });
  s.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(models_json(model_id_, created_).dump(), kJson);
  });
  s.Get("/v1/models/(.+)", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.matches[1] == model_id_) return res.set_content(model_json(model_id_, created_).dump(), kJson);
    send_error(res, ApiError(404, "invalid_request_error", "The model '" + req.matches[1].str() + "' does not exist.",
                             "model", "model_not_found"));
  });
  s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    const bool ready = !stopping_.load();
    res.status = ready ? 200 : 503;
    res.set_content(Json{{"status", ready ? "ok" : "stopping"}, {"model", model_id_}}.dump(), kJson);
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.render(scheduler_->stats(), model_->prompts.image_cache_stats()),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  for (const WebAsset& asset : web_assets()) {
    const auto serve_asset = [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(asset.bytes), std::string(asset.content_type));
      res.set_header("Content-Security-Policy", kPagePolicy);
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
    };
    s.Get(std::string(asset.path), serve_asset);
    if (asset.path == "/index.html") s.Get("/", serve_asset);
  }
  // Errors httplib raises itself (unknown route, body too large) get an
  // OpenAI error object on the API paths.
  s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string message = res.status == 413   ? "The request body is too large."
                                : res.status == 404 ? "Unknown request URL: " + req.method + " " + req.path + "."
                                                    : "HTTP error " + std::to_string(res.status) + ".";
    send_error(res, ApiError(res.status, "invalid_request_error", message, "",
                             res.status == 413   ? "request_too_large"
                             : res.status == 404 ? "unknown_url"
                                                 : ""));
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
    }
    send_error(res, ApiError(500, "server_error", message));
  });
  s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    metrics_.count_request(route_label(req), res.status);
  });
}

}  // namespace smolvlm::server

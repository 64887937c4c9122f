// The `smolvlm serve` HTTP service: OpenAI-compatible chat completions, the
// model list, health, Prometheus metrics and the embedded chat page, over
// cpp-httplib, in front of one loaded model and its batching scheduler.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "engine/loaded_model.h"
#include "server/chat_route.h"
#include "server/metrics.h"
#include "server/scheduler.h"
#include "server/server_options.h"

namespace httplib {
class Server;
}

namespace smolvlm::server {

class HttpServer {
 public:
  // Loads the model and starts the scheduler; throws Error for a bad folder.
  explicit HttpServer(ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds options.host:options.port (port 0: any free port); returns the
  // port, or throws Error when the address cannot be bound.
  int bind();
  // Serves on the bound socket until stop() (from any thread).
  void serve();
  // Stops accepting, ends running sequences, and makes serve() return.
  void stop();

  const std::string& model_id() const { return model_id_; }

 private:
  void add_routes();
  bool authorized(const std::string& authorization) const;

  ServerOptions options_;
  std::unique_ptr<LoadedModel> model_;
  std::string model_id_;
  int64_t created_ = 0;  // Unix seconds the model was loaded, for /v1/models
  Metrics metrics_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ChatRoute> chat_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> stopping_{false};
};

}  // namespace smolvlm::server

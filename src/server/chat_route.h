// POST /v1/chat/completions: parse, prepare the prompt (images decoded and
// encoded here, on the HTTP thread, a bounded number at a time), queue it on
// the scheduler, and answer with one JSON object or an SSE stream. A client
// that disconnects cancels its sequence at the next token boundary.
#pragma once

#include <semaphore>
#include <string>

#include "engine/loaded_model.h"
#include "server/metrics.h"
#include "server/scheduler.h"
#include "server/server_options.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace smolvlm::server {

class ChatRoute {
 public:
  // All references must outlive the route.
  ChatRoute(LoadedModel& model, Scheduler& scheduler, Metrics& metrics, const ServerOptions& options,
            std::string model_id);

  // Answers every failure itself, as an OpenAI error object.
  void handle(const httplib::Request& req, httplib::Response& res);

 private:
  void respond(const httplib::Request& req, httplib::Response& res);

  LoadedModel& model_;
  Scheduler& scheduler_;
  Metrics& metrics_;
  const ServerOptions& options_;
  const std::string model_id_;
  std::counting_semaphore<> preparing_;
};

}  // namespace smolvlm::server

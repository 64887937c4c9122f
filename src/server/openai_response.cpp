#include "server/openai_response.h"

namespace smolvlm::server {
namespace {

// Lets clients that log it tell this server's answers apart.
constexpr const char* kFingerprint = "fp_smolvlm_cpp";

Json nullable(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json header_json(const CompletionHeader& h, const char* object) {
  return {{"id", h.id},
          {"object", object},
          {"created", h.created},
          {"model", h.model},
          {"system_fingerprint", kFingerprint}};
}

}  // namespace

Json usage_json(const Usage& u) {
  return {{"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

Json completion_json(const CompletionHeader& h, const std::string& text, const std::string& finish_reason,
                     const Usage& usage) {
  Json out = header_json(h, "chat.completion");
  out["choices"] = Json::array({{{"index", 0},
                                 {"message", {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}}},
                                 {"logprobs", nullptr},
                                 {"finish_reason", finish_reason}}});
  out["usage"] = usage_json(usage);
  return out;
}

Json chunk_json(const CompletionHeader& h, std::optional<std::string> role, std::optional<std::string> content,
                std::optional<std::string> finish_reason, bool include_usage) {
  Json delta = Json::object();
  if (role) delta["role"] = *role;
  if (content) delta["content"] = *content;
  Json out = header_json(h, "chat.completion.chunk");
  out["choices"] = Json::array({{{"index", 0},
                                 {"delta", delta},
                                 {"logprobs", nullptr},
                                 {"finish_reason", finish_reason ? Json(*finish_reason) : Json(nullptr)}}});
  if (include_usage) out["usage"] = nullptr;
  return out;
}

Json usage_chunk_json(const CompletionHeader& h, const Usage& usage) {
  Json out = header_json(h, "chat.completion.chunk");
  out["choices"] = Json::array();
  out["usage"] = usage_json(usage);
  return out;
}

Json error_json(const ApiError& e) {
  return {
      {"error", {{"message", e.what()}, {"type", e.type}, {"param", nullable(e.param)}, {"code", nullable(e.code)}}}};
}

Json model_json(const std::string& model_id, int64_t created) {
  return {{"id", model_id}, {"object", "model"}, {"created", created}, {"owned_by", "smolvlm.cpp"}};
}

Json models_json(const std::string& model_id, int64_t created) {
  return {{"object", "list"}, {"data", Json::array({model_json(model_id, created)})}};
}

}  // namespace smolvlm::server

// An error answered to an API client, in OpenAI's shape:
// {"error": {"message", "type", "param", "code"}} with its HTTP status.
#pragma once

#include <stdexcept>
#include <string>

namespace smolvlm::server {

struct ApiError : std::runtime_error {
  ApiError(int status, std::string type, std::string message, std::string param = "", std::string code = "")
      : std::runtime_error(message),
        status(status),
        type(std::move(type)),
        param(std::move(param)),
        code(std::move(code)) {}

  // 400: the request is malformed or asks for something unsupported.
  static ApiError invalid(std::string message, std::string param = "", std::string code = "") {
    return {400, "invalid_request_error", std::move(message), std::move(param), std::move(code)};
  }

  int status;
  std::string type;   // invalid_request_error, authentication_error, rate_limit_error, server_error
  std::string param;  // the offending request field, empty when none
  std::string code;   // machine-readable detail, empty when none
};

}  // namespace smolvlm::server

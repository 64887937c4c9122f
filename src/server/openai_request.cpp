#include "server/openai_request.h"

#include <set>

#include "core/json_file.h"
#include "server/api_error.h"
#include "server/image_url.h"

namespace smolvlm::server {
namespace {

using nlohmann::ordered_json;

// Fields OpenAI defines that change nothing here (metadata, routing hints).
const std::set<std::string> kIgnoredFields = {"model",
                                              "user",
                                              "store",
                                              "metadata",
                                              "service_tier",
                                              "parallel_tool_calls",
                                              "prompt_cache_key",
                                              "safety_identifier"};

std::string type_name(const Json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_array() || v.is_object()) return std::string("an ") + v.type_name();
  return std::string("a ") + v.type_name();
}

[[noreturn]] void wrong_type(const std::string& param, const Json& v, const std::string& expected) {
  throw ApiError::invalid("Invalid type for '" + param + "': expected " + expected + ", but got " + type_name(v) + ".",
                          param, "invalid_type");
}

double number(const Json& v, const std::string& param, double lo, double hi) {
  if (!v.is_number()) wrong_type(param, v, "a number");
  const double x = v.get<double>();
  if (!(x >= lo && x <= hi))
    throw ApiError::invalid("Invalid '" + param + "': " + std::to_string(x) + " is not in [" + std::to_string(lo) +
                                ", " + std::to_string(hi) + "].",
                            param, "invalid_value");
  return x;
}

int64_t integer(const Json& v, const std::string& param, int64_t lo, int64_t hi) {
  if (!v.is_number_integer()) wrong_type(param, v, "an integer");
  const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX ? INT64_MAX : v.get<int64_t>();
  if (x < lo || x > hi)
    throw ApiError::invalid("Invalid '" + param + "': " + std::to_string(x) + " is not in [" + std::to_string(lo) +
                                ", " + std::to_string(hi) + "].",
                            param, "invalid_value");
  return x;
}

bool boolean(const Json& v, const std::string& param) {
  if (!v.is_boolean()) wrong_type(param, v, "a boolean");
  return v.get<bool>();
}

const std::string& string(const Json& v, const std::string& param) {
  if (!v.is_string()) wrong_type(param, v, "a string");
  return v.get_ref<const std::string&>();
}

// obj[key], or ApiError naming where.key when it is absent.
const Json& required(const Json& obj, const std::string& key, const std::string& where) {
  if (!obj.contains(key))
    throw ApiError::invalid("Missing required parameter: '" + where + "'.", where, "missing_required_parameter");
  return obj[key];
}

[[noreturn]] void unsupported(const std::string& param, const std::string& what) {
  throw ApiError::invalid("'" + param + "': " + what + " is not supported by this server.", param,
                          "unsupported_parameter");
}

Content text_part(const Json& part, const std::string& where) {
  return Content::text_item(string(required(part, "text", where + ".text"), where + ".text"));
}

// Where the current part goes, for remote URLs fetched later.
struct PartPlace {
  size_t message = 0;
  size_t part = 0;
};

Content image_part(const Json& part, const std::string& where, const RequestLimits& limits, PartPlace place,
                   std::vector<RemoteImageRef>& remote) {
  const std::string param = where + ".image_url";
  const Json& image = required(part, "image_url", param);
  const auto from_url = [&](const std::string& url, const std::string& url_param) {
    if (limits.allow_image_urls && is_remote_url(url)) {
      remote.push_back({place.message, place.part, url, url_param});
      return Content::image_bytes_item({});
    }
    return Content::image_bytes_item(decode_image_data_url(url, url_param));
  };
  // OpenAI's shape is {"url": ..., "detail": ...}; a bare string is a common client shortcut.
  if (image.is_string()) return from_url(image.get<std::string>(), param);
  if (!image.is_object()) wrong_type(param, image, "an object");
  const std::string& url = string(required(image, "url", param + ".url"), param + ".url");
  if (image.contains("detail")) {  // the processor's own tiling decides the detail
    const std::string& detail = string(image["detail"], param + ".detail");
    if (detail != "auto" && detail != "low" && detail != "high")
      throw ApiError::invalid("Invalid '" + param + ".detail': expected auto, low or high.", param + ".detail",
                              "invalid_value");
  }
  return from_url(url, param + ".url");
}

// vLLM's {"type": "video_url", "video_url": {"url": "data:video/mp4;base64,..."}}.
Content video_part(const Json& part, const std::string& where, const RequestLimits& limits) {
  const std::string param = where + ".video_url";
  const Json& video = required(part, "video_url", param);
  if (video.is_string())
    return Content::video_bytes_item(decode_video_data_url(video.get<std::string>(), param, limits.max_video_bytes));
  if (!video.is_object()) wrong_type(param, video, "an object");
  for (const auto& [key, value] : video.items())
    if (key != "url")
      throw ApiError::invalid("Unrecognized argument in '" + param + "': " + key, param + "." + key,
                              "unknown_parameter");
  const std::string& url = string(required(video, "url", param + ".url"), param + ".url");
  return Content::video_bytes_item(decode_video_data_url(url, param + ".url", limits.max_video_bytes));
}

struct MediaCounts {
  int64_t images = 0;
  int64_t videos = 0;
};

Message parse_message(const Json& m, const std::string& where, size_t index, MediaCounts& counts,
                      const RequestLimits& limits, std::vector<RemoteImageRef>& remote) {
  if (!m.is_object()) wrong_type(where, m, "an object");
  std::string role = string(required(m, "role", where + ".role"), where + ".role");
  if (role == "developer") role = "system";  // OpenAI's newer name for system instructions
  if (role != "system" && role != "user" && role != "assistant")
    throw ApiError::invalid("Invalid '" + where + ".role': '" + role +
                                "' (expected system, developer, user or assistant; "
                                "tools are not supported).",
                            where + ".role", "invalid_value");
  for (const auto& [key, value] : m.items())
    if (key != "role" && key != "content" && key != "name" && key != "refusal")
      throw ApiError::invalid("Unrecognized argument in '" + where + "': " + key, where + "." + key,
                              "unknown_parameter");
  Message message{role, {}};
  const std::string param = where + ".content";
  const Json& content = required(m, "content", param);
  if (content.is_null())
    throw ApiError::invalid("'" + param + "' must not be null.", param, "missing_required_parameter");
  if (content.is_string()) {
    message.content.push_back(Content::text_item(content.get<std::string>()));
    return message;
  }
  if (!content.is_array()) wrong_type(param, content, "a string or an array of content parts");
  for (size_t j = 0; j < content.size(); ++j) {
    const std::string part_where = param + "[" + std::to_string(j) + "]";
    const Json& part = content[j];
    if (!part.is_object()) wrong_type(part_where, part, "an object");
    const std::string& type = string(required(part, "type", part_where + ".type"), part_where + ".type");
    if (type == "text") {
      message.content.push_back(text_part(part, part_where));
    } else if (type == "image_url") {
      if (role != "user")
        throw ApiError::invalid("Image parts are only allowed in user messages.", part_where, "invalid_value");
      if (++counts.images > limits.max_images)
        throw ApiError::invalid("Too many images: at most " + std::to_string(limits.max_images) + " per request.",
                                part_where, "too_many_images");
      message.content.push_back(image_part(part, part_where, limits, {index, message.content.size()}, remote));
    } else if (type == "video_url") {
      if (role != "user")
        throw ApiError::invalid("Video parts are only allowed in user messages.", part_where, "invalid_value");
      if (++counts.videos > limits.max_videos)
        throw ApiError::invalid("Too many videos: at most " + std::to_string(limits.max_videos) + " per request.",
                                part_where, "too_many_videos");
      message.content.push_back(video_part(part, part_where, limits));
    } else {
      throw ApiError::invalid(
          "Invalid '" + part_where + ".type': '" + type + "' (expected text, image_url or video_url).",
          part_where + ".type", "invalid_value");
    }
  }
  return message;
}

void parse_stop(const Json& v, const RequestLimits& limits, GenerationOptions& o) {
  if (v.is_null()) return;
  if (v.is_string()) {
    if (v.get<std::string>().empty()) throw ApiError::invalid("Invalid 'stop': empty string.", "stop", "invalid_value");
    o.stop_strings.push_back(v.get<std::string>());
    return;
  }
  if (!v.is_array()) wrong_type("stop", v, "a string or an array of strings");
  if (static_cast<int64_t>(v.size()) > limits.max_stop_strings)
    throw ApiError::invalid("Invalid 'stop': at most " + std::to_string(limits.max_stop_strings) + " strings.", "stop",
                            "invalid_value");
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string& s = string(v[i], "stop[" + std::to_string(i) + "]");
    if (s.empty()) throw ApiError::invalid("Invalid 'stop': empty string.", "stop", "invalid_value");
    o.stop_strings.push_back(s);
  }
}

// OpenAI fields this server does not implement: accepted at their neutral value only.
void check_unsupported(const std::string& key, const Json& v) {
  if (key == "n" && !(v.is_null() || (v.is_number_integer() && v.get<int64_t>() == 1)))
    unsupported(key, "n other than 1");
  if ((key == "frequency_penalty" || key == "presence_penalty") &&
      !(v.is_null() || (v.is_number() && v.get<double>() == 0)))
    unsupported(key, "a non-zero " + key);
  if (key == "logprobs" && !(v.is_null() || (v.is_boolean() && !v.get<bool>()))) unsupported(key, "logprobs");
  if (key == "top_logprobs" && !v.is_null()) unsupported(key, "top_logprobs");
  if (key == "logit_bias" && !(v.is_null() || (v.is_object() && v.empty()))) unsupported(key, "logit_bias");
  if ((key == "tools" || key == "functions") && !(v.is_null() || (v.is_array() && v.empty())))
    unsupported(key, "tool calling");
  if ((key == "tool_choice" || key == "function_call") && !(v.is_null() || v == "none" || v == "auto"))
    unsupported(key, "tool calling");
  if (key == "response_format" && !(v.is_null() || (v.is_object() && v.value("type", "") == "text")))
    unsupported(key, "a response_format other than text");
  if (key == "modalities" && !(v.is_null() || v == Json::array({"text"})))
    unsupported(key, "output modalities other than text");
  if (key == "audio" && !v.is_null()) unsupported(key, "audio output");
  if (key == "prediction" && !v.is_null()) unsupported(key, "predicted outputs");
  if (key == "reasoning_effort" && !v.is_null()) unsupported(key, "reasoning_effort");
  if (key == "web_search_options" && !v.is_null()) unsupported(key, "web search");
}

const std::set<std::string> kUnsupportedFields = {
    "n",     "frequency_penalty", "presence_penalty", "logprobs",          "top_logprobs",    "logit_bias",
    "tools", "functions",         "tool_choice",      "function_call",     "response_format", "modalities",
    "audio", "prediction",        "reasoning_effort", "web_search_options"};

}  // namespace

ChatRequest parse_chat_request(const std::string& body, const RequestLimits& limits) {
  const Json request = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded())
    throw ApiError::invalid("We could not parse the JSON body of your request. (The body must be valid JSON.)", "",
                            "invalid_json");
  if (!request.is_object()) wrong_type("body", request, "a JSON object");
  ChatRequest out;
  GenerationOptions& o = out.options;
  for (const auto& [key, v] : request.items()) {
    if (key == "messages" || kIgnoredFields.count(key) != 0) continue;
    if (kUnsupportedFields.count(key) != 0) {
      check_unsupported(key, v);
    } else if (key == "max_tokens" || key == "max_completion_tokens") {
      if (v.is_null()) continue;
      o.max_new_tokens = integer(v, key, 1, limits.max_new_tokens);
      out.max_tokens_given = true;
    } else if (key == "temperature") {
      if (v.is_null()) continue;
      const double t = number(v, key, 0.0, 2.0);
      o.do_sample = t > 0;
      if (t > 0) o.temperature = t;
    } else if (key == "top_p") {
      if (!v.is_null()) o.top_p = number(v, key, 1e-9, 1.0);
    } else if (key == "top_k") {
      if (!v.is_null()) o.top_k = integer(v, key, 0, INT32_MAX);
    } else if (key == "min_p") {
      if (!v.is_null()) o.min_p = number(v, key, 0.0, 1.0);
    } else if (key == "repetition_penalty") {
      if (!v.is_null()) o.repetition_penalty = number(v, key, 1e-6, 100.0);
    } else if (key == "seed") {
      if (!v.is_null()) o.seed = static_cast<uint64_t>(integer(v, key, INT64_MIN, INT64_MAX));
    } else if (key == "stop") {
      parse_stop(v, limits, o);
    } else if (key == "stream") {
      if (!v.is_null()) out.stream = boolean(v, key);
    } else if (key == "stream_options") {
      if (v.is_null()) continue;
      if (!v.is_object()) wrong_type(key, v, "an object");
      for (const auto& [option, value] : v.items()) {
        if (option != "include_usage")
          throw ApiError::invalid("Unrecognized argument in 'stream_options': " + option, key + "." + option,
                                  "unknown_parameter");
        out.include_usage = boolean(value, key + ".include_usage");
      }
    } else {
      throw ApiError::invalid("Unrecognized request argument supplied: " + key, key, "unknown_parameter");
    }
  }
  if (request.contains("stream_options") && !request["stream_options"].is_null() && !out.stream)
    throw ApiError::invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                            "stream_options", "invalid_value");
  const Json& messages = required(request, "messages", "messages");
  if (!messages.is_array()) wrong_type("messages", messages, "an array");
  if (messages.empty()) throw ApiError::invalid("Invalid 'messages': empty array.", "messages", "empty_array");
  if (static_cast<int64_t>(messages.size()) > limits.max_messages)
    throw ApiError::invalid("Too many messages: at most " + std::to_string(limits.max_messages) + ".", "messages",
                            "invalid_value");
  MediaCounts counts;
  for (size_t i = 0; i < messages.size(); ++i)
    out.conversation.push_back(
        parse_message(messages[i], "messages[" + std::to_string(i) + "]", i, counts, limits, out.remote_images));
  return out;
}

}  // namespace smolvlm::server

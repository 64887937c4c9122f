#include "engine/conversation.h"

#include <filesystem>
#include <optional>

#include "core/error.h"

namespace smolvlm {
namespace {

// HF accepts an image by "path", "url" or "image" (a local file for us).
std::string image_reference(const Json& item, const std::string& where) {
  for (const char* key : {"path", "url", "image"}) {
    auto it = item.find(key);
    if (it == item.end() || it->is_null()) continue;
    if (!it->is_string()) throw Error(where + "." + key, "must be a file path string");
    return it->get<std::string>();
  }
  return "";
}

std::string resolve(const std::string& path, const std::string& base_dir) {
  if (path.empty() || base_dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

std::optional<double> optional_number(const Json& item, const char* key, const std::string& where) {
  auto it = item.find(key);
  if (it == item.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) throw Error(where + "." + key, "must be a number");
  return it->get<double>();
}

// A video file by "path", "url" or "video"; or its frames as image files by
// "frames" (or HF's list form of "path"), with optional "fps" and "duration".
Content parse_video(const Json& item, const std::string& where, const std::string& base_dir) {
  const auto frames_it = item.contains("frames") ? item.find("frames") : item.find("path");
  if (frames_it != item.end() && frames_it->is_array()) {
    std::vector<std::string> frames;
    for (const Json& f : *frames_it) {
      if (!f.is_string()) throw Error(where + ".frames", "must be a list of image file paths");
      frames.push_back(resolve(f.get<std::string>(), base_dir));
    }
    if (frames.empty()) throw Error(where + ".frames", "must name at least one image file");
    return Content::video_frames_item(std::move(frames), optional_number(item, "fps", where),
                                      optional_number(item, "duration", where));
  }
  for (const char* key : {"path", "url", "video"}) {
    auto it = item.find(key);
    if (it == item.end() || it->is_null()) continue;
    if (!it->is_string()) throw Error(where + "." + key, "must be a file path string");
    return Content::video_item(resolve(it->get<std::string>(), base_dir));
  }
  throw Error(where, "video item names no file (use \"path\" or \"frames\")");
}

Content parse_item(const Json& item, const std::string& where, const std::string& base_dir) {
  if (!item.is_object() || !item.contains("type") || !item["type"].is_string())
    throw Error(where, "content item must be an object with a \"type\"");
  const std::string type = item["type"].get<std::string>();
  if (type == "text") {
    if (!item.contains("text") || !item["text"].is_string()) throw Error(where, "text item lacks a \"text\" string");
    return Content::text_item(item["text"].get<std::string>());
  }
  if (type == "image") return Content::image_item(resolve(image_reference(item, where), base_dir));
  if (type == "video") return parse_video(item, where, base_dir);
  throw Error(where + ".type", "unsupported content type \"" + type + "\" (expected text, image or video)");
}

}  // namespace

Conversation parse_conversation_json(const std::string& json_text, const std::string& base_dir) {
  const Json messages = parse_json(json_text, "messages");
  if (!messages.is_array()) throw Error("messages", "must be a JSON array of {\"role\", \"content\"} objects");
  Conversation conversation;
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string where = "messages[" + std::to_string(i) + "]";
    const Json& m = messages[i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
      throw Error(where, "must be an object with a \"role\" string");
    Message message{m["role"].get<std::string>(), {}};
    const Json& content = m.contains("content") ? m["content"] : Json();
    if (content.is_string()) {
      message.content.push_back(Content::text_item(content.get<std::string>()));
    } else if (content.is_array()) {
      for (size_t j = 0; j < content.size(); ++j)
        message.content.push_back(parse_item(content[j], where + ".content[" + std::to_string(j) + "]", base_dir));
    } else {
      throw Error(where + ".content", "must be a string or a list of content items");
    }
    conversation.push_back(std::move(message));
  }
  return conversation;
}

Json conversation_to_json(const Conversation& conversation, bool content_as_string) {
  Json messages = Json::array();
  for (const Message& m : conversation) {
    const bool text_only = std::all_of(m.content.begin(), m.content.end(),
                                       [](const Content& c) { return c.kind == Content::Kind::Text; });
    if (content_as_string && text_only) {
      std::string text;
      for (const Content& c : m.content) text += c.text;
      messages.push_back({{"role", m.role}, {"content", text}});
      continue;
    }
    Json items = Json::array();
    for (const Content& c : m.content) {
      if (c.kind == Content::Kind::Text) items.push_back({{"type", "text"}, {"text", c.text}});
      else if (c.kind == Content::Kind::Video) items.push_back({{"type", "video"}});  // unexpanded: render_prompt
      else items.push_back({{"type", "image"}});
    }
    messages.push_back({{"role", m.role}, {"content", items}});
  }
  return messages;
}

std::vector<const Content*> conversation_images(const Conversation& conversation) {
  std::vector<const Content*> images;
  for (const Message& m : conversation)
    for (const Content& c : m.content)
      if (c.kind == Content::Kind::Image) images.push_back(&c);
  return images;
}

}  // namespace smolvlm

#include "chat/chat_template.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "chat/jinja_json.h"
#include "core/error.h"

namespace smolvlm {
namespace {

namespace fs = std::filesystem;

constexpr const char* kContext = "chat template";

// tokenizer_config.json writes a token as "text" or as an AddedToken object.
jinja::Value special_token_value(const std::string& name, const Json& token) {
  if (token.is_string()) return jinja::Value(token.get<std::string>());
  if (token.is_object() && token.contains("content") && token["content"].is_string()) {
    return jinja::Value(token["content"].get<std::string>());
  }
  if (token.is_array()) {
    jinja::List list;
    for (const Json& item : token) list.items.push_back(special_token_value(name, item));
    return jinja::Value(std::move(list));
  }
  throw Error(kContext, "special token '" + name + "' must be a string or an object with a \"content\" string");
}

jinja::Dict special_tokens_from(const Json& tokens) {
  jinja::Dict dict;
  if (tokens.is_null()) return dict;
  if (!tokens.is_object()) throw Error(kContext, "special tokens must be a JSON object");
  for (const auto& [name, token] : tokens.items()) {
    if (!token.is_null()) dict.set(name, special_token_value(name, token));
  }
  return dict;
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string(), "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(path.string(), "cannot read file");
  return text.str();
}

// tokenizer_config.json's "chat_template": one template, or named ones.
std::string template_from_tokenizer_config(const Json& value, const fs::path& path) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string names;
    for (const Json& entry : value) {
      if (!entry.is_object() || !entry.contains("name") || !entry.contains("template")) continue;
      if (entry["name"] == "default" && entry["template"].is_string()) return entry["template"].get<std::string>();
      names += (names.empty() ? "" : ", ") + entry["name"].dump();
    }
    throw Error(path.string() + ": chat_template", "no template named \"default\" among [" + names + "]");
  }
  throw Error(path.string() + ": chat_template", "must be a string or a list of {name, template}");
}

}  // namespace

ChatTemplate ChatTemplate::from_dir(const std::string& model_dir) {
  const fs::path dir(model_dir);
  const fs::path template_json = dir / "chat_template.json";
  const fs::path tokenizer_config_path = dir / "tokenizer_config.json";
  const fs::path template_jinja = dir / "chat_template.jinja";

  Json tokenizer_config = Json::object();
  if (fs::exists(tokenizer_config_path)) tokenizer_config = read_json_file(tokenizer_config_path.string());

  std::string source;
  if (fs::exists(template_json)) {
    const Json j = read_json_file(template_json.string());
    if (!j.is_object() || !j.contains("chat_template") || !j["chat_template"].is_string()) {
      throw Error(template_json.string(), "expected a string \"chat_template\"");
    }
    source = j["chat_template"].get<std::string>();
  } else if (tokenizer_config.is_object() && tokenizer_config.contains("chat_template")) {
    source = template_from_tokenizer_config(tokenizer_config["chat_template"], tokenizer_config_path);
  } else if (fs::exists(template_jinja)) {
    source = read_text_file(template_jinja);
  } else {
    throw Error(model_dir, "no chat template (looked for chat_template.json, \"chat_template\" in "
                           "tokenizer_config.json, and chat_template.jinja)");
  }

  Json special_tokens = Json::object();
  if (tokenizer_config.is_object()) {
    for (const char* name : {"bos_token", "eos_token", "unk_token", "pad_token", "additional_special_tokens"}) {
      if (tokenizer_config.contains(name)) special_tokens[name] = tokenizer_config[name];
    }
  }
  return from_string(std::move(source), special_tokens);
}

ChatTemplate ChatTemplate::from_string(std::string source, Json special_tokens) {
  jinja::Template compiled = jinja::Template::parse(source);
  return ChatTemplate(std::move(source), std::move(compiled), special_tokens_from(special_tokens));
}

std::string ChatTemplate::render(const Json& messages, bool add_generation_prompt) const {
  if (!messages.is_array()) throw Error(kContext, "messages must be a JSON array");
  jinja::Dict variables = special_tokens_;
  try {
    variables.set("messages", jinja::value_from_json(messages));
  } catch (const jinja::RuntimeError& e) {
    throw Error(kContext, std::string("messages: ") + e.what());
  }
  // transformers always passes these; templates test `tools is not none`.
  variables.set("tools", jinja::Value::none());
  variables.set("documents", jinja::Value::none());
  variables.set("add_generation_prompt", add_generation_prompt);
  return compiled_.render(variables);
}

}  // namespace smolvlm

// Which text decoder modules a PEFT target_modules selects, and their names.
#include <regex>

#include "core/error.h"
#include "model/lora_io.h"

namespace smolvlm {
namespace {

struct Projection {
  const char* path;  // under "layers.<i>."
  bool attention;
};

// The decoder layer's Linears in LoraAdapter::modules order.
constexpr Projection kProjections[] = {
    {"self_attn.q_proj", true}, {"self_attn.k_proj", true},  {"self_attn.v_proj", true}, {"self_attn.o_proj", true},
    {"mlp.gate_proj", false},   {"mlp.up_proj", false},      {"mlp.down_proj", false},
};

// "q_proj" of "self_attn.q_proj".
std::string short_name(const Projection& p) {
  const std::string path = p.path;
  return path.substr(path.find('.') + 1);
}

// [out, in] of a projection (text_weights.cpp binds the same shapes).
std::pair<int64_t, int64_t> projection_shape(const std::string& path, const TextConfig& c) {
  const int64_t H = c.hidden_size, I = c.intermediate_size;
  const int64_t QD = c.num_heads * c.head_dim, KVD = c.num_kv_heads * c.head_dim;
  if (path == "self_attn.q_proj") return {QD, H};
  if (path == "self_attn.k_proj" || path == "self_attn.v_proj") return {KVD, H};
  if (path == "self_attn.o_proj") return {H, QD};
  if (path == "mlp.down_proj") return {H, I};
  return {I, H};  // gate_proj, up_proj
}

std::string regex_escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (std::string_view(".^$|()[]{}*+?\\").find(ch) != std::string_view::npos) out += '\\';
    out += ch;
  }
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::vector<LoraTargetShape> decoder_lora_targets(const ModelConfig& config) {
  std::vector<LoraTargetShape> targets;
  for (int64_t l = 0; l < config.text.num_layers; ++l)
    for (const Projection& p : kProjections) {
      const auto [out, in] = projection_shape(p.path, config.text);
      targets.push_back({config.text_prefix + "layers." + std::to_string(l) + "." + p.path, in, out});
    }
  return targets;
}

bool lora_targets_module(const std::vector<std::string>& target_modules, bool is_regex, const std::string& module) {
  if (is_regex) {
    if (target_modules.size() != 1) throw Error("target_modules", "a regex target must be one string");
    try {
      return std::regex_match(module, std::regex(target_modules[0], std::regex::ECMAScript));
    } catch (const std::regex_error& e) {
      throw Error("target_modules \"" + target_modules[0] + "\"", std::string("cannot be read as a regex: ") + e.what());
    }
  }
  for (const std::string& entry : target_modules)
    if (module == entry || ends_with(module, "." + entry)) return true;
  return false;
}

std::string text_decoder_target_regex(const ModelConfig& config, const std::vector<std::string>& projections) {
  for (const std::string& name : projections) {
    bool known = false;
    for (const Projection& p : kProjections) known = known || short_name(p) == name;
    if (!known)
      throw Error("target_modules: " + name, "is not a projection of the text decoder (q_proj, k_proj, v_proj, "
                                             "o_proj, gate_proj, up_proj, down_proj)");
  }
  std::string attention, mlp;
  for (const Projection& p : kProjections) {
    bool wanted = false;
    for (const std::string& name : projections) wanted = wanted || name == short_name(p);
    if (!wanted) continue;
    std::string& group = p.attention ? attention : mlp;
    group += (group.empty() ? "" : "|") + short_name(p);
  }
  std::vector<std::string> alternatives;
  if (!attention.empty()) alternatives.push_back("self_attn\\.(" + attention + ")");
  if (!mlp.empty()) alternatives.push_back("mlp\\.(" + mlp + ")");
  if (alternatives.empty()) throw Error("target_modules", "is empty");
  std::string body = alternatives[0];
  if (alternatives.size() == 2) body = "(" + alternatives[0] + "|" + alternatives[1] + ")";
  return regex_escape(config.text_prefix) + "layers\\.\\d+\\." + body;
}

std::string peft_tensor_name(const std::string& module, char which) {
  return "base_model.model." + module + ".lora_" + which + ".weight";
}

}  // namespace smolvlm

#include "train/weight_decay_groups.h"

#include <array>
#include <cctype>
#include <string>

namespace smolvlm::train {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The module that owns parameter `name` ("a.b.weight" -> "a.b").
std::string_view module_of(std::string_view name) {
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : name.substr(0, dot);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The nn.LayerNorm modules of Idefics3 / SmolVLM: the SigLIP vision tower's
// layer_norm1, layer_norm2 (per encoder layer) and post_layernorm. The text
// model and the connector have none (LlamaRMSNorm is its own class).
bool is_layer_norm_module(std::string_view module) {
  constexpr std::array<std::string_view, 3> kLayerNormModules = {".layer_norm1", ".layer_norm2", ".post_layernorm"};
  if (module.find("vision_model.") == std::string_view::npos) return false;
  for (std::string_view suffix : kLayerNormModules)
    if (ends_with(module, suffix)) return true;
  return false;
}

}  // namespace

bool is_weight_decayed(std::string_view name) {
  const std::string lowered = lower(name);
  for (std::string_view word : {"bias", "layernorm", "rmsnorm"})
    if (lowered.find(word) != std::string::npos) return false;
  return !is_layer_norm_module(module_of(name));
}

}  // namespace smolvlm::train

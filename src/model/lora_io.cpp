// load_lora_adapter / save_lora_adapter: PEFT adapter folders.
#include "model/lora_io.h"

#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "core/json_file.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"

namespace smolvlm {
namespace {

constexpr const char* kConfigFile = "adapter_config.json";
constexpr const char* kWeightsFile = "adapter_model.safetensors";

bool is_null_or_empty(const Json& v) { return v.is_null() || (v.is_object() || v.is_array() ? v.empty() : false); }

// A key whose only supported value is `expected` (null/absent counts as it when `absent_ok`).
void require_value(const Json& config, const std::string& where, const char* key, const Json& expected,
                   const std::string& why) {
  if (!config.contains(key) || config[key] == expected) return;
  throw Error(where + ": " + key, "is " + config[key].dump() + "; only " + expected.dump() + " is supported (" + why +
                                      ")");
}

void require_empty(const Json& config, const std::string& where, const char* key, const std::string& why) {
  if (!config.contains(key) || is_null_or_empty(config[key])) return;
  throw Error(where + ": " + key, "is " + config[key].dump() + ", which is not supported (" + why + ")");
}

// c[key] as T, `fallback` when absent or null; another type throws Error naming the key.
template <typename T>
T field_or(const Json& c, const std::string& where, const char* key, T fallback) {
  if (!c.contains(key) || c[key].is_null()) return fallback;
  try {
    return c[key].get<T>();
  } catch (const Json::exception&) {
    throw Error(where + ": " + key, "has the wrong type (" + c[key].dump() + ")");
  }
}

// The LoraConfig fields we use, every unsupported option refused by name.
LoraAdapter adapter_from_config(const Json& c, const std::string& where) {
  if (c.contains("peft_type") && c["peft_type"] != "LORA")
    throw Error(where + ": peft_type", "is " + c["peft_type"].dump() + "; only \"LORA\" adapters are supported");
  require_value(c, where, "bias", "none", "LoRA bias terms are not implemented");
  require_value(c, where, "fan_in_fan_out", false, "Conv1D-style transposed weights do not occur in SmolVLM");
  require_value(c, where, "use_dora", false, "DoRA is not implemented");
  require_empty(c, where, "modules_to_save", "fully trained extra modules are not loaded");
  require_empty(c, where, "rank_pattern", "per-module ranks are not implemented");
  require_empty(c, where, "alpha_pattern", "per-module alphas are not implemented");
  require_empty(c, where, "layers_to_transform", "layer subsets are not implemented");
  require_empty(c, where, "layer_replication", "layer replication is not implemented");

  LoraAdapter a;
  if (!c.contains("r") || !c["r"].is_number_integer() || c["r"].get<int64_t>() <= 0)
    throw Error(where + ": r", "must be a positive integer");
  a.rank = c["r"].get<int64_t>();
  a.alpha = field_or(c, where, "lora_alpha", 8.0);  // PEFT's default
  a.use_rslora = field_or(c, where, "use_rslora", false);
  a.lora_dropout = field_or(c, where, "lora_dropout", 0.0);
  if (c.contains("base_model_name_or_path") && c["base_model_name_or_path"].is_string())
    a.base_model_name_or_path = c["base_model_name_or_path"].get<std::string>();

  const Json targets = c.contains("target_modules") ? c["target_modules"] : Json();
  if (targets.is_string()) {
    a.target_modules = {targets.get<std::string>()};
    a.target_modules_is_regex = true;
  } else if (targets.is_array() && !targets.empty()) {
    for (const Json& t : targets) {
      if (!t.is_string()) throw Error(where + ": target_modules", "holds a non-string entry " + t.dump());
      a.target_modules.push_back(t.get<std::string>());
    }
  } else {
    throw Error(where + ": target_modules", "must be a module-name list or a regex string (got " + targets.dump() + ")");
  }
  return a;
}

// Tensor `name` of the file as f32 [rows, cols], its shape checked.
std::vector<float> lora_matrix(const SafetensorsFile& file, const std::string& name, const std::string& module,
                               int64_t rows, int64_t cols) {
  const auto it = file.tensors().find(name);
  if (it == file.tensors().end())
    throw Error(file.path() + ": tensor " + name, "missing (the adapter config targets module " + module + ")");
  const TensorView& t = it->second;
  if (t.dtype != DType::F32 && t.dtype != DType::BF16 && t.dtype != DType::F16)
    throw Error(file.path() + ": tensor " + name,
                "dtype " + std::string(dtype_name(t.dtype)) + " is not supported (expected F32, BF16 or F16)");
  if (t.shape != std::vector<int64_t>{rows, cols}) {
    std::string found;
    for (int64_t d : t.shape) found += (found.empty() ? "" : ", ") + std::to_string(d);
    throw Error(file.path() + ": tensor " + name, "has shape [" + found + "], module " + module + " needs [" +
                                                      std::to_string(rows) + ", " + std::to_string(cols) + "]");
  }
  return to_f32(t);
}

}  // namespace

LoraAdapter load_lora_adapter(const std::string& dir, const ModelConfig& config) {
  const std::string config_path = dir + "/" + kConfigFile;
  LoraAdapter adapter = adapter_from_config(read_json_file(config_path), config_path);
  const std::string weights_path = dir + "/" + kWeightsFile;
  if (!std::filesystem::exists(weights_path) && std::filesystem::exists(dir + "/adapter_model.bin"))
    throw Error(dir + "/adapter_model.bin", "pickled adapters are not read; save the adapter with safetensors");
  const SafetensorsFile file(weights_path);

  std::set<std::string> used;
  for (const LoraTargetShape& target : decoder_lora_targets(config)) {
    if (!lora_targets_module(adapter.target_modules, adapter.target_modules_is_regex, target.name)) continue;
    LoraModule m{target.name, adapter.rank, target.in_features, target.out_features, {}, {}};
    const std::string a_name = peft_tensor_name(target.name, 'A'), b_name = peft_tensor_name(target.name, 'B');
    m.a = lora_matrix(file, a_name, target.name, adapter.rank, target.in_features);
    m.b = lora_matrix(file, b_name, target.name, target.out_features, adapter.rank);
    used.insert(a_name);
    used.insert(b_name);
    adapter.modules.push_back(std::move(m));
  }
  if (adapter.modules.empty())
    throw Error(config_path + ": target_modules",
                "selects no projection of this model's text decoder (" + Json(adapter.target_modules).dump() + ")");
  for (const auto& [name, tensor] : file.tensors())
    if (used.count(name) == 0)
      throw Error(weights_path + ": tensor " + name,
                  "belongs to no module this model's text decoder has and the config targets (LoRA is supported on "
                  "the text decoder's q/k/v/o/gate/up/down projections only)");
  return adapter;
}

void save_lora_adapter(const LoraAdapter& adapter, const std::string& dir) {
  std::vector<TensorToWrite> tensors;
  for (const LoraModule& m : adapter.modules) {
    if (m.rank != adapter.rank || static_cast<int64_t>(m.a.size()) != m.rank * m.in_features ||
        static_cast<int64_t>(m.b.size()) != m.out_features * m.rank)
      throw Error("LoRA module " + m.name, "holds A/B of another shape than its rank and features say");
    tensors.push_back(tensor_from_f32(peft_tensor_name(m.name, 'A'), {m.rank, m.in_features}, m.a));
    tensors.push_back(tensor_from_f32(peft_tensor_name(m.name, 'B'), {m.out_features, m.rank}, m.b));
  }
  // PEFT's LoraConfig fields as its save_pretrained writes them (the fixture's
  // adapter_init has exactly these): PEFT >= 0.9 loads them as they are.
  Json config = Json::object();
  config["alpha_pattern"] = Json::object();
  config["auto_mapping"] = nullptr;
  config["base_model_name_or_path"] = adapter.base_model_name_or_path;
  config["bias"] = "none";
  config["fan_in_fan_out"] = false;
  config["inference_mode"] = true;
  config["init_lora_weights"] = true;
  config["layers_pattern"] = nullptr;
  config["layers_to_transform"] = nullptr;
  // An integral alpha is written as an integer, as PEFT configs usually have it.
  if (adapter.alpha == static_cast<double>(static_cast<int64_t>(adapter.alpha)))
    config["lora_alpha"] = static_cast<int64_t>(adapter.alpha);
  else
    config["lora_alpha"] = adapter.alpha;
  config["lora_dropout"] = adapter.lora_dropout;
  config["modules_to_save"] = nullptr;
  config["peft_type"] = "LORA";
  config["r"] = adapter.rank;
  config["rank_pattern"] = Json::object();
  config["revision"] = nullptr;
  if (adapter.target_modules_is_regex && adapter.target_modules.size() == 1)
    config["target_modules"] = adapter.target_modules[0];
  else
    config["target_modules"] = adapter.target_modules;
  config["task_type"] = nullptr;
  config["use_dora"] = false;
  config["use_rslora"] = adapter.use_rslora;

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir, "cannot create the adapter folder: " + ec.message());
  write_file_atomically(dir + "/" + kWeightsFile,
                        [&](const std::string& temp) { write_safetensors(temp, tensors, {{"format", "pt"}}); });
  write_text_file_atomically(dir + "/" + kConfigFile, config.dump(1) + "\n");
}

}  // namespace smolvlm

#include "io/model_config.h"

#include <filesystem>

#include "core/error.h"
#include "core/json_file.h"

namespace smolvlm {
namespace {

// Reads a JSON value with a type check; `where` names file and key path for errors.
class ConfigReader {
 public:
  ConfigReader(const Json& obj, std::string where) : obj_(obj), where_(std::move(where)) {
    if (!obj_.is_object()) throw Error(where_, "is not a JSON object");
  }

  int64_t positive_int(const char* key, std::optional<int64_t> fallback = std::nullopt) const {
    const Json* v = find(key);
    if (v == nullptr) {
      if (fallback) return *fallback;
      throw Error(path(key), "missing");
    }
    if (!v->is_number_integer() || v->get<int64_t>() <= 0) throw Error(path(key), "must be a positive integer, got " + v->dump());
    return v->get<int64_t>();
  }

  double positive_number(const char* key, double fallback) const {
    const Json* v = find(key);
    if (v == nullptr) return fallback;
    if (!v->is_number() || v->get<double>() <= 0) throw Error(path(key), "must be a positive number, got " + v->dump());
    return v->get<double>();
  }

  bool boolean(const char* key, bool fallback) const {
    const Json* v = find(key);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) throw Error(path(key), "must be true or false, got " + v->dump());
    return v->get<bool>();
  }

  std::string string(const char* key, const std::string& fallback) const {
    const Json* v = find(key);
    if (v == nullptr) return fallback;
    if (!v->is_string()) throw Error(path(key), "must be a string, got " + v->dump());
    return v->get<std::string>();
  }

  const Json* find(const char* key) const {
    auto it = obj_.find(key);
    return it == obj_.end() || it->is_null() ? nullptr : &*it;
  }

  std::string path(const char* key) const { return where_ + "." + key; }
  const std::string& where() const { return where_; }

 private:
  const Json& obj_;
  std::string where_;
};

TextConfig parse_text_config(const ConfigReader& r) {
  TextConfig t;
  t.vocab_size = r.positive_int("vocab_size");
  t.hidden_size = r.positive_int("hidden_size");
  t.intermediate_size = r.positive_int("intermediate_size");
  t.num_layers = r.positive_int("num_hidden_layers");
  t.num_heads = r.positive_int("num_attention_heads");
  t.num_kv_heads = r.positive_int("num_key_value_heads", t.num_heads);
  t.head_dim = r.positive_int("head_dim", t.hidden_size / t.num_heads);
  t.max_position_embeddings = r.positive_int("max_position_embeddings", 2048);
  t.rope_theta = r.positive_number("rope_theta", 10000.0);
  t.rms_norm_eps = r.positive_number("rms_norm_eps", 1e-6);
  t.tie_word_embeddings = r.boolean("tie_word_embeddings", false);
  if (t.num_heads % t.num_kv_heads != 0)
    throw Error(r.path("num_key_value_heads"), std::to_string(t.num_kv_heads) + " does not divide num_attention_heads " +
                                                   std::to_string(t.num_heads));
  if (t.head_dim % 2 != 0) throw Error(r.path("head_dim"), "must be even for rotary embeddings");
  if (const std::string act = r.string("hidden_act", "silu"); act != "silu")
    throw Error(r.path("hidden_act"), "unsupported activation \"" + act + "\" (the decoder implements silu)");
  if (r.find("rope_scaling") != nullptr)
    throw Error(r.path("rope_scaling"), "RoPE scaling is not supported yet (SmolVLM checkpoints have none)");
  if (r.boolean("attention_bias", false) || r.boolean("mlp_bias", false))
    throw Error(r.where(), "attention_bias / mlp_bias are not supported (Llama decoders here have no biases)");
  return t;
}

VisionConfig parse_vision_config(const ConfigReader& r) {
  // Absent keys take Idefics3VisionConfig's class defaults, as transformers does.
  VisionConfig v;
  v.hidden_size = r.positive_int("hidden_size", 1152);
  v.intermediate_size = r.positive_int("intermediate_size", 3072);
  v.num_layers = r.positive_int("num_hidden_layers", 12);
  v.num_heads = r.positive_int("num_attention_heads", 16);
  v.num_channels = r.positive_int("num_channels", 3);
  v.image_size = r.positive_int("image_size", 224);
  v.patch_size = r.positive_int("patch_size", 32);
  v.layer_norm_eps = r.positive_number("layer_norm_eps", 1e-6);
  v.hidden_act = r.string("hidden_act", "gelu_pytorch_tanh");
  if (v.hidden_size % v.num_heads != 0)
    throw Error(r.path("num_attention_heads"), "does not divide hidden_size " + std::to_string(v.hidden_size));
  if (v.patch_size > v.image_size) throw Error(r.path("patch_size"), "is larger than image_size");
  return v;
}

std::string architecture_of(const Json& config, const std::string& where) {
  auto it = config.find("architectures");
  if (it == config.end() || !it->is_array() || it->empty() || !(*it)[0].is_string())
    throw Error(where + ".architectures", "missing (expected e.g. [\"Idefics3ForConditionalGeneration\"])");
  return (*it)[0].get<std::string>();
}

}  // namespace

ModelConfig load_model_config(const std::string& model_dir) {
  const std::string path = (std::filesystem::path(model_dir) / "config.json").string();
  const Json config = read_json_file(path);
  const ConfigReader top(config, path);

  ModelConfig m;
  m.architecture_name = architecture_of(config, path);
  m.lm_head_name = "lm_head.weight";
  if (m.architecture_name == "LlamaForCausalLM") {
    m.architecture = Architecture::Llama;
    m.text = parse_text_config(top);
    m.text_prefix = "model.";
    return m;
  }
  if (m.architecture_name == "Idefics3ForConditionalGeneration") m.architecture = Architecture::Idefics3;
  else if (m.architecture_name == "SmolVLMForConditionalGeneration") m.architecture = Architecture::SmolVLM;
  else
    throw Error(path + ".architectures", "unsupported architecture \"" + m.architecture_name +
                                             "\" (supported: Idefics3ForConditionalGeneration, "
                                             "SmolVLMForConditionalGeneration, LlamaForCausalLM)");

  for (const char* key : {"text_config", "vision_config"})
    if (top.find(key) == nullptr) throw Error(top.path(key), "missing");
  m.text = parse_text_config(ConfigReader(config["text_config"], path + ".text_config"));
  m.vision = parse_vision_config(ConfigReader(config["vision_config"], path + ".vision_config"));
  // The top-level flag is what HF ties on for the composite model; a text-level true also ties.
  m.text.tie_word_embeddings = top.boolean("tie_word_embeddings", false) || m.text.tie_word_embeddings;
  m.scale_factor = top.positive_int("scale_factor", 2);
  m.image_token_id = top.positive_int("image_token_id", 128257);
  m.text_prefix = "model.text_model.";

  const int64_t patches_per_side = m.vision->image_size / m.vision->patch_size;
  if (patches_per_side % m.scale_factor != 0)
    throw Error(top.path("scale_factor"), std::to_string(m.scale_factor) + " does not divide the " +
                                              std::to_string(patches_per_side) + " patches per side");
  if (m.image_token_id >= m.text.vocab_size)
    throw Error(top.path("image_token_id"), "is outside the vocabulary of " + std::to_string(m.text.vocab_size));
  return m;
}

namespace {

std::vector<int32_t> token_id_list(const Json& v, const std::string& where) {
  std::vector<int32_t> ids;
  auto add = [&](const Json& x) {
    if (!x.is_number_integer() || x.get<int64_t>() < 0) throw Error(where, "must be a token id or a list of ids, got " + v.dump());
    ids.push_back(x.get<int32_t>());
  };
  if (v.is_array()) for (const Json& x : v) add(x);
  else if (!v.is_null()) add(v);
  return ids;
}

std::optional<int32_t> optional_id(const ConfigReader& r, const char* key) {
  const Json* v = r.find(key);
  if (v == nullptr) return std::nullopt;
  auto ids = token_id_list(*v, r.path(key));
  return ids.empty() ? std::nullopt : std::optional<int32_t>(ids[0]);
}

}  // namespace

GenerationConfig load_generation_config(const std::string& model_dir) {
  namespace fs = std::filesystem;
  GenerationConfig g;
  const std::string path = (fs::path(model_dir) / "generation_config.json").string();
  if (fs::exists(path)) {
    const Json json = read_json_file(path);
    const ConfigReader r(json, path);
    if (const Json* eos = r.find("eos_token_id")) g.eos_token_ids = token_id_list(*eos, r.path("eos_token_id"));
    g.bos_token_id = optional_id(r, "bos_token_id");
    g.pad_token_id = optional_id(r, "pad_token_id");
    g.do_sample = r.boolean("do_sample", false);
    g.temperature = r.positive_number("temperature", 1.0);
    if (const Json* k = r.find("top_k")) {
      if (!k->is_number_integer() || k->get<int64_t>() < 0) throw Error(r.path("top_k"), "must be a non-negative integer");
      g.top_k = k->get<int64_t>();
    }
    g.top_p = r.positive_number("top_p", 1.0);
    if (const Json* mp = r.find("min_p")) {
      if (!mp->is_number()) throw Error(r.path("min_p"), "must be a number");
      g.min_p = mp->get<double>();
    }
    g.repetition_penalty = r.positive_number("repetition_penalty", 1.0);
    if (r.find("max_length") != nullptr) g.max_length = r.positive_int("max_length");
    if (r.find("max_new_tokens") != nullptr) g.max_new_tokens = r.positive_int("max_new_tokens");
  }
  if (g.eos_token_ids.empty()) {
    // Without a generation config, transformers falls back on the model config's eos.
    const std::string config_path = (fs::path(model_dir) / "config.json").string();
    if (fs::exists(config_path)) {
      const Json config = read_json_file(config_path);
      const Json* eos = nullptr;
      if (config.contains("eos_token_id")) eos = &config["eos_token_id"];
      else if (config.contains("text_config") && config["text_config"].contains("eos_token_id"))
        eos = &config["text_config"]["eos_token_id"];
      if (eos != nullptr) g.eos_token_ids = token_id_list(*eos, config_path + ".eos_token_id");
    }
  }
  return g;
}

}  // namespace smolvlm

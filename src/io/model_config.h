// config.json / generation_config.json of a checkpoint folder, resolved once
// into plain structs (SPEC §1.3). Family differences are data here, not code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smolvlm {

struct TextConfig {
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t max_position_embeddings = 0;
  double rope_theta = 10000.0;
  double rms_norm_eps = 1e-5;
  bool tie_word_embeddings = false;
};

struct VisionConfig {
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t image_size = 0;
  int64_t patch_size = 0;
  int64_t num_channels = 3;
  double layer_norm_eps = 1e-6;
  std::string hidden_act;
};

enum class Architecture { Idefics3, SmolVLM, Llama };

struct ModelConfig {
  Architecture architecture = Architecture::Llama;
  std::string architecture_name;  // as in config.json "architectures"[0]
  TextConfig text;
  std::optional<VisionConfig> vision;  // absent for text-only Llama checkpoints
  int64_t scale_factor = 0;
  int64_t image_token_id = -1;
  // Weight name prefixes: "model.text_model." for VLMs, "model." for Llama.
  std::string text_prefix;
  std::string lm_head_name;  // "lm_head.weight"
};

struct GenerationConfig {
  std::vector<int32_t> eos_token_ids;
  std::optional<int32_t> bos_token_id;
  std::optional<int32_t> pad_token_id;
  bool do_sample = false;
  double temperature = 1.0;
  int64_t top_k = 50;
  double top_p = 1.0;
  std::optional<double> min_p;
  double repetition_penalty = 1.0;
  // Total length incl. prompt, when the checkpoint sets it. transformers' class
  // default of 20 is not applied: it would cut every answer to a few tokens.
  std::optional<int64_t> max_length;
  std::optional<int64_t> max_new_tokens;
};

// Reads <dir>/config.json; throws Error naming the file and key on a missing
// key, a wrong type, or an unknown architecture.
ModelConfig load_model_config(const std::string& model_dir);
// Reads <dir>/generation_config.json if present (defaults otherwise); eos from
// config.json when the generation config names none.
GenerationConfig load_generation_config(const std::string& model_dir);

}  // namespace smolvlm

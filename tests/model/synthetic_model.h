// A tiny random decoder checkpoint written to a temporary folder, so tests can
// break one tensor (shape, dtype, presence) and check the error it causes.
#pragma once

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/error.h"
#include "io/model_config.h"
#include "io/safetensors.h"

namespace smolvlm::testing {

inline ModelConfig tiny_model_config() {
  ModelConfig m;
  m.architecture = Architecture::Idefics3;
  m.architecture_name = "Idefics3ForConditionalGeneration";
  m.text_prefix = "model.text_model.";
  m.lm_head_name = "lm_head.weight";
  TextConfig& t = m.text;
  t.vocab_size = 13;
  t.hidden_size = 8;
  t.intermediate_size = 12;
  t.num_layers = 2;
  t.num_heads = 4;
  t.num_kv_heads = 2;
  t.head_dim = 4;
  t.max_position_embeddings = 16;
  t.rope_theta = 10000.0;
  t.rms_norm_eps = 1e-5;
  return m;
}

// Random BF16 tensors, drawn in the order they are added (seeded, so tests repeat).
class RandomTensors {
 public:
  RandomTensors(unsigned seed, float stddev) : rng_(seed), dist_(0.0f, stddev) {}
  void add(const std::string& name, std::vector<int64_t> shape, float offset = 0.0f) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> values(n);
    for (float& v : values) v = offset + dist_(rng_);
    tensors.push_back(tensor_from_f32(name, std::move(shape), values, DType::BF16));
  }
  std::vector<TensorToWrite> tensors;

 private:
  std::mt19937 rng_;
  std::normal_distribution<float> dist_;
};

// The message of the smolvlm::Error `fn` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Every decoder tensor of `m` (BF16, random), lm_head included.
inline std::vector<TensorToWrite> tiny_model_tensors(const ModelConfig& m, unsigned seed = 1) {
  const TextConfig& c = m.text;
  const int64_t V = c.vocab_size, H = c.hidden_size, I = c.intermediate_size;
  const int64_t QD = c.num_heads * c.head_dim, KVD = c.num_kv_heads * c.head_dim;
  RandomTensors random(seed, 0.5f);
  auto add = [&](const std::string& name, std::vector<int64_t> shape, float offset = 0.0f) {
    random.add(name, std::move(shape), offset);
  };
  const std::string& p = m.text_prefix;
  add(p + "embed_tokens.weight", {V, H});
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const std::string lp = p + "layers." + std::to_string(l) + ".";
    add(lp + "input_layernorm.weight", {H}, 1.0f);
    add(lp + "self_attn.q_proj.weight", {QD, H});
    add(lp + "self_attn.k_proj.weight", {KVD, H});
    add(lp + "self_attn.v_proj.weight", {KVD, H});
    add(lp + "self_attn.o_proj.weight", {H, QD});
    add(lp + "post_attention_layernorm.weight", {H}, 1.0f);
    add(lp + "mlp.gate_proj.weight", {I, H});
    add(lp + "mlp.up_proj.weight", {I, H});
    add(lp + "mlp.down_proj.weight", {H, I});
  }
  add(p + "norm.weight", {H}, 1.0f);
  add(m.lm_head_name, {V, H});
  return std::move(random.tensors);
}

inline TensorToWrite& tensor_named(std::vector<TensorToWrite>& tensors, const std::string& name) {
  return *std::find_if(tensors.begin(), tensors.end(), [&](const TensorToWrite& t) { return t.name == name; });
}

inline void erase_tensor(std::vector<TensorToWrite>& tensors, const std::string& name) {
  std::erase_if(tensors, [&](const TensorToWrite& t) { return t.name == name; });
}

// Writes the tensors as <dir>/<file> and opens them as a store.
inline TensorStore write_store(const TempDir& dir, const std::vector<TensorToWrite>& tensors,
                               const std::string& file = "model.safetensors") {
  write_safetensors(dir.file(file), tensors);
  return TensorStore::open_file(dir.file(file));
}

}  // namespace smolvlm::testing

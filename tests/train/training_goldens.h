// Inputs and goldens of fixtures/training for the gradient tests: the tiny
// model, TrainingExamples built from data/sft_encoded.json with image features
// from the engine's own processor and vision encoder, the initial adapter, and
// the golden tensors. Header-only (tests/train globs *_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "engine/loaded_model.h"
#include "io/safetensors.h"
#include "model/lora_adapter.h"
#include "smolvlm.h"
#include "train/trainable_decoder.h"
#include "train/training_example.h"

namespace smolvlm::train::testing {

inline std::string training_dir() { return smolvlm::testing::fixtures_dir() + "/training"; }
inline std::string tiny_model_dir() { return smolvlm::testing::fixtures_dir() + "/models/tiny-smolvlm-256m"; }

inline LoadedModel& tiny_model() {
  static LoadedModel model(tiny_model_dir());
  return model;
}

// The conversations of data/sft.jsonl, image paths resolved against data/.
inline std::vector<Conversation> sft_conversations() {
  std::ifstream in(training_dir() + "/data/sft.jsonl");
  std::vector<Conversation> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      out.push_back(parse_conversation_json(parse_json(line, "sft.jsonl")["messages"].dump(), training_dir() + "/data"));
  return out;
}

// One example per conversation: ids and labels (notebook or assistant-only
// masking) from sft_encoded.json, image features from the engine; with
// connector_inputs when asked (the connector trains).
inline std::vector<TrainingExample> encode_sft_examples(const std::string& labels_key, bool connector_inputs) {
  const Json encoded = read_json_file(training_dir() + "/data/sft_encoded.json");
  const std::vector<Conversation> conversations = sft_conversations();
  LoadedModel& model = tiny_model();
  std::vector<TrainingExample> examples;
  for (size_t i = 0; i < conversations.size(); ++i) {
    const Json& e = encoded["examples"][i];
    TrainingExample ex;
    ex.input_ids = e["input_ids"].get<std::vector<int32_t>>();
    ex.labels = e[labels_key].get<std::vector<int32_t>>();
    GenerationOptions options;
    options.add_generation_prompt = false;
    options.max_new_tokens = 0;
    options.keep_image_tensors = true;
    const PreparedPrompt p = model.prompts.prepare(conversations[i], options);
    ex.image_features = p.image_hidden_states;
    if (connector_inputs && !p.pixel_values.empty()) {
      const VisionEncoder& v = *model.vision;
      const int64_t S = v.tile_size(), tiles = static_cast<int64_t>(p.pixel_values.size()) / (3 * S * S);
      std::vector<float> features(tiles * v.tokens_per_tile() * v.output_dim());
      ex.connector_inputs.resize(tiles * v.tokens_per_tile() * v.connector_input_dim());
      v.encode_with_connector_inputs(p.pixel_values, tiles, features, ex.connector_inputs);
      EXPECT_EQ(features, ex.image_features) << "example " << i;
    }
    examples.push_back(std::move(ex));
  }
  return examples;
}

// encode_sft_examples, made once per process for each (labels, connector) choice.
inline const std::vector<TrainingExample>& sft_examples(const std::string& labels_key, bool connector_inputs) {
  static std::map<std::pair<std::string, bool>, std::vector<TrainingExample>> made;
  const auto key = std::make_pair(labels_key, connector_inputs);
  if (!made.count(key)) made[key] = encode_sft_examples(labels_key, connector_inputs);
  return made[key];
}

// lora-sft/adapter_init read with the safetensors reader: r 8, alpha 16, the
// 14 modules in PEFT order (layer 0..1; q, k, v, o, gate, up, down).
inline LoraAdapter initial_adapter() {
  const TensorStore store = TensorStore::open_file(training_dir() + "/lora-sft/adapter_init/adapter_model.safetensors");
  const Json config = read_json_file(training_dir() + "/lora-sft/adapter_init/adapter_config.json");
  LoraAdapter a;
  a.rank = config["r"].get<int64_t>();
  a.alpha = config["lora_alpha"].get<double>();
  const char* modules[] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                           "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
  for (int layer = 0; layer < 2; ++layer)
    for (const char* m : modules) {
      LoraModule mod;
      mod.name = "model.text_model.layers." + std::to_string(layer) + "." + m;
      const TensorView& A = store.get("base_model.model." + mod.name + ".lora_A.weight");
      const TensorView& B = store.get("base_model.model." + mod.name + ".lora_B.weight");
      mod.rank = A.dim(0);
      mod.in_features = A.dim(1);
      mod.out_features = B.dim(0);
      mod.a.assign(reinterpret_cast<const float*>(A.data), reinterpret_cast<const float*>(A.data) + A.numel());
      mod.b.assign(reinterpret_cast<const float*>(B.data), reinterpret_cast<const float*>(B.data) + B.numel());
      a.modules.push_back(std::move(mod));
    }
  return a;
}

// A golden F32 tensor's values.
inline std::vector<float> golden_tensor(const TensorStore& store, const std::string& name) {
  const TensorView& t = store.get(name);
  const float* p = reinterpret_cast<const float*>(t.data);
  return std::vector<float>(p, p + t.numel());
}

// ||got - want|| / ||want|| in double.
inline double norm_relative_error(std::span<const float> got, std::span<const float> want) {
  double diff = 0, ref = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff += (static_cast<double>(got[i]) - want[i]) * (static_cast<double>(got[i]) - want[i]);
    ref += static_cast<double>(want[i]) * want[i];
  }
  return std::sqrt(diff / ref);
}

inline double l2_norm(std::span<const float> v) {
  double s = 0;
  for (float x : v) s += static_cast<double>(x) * x;
  return std::sqrt(s);
}

inline double relative_error(double got, double want) { return std::abs(got - want) / std::abs(want); }

// The loss of one optimizer step (micro-batches [0, 1] and [2, 3], README
// "Loss reduction") with the gradients left in the decoder.
inline double accumulate_step(TrainableDecoder& decoder, const std::vector<TrainingExample>& examples) {
  decoder.zero_gradients();
  double loss = 0;
  for (int mb = 0; mb < 2; ++mb) {
    const std::span<const TrainingExample> batch(examples.data() + 2 * mb, 2);
    const int64_t N = count_label_tokens(batch);
    const LossSum s = decoder.accumulate_gradients(batch, 1.0 / (static_cast<double>(N) * 2));
    loss += s.loss_sum / s.n_tokens / 2;
  }
  return loss;
}

}  // namespace smolvlm::train::testing

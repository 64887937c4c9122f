// Random-weight checkpoints in the exact Hugging Face folder layout of a real
// SmolVLM model (SPEC §1.2-§1.4, weight names §2, §3.6, §4.2): for demos,
// benchmarks and tests where no Hub download is possible. The weights are
// noise, so the text a synthetic model generates is meaningless; shapes, ids,
// configs and file formats are what matter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/model_config.h"
#include "io/safetensors.h"

namespace smolvlm {

// Accepted `like` names: "SmolVLM-256M-Instruct", "SmolVLM-500M-Instruct",
// "SmolVLM-Instruct" (2.2B v1), "SmolVLM2-256M-Video-Instruct", and the fixtures' shapes "tiny-smolvlm-256m",
// "tiny-smolvlm" (2.2B-style, tied), "tiny-smolvlm2" (SmolVLM2, tied).
std::vector<std::string> synthetic_checkpoint_names();

// Writes config.json, generation_config.json, preprocessor_config.json,
// processor_config.json, chat_template.json, tokenizer.json (see
// tokenizer/synthetic_tokenizer.h), tokenizer_config.json and
// special_tokens_map.json into `out_dir` (created if needed).
// Throws Error("synthetic checkpoint", ...) for an unknown `like`.
void write_synthetic_configs(const std::string& out_dir, const std::string& like);

enum class WeightInit { Normal, Ones, Zeros };

struct SyntheticWeight {
  std::string name;
  std::vector<int64_t> shape;
  WeightInit init = WeightInit::Normal;
};

// Every tensor a checkpoint with this config holds, sorted by name:
// vision tower, connector, text decoder, and lm_head.weight unless tied.
std::vector<SyntheticWeight> synthetic_weight_plan(const ModelConfig& config);

// Writes <dir>/model.safetensors (BF16) for the config.json already in `dir`.
// Values follow transformers' init scale: Normal = std 0.02 (linears,
// embeddings, patch conv), Ones = norm weights, Zeros = biases. Normal is an
// Irwin-Hall(4) approximation of a Gaussian (bounded at 3.5 sigma; plenty for
// noise weights), drawn from SplitMix64 seeded per tensor from (seed, name),
// so a tensor's values depend only on the seed and its name. Streams in 1 MiB
// blocks: memory stays flat even for the 2.2B shape (4.5 GB file).
void write_synthetic_weights(const std::string& dir, uint64_t seed);

// The weights write_synthetic_weights writes for `config`, bit for bit, held
// in memory instead (e.g. `smolvlm bench --like`: the 2.2B shape without a
// 4.5 GB file). Its location() is "random weights".
TensorStore make_synthetic_weights(const ModelConfig& config, uint64_t seed);

// write_synthetic_configs + write_synthetic_weights.
void write_synthetic_checkpoint(const std::string& out_dir, const std::string& like, uint64_t seed);

}  // namespace smolvlm

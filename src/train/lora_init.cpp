#include "train/lora_init.h"

#include <cmath>
#include <set>

#include "core/error.h"
#include "core/splitmix64.h"
#include "model/lora_io.h"

namespace smolvlm::train {
namespace {

// Portable: splitmix64 to a double in [0, 1).
class UniformStream {
 public:
  explicit UniformStream(uint64_t seed) : state_(seed ^ 0xD1B54A32D192ED03ull) {}
  double next() {
    return static_cast<double>(splitmix64(state_) >> 11) * 0x1.0p-53;
  }

 private:
  uint64_t state_;
};

const std::set<std::string> kProjectionNames = {"q_proj", "k_proj", "v_proj", "o_proj",
                                                "gate_proj", "up_proj", "down_proj"};

bool is_projection_list(const std::vector<std::string>& targets) {
  for (const std::string& t : targets)
    if (kProjectionNames.count(t) == 0) return false;
  return true;
}

}  // namespace

LoraAdapter new_lora_adapter(const ModelConfig& model, const FinetuneConfig& config, uint64_t seed) {
  if (config.lora_dropout != 0)
    throw Error("lora_dropout", "is " + std::to_string(config.lora_dropout) +
                                    "; the trainer runs LoRA without dropout (set it to 0)");
  if (config.target_modules.empty()) throw Error("target_modules", "is empty");
  LoraAdapter a;
  a.rank = config.r;
  a.alpha = config.lora_alpha;
  a.use_rslora = config.use_rslora;
  a.lora_dropout = config.lora_dropout;
  if (is_projection_list(config.target_modules)) {
    a.target_modules = {text_decoder_target_regex(model, config.target_modules)};
  } else if (config.target_modules.size() == 1) {
    a.target_modules = config.target_modules;
  } else {
    throw Error("target_modules", "a list may name only the decoder projections (q_proj, k_proj, v_proj, o_proj, "
                                  "gate_proj, up_proj, down_proj); give one regex string for anything else");
  }
  a.target_modules_is_regex = true;

  UniformStream uniform(seed);
  for (const LoraTargetShape& t : decoder_lora_targets(model)) {
    if (!lora_targets_module(a.target_modules, true, t.name)) continue;
    LoraModule m{t.name, a.rank, t.in_features, t.out_features, {}, {}};
    const double bound = 1.0 / std::sqrt(static_cast<double>(t.in_features));
    m.a.resize(static_cast<size_t>(a.rank * t.in_features));
    for (float& x : m.a) x = static_cast<float>((2 * uniform.next() - 1) * bound);
    m.b.assign(static_cast<size_t>(t.out_features * a.rank), 0.0f);
    a.modules.push_back(std::move(m));
  }
  if (a.modules.empty())
    throw Error("target_modules \"" + a.target_modules[0] + "\"", "selects no projection of the text decoder");
  return a;
}

}  // namespace smolvlm::train

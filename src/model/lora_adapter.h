// A LoRA adapter as PEFT defines it (tuners/lora/layer.py): for each target
// Linear W [out, in], y = W x + scaling * B (A x) with A [r, in], B [out, r]
// and scaling = lora_alpha / r (or lora_alpha / sqrt(r) with use_rslora).
// Values are f32 in memory whatever the file stored; training updates them
// in place. Loading and saving PEFT folders: model/lora_io.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace smolvlm {

struct LoraModule {
  std::string name;  // the base Linear's module name, e.g. "model.text_model.layers.0.self_attn.q_proj"
  int64_t rank = 0, in_features = 0, out_features = 0;
  std::vector<float> a;  // [rank, in_features]
  std::vector<float> b;  // [out_features, rank]
};

struct LoraAdapter {
  int64_t rank = 0;
  double alpha = 0;
  bool use_rslora = false;
  std::vector<std::string> target_modules;  // as adapter_config.json lists them (names or one regex)
  bool target_modules_is_regex = false;     // adapter_config.json gave one string, which PEFT re.fullmatch'es
  double lora_dropout = 0;                  // saved for PEFT; 0 at inference either way
  std::string base_model_name_or_path;      // saved for PEFT; informative only
  std::vector<LoraModule> modules;          // in the decoder's order: layer 0..n-1, q,k,v,o,gate,up,down

  double scaling() const { return use_rslora ? alpha / std::sqrt(static_cast<double>(rank)) : alpha / rank; }
};

// An adapter with the user's weight on top of its own scaling (`--lora
// DIR:SCALE`, merge): its delta is scale * scaling() * B (A x).
struct ScaledLora {
  LoraAdapter adapter;
  double scale = 1.0;

  // The one f32 factor the delta is multiplied by (scale * scaling(), rounded once).
  float factor() const { return static_cast<float>(scale * adapter.scaling()); }
};

}  // namespace smolvlm

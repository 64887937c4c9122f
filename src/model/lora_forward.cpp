#include "model/lora_forward.h"

#include <string>

#include "core/error.h"
#include "kernels/matmul.h"

namespace smolvlm {

void add_lora_deltas(std::span<const LoraDelta> deltas, std::span<const float> x, int64_t n, std::span<float> y,
                     kernels::ComputeMode mode) {
  if (deltas.empty()) return;
  std::vector<float> ax, bax;
  for (const LoraDelta& d : deltas) {
    ax.resize(n * d.a.rows);
    bax.resize(n * d.b.rows);
    kernels::matmul(x, n, d.a, ax, mode);
    kernels::matmul(ax, n, d.b, bax, mode);
    for (size_t i = 0; i < y.size(); ++i) y[i] += bax[i] * d.factor;
  }
}

namespace {

// Which LayerLora list a module name (after "layers.<l>.") belongs in.
std::vector<LoraDelta>* slot_of(LayerLora& layer, const std::string& path) {
  if (path == "self_attn.q_proj") return &layer.q;
  if (path == "self_attn.k_proj") return &layer.k;
  if (path == "self_attn.v_proj") return &layer.v;
  if (path == "self_attn.o_proj") return &layer.o;
  if (path == "mlp.gate_proj") return &layer.gate;
  if (path == "mlp.up_proj") return &layer.up;
  if (path == "mlp.down_proj") return &layer.down;
  return nullptr;
}

}  // namespace

std::vector<LayerLora> bind_lora_layers(const std::vector<ScaledLora>& adapters, const ModelConfig& config) {
  std::vector<LayerLora> layers(config.text.num_layers);
  const std::string prefix = config.text_prefix + "layers.";
  for (const ScaledLora& lora : adapters) {
    for (const LoraModule& m : lora.adapter.modules) {
      // "<prefix>layers.<l>.<path>"
      size_t dot = std::string::npos;
      int64_t layer = -1;
      if (m.name.rfind(prefix, 0) == 0) {
        dot = m.name.find('.', prefix.size());
        const std::string index = m.name.substr(prefix.size(), dot - prefix.size());
        if (!index.empty() && index.find_first_not_of("0123456789") == std::string::npos) layer = std::stoll(index);
      }
      std::vector<LoraDelta>* slot =
          layer >= 0 && layer < config.text.num_layers && dot != std::string::npos
              ? slot_of(layers[layer], m.name.substr(dot + 1))
              : nullptr;
      if (slot == nullptr) throw Error("LoRA module " + m.name, "is not a projection of this model's text decoder");
      slot->push_back(LoraDelta{kernels::WeightView{DType::F32, m.rank, m.in_features, m.a.data()},
                                kernels::WeightView{DType::F32, m.out_features, m.rank, m.b.data()},
                                lora.factor()});
    }
  }
  return layers;
}

}  // namespace smolvlm

#include "train/trainable_weights.h"

#include <string>

#include "core/error.h"
#include "model/text_weights.h"

namespace smolvlm::train {
namespace {

const std::array<const char*, kProjections> kModuleNames = {
    "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
    "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};

const std::string kConnectorName = "model.connector.modality_projection.proj.weight";  // SPEC §4.2

TrainableLinear frozen(const kernels::WeightView& w) { return TrainableLinear{w, {}, nullptr, 0, {}, {}}; }

// (layer, projection) of a module name under `prefix` + "layers.", or Error.
std::pair<int64_t, int> locate_module(const std::string& name, const std::string& prefix, int64_t n_layers) {
  const std::string head = prefix + "layers.";
  if (name.rfind(head, 0) == 0) {
    size_t end = head.size();
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
    if (end > head.size() && end < name.size() && name[end] == '.') {
      const int64_t layer = std::stoll(name.substr(head.size(), end - head.size()));
      const std::string rest = name.substr(end + 1);
      for (int p = 0; p < kProjections; ++p)
        if (rest == kModuleNames[p] && layer < n_layers) return {layer, p};
    }
  }
  throw Error("LoRA adapter: module " + name,
              "is not one of the text decoder's Linears (" + head + "{0.." + std::to_string(n_layers - 1) +
                  "}.self_attn.{q,k,v,o}_proj / mlp.{gate,up,down}_proj)");
}

void check_module_shape(const LoraModule& m, const kernels::WeightView& w) {
  const bool ok = m.rank > 0 && m.in_features == w.cols && m.out_features == w.rows &&
                  static_cast<int64_t>(m.a.size()) == m.rank * m.in_features &&
                  static_cast<int64_t>(m.b.size()) == m.out_features * m.rank;
  if (!ok)
    throw Error("LoRA adapter: module " + m.name,
                "A [" + std::to_string(m.rank) + ", " + std::to_string(m.in_features) + "] / B [" +
                    std::to_string(m.out_features) + ", " + std::to_string(m.rank) + "] do not fit the weight [" +
                    std::to_string(w.rows) + ", " + std::to_string(w.cols) + "]");
}

// A trainable copy of `view` named `name`: f32 values, a zero gradient.
TrainableTensor master_copy(const std::string& name, const kernels::WeightView& view, bool vector) {
  TrainableTensor t;
  t.name = name;
  t.shape = vector ? std::vector<int64_t>{view.cols} : std::vector<int64_t>{view.rows, view.cols};
  t.master.resize(view.rows * view.cols);
  for (int64_t r = 0; r < view.rows; ++r)
    kernels::weight_row_to_f32(view, r, std::span(t.master).subspan(r * view.cols, view.cols));
  t.value = t.master;
  t.grad.assign(t.master.size(), 0.0f);
  return t;
}

// Replaces `view` by a trainable master copy appended to `tensors`, binds `grad` to its gradient.
void train_tensor(const std::string& name, kernels::WeightView& view, std::span<float>& grad, bool vector,
                  std::vector<TrainableTensor>& tensors) {
  tensors.push_back(master_copy(name, view, vector));
  TrainableTensor& t = tensors.back();
  view = kernels::WeightView{DType::F32, view.rows, view.cols, t.master.data()};
  // The vectors' buffers move with the TrainableTensor, so these spans stay valid.
  grad = t.grad;
}

}  // namespace

TrainableWeights bind_frozen_weights(const TensorStore& store, const ModelConfig& config) {
  const TextWeights text = bind_text_weights(store, config);
  TrainableWeights w;
  w.embed_tokens = text.embed_tokens;
  for (const DecoderLayerWeights& l : text.layers) {
    TrainableLayer t;
    t.input_norm = l.input_norm;
    t.post_norm = l.post_norm;
    t.proj = {frozen(l.q_proj),    frozen(l.k_proj), frozen(l.v_proj),   frozen(l.o_proj),
              frozen(l.gate_proj), frozen(l.up_proj), frozen(l.down_proj)};
    w.layers.push_back(t);
  }
  w.final_norm = text.final_norm;
  w.lm_head = text.lm_head;
  return w;
}

void attach_lora(TrainableWeights& w, const ModelConfig& config, LoraAdapter& adapter,
                 std::vector<TrainableTensor>& tensors) {
  const float scaling = static_cast<float>(adapter.scaling());
  for (LoraModule& m : adapter.modules) {
    const auto [layer, p] = locate_module(m.name, config.text_prefix, static_cast<int64_t>(w.layers.size()));
    TrainableLinear& l = w.layers[layer].proj[p];
    check_module_shape(m, l.weight);
    if (l.lora) throw Error("LoRA adapter: module " + m.name, "appears twice");
    const std::string peft = "base_model.model." + m.name;
    tensors.push_back({peft + ".lora_A.weight", {m.rank, m.in_features}, {}, std::vector<float>(m.a.size()), {}});
    tensors.back().value = m.a;
    l.grad_a = tensors.back().grad;
    tensors.push_back({peft + ".lora_B.weight", {m.out_features, m.rank}, {}, std::vector<float>(m.b.size()), {}});
    tensors.back().value = m.b;
    l.grad_b = tensors.back().grad;
    l.lora = &m;
    l.scaling = scaling;
  }
}

void make_fully_trainable(TrainableWeights& w, const TensorStore& store, const ModelConfig& config,
                          std::vector<TrainableTensor>& tensors) {
  const std::string& p = config.text_prefix;
  const bool tied = w.lm_head.data == w.embed_tokens.data;
  train_tensor(p + "embed_tokens.weight", w.embed_tokens, w.embed_grad, false, tensors);
  for (size_t l = 0; l < w.layers.size(); ++l) {
    TrainableLayer& t = w.layers[l];
    const std::string lp = p + "layers." + std::to_string(l) + ".";
    train_tensor(lp + "input_layernorm.weight", t.input_norm, t.input_norm_grad, true, tensors);
    for (int j = 0; j < kProjections; ++j)
      train_tensor(lp + kModuleNames[j] + ".weight", t.proj[j].weight, t.proj[j].weight_grad, false, tensors);
    train_tensor(lp + "post_attention_layernorm.weight", t.post_norm, t.post_norm_grad, true, tensors);
  }
  train_tensor(p + "norm.weight", w.final_norm, w.final_norm_grad, true, tensors);
  // SPEC §2 Tying: a tied lm_head is the embedding, one tensor with both gradients.
  if (tied) {
    w.lm_head = w.embed_tokens;
    w.lm_head_grad = w.embed_grad;
  } else {
    train_tensor(config.lm_head_name, w.lm_head, w.lm_head_grad, false, tensors);
  }
  if (store.contains(kConnectorName)) {
    const TensorView& c = store.get(kConnectorName);
    if (c.shape.size() != 2 || !kernels::is_supported_weight_dtype(c.dtype))
      throw Error(store.location() + ": tensor " + kConnectorName, "is not a 2-D BF16/F16/F32 matrix");
    w.connector = kernels::WeightView{c.dtype, c.shape[0], c.shape[1], c.data};
    train_tensor(kConnectorName, w.connector, w.connector_grad, false, tensors);
  }
}

}  // namespace smolvlm::train

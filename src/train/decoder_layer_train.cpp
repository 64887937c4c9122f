#include "train/decoder_layer_train.h"

#include "kernels/activations.h"
#include "kernels/activations_backward.h"
#include "kernels/attention_train.h"
#include "kernels/norms.h"
#include "kernels/norms_backward.h"
#include "kernels/rope.h"
#include "kernels/rope_backward.h"

namespace smolvlm::train {
namespace {

kernels::TrainAttentionShape attention_shape(const TextConfig& c, int64_t n) {
  return {n, c.num_heads, c.num_kv_heads, c.head_dim};
}

// f(row t, cos_t, sin_t) for every token.
template <class Fn>
void for_each_position(const RopeTable& rope, int64_t n, int64_t D, Fn&& fn) {
  for (int64_t t = 0; t < n; ++t) fn(t, std::span(rope.cos).subspan(t * D, D), std::span(rope.sin).subspan(t * D, D));
}

void attention_forward(const TrainableLayer& w, const TextConfig& c, const RopeTable& rope, bool lora_on,
                       std::span<float> x, int64_t n, LayerActivations& a) {
  const int64_t H = c.hidden_size, NH = c.num_heads, NKV = c.num_kv_heads, D = c.head_dim;
  a.x.assign(x.begin(), x.end());
  a.h1.resize(n * H);
  a.q.resize(n * NH * D);
  a.k.resize(n * NKV * D);
  a.v.resize(n * NKV * D);
  a.attn.resize(n * NH * D);
  a.lse.resize(NH * n);
  kernels::rms_norm(a.x, n, w.input_norm, static_cast<float>(c.rms_norm_eps), a.h1);
  linear_forward(w.proj[kQ], a.h1, n, lora_on, a.q, a.lora_hidden[kQ]);
  linear_forward(w.proj[kK], a.h1, n, lora_on, a.k, a.lora_hidden[kK]);
  linear_forward(w.proj[kV], a.h1, n, lora_on, a.v, a.lora_hidden[kV]);
  for_each_position(rope, n, D, [&](int64_t t, auto cos, auto sin) {
    kernels::rope_apply(std::span(a.q).subspan(t * NH * D, NH * D), NH, cos, sin);
    kernels::rope_apply(std::span(a.k).subspan(t * NKV * D, NKV * D), NKV, cos, sin);
  });
  kernels::causal_attention_train_forward(a.q, a.k, a.v, attention_shape(c, n), a.attn, a.lse);
  std::vector<float> out(n * H);
  linear_forward(w.proj[kO], a.attn, n, lora_on, out, a.lora_hidden[kO]);
  kernels::add_in_place(x, out);
  a.mid.assign(x.begin(), x.end());
}

void mlp_forward(const TrainableLayer& w, const TextConfig& c, bool lora_on, std::span<float> x, int64_t n,
                 LayerActivations& a) {
  const int64_t H = c.hidden_size, I = c.intermediate_size;
  a.h2.resize(n * H);
  a.gate.resize(n * I);
  a.up.resize(n * I);
  a.act.resize(n * I);
  kernels::rms_norm(a.mid, n, w.post_norm, static_cast<float>(c.rms_norm_eps), a.h2);
  linear_forward(w.proj[kGate], a.h2, n, lora_on, a.gate, a.lora_hidden[kGate]);
  linear_forward(w.proj[kUp], a.h2, n, lora_on, a.up, a.lora_hidden[kUp]);
  kernels::silu_mul(a.gate, a.up, a.act);
  std::vector<float> out(n * H);
  linear_forward(w.proj[kDown], a.act, n, lora_on, out, a.lora_hidden[kDown]);
  kernels::add_in_place(x, out);
}

// dx: d(y) in, d(mid) out (the residual passes dy through, the MLP adds to it).
void mlp_backward(const TrainableLayer& w, const TextConfig& c, bool lora_on, const LayerActivations& a, int64_t n,
                  std::span<float> dx) {
  const int64_t H = c.hidden_size, I = c.intermediate_size;
  std::vector<float> dact(n * I), dgate(n * I), dup(n * I), dh2(n * H);
  linear_backward(w.proj[kDown], a.act, n, lora_on, a.lora_hidden[kDown], dx, dact, false);
  kernels::silu_mul_backward(a.gate, a.up, dact, dgate, dup);
  linear_backward(w.proj[kGate], a.h2, n, lora_on, a.lora_hidden[kGate], dgate, dh2, false);
  linear_backward(w.proj[kUp], a.h2, n, lora_on, a.lora_hidden[kUp], dup, dh2, true);
  kernels::rms_norm_backward(a.mid, n, w.post_norm, static_cast<float>(c.rms_norm_eps), dh2, dx, w.post_norm_grad);
}

// dx: d(mid) in, d(x) out.
void attention_backward(const TrainableLayer& w, const TextConfig& c, const RopeTable& rope, bool lora_on,
                        const LayerActivations& a, int64_t n, std::span<float> dx) {
  const int64_t H = c.hidden_size, NH = c.num_heads, NKV = c.num_kv_heads, D = c.head_dim;
  std::vector<float> dattn(n * NH * D), dq(n * NH * D), dk(n * NKV * D), dv(n * NKV * D), dh1(n * H);
  linear_backward(w.proj[kO], a.attn, n, lora_on, a.lora_hidden[kO], dx, dattn, false);
  kernels::causal_attention_train_backward(a.q, a.k, a.v, a.attn, a.lse, dattn, attention_shape(c, n), dq, dk, dv);
  for_each_position(rope, n, D, [&](int64_t t, auto cos, auto sin) {
    kernels::rope_apply_backward(std::span(dq).subspan(t * NH * D, NH * D), NH, cos, sin);
    kernels::rope_apply_backward(std::span(dk).subspan(t * NKV * D, NKV * D), NKV, cos, sin);
  });
  linear_backward(w.proj[kQ], a.h1, n, lora_on, a.lora_hidden[kQ], dq, dh1, false);
  linear_backward(w.proj[kK], a.h1, n, lora_on, a.lora_hidden[kK], dk, dh1, true);
  linear_backward(w.proj[kV], a.h1, n, lora_on, a.lora_hidden[kV], dv, dh1, true);
  kernels::rms_norm_backward(a.x, n, w.input_norm, static_cast<float>(c.rms_norm_eps), dh1, dx, w.input_norm_grad);
}

}  // namespace

RopeTable::RopeTable(const TextConfig& c, int64_t n) : cos(n * c.head_dim), sin(n * c.head_dim) {
  const std::vector<float> inv_freq = kernels::rope_inv_freq(c.head_dim, c.rope_theta);
  const int64_t D = c.head_dim;
  for (int64_t t = 0; t < n; ++t)
    kernels::rope_cos_sin(inv_freq, t, std::span(cos).subspan(t * D, D), std::span(sin).subspan(t * D, D));
}

void layer_forward_train(const TrainableLayer& w, const TextConfig& c, const RopeTable& rope, bool lora_on,
                         std::span<float> x, int64_t n, LayerActivations& a) {
  attention_forward(w, c, rope, lora_on, x, n, a);
  mlp_forward(w, c, lora_on, x, n, a);
}

void layer_backward(const TrainableLayer& w, const TextConfig& c, const RopeTable& rope, bool lora_on,
                    const LayerActivations& a, int64_t n, std::span<float> dx) {
  mlp_backward(w, c, lora_on, a, n, dx);
  attention_backward(w, c, rope, lora_on, a, n, dx);
}

}  // namespace smolvlm::train

#include "train/trainable_decoder.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "kernels/embedding.h"
#include "kernels/embedding_backward.h"
#include "kernels/matmul.h"
#include "kernels/matmul_backward.h"

namespace smolvlm::train {

int64_t count_label_tokens(std::span<const TrainingExample> batch) {
  int64_t n = 0;
  for (const TrainingExample& e : batch)
    for (size_t t = 1; t < e.labels.size(); ++t) n += e.labels[t] != kIgnoreLabel;
  return n;
}

TrainableDecoder::TrainableDecoder(const TensorStore& store, const ModelConfig& config, TrainOptions options)
    : config_(config), options_(options), weights_(bind_frozen_weights(store, config)) {
  const kernels::ComputeMode mode = options.bf16_forward ? kernels::ComputeMode::Fast : kernels::ComputeMode::Exact;
  for (TrainableLayer& l : weights_.layers)
    for (TrainableLinear& p : l.proj) p.forward_mode = mode;
  weights_.lm_head_forward_mode = mode;
}

TrainableDecoder::TrainableDecoder(const TensorStore& store, const ModelConfig& config, LoraAdapter& adapter,
                                   TrainOptions options)
    : TrainableDecoder(store, config, options) {
  attach_lora(weights_, config_, adapter, tensors_);
  has_adapter_ = true;
}

TrainableDecoder::TrainableDecoder(const TensorStore& store, const ModelConfig& config, FullFineTuning,
                                   TrainOptions options)
    : TrainableDecoder(store, config, options) {
  make_fully_trainable(weights_, store, config_, tensors_);
}

void TrainableDecoder::zero_gradients() {
  for (TrainableTensor& t : tensors_) std::fill(t.grad.begin(), t.grad.end(), 0.0f);
}

// SPEC §2 step 1 and §5: token embeddings, the k-th <image> position taking row k of the features.
void TrainableDecoder::embed(const TrainingExample& e, SequencePass& pass, std::vector<float>& x) const {
  const int64_t H = config_.text.hidden_size, N = pass.n;
  pass.table_ids = e.input_ids;
  for (int64_t t = 0; t < N; ++t)
    if (e.input_ids[t] == config_.image_token_id) {
      pass.image_positions.push_back(t);
      pass.table_ids[t] = -1;
    }
  x.assign(N * H, 0.0f);
  for (int64_t t = 0; t < N; ++t)
    if (pass.table_ids[t] >= 0)
      kernels::embedding_rows(weights_.embed_tokens, std::span(pass.table_ids).subspan(t, 1),
                              std::span(x).subspan(t * H, H));
  const int64_t IMG = static_cast<int64_t>(pass.image_positions.size());
  if (IMG == 0) return;
  std::vector<float> computed;
  std::span<const float> features = e.image_features;
  if (!weights_.connector_grad.empty()) {
    // The connector trains: its current weights make the features.
    if (static_cast<int64_t>(e.connector_inputs.size()) != IMG * weights_.connector.cols)
      throw Error("training example", "the connector trains but connector_inputs hold " +
                                          std::to_string(e.connector_inputs.size()) + " floats, expected " +
                                          std::to_string(IMG) + " image tokens x " +
                                          std::to_string(weights_.connector.cols));
    computed.resize(IMG * H);
    kernels::matmul(e.connector_inputs, IMG, weights_.connector, computed);
    features = computed;
  }
  if (static_cast<int64_t>(features.size()) != IMG * H)
    throw Error("training example", std::to_string(IMG) + " <image> tokens but image_features hold " +
                                        std::to_string(features.size()) + " floats (hidden " + std::to_string(H) +
                                        ")");
  for (int64_t i = 0; i < IMG; ++i) std::copy_n(features.data() + i * H, H, x.data() + pass.image_positions[i] * H);
}

SequencePass TrainableDecoder::forward(const TrainingExample& e, bool for_backward) {
  const TextConfig& c = config_.text;
  SequencePass pass;
  pass.n = static_cast<int64_t>(e.input_ids.size());
  pass.example = &e;
  if (pass.n == 0 || e.labels.size() != e.input_ids.size())
    throw Error("training example", "needs as many labels as input ids (" + std::to_string(e.input_ids.size()) +
                                        " ids, " + std::to_string(e.labels.size()) + " labels)");
  if (pass.n > c.max_position_embeddings)
    throw Error("training example", std::to_string(pass.n) + " tokens, more than max_position_embeddings " +
                                        std::to_string(c.max_position_embeddings));
  std::vector<float> x;
  embed(e, pass, x);
  const RopeTable rope(c, pass.n);
  const bool keep_all = for_backward && !options_.gradient_checkpointing;
  if (keep_all) pass.layers.resize(weights_.layers.size());
  LayerActivations scratch;
  for (size_t l = 0; l < weights_.layers.size(); ++l) {
    if (for_backward && options_.gradient_checkpointing) pass.layer_inputs.push_back(x);
    layer_forward_train(weights_.layers[l], c, rope, lora_on_, x, pass.n, keep_all ? pass.layers[l] : scratch);
  }
  pass.loss.loss_sum = lm_head_loss_forward(weights_, c, x, e.labels, pass.head);
  pass.loss.n_tokens = static_cast<int64_t>(pass.head.scored.rows.size());
  return pass;
}

void TrainableDecoder::backward(const SequencePass& pass, double scale) {
  const TextConfig& c = config_.text;
  const int64_t N = pass.n;
  std::vector<float> dx(N * c.hidden_size);
  lm_head_loss_backward(weights_, c, pass.head, scale, dx);
  const RopeTable rope(c, N);
  const bool recompute = pass.layers.empty();
  if (recompute && pass.layer_inputs.size() != weights_.layers.size())
    throw Error("training", "backward needs a forward run with for_backward");
  LayerActivations scratch;
  for (size_t l = weights_.layers.size(); l-- > 0;) {
    if (recompute) {
      std::vector<float> x = pass.layer_inputs[l];
      layer_forward_train(weights_.layers[l], c, rope, lora_on_, x, N, scratch);
    }
    layer_backward(weights_.layers[l], c, rope, lora_on_, recompute ? scratch : pass.layers[l], N, dx);
  }
  embedding_backward(pass, dx);
}

void TrainableDecoder::embedding_backward(const SequencePass& pass, std::span<const float> dx) {
  const int64_t H = config_.text.hidden_size;
  if (!weights_.embed_grad.empty()) kernels::embedding_rows_backward(pass.table_ids, dx, H, weights_.embed_grad);
  const int64_t IMG = static_cast<int64_t>(pass.image_positions.size());
  if (weights_.connector_grad.empty() || IMG == 0) return;
  // features = connector_inputs · Wᵀ, so dW += d(features)ᵀ · connector_inputs.
  std::vector<float> dfeatures(IMG * H);
  for (int64_t i = 0; i < IMG; ++i) std::copy_n(dx.data() + pass.image_positions[i] * H, H, dfeatures.data() + i * H);
  kernels::matmul_backward_weight(dfeatures, pass.example->connector_inputs, IMG, H, weights_.connector.cols,
                                  weights_.connector_grad);
}

LossSum TrainableDecoder::accumulate_gradients(std::span<const TrainingExample> batch, double scale) {
  LossSum total;
  for (const TrainingExample& e : batch) {
    const SequencePass pass = forward(e, true);
    // No target token: nothing to differentiate (every gradient would be 0).
    if (pass.loss.n_tokens > 0) backward(pass, scale);
    total.loss_sum += pass.loss.loss_sum;
    total.n_tokens += pass.loss.n_tokens;
  }
  return total;
}

LossSum TrainableDecoder::evaluate(std::span<const TrainingExample> batch) {
  LossSum total;
  for (const TrainingExample& e : batch) {
    const SequencePass pass = forward(e, false);
    total.loss_sum += pass.loss.loss_sum;
    total.n_tokens += pass.loss.n_tokens;
  }
  return total;
}

}  // namespace smolvlm::train

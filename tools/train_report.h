// What `smolvlm finetune` and `smolvlm dpo` show and dump while they train:
// the progress line on stderr (step/total, loss, tokens/s, ETA) and the
// --dump-tensors file, under the training goldens' names
// (fixtures/training/README.md "golden.safetensors keys").
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "train/trainable_weights.h"

namespace smolvlm::cli {

class ProgressLine {
 public:
  // `interactive`: redraw one line with '\r' (a terminal); else one line per step.
  ProgressLine(std::ostream& out, std::string command, bool interactive);
  // Shows step `step` of `total`; `fields` is what follows ("loss 1.23 | ...").
  void update(int64_t step, int64_t total, int64_t tokens_this_step, double step_seconds, const std::string& fields);
  void finish();

 private:
  std::ostream& out_;
  std::string command_;
  bool interactive_;
  int64_t steps_seen_ = 0;
  double seconds_total_ = 0;
  bool open_line_ = false;
};

// --dump-tensors: "loss" (F32 [steps], each step's loss; loss[0] is the
// goldens' `loss`), "grad_norm" (F32 [steps], before clipping),
// "grad.<name>" (the last step's gradients before clipping) and
// "step<k>.<name>" (every trainable tensor after step k).
class TensorDump {
 public:
  void add_step(int64_t step, double loss, double grad_norm, std::span<const train::TrainableTensor> tensors);
  void set_gradients(std::span<const train::TrainableTensor> tensors, const std::vector<std::vector<float>>& grads);
  // Extra scalars series (DPO's rewards...), one value per step.
  void add_scalar(const std::string& name, double value) { scalars_[name].push_back(static_cast<float>(value)); }
  void write(const std::string& path) const;

 private:
  struct Named {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values;
  };
  std::vector<float> losses_, grad_norms_;
  std::map<std::string, std::vector<float>> scalars_;
  std::vector<Named> tensors_;  // in the order added
};

// "0:01:23".
std::string format_duration(double seconds);

}  // namespace smolvlm::cli

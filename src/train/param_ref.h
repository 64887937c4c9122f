// One trainable tensor as the optimizer and the gradient clip see it: its
// name (the key of its optimizer state and of the goldens' grad.<name> /
// step<k>.<name>), its f32 values, updated in place, and its gradient.
#pragma once

#include <span>
#include <string>

namespace smolvlm::train {

struct ParamRef {
  std::string name;
  std::span<float> value;
  // Mutable so that clip_grad_norm can scale it in place, as torch does.
  std::span<float> grad;
  // Trainer's weight-decay group (weight_decay_groups.h): false puts the
  // tensor in the group with weight_decay 0.
  bool decay = true;
};

}  // namespace smolvlm::train

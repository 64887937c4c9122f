// The trainable tensors of a TrainableDecoder as the optimizer and the
// gradient clip take them, each in its Trainer weight-decay group.
#pragma once

#include <span>
#include <vector>

#include "train/param_ref.h"
#include "train/trainable_weights.h"

namespace smolvlm::train {

// Views (no copies) of each tensor's value and gradient; the tensors must
// outlive the result. decay = is_weight_decayed(name).
std::vector<ParamRef> optimizer_params(std::span<TrainableTensor> tensors);

}  // namespace smolvlm::train

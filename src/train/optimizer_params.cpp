#include "train/optimizer_params.h"

#include "core/error.h"
#include "train/weight_decay_groups.h"

namespace smolvlm::train {

std::vector<ParamRef> optimizer_params(std::span<TrainableTensor> tensors) {
  std::vector<ParamRef> params;
  params.reserve(tensors.size());
  for (TrainableTensor& t : tensors) {
    if (t.grad.size() != t.value.size())
      throw Error("trainable tensor " + t.name, "gradient and value differ in size");
    params.push_back(ParamRef{t.name, t.value, t.grad, is_weight_decayed(t.name)});
  }
  return params;
}

}  // namespace smolvlm::train

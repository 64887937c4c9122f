// Which parameters Trainer decays: transformers 4.51.3's
// Trainer.get_decay_parameter_names, get_parameter_names(model,
// ALL_LAYERNORM_LAYERS = [nn.LayerNorm], ["bias", "layernorm", "rmsnorm"]):
// a parameter is NOT decayed when its lower-cased full name contains one of
// those words or it belongs to an nn.LayerNorm module. Everything else is,
// LoRA tensors included (fixtures/training/README.md "Optimizer").
//
// The 4.51.3 quirk this keeps: the Llama text model's RMSNorms are not
// nn.LayerNorm modules, so only the names decide. input_layernorm and
// post_attention_layernorm contain "layernorm" and are not decayed, but the
// final model.text_model.norm.weight IS decayed (full-sft's golden.json lists
// the four layer norms only). Later transformers also exclude "norm"; we follow
// the version that made the goldens.
#pragma once

#include <string_view>

namespace smolvlm::train {

// True when `name` (a checkpoint tensor name, or a PEFT adapter tensor name)
// goes in Trainer's weight-decay group.
bool is_weight_decayed(std::string_view name);

}  // namespace smolvlm::train

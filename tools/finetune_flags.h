// The flags shared by `smolvlm finetune` and `smolvlm dpo`: every
// FinetuneConfig field by its config.json name with dashes (--lora-alpha; the
// underscore spelling --lora_alpha is accepted too), read on top of --config.
#pragma once

#include <string>
#include <vector>

#include "cli_args.h"
#include "train/finetune_config.h"

namespace smolvlm::cli {

// Registers --config and one option per FinetuneConfig field.
void add_finetune_config_flags(ArgParser& parser);

// Rewrites "--name_with_underscores[=v]" to dashes, in place, for argv[first..).
void normalize_flag_spelling(int argc, char** argv, int first, std::vector<std::string>& storage);

// The defaults, then --config FILE, then each field flag given. Descriptive
// keys of the config file that set nothing are returned in `ignored`.
train::FinetuneConfig finetune_config_from_flags(const ArgParser& args, const std::string& command,
                                                 std::vector<std::string>* ignored = nullptr);

}  // namespace smolvlm::cli

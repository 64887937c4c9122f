// --lora DIR[:SCALE]: a PEFT adapter folder and the weight it is applied
// with (default 1), for `smolvlm merge`, `run` and `chat`.
#pragma once

#include <string>

namespace smolvlm::cli {

struct LoraFlag {
  std::string path;
  double scale = 1.0;
};

// "DIR" or "DIR:SCALE" (split at the last ':' when what follows is a number,
// so a folder name with a colon still works). A scale that is not finite
// throws UsageError naming `command`.
LoraFlag parse_lora_flag(const std::string& value, const std::string& command);

}  // namespace smolvlm::cli

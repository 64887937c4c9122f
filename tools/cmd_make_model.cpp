// smolvlm make-model: a random-weight checkpoint of a real SmolVLM shape, for
// demos and benchmarks where no real checkpoint can be downloaded.
#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "model/synthetic_checkpoint.h"

namespace smolvlm::cli {

int make_model_main(int argc, char** argv) {
  std::string names;
  for (const std::string& n : synthetic_checkpoint_names()) names += (names.empty() ? "" : ", ") + n;
  ArgParser args("make-model", "--like NAME --out DIR [--seed N]",
                 "Writes a checkpoint folder in the Hugging Face layout (configs, tokenizer built offline,\n"
                 "chat template, BF16 model.safetensors) with RANDOM weights of a real model's shape.\n"
                 "Its answers are meaningless; shapes, ids and speed are real. Shapes: " + names + ".");
  args.option("like", "NAME", "Model shape to copy").option("out", "DIR", "Output folder").option("seed", "N", "Weight seed (default 0)");
  if (!args.parse(argc, argv, 2)) return 0;
  const std::string like = args.require("like"), out = args.require("out");
  const auto seed = args.get_int("seed").value_or(0);
  write_synthetic_checkpoint(out, like, static_cast<uint64_t>(seed));
  std::cout << "wrote a random-weight " << like << "-shaped checkpoint to " << out << "\n";
  return 0;
}

}  // namespace smolvlm::cli

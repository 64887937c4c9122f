// smolvlm merge: LoRA adapters merged into a checkpoint folder that
// transformers and smolvlm load like the base (fixtures/training/README.md "merge").
#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "io/model_config.h"
#include "lora_flag.h"
#include "model/lora_io.h"
#include "train/lora_merge.h"

namespace smolvlm::cli {

int merge_main(int argc, char** argv) {
  ArgParser args("merge", "--model DIR --lora DIR[:SCALE] [--lora ...] --out DIR [--dtype bf16|f32]",
                 "Merges PEFT LoRA adapters into a checkpoint: W' = W + scale * (alpha / r) * B A, computed in f32\n"
                 "from the stored weights. Writes a full Hugging Face folder (weights in the base's shard layout,\n"
                 "configs, tokenizer, processor and chat template copied) into a temp folder renamed onto --out.");
  args.option("model", "DIR", "Base checkpoint folder")
      .option("lora", "DIR[:SCALE]", "PEFT adapter folder (adapter_config.json + adapter_model.safetensors), "
                                     "optionally with a weight (default 1); repeat to merge several in order", true)
      .option("out", "DIR", "Folder to create (must not exist, or be empty)")
      .option("dtype", "T", "bf16 (default: merged weights rounded once to bf16, others copied as stored) or f32 "
                            "(every floating tensor in f32)");
  if (!args.parse(argc, argv, 2)) return 0;

  train::MergeOptions options;
  options.model_dir = args.require("model");
  options.out_dir = args.require("out");
  const std::string dtype = args.get("dtype").value_or("bf16");
  if (dtype != "bf16" && dtype != "f32") throw UsageError("merge: --dtype must be bf16 or f32, not \"" + dtype + "\"");
  options.dtype = dtype == "f32" ? DType::F32 : DType::BF16;
  if (args.all("lora").empty()) throw UsageError("merge: give at least one --lora DIR");

  const ModelConfig config = load_model_config(options.model_dir);
  size_t modules = 0;
  for (const std::string& value : args.all("lora")) {
    const LoraFlag flag = parse_lora_flag(value, "merge");
    options.adapters.push_back({load_lora_adapter(flag.path, config), flag.scale});
    modules += options.adapters.back().adapter.modules.size();
  }
  train::merge_lora_checkpoint(options);
  std::cerr << "merged " << options.adapters.size() << " adapter(s), " << modules << " LoRA modules, into "
            << options.out_dir << " (" << dtype << ")\n";
  return 0;
}

}  // namespace smolvlm::cli

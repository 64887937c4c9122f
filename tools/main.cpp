// smolvlm: command-line front end of the engine.
#include <cstring>
#include <iostream>
#include <string>

#include "cli_args.h"
#include "commands.h"
#include "core/large_allocations.h"

namespace {

constexpr const char* kUsage =
    "Usage: smolvlm <command> [options]\n"
    "\n"
    "Commands:\n"
    "  run          Generate an answer for a prompt or a conversation\n"
    "  chat         Interactive multi-turn chat, with /image PATH to attach images\n"
    "  tokenize     Tokenize text with a checkpoint's tokenizer\n"
    "  make-model   Write a random-weight checkpoint of a real SmolVLM shape (demo, benchmarks)\n"
    "  bench        Speed and memory of a model, as fractions of this machine's bounds\n"
    "  serve        OpenAI-compatible HTTP server with continuous batching and a chat page\n"
    "  bench-serve  Measure how the server's batched decoding scales with concurrent streams\n"
    "  eval         Run and score a benchmark (DocVQA, MMStar, MMMU...) as VLMEvalKit does\n"
    "  quantize     Write a checkpoint folder with Q8_0 / Q4_0 weights that the engine maps directly\n"
    "  finetune     Fine-tune on chat conversations (LoRA or full), PEFT adapters / HF checkpoints out\n"
    "  dpo          Align a LoRA adapter with DPO on preference pairs (TRL's sigmoid loss)\n"
    "  merge        Merge PEFT LoRA adapters into a checkpoint folder (bf16 or f32)\n"
    "\n"
    "Run 'smolvlm <command> --help' for the options of a command.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace smolvlm::cli;
  // Before anything large is allocated, so freed activations, caches and
  // images stop counting in the resident set (core/large_allocations.h).
  smolvlm::map_large_allocations_separately();
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "run") return run_main(argc, argv);
    if (command == "chat") return chat_main(argc, argv);
    if (command == "tokenize") return tokenize_main(argc, argv);
    if (command == "make-model") return make_model_main(argc, argv);
    if (command == "bench") return bench_main(argc, argv);
    if (command == "serve") return serve_main(argc, argv);
    if (command == "bench-serve") return bench_serve_main(argc, argv);
    if (command == "eval") return eval_main(argc, argv);
    if (command == "quantize") return quantize_main(argc, argv);
    if (command == "finetune") return finetune_main(argc, argv);
    if (command == "dpo") return dpo_main(argc, argv);
    if (command == "merge") return merge_main(argc, argv);
    std::cerr << "smolvlm: unknown command \"" << command << "\"\n\n" << kUsage;
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "smolvlm " << e.what() << "\n(see 'smolvlm " << command << " --help')\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "smolvlm: error: " << e.what() << "\n";
    return 1;
  }
}

// The smolvlm subcommands; each returns the process exit code.
#pragma once

namespace smolvlm::cli {

int run_main(int argc, char** argv);          // smolvlm run
int chat_main(int argc, char** argv);         // smolvlm chat
int tokenize_main(int argc, char** argv);     // smolvlm tokenize
int make_model_main(int argc, char** argv);   // smolvlm make-model
int bench_main(int argc, char** argv);        // smolvlm bench
int serve_main(int argc, char** argv);        // smolvlm serve
int bench_serve_main(int argc, char** argv);  // smolvlm bench-serve
int eval_main(int argc, char** argv);         // smolvlm eval
int quantize_main(int argc, char** argv);     // smolvlm quantize
int finetune_main(int argc, char** argv);     // smolvlm finetune
int dpo_main(int argc, char** argv);          // smolvlm dpo
int merge_main(int argc, char** argv);        // smolvlm merge

}  // namespace smolvlm::cli

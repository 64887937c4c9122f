// smolvlm finetune: supervised fine-tuning of SmolVLM's text decoder (LoRA or
// full) on JSONL chat conversations, as the SmolVLM fine-tuning notebook
// trains it (issue #8; fixtures/training/README.md defines the data, masking,
// loss reduction and optimizer). Writes a PEFT adapter folder or a full
// checkpoint folder in --out, with checkpoints along the way.
#include <cstdio>
#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "core/error.h"
#include "finetune_flags.h"
#include "train/training_data.h"
#include "train_session.h"

namespace smolvlm::cli {
namespace {

ArgParser make_parser() {
  ArgParser p("finetune", "--model DIR --data F.jsonl --method lora|qlora|full --out DIR [options]",
              "Fine-tunes the text decoder on chat conversations ({\"messages\": [...]} per line, image paths\n"
              "relative to the file). Every setting can come from --config FILE and/or its flag; flags win.");
  add_train_session_flags(p);
  p.option("data", "FILE", "Training conversations (JSONL)").option("eval-data", "FILE", "Conversations for the eval loss");
  add_finetune_config_flags(p);
  return p;
}

// Encoded examples of one data file; bad lines and skipped sequences reported on stderr.
train::SftExamples load_examples(const std::string& path, train::SftEncoder& encoder,
                                 const train::FinetuneConfig& config, train::BadLinePolicy policy) {
  const train::SftDataset data = train::read_sft_jsonl(path, policy);
  train::SftExamples examples = train::build_sft_examples(data, encoder, config.masking, config.max_length, policy);
  for (const train::BadLine& bad : examples.bad_lines)
    std::cerr << "finetune: skipped " << path << ":" << bad.line << ": " << bad.problem << "\n";
  if (examples.skipped_too_long > 0)
    std::cerr << "finetune: skipped " << examples.skipped_too_long << " conversation(s) of " << path
              << " longer than max_length " << config.max_length << " tokens\n";
  if (examples.examples.empty()) throw Error(path, "has no usable conversation");
  return examples;
}

std::string step_fields(const train::StepReport& r) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "loss %.4f | grad norm %.3f | lr %.2e", r.loss, r.grad_norm, r.lr);
  return buf;
}

}  // namespace

int finetune_main(int argc, char** argv) {
  std::vector<std::string> spellings;
  normalize_flag_spelling(argc, argv, 2, spellings);
  ArgParser args = make_parser();
  if (!args.parse(argc, argv, 2)) return 0;
  std::vector<std::string> ignored;
  const train::FinetuneConfig config = finetune_config_from_flags(args, "finetune", &ignored);
  const std::string data_path = args.require("data");
  const train::BadLinePolicy policy = train::parse_bad_line_policy(args.get("on-bad-line").value_or("stop"));

  TrainSession session(args, config, "finetune", data_path);
  const bool full = config.method == train::TrainMethod::Full;
  train::SftEncoder encoder(session.model(), args.require("model"), /*connector_inputs=*/full);
  const train::SftExamples train_set = load_examples(data_path, encoder, config, policy);
  train::SftExamples eval_set;
  if (auto eval_path = args.get("eval-data")) eval_set = load_examples(*eval_path, encoder, config, policy);
  std::cerr << "finetune: " << train_set.examples.size() << " training conversation(s)";
  if (!eval_set.examples.empty()) std::cerr << ", " << eval_set.examples.size() << " for eval";
  std::cerr << "\n";

  train::TrainableDecoder& decoder = session.make_decoder();
  train::Trainer trainer(config, decoder, train_set.examples, eval_set.examples);
  session.run(trainer, step_fields);
  return 0;
}

}  // namespace smolvlm::cli

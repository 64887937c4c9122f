// smolvlm dpo: preference alignment of a LoRA adapter with TRL's DPO sigmoid
// loss on RLAIF-V-style pairs (issue #8; fixtures/training/README.md "DPO").
// The reference model is the same decoder with the adapter disabled, so no
// second copy of the model is held. Logs TRL's rewards/* and logps/*.
#include <cstdio>
#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "core/error.h"
#include "finetune_flags.h"
#include "train/dpo_objective.h"
#include "train_session.h"

namespace smolvlm::cli {
namespace {

ArgParser make_parser() {
  ArgParser p("dpo", "--model DIR --data F.jsonl [--lora DIR] --out DIR [--beta B] [options]",
              "Trains a LoRA adapter with DPO (TRL's sigmoid loss) on preference pairs ({\"prompt\", \"chosen\",\n"
              "\"rejected\", \"images\"} per line). Starts from --lora (e.g. an SFT adapter) or a new adapter.");
  add_train_session_flags(p);
  p.option("data", "FILE", "Preference pairs (JSONL, RLAIF-V layout)")
      .option("eval-data", "FILE", "Pairs for the eval loss")
      .option("lora", "DIR", "PEFT adapter to start from (same as --adapter-init)");
  add_finetune_config_flags(p);
  return p;
}

train::DpoPairs load_pairs(const std::string& path, LoadedModel& model, const train::FinetuneConfig& config,
                           train::BadLinePolicy policy) {
  const train::DpoDataset data = train::read_dpo_jsonl(path, policy);
  train::DpoPairs pairs = train::build_dpo_pairs(data, model.prompts, config.max_length, policy);
  for (const train::BadLine& bad : pairs.bad_lines)
    std::cerr << "dpo: skipped " << path << ":" << bad.line << ": " << bad.problem << "\n";
  if (pairs.skipped_too_long > 0)
    std::cerr << "dpo: skipped " << pairs.skipped_too_long << " pair(s) of " << path << " longer than max_length "
              << config.max_length << " tokens\n";
  if (pairs.pairs.empty()) throw Error(path, "has no usable pair");
  return pairs;
}

}  // namespace

int dpo_main(int argc, char** argv) {
  std::vector<std::string> spellings;
  normalize_flag_spelling(argc, argv, 2, spellings);
  ArgParser args = make_parser();
  if (!args.parse(argc, argv, 2)) return 0;
  train::FinetuneConfig config = finetune_config_from_flags(args, "dpo");
  if (auto lora = args.get("lora")) train::set_config_field(config, "adapter_init", Json(*lora), "dpo: --lora");
  if (config.method == train::TrainMethod::Full)
    throw UsageError("dpo: --method lora or qlora (the reference model is the adapter disabled)");
  const std::string data_path = args.require("data");
  const train::BadLinePolicy policy = train::parse_bad_line_policy(args.get("on-bad-line").value_or("stop"));

  TrainSession session(args, config, "dpo", data_path);
  const train::DpoPairs train_pairs = load_pairs(data_path, session.model(), config, policy);
  train::DpoPairs eval_pairs;
  if (auto eval_path = args.get("eval-data")) eval_pairs = load_pairs(*eval_path, session.model(), config, policy);
  std::cerr << "dpo: " << train_pairs.pairs.size() << " training pair(s)\n";

  train::TrainableDecoder& decoder = session.make_decoder();
  train::DpoStepMetrics metrics;
  train::Trainer trainer(config, decoder,
                         train::dpo_objective(decoder, train_pairs.pairs, eval_pairs.pairs, config.beta, metrics));
  train::DpoResult last;
  auto fields = [&](const train::StepReport& r) {
    last = metrics.summary();
    metrics.pairs.clear();
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "loss %.4f | rewards/chosen %.4f rewards/rejected %.4f rewards/accuracies %.2f rewards/margins "
                  "%.4f | logps/chosen %.2f logps/rejected %.2f | lr %.2e",
                  r.loss, last.rewards_chosen, last.rewards_rejected, last.rewards_accuracies, last.rewards_margins,
                  last.logps_chosen, last.logps_rejected, r.lr);
    return std::string(buf);
  };
  auto dump_extra = [&](const train::StepReport&, TensorDump& dump) {
    dump.add_scalar("rewards/chosen", last.rewards_chosen);
    dump.add_scalar("rewards/rejected", last.rewards_rejected);
    dump.add_scalar("rewards/accuracies", last.rewards_accuracies);
    dump.add_scalar("rewards/margins", last.rewards_margins);
    dump.add_scalar("logps/chosen", last.logps_chosen);
    dump.add_scalar("logps/rejected", last.logps_rejected);
  };
  session.run(trainer, fields, dump_extra);
  return 0;
}

}  // namespace smolvlm::cli

// smolvlm eval: a benchmark (VLMEvalKit TSV or JSONL) through a checkpoint,
// prompted and scored as VLMEvalKit does for SmolVLM; or --score-only for
// predictions made elsewhere. Outputs: samples.jsonl, summary.json, summary.md.
#include <cstdio>
#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "generation_flags.h"
#include "eval/eval_runner.h"

namespace smolvlm::cli {
namespace {

ArgParser make_parser() {
  ArgParser p("eval", "--model DIR --task T --data FILE [options] | --task T --score-only PREDICTIONS.jsonl [--out DIR]",
              "Runs a benchmark as VLMEvalKit runs SmolVLM (its prompts, greedy, up to 2048 new tokens) and scores\n"
              "it by the official rules. Tasks: " + eval::task_names_list() + ".\n"
              "Writes samples.jsonl (row by row; --resume continues it), summary.json and summary.md in --out.\n"
              "Here --max-new-tokens defaults to 2048 and --frames is the video tasks' frames per video (default 64;\n"
              "SmolVLM v1 on CinePile: 50 uniformly sampled frames, as images without splitting).");
  p.option("model", "DIR", "Checkpoint folder")
      .option("task", "T", "Benchmark: " + eval::task_names_list())
      .option("data", "FILE", "VLMEvalKit TSV (base64 images) or JSONL with local image paths")
      .option("limit", "N", "Only the first N rows")
      .option("out", "DIR", "Output folder (default: smolvlm-eval/<task>)")
      .flag("resume", "Continue the run in --out: rows already in samples.jsonl are skipped")
      .option("prompt-style", "S", "VLMEvalKit wrapper: smolvlm, smolvlm2 (default: from the checkpoint) or plain")
      .option("video-dir", "DIR", "Video tasks: the folder of videos (default: the data file's folder/video)")
      .option("parallel", "N", "Samples generating together in batched decode steps (default 1)")
      .flag("images-as-stored", "Hand the model the TSV's image bytes, not VLMEvalKit's quality-75 JPEG re-save")
      .option("score-only", "FILE", "Score predictions made elsewhere (rows as in fixtures/eval/scoring/<task>.jsonl)");
  add_generation_flags(p);
  add_load_flags(p);
  return p;
}

int score_only(const ArgParser& args, eval::Task task, const std::string& out_dir) {
  for (const char* name :
       {"model", "data", "limit", "resume", "prompt-style", "images-as-stored", "video-dir", "parallel", "lora"})
    if (args.has(name)) throw UsageError(std::string("eval: --") + name + " does not go with --score-only");
  const Json summary = eval::score_predictions(task, *args.get("score-only"), out_dir, std::cerr);
  std::cout << summary.dump(2) << "\n";
  return 0;
}

void print_result(const Json& summary, const std::string& out_dir) {
  auto number = [](const Json& v) {
    if (!v.is_number()) return std::string("-");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v.get<double>());
    return std::string(buf);
  };
  std::cout << summary["task"].get<std::string>() << ": " << number(summary["score"]) << " (" << summary["samples"]
            << " samples: " << summary["scored"] << " scored, " << summary["unscored"] << " unscored, "
            << summary["errors"] << " errors)";
  if (!summary["published"].is_null()) std::cout << "; published " << number(summary["published"]["score"]);
  std::cout << "\nOutputs in " << out_dir << "\n";
}

}  // namespace

int eval_main(int argc, char** argv) {
  ArgParser args = make_parser();
  if (!args.parse(argc, argv, 2)) return 0;
  const eval::Task task = eval::parse_task(args.require("task"));
  const std::string out_dir = args.get("out").value_or("smolvlm-eval/" + std::string(eval::task_name(task)));
  if (args.has("score-only")) return score_only(args, task, out_dir);

  eval::EvalOptions o;
  o.task = task;
  o.model_dir = args.require("model");
  o.data_path = args.require("data");
  o.out_dir = out_dir;
  o.limit = args.get_int("limit");
  if (o.limit && *o.limit < 1) throw UsageError("eval: --limit must be >= 1");
  o.resume = args.has("resume");
  o.parallel = args.get_int("parallel").value_or(1);
  if (o.parallel < 1) throw UsageError("eval: --parallel must be >= 1");
  o.images_as_stored = args.has("images-as-stored");
  o.video_dir = args.get("video-dir").value_or("");
  if (auto style = args.get("prompt-style")) o.prompt_style = eval::parse_prompt_style(*style);
  o.generation = generation_options_from_flags(args, "eval");
  if (o.generation.video_frames) o.video_frames = *o.generation.video_frames;  // --frames: VLMEvalKit's nframe
  o.load = load_options_from_flags(args, "eval");
  o.dtype_name = args.get("dtype").value_or("f32");
  o.lora_specs = args.all("lora");
  print_result(eval::run_eval(o, std::cerr), out_dir);
  return 0;
}

}  // namespace smolvlm::cli

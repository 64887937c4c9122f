// `smolvlm eval`: a benchmark file through the engine, prompted as VLMEvalKit's
// SmolVLM wrappers prompt (eval_prompts.h), scored by the official rules
// (scoring.h), written row by row (eval_report.h).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "core/json_file.h"
#include "eval/eval_prompts.h"
#include "eval/eval_task.h"
#include "smolvlm.h"

namespace smolvlm::eval {

struct EvalOptions {
  Task task = Task::DocVQA;
  std::string model_dir;
  std::string data_path;
  std::string out_dir;
  std::optional<int64_t> limit;            // the first N rows of the file
  bool resume = false;                     // continue out_dir/samples.jsonl
  std::optional<PromptStyle> prompt_style;  // default: from the checkpoint (prompt_style_for)
  bool images_as_stored = false;           // skip VLMEvalKit's JPEG re-save of TSV images
  std::string video_dir;                   // video tasks' videos (default: <data folder>/video)
  // Frames per video: Video-MME's and SmolVLM2's VLMEvalKit nframe (default 64); SmolVLM v1 on
  // CinePile, uniformly sampled frames (default 50, SPEC §10).
  std::optional<int64_t> video_frames;
  int64_t parallel = 1;                    // samples generating together (batched decode steps)
  GenerationOptions generation;            // greedy and 2048 new tokens unless set (VLMEvalKit's kwargs)
  LoadOptions load;
  std::string dtype_name = "f32";          // as given to --dtype, for the summary
  std::vector<std::string> lora_specs;     // as given to --lora (load.lora holds them), for the summary
};

// The VLMEvalKit wrapper a checkpoint is evaluated with: SmolVLM2 for
// SmolVLMForConditionalGeneration checkpoints and any with video_sampling in
// preprocessor_config.json, SmolVLM otherwise (Idefics3).
PromptStyle prompt_style_for(const std::string& model_dir);

// The generation settings of a run: `requested` with VLMEvalKit's defaults for
// what it leaves unset (max_new_tokens 2048, greedy).
GenerationOptions eval_generation_options(GenerationOptions requested);

// The family whose video setup a run takes: SmolVLM2 = VLMEvalKit's SmolVLM2
// frames (resized to the tile, not split); SmolVLM = on CinePile, v1's uniform
// frames as unsplit images (SPEC §10), on Video-MME VLMEvalKit's frames as
// images. Plain follows the checkpoint's family.
PromptStyle video_frames_style(PromptStyle style, const std::string& model_dir);

// Runs the benchmark; returns the summary written to out_dir/summary.json.
// With parallel > 1, that many samples decode together (eval/batched_generation.h);
// samples.jsonl stays in data order (a sample is written once all before it are).
// Throws Error before loading the model for a bad file or task/file pairing,
// and when out_dir already holds samples and resume is off.
Json run_eval(const EvalOptions& options, std::ostream& progress);

// Scores predictions made elsewhere: `predictions_path` holds one line per
// sample in the layout of /work/shared/fixtures/eval/scoring/<task>.jsonl
// ("prediction" plus the answer fields; optional "index"/"id", "category",
// "split"). Writes the same three files into out_dir; returns the summary.
Json score_predictions(Task task, const std::string& predictions_path, const std::string& out_dir,
                       std::ostream& progress);

}  // namespace smolvlm::eval

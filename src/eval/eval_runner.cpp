#include "eval/eval_runner.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/mapped_file.h"
#include "eval/eval_data.h"
#include "eval/eval_report.h"
#include "eval/scoring.h"
#include "eval/tsv_reader.h"
#include "eval/video_frames.h"
#include "io/model_config.h"
#include "video/video_config.h"
#include "vision/processor_config.h"

namespace smolvlm::eval {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string field_or_empty(const EvalRow& row, const std::string& name) {
  const auto it = row.fields.find(name);
  return it == row.fields.end() ? "" : it->second;
}

// "done/total, running score, ETA" on one stderr line, rewritten in place.
class ProgressLine {
 public:
  ProgressLine(std::ostream& out, std::string task, size_t total, size_t already_done)
      : out_(out), task_(std::move(task)), total_(total), done_(already_done) {}

  void update(const SampleRecord& r) {
    ++done_;
    ++done_now_;
    if (r.error.empty() && r.score) sum_ += *r.score, ++scored_;
    if (!r.error.empty()) ++errors_;
    const double per_sample_s = ms_since(start_) / 1000.0 / static_cast<double>(done_now_);
    const auto eta_s = static_cast<int64_t>(per_sample_s * static_cast<double>(total_ - done_));
    char score[32] = "-";
    if (scored_) std::snprintf(score, sizeof score, "%.2f", sum_ / static_cast<double>(scored_) * 100);
    char line[200];
    std::snprintf(line, sizeof line, "\r[eval %s] %zu/%zu  score %s  errors %zu  ETA %lldm%02llds   ", task_.c_str(),
                  done_, total_, score, errors_, static_cast<long long>(eta_s / 60), static_cast<long long>(eta_s % 60));
    out_ << line << std::flush;
  }
  void finish() { out_ << "\n" << std::flush; }

 private:
  std::ostream& out_;
  std::string task_;
  size_t total_, done_, done_now_ = 0, scored_ = 0, errors_ = 0;
  double sum_ = 0;
  Clock::time_point start_ = Clock::now();
};

// VLMEvalKit scores predictions read back with pandas, which turns an empty
// (or "None", "NA", ...) prediction into NaN, str()-ed as "nan" (fixtures README).
std::string prediction_as_scored(const std::string& prediction) {
  return pandas_reads_as_nan(prediction) ? "nan" : prediction;
}

void score_into(Task task, const EvalRow& row, const std::string& prediction, SampleRecord& r) {
  try {
    const SampleScore s = score_prediction(task, row, prediction);
    r.score = s.score;
    r.extracted = s.extracted;
    r.note = s.note;
  } catch (const std::exception& e) {
    r.error = std::string("scoring: ") + e.what();
  }
}

// Row i's images and dataset message: the TSV's images, or a video's frames.
std::pair<std::vector<Content>, DatasetMessage> row_inputs(const EvalData& data, size_t i, const EvalOptions& options) {
  const EvalRow& row = data.row(i);
  if (task_family(options.task) != TaskFamily::VideoMultipleChoice) {
    std::vector<Content> images = data.images(i, options.images_as_stored);
    DatasetMessage message = dataset_message(options.task, row, images.size());
    return {std::move(images), std::move(message)};
  }
  const std::string video_dir =
      options.video_dir.empty() ? (fs::absolute(options.data_path).parent_path() / "video").string() : options.video_dir;
  std::vector<Content> frames =
      vlmevalkit_video_frames((fs::path(video_dir) / (row.fields.at("video") + ".mp4")).string(), options.video_frames);
  DatasetMessage message = videomme_message(row, frames.size());
  return {std::move(frames), std::move(message)};
}

// The first of `names` the row has, e.g. Video-MME groups by task_type and duration.
std::string first_field(const EvalRow& row, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (const auto it = row.fields.find(name); it != row.fields.end() && !it->second.empty()) return it->second;
  return "";
}

SampleRecord evaluate_row(Engine& engine, const EvalData& data, size_t i, const EvalOptions& options,
                          PromptStyle style, const GenerationOptions& generation) {
  const Task task = options.task;
  const auto start = Clock::now();
  const EvalRow& row = data.row(i);
  SampleRecord r;
  r.id = row.index;
  r.answer = field_or_empty(row, "answer");
  r.category = first_field(row, {"category", "task_type"});
  r.split = first_field(row, {"split", "duration"});
  r.error = data.row_problem(i);
  if (r.error.empty()) {
    try {
      const auto [images, message] = row_inputs(data, i, options);
      const WrapperPrompt prompt = wrapper_prompt(style, task, message);
      r.prompt = prompt.text;
      std::vector<Content> ordered;
      for (size_t k : prompt.images) ordered.push_back(images[k]);
      const GenerationResult result = engine.generate_from_text(prompt.text, ordered, generation);
      r.prediction = python_strip(result.text);  // generate_inner returns generated_text.strip()
      r.tokens = result.timings.generated_tokens;
    } catch (const std::exception& e) {
      r.error = e.what();
    }
  }
  if (r.error.empty()) score_into(task, row, prediction_as_scored(r.prediction), r);
  r.ms = ms_since(start);
  return r;
}

Json sampling_json(const GenerationOptions& g) {
  Json j = {{"max_new_tokens", g.max_new_tokens ? Json(*g.max_new_tokens) : Json()},
            {"do_sample", g.do_sample.value_or(false)}};
  if (g.do_sample.value_or(false)) {
    j["temperature"] = g.temperature ? Json(*g.temperature) : Json();
    j["top_k"] = g.top_k ? Json(*g.top_k) : Json();
    j["top_p"] = g.top_p ? Json(*g.top_p) : Json();
    j["seed"] = g.seed;
  }
  if (g.repetition_penalty) j["repetition_penalty"] = *g.repetition_penalty;
  if (g.image_splitting) j["image_splitting"] = *g.image_splitting;
  if (g.max_image_edge) j["max_image_edge"] = *g.max_image_edge;
  return j;
}

// The records of an earlier run to keep (resume) or an error for a folder
// that already holds results.
std::vector<SampleRecord> earlier_records(const std::string& samples_path, bool resume) {
  if (resume) return read_samples_for_resume(samples_path);
  if (fs::exists(samples_path) && fs::file_size(samples_path) > 0)
    throw Error(samples_path, "already holds samples: pass --resume to continue that run, or choose another --out");
  return {};
}

}  // namespace

PromptStyle prompt_style_for(const std::string& model_dir) {
  const ModelConfig config = load_model_config(model_dir);
  if (config.architecture == Architecture::SmolVLM || load_video_sampling_config(model_dir))
    return PromptStyle::SmolVLM2;
  return PromptStyle::SmolVLM;
}

GenerationOptions eval_generation_options(GenerationOptions g) {
  // VLMEvalKit's SmolVLM/SmolVLM2 kwargs: max_new_tokens 2048, greedy (do_sample False).
  if (!g.max_new_tokens) g.max_new_tokens = 2048;
  if (!g.do_sample) g.do_sample = false;
  return g;
}

Json run_eval(const EvalOptions& options, std::ostream& progress) {
  const EvalData data = EvalData::open(options.data_path, options.task);  // bad files fail before the model loads
  fs::create_directories(options.out_dir);
  const std::string samples_path = (fs::path(options.out_dir) / "samples.jsonl").string();
  std::vector<SampleRecord> records = earlier_records(samples_path, options.resume);
  const PromptStyle style = options.prompt_style.value_or(prompt_style_for(options.model_dir));
  GenerationOptions generation = eval_generation_options(options.generation);
  if (task_family(options.task) == TaskFamily::VideoMultipleChoice && style == PromptStyle::SmolVLM2) {
    // SmolVLM2.build_prompt_video: frames resized to the model's resolution (its tile: 384 for 2.2B,
    // 512 for 256M/500M), not split.
    generation.image_splitting = false;
    generation.max_image_edge = load_image_processor_config(options.model_dir).tile_size;
  }
  auto engine = Engine::load(options.model_dir, options.load);

  size_t n_rows = data.size();
  if (options.limit && static_cast<size_t>(*options.limit) < n_rows) n_rows = static_cast<size_t>(*options.limit);
  std::set<std::string> done;
  for (const SampleRecord& r : records) done.insert(r.id);
  size_t done_in_selection = 0;
  for (size_t i = 0; i < n_rows; ++i) done_in_selection += done.count(data.row(i).index);
  SampleWriter writer(samples_path, options.resume);
  ProgressLine line(progress, std::string(task_name(options.task)), n_rows, done_in_selection);
  for (size_t i = 0; i < n_rows; ++i) {
    if (done.count(data.row(i).index)) continue;
    records.push_back(evaluate_row(*engine, data, i, options, style, generation));
    writer.write(records.back());
    line.update(records.back());
  }
  line.finish();

  RunInfo info;
  info.task = options.task;
  info.data = options.data_path;
  info.model = options.model_dir;
  info.dtype = options.dtype_name;
  info.lora = options.lora_specs;
  info.prompt_style = std::string(prompt_style_name(style));
  info.sampling = sampling_json(generation);
  info.images = options.images_as_stored ? "TSV bytes as stored" : "TSV images re-saved as VLMEvalKit's JPEG";
  info.limit = options.limit;
  info.rows_in_file = static_cast<int64_t>(data.size());
  write_summaries(options.out_dir, info, records);
  return summary_json(info, records);
}

Json score_predictions(Task task, const std::string& predictions_path, const std::string& out_dir,
                       std::ostream& progress) {
  std::istringstream lines(read_text_file(predictions_path));
  std::vector<SampleRecord> records;
  std::string text;
  for (size_t line_number = 1; std::getline(lines, text); ++line_number) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string what = predictions_path + " line " + std::to_string(line_number);
    const Json line = parse_json(text, what);
    if (!line.is_object() || !line.contains("prediction"))
      throw Error(what, "is not a prediction row (an object with \"prediction\", as in fixtures/eval/scoring)");
    SampleRecord r;
    r.id = line.contains("index") ? (line["index"].is_string() ? line["index"].get<std::string>() : line["index"].dump())
                                  : std::to_string(records.size());
    try {
      const ScoringCase c = scoring_case_from_json(task, line);
      r.prediction = c.prediction;
      r.answer = field_or_empty(c.row, "answer");
      r.category = field_or_empty(c.row, "category");
      r.split = field_or_empty(c.row, "split");
      score_into(task, c.row, c.prediction, r);  // as given: the goldens score the raw strings
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    records.push_back(std::move(r));
  }
  fs::create_directories(out_dir);
  SampleWriter writer((fs::path(out_dir) / "samples.jsonl").string(), false);
  for (const SampleRecord& r : records) writer.write(r);
  RunInfo info;
  info.task = task;
  info.data = predictions_path;
  info.rows_in_file = static_cast<int64_t>(records.size());
  write_summaries(out_dir, info, records);
  const Json summary = summary_json(info, records);
  progress << "[eval " << task_name(task) << "] scored " << records.size() << " predictions\n";
  return summary;
}

}  // namespace smolvlm::eval

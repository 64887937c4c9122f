#include "eval/eval_runner.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/mapped_file.h"
#include "engine/loaded_model.h"
#include "eval/batched_generation.h"
#include "eval/cinepile.h"
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

// The image-encoding cache (features): a CinePile clip's 50 frames of the
// 2.2B model are ~33 MB, so a clip's questions after the first encode nothing.
constexpr size_t kImageCacheBytes = size_t{64} << 20;

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

// A run's fixed settings, and the last video's frames: CinePile asks several
// questions about each clip in consecutive rows, so its frames are decoded once.
struct RunContext {
  const EvalOptions& options;
  PromptStyle style;
  bool uniform_frames;  // SmolVLM v1 on CinePile (SPEC §10); else VLMEvalKit's save_video_frames
  int64_t frames;
  std::string video_dir;
  std::string memo_path;
  std::vector<Content> memo_frames;

  const std::vector<Content>& video_frames(const std::string& path) {
    if (path != memo_path) {
      memo_path.clear();
      memo_frames = uniform_frames ? uniform_video_frames(path, frames) : vlmevalkit_video_frames(path, frames);
      memo_path = path;
    }
    return memo_frames;
  }
};

// Row i's images and dataset message: the TSV's images, or a video's frames.
std::pair<std::vector<Content>, DatasetMessage> row_inputs(const EvalData& data, size_t i, RunContext& run) {
  const EvalRow& row = data.row(i);
  switch (run.options.task) {
    case Task::VideoMME: {
      const std::string path = (fs::path(run.video_dir) / (row.fields.at("video") + ".mp4")).string();
      std::vector<Content> frames = run.video_frames(path);
      DatasetMessage message = videomme_message(row, frames.size());
      return {std::move(frames), std::move(message)};
    }
    case Task::CinePile: {
      std::vector<Content> frames = run.video_frames(find_cinepile_video(row, run.video_dir));
      DatasetMessage message = dataset_message(Task::CinePile, row, frames.size());
      return {std::move(frames), std::move(message)};
    }
    default: {
      std::vector<Content> images = data.images(i, run.options.images_as_stored);
      DatasetMessage message = dataset_message(run.options.task, row, images.size());
      return {std::move(images), std::move(message)};
    }
  }
}

// The first of `names` the row has, e.g. Video-MME groups by task_type and duration.
std::string first_field(const EvalRow& row, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (const auto it = row.fields.find(name); it != row.fields.end() && !it->second.empty()) return it->second;
  return "";
}

// Row i's record up to the model's answer, and (when the row has no problem)
// the prompt and images to generate from.
SampleRecord begin_row(const EvalData& data, size_t i, RunContext& run, std::vector<Content>& ordered) {
  const EvalRow& row = data.row(i);
  SampleRecord r;
  r.id = row.index;
  r.answer = field_or_empty(row, "answer");
  r.category = first_field(row, {"category", "task_type"});
  r.split = first_field(row, {"split", "duration"});
  r.error = data.row_problem(i);
  if (!r.error.empty()) return r;
  try {
    const auto [images, message] = row_inputs(data, i, run);
    const WrapperPrompt prompt = wrapper_prompt(run.style, run.options.task, message);
    r.prompt = prompt.text;
    for (size_t k : prompt.images) ordered.push_back(images[k]);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// Writes records in data order as they complete (samples finish out of order
// when several generate together) and moves the progress line.
class OrderedWriter {
 public:
  OrderedWriter(SampleWriter& writer, ProgressLine& line, std::vector<SampleRecord>& records,
                std::vector<size_t> order)
      : writer_(writer), line_(line), records_(records), order_(std::move(order)) {}

  void complete(size_t row, SampleRecord record) {
    ready_.emplace(row, std::move(record));
    for (; next_ < order_.size(); ++next_) {
      const auto it = ready_.find(order_[next_]);
      if (it == ready_.end()) break;
      records_.push_back(std::move(it->second));
      ready_.erase(it);
      writer_.write(records_.back());
      line_.update(records_.back());
    }
  }

 private:
  SampleWriter& writer_;
  ProgressLine& line_;
  std::vector<SampleRecord>& records_;
  std::vector<size_t> order_;  // rows to run, in data order
  size_t next_ = 0;            // order_[next_] is the first not yet written
  std::map<size_t, SampleRecord> ready_;
};

// Runs rows `order` through the model, `parallel` at a time, in data order.
void run_rows(LoadedModel& model, const EvalData& data, const std::vector<size_t>& order, RunContext& run,
              const GenerationOptions& generation, OrderedWriter& out) {
  BatchedGeneration batch(model, generation, static_cast<size_t>(run.options.parallel));
  std::map<size_t, std::pair<SampleRecord, Clock::time_point>> started;
  auto collect = [&] {
    for (BatchedGeneration::Finished& f : batch.next_finished()) {
      auto [r, start] = std::move(started.at(f.tag));
      started.erase(f.tag);
      r.error = f.error;
      r.prediction = python_strip(f.text);  // generate_inner returns generated_text.strip()
      r.tokens = f.generated_tokens;
      if (r.error.empty()) score_into(run.options.task, data.row(f.tag), prediction_as_scored(r.prediction), r);
      r.ms = ms_since(start);
      out.complete(f.tag, std::move(r));
    }
  };
  for (size_t i : order) {
    if (!batch.has_room()) collect();
    const auto start = Clock::now();
    std::vector<Content> images;
    SampleRecord r = begin_row(data, i, run, images);
    if (r.error.empty()) {
      try {
        batch.start(i, r.prompt, images);
        started.emplace(i, std::make_pair(std::move(r), start));
        continue;
      } catch (const std::exception& e) {
        r.error = e.what();
      }
    }
    r.ms = ms_since(start);
    out.complete(i, std::move(r));
  }
  while (!batch.idle()) collect();
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

PromptStyle video_frames_style(PromptStyle style, const std::string& model_dir) {
  return style == PromptStyle::Plain ? prompt_style_for(model_dir) : style;
}

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
  if (options.parallel < 1) throw Error("parallel", "must be at least 1");
  const EvalData data = EvalData::open(options.data_path, options.task);  // bad files fail before the model loads
  fs::create_directories(options.out_dir);
  const std::string samples_path = (fs::path(options.out_dir) / "samples.jsonl").string();
  std::vector<SampleRecord> records = earlier_records(samples_path, options.resume);
  const PromptStyle style = options.prompt_style.value_or(prompt_style_for(options.model_dir));
  const PromptStyle frames_style = video_frames_style(style, options.model_dir);
  const bool uniform_frames = options.task == Task::CinePile && frames_style == PromptStyle::SmolVLM;
  RunContext run{options, style, uniform_frames, options.video_frames.value_or(uniform_frames ? 50 : 64),
                 options.video_dir.empty() ? (fs::absolute(options.data_path).parent_path() / "video").string()
                                           : options.video_dir,
                 {}, {}};
  GenerationOptions generation = eval_generation_options(options.generation);
  if (task_family(options.task) == TaskFamily::VideoMultipleChoice && frames_style == PromptStyle::SmolVLM2) {
    // SmolVLM2.build_prompt_video: frames resized to the model's resolution (its tile: 384 for 2.2B,
    // 512 for 256M/500M), not split.
    generation.image_splitting = false;
    generation.max_image_edge = load_image_processor_config(options.model_dir).tile_size;
  }
  // SPEC §10: v1's frames as images without splitting (50 x 67 tokens fit the context; split, 43k would not).
  if (uniform_frames) generation.image_splitting = false;
  LoadedModel model(options.model_dir, kImageCacheBytes, options.load);

  size_t n_rows = data.size();
  if (options.limit && static_cast<size_t>(*options.limit) < n_rows) n_rows = static_cast<size_t>(*options.limit);
  std::set<std::string> done;
  for (const SampleRecord& r : records) done.insert(r.id);
  std::vector<size_t> order;
  for (size_t i = 0; i < n_rows; ++i)
    if (!done.count(data.row(i).index)) order.push_back(i);
  SampleWriter writer(samples_path, options.resume);
  ProgressLine line(progress, std::string(task_name(options.task)), n_rows, n_rows - order.size());
  OrderedWriter out(writer, line, records, order);
  run_rows(model, data, order, run, generation, out);
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
  if (options.task == Task::CinePile)
    info.images = std::to_string(run.frames) + (uniform_frames ? " uniform frames as unsplit images (SPEC §10)"
                                                               : " frames as VLMEvalKit's save_video_frames");
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

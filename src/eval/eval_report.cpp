#include "eval/eval_report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/mapped_file.h"

#ifndef SMOLVLM_GIT_COMMIT
#define SMOLVLM_GIT_COMMIT "unknown"
#endif

namespace smolvlm::eval {
namespace {

namespace fs = std::filesystem;

std::string text_or_empty(const Json& line, const char* key) {
  const auto it = line.find(key);
  return it == line.end() || !it->is_string() ? "" : it->get<std::string>();
}

// Scores of a group of samples.
struct Tally {
  double sum = 0;
  int64_t scored = 0, unscored = 0, errors = 0;

  void add(const SampleRecord& r) {
    if (!r.error.empty()) ++errors;
    else if (r.score) sum += *r.score, ++scored;
    else ++unscored;
  }
  int64_t total() const { return scored + unscored + errors; }
  Json json() const {
    Json j = {{"score", scored ? Json(sum / scored * 100.0) : Json()},
              {"samples", total()}, {"scored", scored}, {"unscored", unscored}, {"errors", errors}};
    // Unscored and failed samples as wrong: the least the official scorer could give.
    if (scored != total()) j["score_unscored_as_zero"] = total() ? sum / total() * 100.0 : 0.0;
    return j;
  }
};

Json groups_json(const std::vector<SampleRecord>& records, std::string SampleRecord::*key) {
  std::map<std::string, Tally> groups;
  for (const SampleRecord& r : records)
    if (!(r.*key).empty()) groups[r.*key].add(r);
  Json out = Json::object();
  for (const auto& [name, tally] : groups) out[name] = tally.json();
  return out;
}

std::string format_score(const Json& value) {
  if (!value.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", value.get<double>());
  return buf;
}

std::string markdown_cell(std::string text) {
  for (size_t pos = text.find('|'); pos != std::string::npos; pos = text.find('|', pos + 2)) text.replace(pos, 1, "\\|");
  return text;
}

}  // namespace

Json sample_json(const SampleRecord& r) {
  Json j = {{"id", r.id}, {"prompt", r.prompt}, {"prediction", r.prediction}, {"answer", r.answer},
            {"extracted", r.extracted}, {"score", r.score ? Json(*r.score) : Json()},
            {"error", r.error.empty() ? Json() : Json(r.error)}, {"tokens", r.tokens}, {"ms", r.ms}};
  if (!r.note.empty()) j["note"] = r.note;
  if (!r.category.empty()) j["category"] = r.category;
  if (!r.split.empty()) j["split"] = r.split;
  return j;
}

SampleRecord sample_from_json(const Json& line, const std::string& what) {
  if (!line.is_object() || !line.contains("id") || !line["id"].is_string())
    throw Error(what, "is not a sample record (an object with a string \"id\")");
  SampleRecord r;
  r.id = line["id"].get<std::string>();
  r.prompt = text_or_empty(line, "prompt");
  r.prediction = text_or_empty(line, "prediction");
  r.answer = text_or_empty(line, "answer");
  r.extracted = text_or_empty(line, "extracted");
  if (line.contains("score") && line["score"].is_number()) r.score = line["score"].get<double>();
  r.note = text_or_empty(line, "note");
  r.error = text_or_empty(line, "error");
  r.category = text_or_empty(line, "category");
  r.split = text_or_empty(line, "split");
  r.tokens = line.value("tokens", int64_t{0});
  r.ms = line.value("ms", 0.0);
  return r;
}

std::vector<SampleRecord> read_samples_for_resume(const std::string& path) {
  std::vector<SampleRecord> records;
  if (!fs::exists(path)) return records;
  const std::string text = read_text_file(path);
  size_t start = 0, good_end = 0;
  for (size_t line_number = 1; start < text.size(); ++line_number) {
    const size_t newline = text.find('\n', start);
    const bool last = newline == std::string::npos || newline + 1 == text.size();
    const std::string line = text.substr(start, newline == std::string::npos ? std::string::npos : newline - start);
    const std::string what = path + " line " + std::to_string(line_number);
    Json parsed = Json::parse(line, nullptr, false);
    if (newline == std::string::npos || parsed.is_discarded()) {
      if (!last) throw Error(what, "is not valid JSON; the file is damaged before its last line");
      break;  // the line an interrupted run was writing
    }
    records.push_back(sample_from_json(parsed, what));
    start = newline + 1;
    good_end = start;
  }
  if (good_end < text.size()) fs::resize_file(path, good_end);
  return records;
}

SampleWriter::SampleWriter(const std::string& path, bool append)
    : path_(path), out_(path, append ? std::ios::app : std::ios::trunc) {
  if (!out_) throw Error(path, "cannot be opened for writing");
}

void SampleWriter::write(const SampleRecord& record) {
  out_ << sample_json(record).dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  out_.flush();
  if (!out_) throw Error(path_, "write failed (disk full?)");
}

std::string build_commit() { return SMOLVLM_GIT_COMMIT; }

std::optional<PublishedScore> published_score(Task task) {
  // SmolVLM 2.2B (HuggingFaceTB/SmolVLM-Instruct) as published by Hugging Face
  // in the SmolVLM announcement (huggingface.co/blog/smolvlm, "Benchmark
  // results" table, Nov 2024), the numbers the seed quotes; DocVQA is its test
  // split (VLMEvalKit's DocVQA_TEST has no answers: compare DocVQA_VAL with care).
  const std::string model = "SmolVLM 2.2B (SmolVLM-Instruct)";
  const std::string source = "huggingface.co/blog/smolvlm (VLMEvalKit)";
  switch (task) {
    case Task::MMMU: return PublishedScore{38.8, model, "MMMU val", source};
    case Task::MathVista: return PublishedScore{44.6, model, "MathVista testmini (GPT judge)", source};
    case Task::MMStar: return PublishedScore{42.1, model, "MMStar val", source};
    case Task::DocVQA: return PublishedScore{81.6, model, "DocVQA test (ANLS)", source};
    case Task::TextVQA: return PublishedScore{72.7, model, "TextVQA val", source};
    case Task::CinePile: return PublishedScore{27.14, model, "CinePile, 50 frames", source};
    default: return std::nullopt;
  }
}

Json summary_json(const RunInfo& info, const std::vector<SampleRecord>& records) {
  Tally all;
  for (const SampleRecord& r : records) all.add(r);
  Json summary = {{"task", std::string(task_name(info.task))}};
  summary.update(all.json());
  summary["per_category"] = groups_json(records, &SampleRecord::category);
  summary["per_split"] = groups_json(records, &SampleRecord::split);
  summary["rows_in_file"] = info.rows_in_file;
  summary["limit"] = info.limit ? Json(*info.limit) : Json();
  summary["data"] = info.data;
  summary["model"] = info.model.empty() ? Json() : Json(info.model);
  summary["dtype"] = info.dtype.empty() ? Json() : Json(info.dtype);
  summary["prompt_style"] = info.prompt_style.empty() ? Json() : Json(info.prompt_style);
  summary["images"] = info.images.empty() ? Json() : Json(info.images);
  summary["lora"] = info.lora;
  summary["sampling"] = info.sampling;
  summary["commit"] = build_commit();
  summary["scorer"] = "VLMEvalKit e8e78f05f308 rules, reimplemented (no LLM judge: MathVista rows its rules "
                      "cannot settle stay unscored; CinePile is scored as VLMEvalKit multiple choice)";
  if (const auto published = published_score(info.task))
    summary["published"] = {{"score", published->score}, {"model", published->model},
                            {"setting", published->setting}, {"source", published->source}};
  else
    summary["published"] = nullptr;
  return summary;
}

std::string summary_markdown(const Json& s) {
  std::ostringstream md;
  md << "# smolvlm eval: " << s["task"].get<std::string>() << "\n\n";
  md << "| | score | samples | scored | unscored | errors |\n|---|---:|---:|---:|---:|---:|\n";
  auto row = [&](const std::string& name, const Json& g) {
    md << "| " << markdown_cell(name) << " | " << format_score(g["score"]) << " | " << g["samples"] << " | "
       << g["scored"] << " | " << g["unscored"] << " | " << g["errors"] << " |\n";
  };
  row("**overall**", s);
  for (const auto& [name, g] : s["per_split"].items()) row("split: " + name, g);
  for (const auto& [name, g] : s["per_category"].items()) row(name, g);
  md << "\n";
  if (s.contains("score_unscored_as_zero"))
    md << "Unscored and failed samples counted as wrong: " << format_score(s["score_unscored_as_zero"]) << "\n\n";
  if (!s["published"].is_null())
    md << "Published: " << format_score(s["published"]["score"]) << " (" << s["published"]["model"].get<std::string>()
       << ", " << s["published"]["setting"].get<std::string>() << ", " << s["published"]["source"].get<std::string>()
       << ")\n\n";
  md << "Model: " << (s["model"].is_null() ? "-" : s["model"].get<std::string>())
     << ", dtype: " << (s["dtype"].is_null() ? "-" : s["dtype"].get<std::string>())
     << ", prompt style: " << (s["prompt_style"].is_null() ? "-" : s["prompt_style"].get<std::string>())
     << ", sampling: " << s["sampling"].dump() << ", commit: " << s["commit"].get<std::string>() << "\n";
  return md.str();
}

void write_summaries(const std::string& out_dir, const RunInfo& info, const std::vector<SampleRecord>& records) {
  const Json summary = summary_json(info, records);
  auto write = [&](const std::string& name, const std::string& text) {
    const std::string path = (fs::path(out_dir) / name).string();
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush()) throw Error(path, "write failed");
  };
  write("summary.json", summary.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  write("summary.md", summary_markdown(summary));
}

}  // namespace smolvlm::eval

#include "eval/eval_data.h"

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/base64.h"
#include "core/error.h"
#include "core/json_file.h"
#include "eval/cinepile.h"
#include "eval/scoring.h"
#include "eval/vlmevalkit_image.h"

namespace smolvlm::eval {
namespace {

namespace fs = std::filesystem;

bool is_list_literal(std::string_view cell) {
  return cell.size() >= 2 && cell.front() == '[' && cell.back() == ']';
}

// VLMEvalKit's toliststr: a list literal is several items, anything else one.
std::vector<std::string> cell_items(std::string_view cell) {
  if (is_list_literal(cell)) return parse_answer_list(cell);
  return {std::string(cell)};
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base_dir) / path).string();
}

std::string folder_of(const std::string& path) { return fs::absolute(path).parent_path().string(); }

// A JSONL value as the text a TSV cell would hold.
std::string cell_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_array()) {
    std::vector<std::string> items;
    for (const Json& item : value) items.push_back(cell_text(item));
    return python_list_literal(items);
  }
  return value.dump();
}

}  // namespace

std::vector<std::string> required_columns(Task task) {
  switch (task_family(task)) {
    case TaskFamily::ShortAnswerVQA:
      if (task == Task::OCRBench) return {"question", "answer", "category"};
      return {"question", "answer"};
    case TaskFamily::MultipleChoice:
      return {"question", "answer", "A", "B"};
    case TaskFamily::MathVista:
      return {"question", "answer", "question_type", "answer_type", "answer_option", "choices"};
    case TaskFamily::VideoMultipleChoice:
      if (task == Task::VideoMME) return {"video", "question", "candidates", "answer"};
      return {"question", "choices"};  // CinePile, plus one column of each group in cinepile.h
  }
  throw Error("task " + std::string(task_name(task)), "has no data layout");
}

EvalData EvalData::open(const std::string& path, Task task) {
  EvalData data;
  const std::string extension = fs::path(path).extension().string();
  if (extension == ".tsv") data.read_tsv(path, task);
  else if (extension == ".jsonl") data.read_jsonl(path, task);
  else throw Error(path, "unknown data file type \"" + extension + "\": give a VLMEvalKit .tsv or a .jsonl file");
  data.problems_.assign(data.rows_.size(), "");
  if (task == Task::CinePile)
    for (size_t r = 0; r < data.rows_.size(); ++r) data.problems_[r] = prepare_cinepile_row(data.rows_[r]);
  data.note_row_problems(task);
  return data;
}

void EvalData::check_columns(Task task, const std::string& path) const {
  const std::set<std::string> have(columns_.begin(), columns_.end());
  const std::string name(task_name(task));
  auto missing = [&](const std::string& column) {
    return Error(path, "no \"" + column + "\" column, which task " + name + " needs (columns: " +
                           [&] {
                             std::string list;
                             for (const std::string& c : columns_) list += (list.empty() ? "" : ", ") + c;
                             return list;
                           }() + ")");
  };
  if (!have.count("index") && task != Task::CinePile) throw missing("index");  // CinePile rows: their position
  const bool video_task = task_family(task) == TaskFamily::VideoMultipleChoice;
  if (!video_task && !have.count("image") && !have.count("image_path")) throw missing("image");
  for (const std::string& column : required_columns(task))
    if (!have.count(column)) throw missing(column);
  if (task == Task::CinePile) {
    auto any_of = [&](const auto& group) {
      std::string names;
      for (const char* column : group) {
        if (have.count(column)) return;
        names += (names.empty() ? "" : " or ") + std::string(column);
      }
      throw missing(names);
    };
    any_of(kCinePileAnswerColumns);
    any_of(kCinePileVideoColumns);
  }
  // An open-ended task given a multiple-choice file would run and score nonsense.
  const TaskFamily family = task_family(task);
  if ((family == TaskFamily::ShortAnswerVQA || family == TaskFamily::MathVista) && have.count("A") && have.count("B"))
    throw Error(path, "has option columns A and B: a multiple-choice file, not one for the open-ended task " + name);
}

void EvalData::read_tsv(const std::string& path, Task task) {
  file_ = std::make_unique<MappedFile>(path);
  const std::string_view text(reinterpret_cast<const char*>(file_->data()), file_->size_bytes());
  table_ = std::make_unique<TsvTable>(parse_tsv(text, path));
  columns_ = table_->header;
  check_columns(task, path);
  const size_t index_col = table_->column("index"), image_col = table_->column("image");
  const size_t path_col = table_->column("image_path");
  std::map<std::string_view, size_t> row_of_index;
  for (size_t r = 0; r < table_->rows.size(); ++r) {
    const auto& cells = table_->rows[r];
    EvalRow row;
    row.index = index_col == std::string::npos ? std::to_string(r) : std::string(cells[index_col]);
    if (row.index.empty())
      throw Error(path, "line " + std::to_string(table_->line_numbers[r]) + " has an empty index");
    if (index_col != std::string::npos && !row_of_index.emplace(cells[index_col], r).second)
      throw Error(path, "index " + row.index + " appears twice (line " + std::to_string(table_->line_numbers[r]) + ")");
    for (size_t c = 0; c < cells.size(); ++c)
      if (c != index_col && c != image_col && c != path_col) row.fields[table_->header[c]] = std::string(cells[c]);
    rows_.push_back(std::move(row));
  }
  const std::string base_dir = folder_of(path);
  for (size_t r = 0; r < table_->rows.size(); ++r) {
    ImageCells cells;
    if (image_col != std::string::npos) {
      std::string_view cell = table_->rows[r][image_col];
      // ImageBaseDataset.__init__: a short cell names the row whose image this row shares.
      if (cell.size() <= 64 && !cell.empty()) {
        const auto it = row_of_index.find(cell);
        const std::string reference(cell);
        cell = it == row_of_index.end() ? std::string_view() : table_->rows[it->second][image_col];
        if (cell.size() <= 64) {
          cells.problem = "the image cell \"" + reference + "\" (64 characters or fewer: a row index) names no row with an image";
          cell = {};
        }
      }
      if (!cell.empty()) cells.base64.push_back(cell);
    } else if (path_col != std::string::npos && !table_->rows[r][path_col].empty()) {
      for (const std::string& p : cell_items(table_->rows[r][path_col])) cells.paths.push_back(resolve_path(base_dir, p));
    }
    images_.push_back(std::move(cells));
  }
}

void EvalData::read_jsonl(const std::string& path, Task task) {
  std::istringstream lines(read_text_file(path));
  const std::string base_dir = folder_of(path);
  std::set<std::string> seen_columns, seen_index;
  std::string line;
  for (size_t line_number = 1; std::getline(lines, line); ++line_number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const Json object = parse_json(line, path + " line " + std::to_string(line_number));
    if (!object.is_object()) throw Error(path, "line " + std::to_string(line_number) + " is not a JSON object");
    EvalRow row;
    ImageCells cells;
    for (const auto& [key, value] : object.items()) {
      if (seen_columns.insert(key).second) columns_.push_back(key);
      if (key == "index") row.index = cell_text(value);
      else if (key == "image" || key == "image_path")
        for (const Json& p : value.is_array() ? value : Json::array({value})) {
          if (!p.is_string()) throw Error(path, "line " + std::to_string(line_number) + ": \"" + key + "\" must be a path or a list of paths");
          cells.paths.push_back(resolve_path(base_dir, p.get<std::string>()));
        }
      else row.fields[key] = cell_text(value);
    }
    if (object.contains("index") && !seen_index.insert(row.index).second)
      throw Error(path, "index " + row.index + " appears twice (line " + std::to_string(line_number) + ")");
    rows_.push_back(std::move(row));
    images_.push_back(std::move(cells));
  }
  check_columns(task, path);
  const bool by_position = task == Task::CinePile && !seen_columns.count("index");
  for (size_t r = 0; r < rows_.size(); ++r) {
    if (by_position) rows_[r].index = std::to_string(r);
    if (rows_[r].index.empty()) throw Error(path, "row " + std::to_string(r + 1) + " has no index");
  }
}

void EvalData::note_row_problems(Task task) {
  const bool video_task = task_family(task) == TaskFamily::VideoMultipleChoice;
  for (size_t r = 0; r < rows_.size(); ++r) {
    if (!problems_[r].empty()) continue;  // found while preparing the row (CinePile)
    const auto answer = rows_[r].fields.find("answer");
    if (answer == rows_[r].fields.end() || pandas_reads_as_nan(answer->second)) problems_[r] = "the row has no answer";
    else if (!images_[r].problem.empty()) problems_[r] = images_[r].problem;
    else if (task == Task::VideoMME && pandas_reads_as_nan(rows_[r].fields["video"])) problems_[r] = "the row names no video";
    else if (task == Task::CinePile && cinepile_video_name(rows_[r]).empty()) problems_[r] = "the row names no video";
    else if (!video_task && images_[r].base64.empty() && images_[r].paths.empty()) problems_[r] = "the row has no image";
  }
}

std::vector<Content> EvalData::images(size_t i, bool as_stored) const {
  std::vector<Content> items;
  const ImageCells& cells = images_[i];
  for (const std::string& p : cells.paths) {
    if (!fs::is_regular_file(p)) throw Error(p, "image file not found");
    items.push_back(Content::image_item(p));
  }
  for (std::string_view cell : cells.base64) {
    const std::vector<std::string> encoded = cell_items(cell);
    for (size_t k = 0; k < encoded.size(); ++k) {
      const std::string what = "image" + (encoded.size() > 1 ? " " + std::to_string(k + 1) : std::string());
      std::vector<uint8_t> bytes;
      if (!base64_decode(encoded[k], bytes) || bytes.empty()) throw Error(what, "the image column holds no valid base64");
      items.push_back(Content::image_bytes_item(as_stored ? std::move(bytes) : vlmevalkit_saved_jpeg(bytes, what)));
    }
  }
  return items;
}

}  // namespace smolvlm::eval

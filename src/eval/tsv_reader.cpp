#include "eval/tsv_reader.h"

#include <algorithm>
#include <array>
#include <memory>

#include "core/error.h"

namespace smolvlm::eval {
namespace {

// One record from `pos`: cells split on tabs, quoted cells unescaped.
class RecordParser {
 public:
  RecordParser(std::string_view text, const std::string& what, TsvTable& table)
      : text_(text), what_(what), table_(table) {}

  bool at_end() const { return pos_ >= text_.size(); }
  size_t line() const { return line_; }

  void skip_blank_lines() {
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }

  std::vector<std::string_view> record() {
    std::vector<std::string_view> cells;
    while (true) {
      cells.push_back(pos_ < text_.size() && text_[pos_] == '"' ? quoted_cell() : plain_cell());
      if (pos_ >= text_.size()) break;
      const char c = text_[pos_++];
      if (c == '\t') {
        if (pos_ >= text_.size()) {  // a trailing tab ends in an empty cell
          cells.emplace_back();
          break;
        }
        continue;
      }
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      break;
    }
    return cells;
  }

 private:
  std::string_view plain_cell() {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '\t' && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // pandas' C parser: "..." with "" for a quote; text after the closing quote
  // up to the next tab joins the cell.
  std::string_view quoted_cell() {
    const size_t start_line = line_;
    auto out = std::make_unique<std::string>();
    ++pos_;
    bool closed = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          out->push_back('"');
          ++pos_;
          continue;
        }
        closed = true;
        break;
      }
      if (c == '\n') ++line_;
      out->push_back(c);
    }
    if (!closed) throw Error(what_, "line " + std::to_string(start_line) + ": a quoted cell is never closed");
    const std::string_view rest = plain_cell();
    out->append(rest);
    table_.unescaped.push_back(std::move(out));
    return *table_.unescaped.back();
  }

  std::string_view text_;
  const std::string& what_;
  TsvTable& table_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

}  // namespace

size_t TsvTable::column(std::string_view name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? std::string::npos : static_cast<size_t>(it - header.begin());
}

TsvTable parse_tsv(std::string_view text, const std::string& what) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  TsvTable table;
  RecordParser parser(text, what, table);
  parser.skip_blank_lines();
  if (parser.at_end()) throw Error(what, "is empty (no header row)");
  for (std::string_view name : parser.record()) table.header.emplace_back(name);
  while (true) {
    parser.skip_blank_lines();
    if (parser.at_end()) break;
    const size_t line = parser.line();
    std::vector<std::string_view> cells = parser.record();
    if (cells.size() > table.header.size())
      throw Error(what, "line " + std::to_string(line) + " has " + std::to_string(cells.size()) +
                            " tab-separated cells but the header has " + std::to_string(table.header.size()));
    cells.resize(table.header.size());
    table.rows.push_back(std::move(cells));
    table.line_numbers.push_back(line);
  }
  return table;
}

bool pandas_reads_as_nan(std::string_view cell) {
  static constexpr std::array<std::string_view, 19> kNaValues = {
      "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
      "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"};
  return std::find(kNaValues.begin(), kNaValues.end(), cell) != kNaValues.end();
}

}  // namespace smolvlm::eval

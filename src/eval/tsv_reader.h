// Tab-separated tables as VLMEvalKit writes and reads them (pandas
// `to_csv(sep='\t')` / `read_csv(sep='\t')`, vlmeval/smp/file.py load): a
// header row, then one record per row. A field that starts with '"' is quoted:
// it may hold tabs and line breaks, and "" inside it is one '"' (MathVista's
// and MMMU's questions span lines). Blank lines are skipped, \r\n ends a line
// as \n does. The cells are views into the text, which must outlive the table.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval {

struct TsvTable {
  std::vector<std::string> header;
  // rows[i][j]: the j-th cell of data row i; rows with fewer cells than the
  // header are padded with empty cells (pandas reads them as NaN). Quoted cells
  // with "" are unescaped into `unescaped` and viewed from there.
  std::vector<std::vector<std::string_view>> rows;
  std::vector<size_t> line_numbers;  // 1-based line where each data row starts
  std::vector<std::unique_ptr<std::string>> unescaped;

  // Index of a header column, or npos.
  size_t column(std::string_view name) const;
};

// Parses `text` (named `what` in errors). Throws Error for an empty file, an
// unterminated quote, or a row with more cells than the header (pandas:
// "Expected N fields in line L, saw M").
TsvTable parse_tsv(std::string_view text, const std::string& what);

// Whether pandas' read_csv reads this cell as NaN (its default na_values:
// "", "NA", "N/A", "NaN", "nan", "null", "None", ...). VLMEvalKit tests option,
// hint and answer cells with pd.isna, so such a cell is no option at all.
bool pandas_reads_as_nan(std::string_view cell);

}  // namespace smolvlm::eval

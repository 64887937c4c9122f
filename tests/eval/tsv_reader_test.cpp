// VLMEvalKit TSV and JSONL benchmark files: pandas' quoting, the fixtures'
// tiny TSVs, shared-image references, and the clear errors for malformed files.
#include <gtest/gtest.h>

#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"
#include "eval/eval_data.h"
#include "eval/tsv_reader.h"

namespace smolvlm::eval {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string tiny_tsv(const std::string& name) { return testing::fixtures_dir() + "/eval/tsv/" + name + "_tiny.tsv"; }

// The fixture's first image cell, a real base64 JPEG.
std::string fixture_image_base64() {
  std::ifstream in(tiny_tsv("textvqa"));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  const size_t start = row.find('\t') + 1;
  return row.substr(start, row.find('\t', start) - start);
}

TEST(Tsv, QuotedCellsHoldTabsLineBreaksAndQuotes) {
  const std::string text =
      "index\tquestion\tanswer\r\n"
      "0\t\"Hint: x\nQuestion: \"\"y\"\"\tz\"\tA\r\n"
      "\n"
      "1\tplain \"inner\" quote\n"
      "2\t\"a\"b\tc\n";
  const TsvTable t = parse_tsv(text, "t.tsv");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0][1], "Hint: x\nQuestion: \"y\"\tz");
  EXPECT_EQ(t.rows[0][2], "A");
  EXPECT_EQ(t.rows[1][1], "plain \"inner\" quote");
  EXPECT_EQ(t.rows[1][2], "");  // a short row: pandas' NaN
  EXPECT_EQ(t.rows[2][1], "ab");
  EXPECT_EQ(t.line_numbers[2], 6u);  // the quoted cell spans lines 2-3, line 4 is blank
}

TEST(Tsv, MalformedTablesNameTheFileAndLine) {
  EXPECT_NE(error_of([] { parse_tsv("a\tb\n1\t2\t3\n", "x.tsv"); }).find("x.tsv: line 2 has 3"), std::string::npos);
  EXPECT_NE(error_of([] { parse_tsv("a\n\"open\n", "x.tsv"); }).find("never closed"), std::string::npos);
  EXPECT_NE(error_of([] { parse_tsv("\n\n", "x.tsv"); }).find("empty"), std::string::npos);
}

TEST(Tsv, PandasNaCells) {
  for (const char* cell : {"", "nan", "NaN", "None", "NA", "N/A", "null"}) EXPECT_TRUE(pandas_reads_as_nan(cell)) << cell;
  for (const char* cell : {" ", "none", "0", "Nan?"}) EXPECT_FALSE(pandas_reads_as_nan(cell)) << cell;
}

TEST(EvalData, FixtureTinyTsvsReadWithTheirImages) {
  const EvalData docvqa = EvalData::open(tiny_tsv("docvqa"), Task::DocVQA);
  ASSERT_EQ(docvqa.size(), 3u);
  EXPECT_EQ(docvqa.row(1).index, "1");
  EXPECT_EQ(docvqa.row(1).fields.at("answer"), "['$1,250.00', '1,250.00']");
  EXPECT_EQ(docvqa.row(1).fields.at("category"), "form");
  EXPECT_EQ(docvqa.row(1).fields.count("image"), 0u);
  const std::vector<Content> images = docvqa.images(2);
  ASSERT_EQ(images.size(), 1u);
  ASSERT_GT(images[0].image_bytes.size(), 2u);
  EXPECT_EQ(images[0].image_bytes[0], 0xFF);  // a JPEG
  EXPECT_EQ(images[0].image_bytes[1], 0xD8);
  const EvalData mmstar = EvalData::open(tiny_tsv("mmstar"), Task::MMStar);
  EXPECT_EQ(mmstar.row(0).fields.at("A"), "2");
  EXPECT_EQ(mmstar.row_problem(0), "");
}

TEST(EvalData, MissingColumnsAndWrongPairingsStopNamingColumnAndTask) {
  const std::string vqa_as_mcq = error_of([] { EvalData::open(tiny_tsv("docvqa"), Task::MMStar); });
  EXPECT_NE(vqa_as_mcq.find("no \"A\" column, which task mmstar needs"), std::string::npos) << vqa_as_mcq;
  const std::string mcq_as_vqa = error_of([] { EvalData::open(tiny_tsv("mmstar"), Task::TextVQA); });
  EXPECT_NE(mcq_as_vqa.find("multiple-choice file, not one for the open-ended task textvqa"), std::string::npos)
      << mcq_as_vqa;
  testing::TempDir dir;
  write_file(dir.file("no_answer.tsv"), "index\timage\tquestion\n0\tAAAA\tq\n");
  const std::string no_answer = error_of([&] { EvalData::open(dir.file("no_answer.tsv"), Task::DocVQA); });
  EXPECT_NE(no_answer.find("no \"answer\" column, which task docvqa needs"), std::string::npos) << no_answer;
  write_file(dir.file("ocr.tsv"), "index\timage\tquestion\tanswer\n0\tAAAA\tq\t['a']\n");
  EXPECT_NE(error_of([&] { EvalData::open(dir.file("ocr.tsv"), Task::OCRBench); }).find("\"category\""),
            std::string::npos);
  write_file(dir.file("dup.tsv"), "index\timage\tquestion\tanswer\n0\tAAAA\tq\ta\n0\tAAAA\tq\ta\n");
  EXPECT_NE(error_of([&] { EvalData::open(dir.file("dup.tsv"), Task::DocVQA); }).find("index 0 appears twice"),
            std::string::npos);
  EXPECT_NE(error_of([&] { EvalData::open(dir.file("dup.csv"), Task::DocVQA); }).find("unknown data file type"),
            std::string::npos);
}

TEST(EvalData, RowProblemsStayWithTheirRow) {
  testing::TempDir dir;
  const std::string image = fixture_image_base64();
  write_file(dir.file("rows.tsv"), "index\timage\tquestion\tanswer\n"
                                   "10\t" + image + "\tq0\t['a']\n"
                                   "11\t10\tq1\t['b']\n"             // shares row 10's image
                                   "12\t" + std::string(80, '%') + "\tq2\t['c']\n"
                                   "13\t" + image + "\tq3\t\n"       // no answer
                                   "14\t99\tq4\t['d']\n");           // refers to no row
  const EvalData data = EvalData::open(dir.file("rows.tsv"), Task::TextVQA);
  ASSERT_EQ(data.size(), 5u);
  EXPECT_EQ(data.images(1)[0].image_bytes, data.images(0)[0].image_bytes);
  EXPECT_NE(error_of([&] { data.images(2); }).find("no valid base64"), std::string::npos);
  EXPECT_EQ(data.row_problem(3), "the row has no answer");
  EXPECT_NE(data.row_problem(4).find("\"99\" (64 characters or fewer: a row index) names no row"), std::string::npos);
  EXPECT_EQ(data.row_problem(0), "");
}

TEST(EvalData, JsonlRowsWithLocalImagePaths) {
  testing::TempDir dir;
  const std::string image = testing::fixtures_dir() + "/images/photo_320x240.jpg";
  write_file(dir.file("local.jpg"), "");
  write_file(dir.file("data.jsonl"),
             "{\"index\": 5, \"image\": \"local.jpg\", \"question\": \"q\", \"answer\": [\"a\", \"b\"], \"category\": \"c\"}\n"
             "\n"
             "{\"index\": \"6\", \"image\": [\"" + image + "\"], \"question\": \"q2\", \"answer\": \"x\"}\n");
  const EvalData data = EvalData::open(dir.file("data.jsonl"), Task::DocVQA);
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data.row(0).index, "5");
  EXPECT_EQ(data.row(0).fields.at("answer"), "['a', 'b']");
  EXPECT_EQ(data.images(0)[0].image_path, dir.file("local.jpg"));
  EXPECT_EQ(data.images(1)[0].image_path, image);
  write_file(dir.file("bad.jsonl"), "{\"index\": 1, \"image\": \"x.jpg\", \"answer\": \"a\"}\n");
  EXPECT_NE(error_of([&] { EvalData::open(dir.file("bad.jsonl"), Task::DocVQA); }).find("\"question\""),
            std::string::npos);
  write_file(dir.file("gone.jsonl"), "{\"index\": 1, \"image\": \"gone.jpg\", \"question\": \"q\", \"answer\": \"a\"}\n");
  EXPECT_NE(error_of([&] { EvalData::open(dir.file("gone.jsonl"), Task::DocVQA).images(0); }).find("not found"),
            std::string::npos);
}

}  // namespace
}  // namespace smolvlm::eval

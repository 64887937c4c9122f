// Bad input through the CLI: one clear error line naming the file and the
// problem, a non-zero exit, no crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fixtures.h"

namespace smolvlm {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::shell_quote;
using testing::TempDir;

std::string fixture_model(const std::string& name) { return testing::fixtures_dir() + "/models/" + name; }

CommandResult smolvlm(const std::string& args) { return testing::run_command(shell_quote(testing::cli_path()) + " " + args); }

// A writable copy of a fixture checkpoint to break.
std::string copy_model(const TempDir& dir, const std::string& name) {
  const std::string out = dir.file(name);
  fs::copy(fixture_model(name), out, fs::copy_options::recursive);
  for (const auto& e : fs::directory_iterator(out)) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  return out;
}

void expect_clean_failure(const CommandResult& r, const std::string& expected_in_message) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("smolvlm: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(expected_in_message), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one error line expected: " << r.err;
}

std::string run_args(const std::string& model) { return "run --model " + shell_quote(model) + " --prompt hi --max-new-tokens 2"; }

TEST(CliBadInput, MissingModelFolder) {
  expect_clean_failure(smolvlm(run_args("/nonexistent/model")), "/nonexistent/model: is not a checkpoint folder");
}

TEST(CliBadInput, MissingWeights) {
  TempDir dir;
  const std::string model = copy_model(dir, "tiny-smolvlm");
  fs::remove(model + "/model.safetensors");
  expect_clean_failure(smolvlm(run_args(model)), "no model.safetensors");
}

TEST(CliBadInput, TruncatedSafetensors) {
  TempDir dir;
  const std::string model = copy_model(dir, "tiny-smolvlm");
  fs::resize_file(model + "/model.safetensors", fs::file_size(model + "/model.safetensors") / 2);
  expect_clean_failure(smolvlm(run_args(model)), "model.safetensors: tensor ");
}

TEST(CliBadInput, HeaderThatLies) {
  TempDir dir;
  const std::string model = copy_model(dir, "tiny-smolvlm");
  std::fstream f(model + "/model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
  const uint64_t huge = uint64_t{1} << 40;
  f.write(reinterpret_cast<const char*>(&huge), 8);
  f.close();
  expect_clean_failure(smolvlm(run_args(model)), "header length");
}

TEST(CliBadInput, WrongShapeWeight) {
  TempDir dir;
  const std::string model = copy_model(dir, "tiny-smolvlm");
  // Claim a larger hidden size than the weights have.
  std::ifstream in(model + "/config.json");
  std::string config((std::istreambuf_iterator<char>(in)), {});
  in.close();
  const std::string from = "\"intermediate_size\": 128", to = "\"intermediate_size\": 96";
  ASSERT_NE(config.find(from), std::string::npos);
  config.replace(config.find(from), from.size(), to);
  std::ofstream(model + "/config.json") << config;
  expect_clean_failure(smolvlm(run_args(model)), "expected [96, 64]");
}

TEST(CliBadInput, UnknownArchitecture) {
  TempDir dir;
  const std::string model = copy_model(dir, "tiny-smolvlm");
  std::ofstream(model + "/config.json") << R"({"architectures": ["WhisperForConditionalGeneration"]})";
  expect_clean_failure(smolvlm(run_args(model)), "unsupported architecture \"WhisperForConditionalGeneration\"");
}

TEST(CliBadInput, UnsupportedTokenizerModel) {
  TempDir dir;
  const std::string model = copy_model(dir, "tiny-smolvlm");
  std::ofstream(model + "/tokenizer.json") << R"({"model": {"type": "WordPiece", "vocab": {}}})";
  expect_clean_failure(smolvlm(run_args(model)), "tokenizer.json");
}

TEST(CliBadInput, MalformedConfigJson) {
  TempDir dir;
  const std::string model = copy_model(dir, "tiny-smolvlm");
  std::ofstream(model + "/config.json") << "{\"architectures\": [";
  expect_clean_failure(smolvlm(run_args(model)), "config.json: malformed JSON");
}

TEST(CliBadInput, PromptBeyondMaxPositions) {
  TempDir dir;
  const std::string model = copy_model(dir, "tiny-smolvlm-256m");
  std::ifstream in(model + "/config.json");
  std::string config((std::istreambuf_iterator<char>(in)), {});
  in.close();
  const std::string from = "\"max_position_embeddings\": 8192";
  ASSERT_NE(config.find(from), std::string::npos);
  config.replace(config.find(from), from.size(), "\"max_position_embeddings\": 16");
  std::ofstream(model + "/config.json") << config;
  const CommandResult r =
      smolvlm("run --model " + shell_quote(model) + " --prompt " + shell_quote(std::string(200, 'x') + " long prompt"));
  expect_clean_failure(r, "exceed the model's max_position_embeddings of 16");
}

TEST(CliBadInput, MalformedMessagesFile) {
  TempDir dir;
  std::ofstream(dir.file("m.json")) << R"([{"role": "user", "content": 5}])";
  expect_clean_failure(smolvlm("run --model " + shell_quote(fixture_model("tiny-smolvlm")) + " --messages " +
                               shell_quote(dir.file("m.json"))),
                       "messages[0].content: must be a string or a list");
}

TEST(CliBadInput, UsageErrorsExitWithTwo) {
  EXPECT_EQ(smolvlm("run --prompt hi").exit_code, 2);
  EXPECT_EQ(smolvlm("run --model x --prompt hi --max-new-tokens lots").exit_code, 2);
  EXPECT_EQ(smolvlm("run --bogus").exit_code, 2);
  EXPECT_EQ(smolvlm("frobnicate").exit_code, 2);
  const CommandResult help = smolvlm("run --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--max-new-tokens"), std::string::npos);
}

}  // namespace
}  // namespace smolvlm

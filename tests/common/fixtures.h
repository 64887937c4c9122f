// Where the tests find the ground truth and the built CLI.
#pragma once

#include <string>

namespace smolvlm::testing {

// SMOLVLM_FIXTURES if set, else ../shared/fixtures beside the checkout.
std::string fixtures_dir();
// The smolvlm program built alongside the tests.
std::string cli_path();
// The source checkout (for test scripts under tests/).
std::string source_dir();

// A fresh temporary folder, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs a shell command line, capturing stdout and stderr separately.
CommandResult run_command(const std::string& command_line);

// Shell-quotes one argument.
std::string shell_quote(const std::string& arg);

}  // namespace smolvlm::testing

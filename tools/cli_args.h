// A small declarative command-line parser for the smolvlm subcommands:
// --name VALUE options (optionally repeatable) and --name flags, with --help.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace smolvlm::cli {

// Bad command-line usage: printed with a hint to --help, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ArgParser {
 public:
  ArgParser(std::string command, std::string usage, std::string summary);

  ArgParser& option(const std::string& name, const std::string& value_name, const std::string& help,
                    bool repeatable = false);
  ArgParser& flag(const std::string& name, const std::string& help);

  // Parses argv[first..argc); returns false when --help was asked (help printed to stdout).
  bool parse(int argc, char** argv, int first);

  bool has(const std::string& name) const;
  std::optional<std::string> get(const std::string& name) const;
  std::string require(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  std::optional<int64_t> get_int(const std::string& name) const;
  std::optional<double> get_double(const std::string& name) const;

  std::string help_text() const;

 private:
  struct Spec {
    std::string name, value_name, help;
    bool takes_value = false, repeatable = false;
  };
  const Spec* find(const std::string& name) const;

  std::string command_, usage_, summary_;
  std::vector<Spec> specs_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace smolvlm::cli

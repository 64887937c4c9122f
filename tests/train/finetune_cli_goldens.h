// Running `smolvlm finetune` / `smolvlm dpo` from the tests and reading what
// --dump-tensors wrote (tools/train_report.h names), for the CLI golden tests.
// Header-only (tests/train globs *_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/fixtures.h"
#include "io/safetensors.h"
#include "training_goldens.h"

namespace smolvlm::train::testing {

using smolvlm::testing::cli_path;
using smolvlm::testing::CommandResult;
using smolvlm::testing::run_command;
using smolvlm::testing::shell_quote;

// `smolvlm <command> --model tiny <args...>`; stderr kept for the messages.
inline CommandResult run_train_cli(const std::string& command, const std::vector<std::string>& args) {
  std::string line = shell_quote(cli_path()) + " " + command + " --model " + shell_quote(tiny_model_dir()) +
                     " --threads 2";
  for (const std::string& a : args) line += " " + shell_quote(a);
  return run_command(line);
}

// A dump's tensors as f32 vectors.
struct Dump {
  TensorStore store;
  explicit Dump(const std::string& path) : store(TensorStore::open_file(path)) {}
  std::vector<float> get(const std::string& name) const { return to_f32(store.get(name)); }
  bool has(const std::string& name) const { return store.contains(name); }
};

inline std::string data_file(const std::string& name) { return training_dir() + "/data/" + name; }
inline std::string golden_config(const std::string& golden) { return training_dir() + "/" + golden + "/config.json"; }

}  // namespace smolvlm::train::testing

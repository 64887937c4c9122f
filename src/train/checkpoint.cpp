#include "train/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "core/sha256.h"
#include "io/atomic_file.h"
#include "model/lora_io.h"
#include "train/full_checkpoint.h"

namespace smolvlm::train {
namespace {

namespace fs = std::filesystem;

void sync_tree(const std::string& dir) {
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() || e.is_directory()) sync_path(e.path().string());
  sync_path(dir);
}

// Settings a resumed run may change without changing what it computes so far.
const std::set<std::string> kResumableChanges = {"max_steps", "epochs", "save_every", "eval_every",
                                                 "gradient_checkpointing", "adapter_init"};

}  // namespace

std::string save_folder_atomically(const std::string& out_dir, const std::string& name,
                                   const std::function<void(const std::string&)>& write, const std::string& previous) {
  static std::atomic<unsigned> counter{0};
  const std::string final_path = out_dir + "/" + name;
  const std::string temp = out_dir + "/." + name + ".tmp-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter++);
  try {
    std::error_code ec;
    if (!fs::create_directories(temp, ec)) throw Error(temp, "cannot create the temp folder: " + ec.message());
    write(temp);
    sync_tree(temp);
    const std::string old = temp + ".old";
    if (fs::exists(final_path)) fs::rename(final_path, old);
    fs::rename(temp, final_path);
    fs::remove_all(old, ec);
    sync_path(out_dir);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove_all(temp, ec);
    const std::string kept = previous.empty() ? "no earlier checkpoint exists" : "the previous checkpoint " +
                                                                                     previous + " is kept";
    throw Error(final_path, std::string("could not be saved (") + e.what() + "); " + kept);
  }
  return final_path;
}

std::string save_training_checkpoint(const std::string& out_dir, const CheckpointContents& c,
                                     const std::string& previous) {
  const int64_t step = c.progress.at("step").get<int64_t>();
  return save_folder_atomically(
      out_dir, "checkpoint-" + std::to_string(step),
      [&](const std::string& dir) {
        if (c.adapter) save_lora_adapter(*c.adapter, dir);
        else write_full_checkpoint(c.model_dir, c.tensors, dir, DType::F32);
        c.optimizer->save_state(dir + "/" + kOptimizerFile);
        Json state = c.progress;
        state["config"] = config_to_json(*c.config);
        state["data_sha256"] = c.data_sha256;
        write_text_file_atomically(dir + "/" + kTrainerStateFile, state.dump(2) + "\n");
      },
      previous);
}

Json read_resume_state(const std::string& dir, const FinetuneConfig& config, const std::string& data_sha256) {
  const std::string path = dir + "/" + kTrainerStateFile;
  if (!fs::is_directory(dir)) throw Error(dir, "is not a checkpoint folder (--resume takes OUT/checkpoint-<step>)");
  if (!fs::exists(path)) throw Error(dir, "has no trainer_state.json; not a checkpoint folder of smolvlm finetune");
  const Json state = read_json_file(path);
  if (!state.contains("config") || !state.contains("step"))
    throw Error(path, "has no config or step; not a checkpoint of smolvlm finetune");
  if (state.value("data_sha256", std::string()) != data_sha256)
    throw Error(dir, "was trained on other data (the data file's SHA-256 differs); resume with the same --data");
  const Json now = config_to_json(config);
  const Json& then = state["config"];
  for (const auto& [key, value] : now.items()) {
    if (kResumableChanges.count(key)) continue;
    const Json old = then.contains(key) ? then[key] : Json();
    if (old != value)
      throw Error(dir, "does not match this run: " + key + " was " + old.dump() + ", now " + value.dump());
  }
  return state;
}

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path, "cannot open");
  Sha256 h;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  return h.hex_digest();
}

}  // namespace smolvlm::train

#include "io/checkpoint_folder.h"

#include <filesystem>
#include <set>

#include "core/error.h"

namespace smolvlm {

namespace fs = std::filesystem;

std::vector<std::string> checkpoint_shard_files(const std::string& model_dir, Json* index) {
  const std::string index_path = model_dir + "/" + kSafetensorsIndexFile;
  if (!fs::exists(index_path)) return {"model.safetensors"};
  *index = read_json_file(index_path);
  if (!index->contains("weight_map") || !(*index)["weight_map"].is_object())
    throw Error(index_path, "has no weight_map object");
  std::set<std::string> files;
  for (const auto& [name, file] : (*index)["weight_map"].items()) {
    if (!file.is_string()) throw Error(index_path + ": weight_map." + name, "expected a file name");
    files.insert(file.get<std::string>());
  }
  return {files.begin(), files.end()};
}

void copy_checkpoint_side_files(const std::string& model_dir, const std::string& out_dir) {
  for (const fs::directory_entry& entry : fs::directory_iterator(model_dir)) {
    const std::string name = entry.path().filename().string();
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || name == kSafetensorsIndexFile) continue;
    if (ext != ".json" && ext != ".jinja" && ext != ".txt" && ext != ".model") continue;
    fs::copy_file(entry.path(), fs::path(out_dir) / name, fs::copy_options::overwrite_existing);
  }
}

}  // namespace smolvlm

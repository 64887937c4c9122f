// merge_lora_checkpoint: the merged Hugging Face checkpoint folder.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "io/checkpoint_folder.h"
#include "core/json_file.h"
#include "io/model_config.h"
#include "io/safetensors.h"
#include "io/safetensors_stream.h"
#include "train/lora_merge.h"

namespace smolvlm::train {
namespace {

namespace fs = std::filesystem;

// The deltas to add to one weight, in merge order.
using Deltas = std::vector<std::pair<const LoraModule*, float>>;

std::map<std::string, Deltas> deltas_by_weight(const std::vector<ScaledLora>& adapters) {
  std::map<std::string, Deltas> by_weight;
  for (const ScaledLora& lora : adapters)
    for (const LoraModule& m : lora.adapter.modules) by_weight[m.name + ".weight"].push_back({&m, lora.factor()});
  return by_weight;
}

bool is_floating(DType t) { return t == DType::F32 || t == DType::BF16 || t == DType::F16 || t == DType::F64; }

std::span<const uint8_t> bytes_of(const std::vector<float>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)};
}

std::vector<uint8_t> to_bf16_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> out(v.size() * 2);
  for (size_t i = 0; i < v.size(); ++i) {
    const uint16_t h = f32_to_bf16(v[i]);
    std::memcpy(out.data() + 2 * i, &h, 2);
  }
  return out;
}

// One output shard: every tensor of `in`, merged ones replaced. Returns its
// data bytes; `merged` collects the weights that got their deltas.
uint64_t write_shard(const SafetensorsFile& in, const std::string& out_path, const std::map<std::string, Deltas>& deltas,
                     DType out_dtype, std::set<std::string>& merged) {
  std::vector<const TensorView*> views;
  std::vector<TensorHeader> headers;
  uint64_t total = 0;
  for (const auto& [name, view] : in.tensors()) {
    const bool convert = deltas.count(name) != 0 || (out_dtype == DType::F32 && is_floating(view.dtype));
    if (deltas.count(name) != 0 && !is_floating(view.dtype))
      throw Error(in.path() + ": tensor " + name, "is " + std::string(dtype_name(view.dtype)) +
                                                      "; LoRA merges into floating weights only");
    views.push_back(&view);
    headers.push_back({name, convert ? out_dtype : view.dtype, view.shape});
    total += headers.back().size_bytes();
  }
  std::map<std::string, std::string> metadata = in.metadata();
  metadata.emplace("format", "pt");  // transformers refuses safetensors shards without it
  write_safetensors_streamed(out_path, headers, metadata, [&](size_t i, const EmitBytes& emit) {
    const TensorView& view = *views[i];
    if (headers[i].dtype == view.dtype && deltas.count(view.name) == 0) {
      emit({view.data, view.size_bytes});
      return;
    }
    std::vector<float> values = to_f32(view);
    if (const auto it = deltas.find(view.name); it != deltas.end()) {
      for (const auto& [module, factor] : it->second) add_lora_delta(*module, factor, values);
      merged.insert(view.name);
    }
    if (headers[i].dtype == DType::F32) emit(bytes_of(values));
    else emit(to_bf16_bytes(values));
  });
  return total;
}

// A folder beside out_dir, removed unless release() was called.
class TempFolder {
 public:
  explicit TempFolder(const std::string& out_dir) {
    static std::atomic<unsigned> counter{0};
    path_ = out_dir + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    std::error_code ec;
    if (!fs::create_directories(path_, ec)) throw Error(path_, "cannot create the temp folder: " + ec.message());
  }
  ~TempFolder() {
    std::error_code ec;
    if (!released_) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void release() { released_ = true; }

 private:
  std::string path_;
  bool released_ = false;
};

void check_out_dir(const std::string& out_dir) {
  std::error_code ec;
  if (!fs::exists(out_dir, ec)) return;
  if (!fs::is_directory(out_dir) || !fs::is_empty(out_dir))
    throw Error(out_dir, "already exists and is not an empty folder; choose a new --out");
}

void write_index(const Json& base_index, uint64_t total_size, const std::string& path) {
  Json index = base_index;
  index["metadata"]["total_size"] = total_size;
  std::ofstream out(path);
  out << index.dump(2) << "\n";
  out.flush();
  if (!out) throw Error(path, "write failed (disk full?)");
}

}  // namespace

void merge_lora_checkpoint(const MergeOptions& options) {
  if (options.dtype != DType::BF16 && options.dtype != DType::F32)
    throw Error("merge", "output dtype must be bf16 or f32");
  if (options.adapters.empty()) throw Error("merge", "needs at least one adapter");
  check_out_dir(options.out_dir);
  const std::map<std::string, Deltas> deltas = deltas_by_weight(options.adapters);

  TempFolder temp(options.out_dir);
  Json index;
  uint64_t total_size = 0;
  std::set<std::string> merged;
  for (const std::string& file : checkpoint_shard_files(options.model_dir, &index)) {
    const SafetensorsFile shard(options.model_dir + "/" + file);
    total_size += write_shard(shard, temp.path() + "/" + file, deltas, options.dtype, merged);
  }
  for (const auto& [name, list] : deltas)
    if (merged.count(name) == 0)
      throw Error(options.model_dir + ": tensor " + name, "missing (an adapter targets " + list.front().first->name + ")");
  if (!index.is_null()) write_index(index, total_size, temp.path() + "/" + kSafetensorsIndexFile);
  copy_checkpoint_side_files(options.model_dir, temp.path());

  std::error_code ec;
  if (fs::exists(options.out_dir)) fs::remove(options.out_dir, ec);  // the empty folder check_out_dir allowed
  fs::rename(temp.path(), options.out_dir, ec);
  if (ec) throw Error(options.out_dir, "cannot rename the finished temp folder onto it: " + ec.message());
  temp.release();
}

}  // namespace smolvlm::train

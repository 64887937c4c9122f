#include "train/full_checkpoint.h"

#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "io/checkpoint_folder.h"
#include "core/json_file.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "io/safetensors_stream.h"

namespace smolvlm::train {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> encode(std::span<const float> values, DType dtype, const std::string& name) {
  std::vector<uint8_t> out(values.size() * dtype_size_bytes(dtype));
  for (size_t i = 0; i < values.size(); ++i) {
    if (dtype == DType::F32) {
      std::memcpy(out.data() + 4 * i, &values[i], 4);
    } else if (dtype == DType::BF16 || dtype == DType::F16) {
      const uint16_t h = dtype == DType::BF16 ? f32_to_bf16(values[i]) : f32_to_f16(values[i]);
      std::memcpy(out.data() + 2 * i, &h, 2);
    } else {
      throw Error("tensor " + name, "cannot be saved as " + std::string(dtype_name(dtype)));
    }
  }
  return out;
}

// One shard of the base with the trained tensors replaced; returns its data bytes.
uint64_t write_shard(const SafetensorsFile& in, const std::string& out_path,
                     const std::map<std::string, const TrainableTensor*>& trained, std::optional<DType> dtype,
                     std::set<std::string>& written) {
  std::vector<const TensorView*> views;
  std::vector<TensorHeader> headers;
  uint64_t total = 0;
  for (const auto& [name, view] : in.tensors()) {
    const bool replaced = trained.count(name) != 0;
    views.push_back(&view);
    headers.push_back({name, replaced && dtype ? *dtype : view.dtype, view.shape});
    total += headers.back().size_bytes();
  }
  std::map<std::string, std::string> metadata = in.metadata();
  metadata.emplace("format", "pt");
  write_safetensors_streamed(out_path, headers, metadata, [&](size_t i, const EmitBytes& emit) {
    const auto it = trained.find(views[i]->name);
    if (it == trained.end()) {
      emit({views[i]->data, views[i]->size_bytes});
      return;
    }
    if (static_cast<int64_t>(it->second->value.size()) != views[i]->numel())
      throw Error("tensor " + views[i]->name, "trained values differ in size from the base's");
    emit(encode(it->second->value, headers[i].dtype, views[i]->name));
    written.insert(views[i]->name);
  });
  return total;
}

}  // namespace

void write_full_checkpoint(const std::string& model_dir, std::span<const TrainableTensor> trained,
                           const std::string& dir, std::optional<DType> dtype) {
  std::map<std::string, const TrainableTensor*> by_name;
  for (const TrainableTensor& t : trained) by_name[t.name] = &t;
  Json index;
  uint64_t total_size = 0;
  std::set<std::string> written;
  for (const std::string& file : checkpoint_shard_files(model_dir, &index)) {
    const SafetensorsFile shard(model_dir + "/" + file);
    total_size += write_shard(shard, dir + "/" + file, by_name, dtype, written);
  }
  for (const auto& [name, t] : by_name)
    if (written.count(name) == 0) throw Error(model_dir + ": tensor " + name, "missing (it was trained)");
  copy_checkpoint_side_files(model_dir, dir);
  if (!index.is_null()) {
    index["metadata"]["total_size"] = total_size;
    write_text_file_atomically(dir + "/" + kSafetensorsIndexFile, index.dump(2) + "\n");
  }
}

void read_full_checkpoint(const std::string& dir, std::span<TrainableTensor> tensors) {
  const TensorStore store = TensorStore::open_dir(dir);
  for (TrainableTensor& t : tensors) {
    if (!store.contains(t.name)) throw Error(dir + ": tensor " + t.name, "missing from the checkpoint");
    const std::vector<float> values = to_f32(store.get(t.name));
    if (values.size() != t.value.size())
      throw Error(dir + ": tensor " + t.name, "has " + std::to_string(values.size()) + " values; the model's has " +
                                                  std::to_string(t.value.size()));
    std::copy(values.begin(), values.end(), t.value.begin());
  }
}

}  // namespace smolvlm::train

// safetensors checkpoints: one file, or HF shards listed by
// model.safetensors.index.json. Tensors are views into mmapped files, in their
// stored dtype; headers are validated before anything is trusted.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/mapped_file.h"

namespace smolvlm {

// A read-only view of one stored tensor.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;
  size_t size_bytes = 0;

  int64_t numel() const;
  int64_t dim(size_t i) const { return shape.at(i); }
};

// One .safetensors file. The header must be a JSON object of
// {"name": {"dtype","shape","data_offsets"}} (+ optional "__metadata__" of strings),
// data_offsets inside the data section, sizes equal to dtype x shape, no overlaps.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);  // throws Error naming the file

  const std::string& path() const { return file_.path(); }
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  MappedFile file_;
  std::map<std::string, TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// All tensors of a checkpoint folder: model.safetensors, or the shards named by
// model.safetensors.index.json (every listed tensor must be in the shard it names).
struct TensorToWrite;

class TensorStore {
 public:
  static TensorStore open_dir(const std::string& model_dir);
  static TensorStore open_file(const std::string& path);
  // Tensors held in memory rather than mapped from a file (e.g. random weights
  // made for `smolvlm bench --like`, too big to write out first). The store
  // owns the bytes; views stay valid for its lifetime, moves included. Each
  // size must equal dtype x shape and names must be unique, else Error naming
  // `location` and the tensor.
  static TensorStore from_memory(std::string location, std::vector<TensorToWrite> tensors);
  // `base` with some of its tensors replaced by ones held in memory (e.g.
  // weights quantized at load, io/quantized_tensors.h); every replacement must
  // name a tensor of `base`, whose bytes are freed when `base` held them.
  static TensorStore with_replacements(TensorStore base, std::vector<TensorToWrite> replacements);
  // Drops the pages of a mapped tensor from this process's memory (they are
  // read from the file again if touched): after quantizing it at load, its
  // stored bytes would otherwise stay resident. No-op for tensors in memory.
  void release_pages(const std::string& name) const;

  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  // Throws Error("<dir>: tensor NAME", "missing") when absent.
  const TensorView& get(const std::string& name) const;
  // get() plus a shape check; throws Error naming the tensor, expected and found shape.
  const TensorView& get(const std::string& name, const std::vector<int64_t>& shape) const;
  std::vector<std::string> names() const;
  const std::string& location() const { return location_; }

 private:
  std::string location_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  // from_memory: the bytes and their views (vector buffers and map nodes keep
  // their addresses when the store moves, so index_ stays valid).
  std::vector<std::vector<uint8_t>> owned_bytes_;
  std::map<std::string, TensorView> owned_views_;
  std::map<std::string, const TensorView*> index_;
};

// A tensor's bytes already in `dtype` layout (row-major): to write to a file,
// or to hold in a TensorStore::from_memory.
struct TensorToWrite {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

// Writes a safetensors file (header padded to 8 bytes, tensors in the given order).
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Helpers to build TensorToWrite from values.
TensorToWrite tensor_from_f32(std::string name, std::vector<int64_t> shape, const std::vector<float>& values,
                              DType stored_as = DType::F32);
TensorToWrite tensor_from_i32(std::string name, std::vector<int64_t> shape, const std::vector<int32_t>& values);

// Converts any floating tensor (F32/F16/BF16/F64) to f32 values.
std::vector<float> to_f32(const TensorView& t);

}  // namespace smolvlm

#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "core/json_file.h"
#include "io/quantized_tensors.h"

namespace smolvlm {
namespace {

// A header larger than this is not a checkpoint header but a corrupt length field;
// refusing it avoids a giant allocation (real headers are well under 10 MB).
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Multiplies with overflow detection; false when the product exceeds `limit`.
bool checked_mul(uint64_t a, uint64_t b, uint64_t limit, uint64_t& out) {
  if (a != 0 && b > limit / a) return false;
  out = a * b;
  return out <= limit;
}

TensorView parse_entry(const std::string& path, const std::string& name, const Json& entry,
                       const uint8_t* data_section, uint64_t data_bytes) {
  const std::string where = path + ": tensor " + name;
  if (!entry.is_object()) throw Error(where, "header entry is not an object");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!entry.contains(key)) throw Error(where, std::string("header entry lacks \"") + key + "\"");
  if (!entry["dtype"].is_string()) throw Error(where, "dtype is not a string");
  const auto dtype = dtype_from_name(entry["dtype"].get<std::string>());
  if (!dtype) throw Error(where, "unsupported dtype \"" + entry["dtype"].get<std::string>() + "\"");

  const Json& shape_json = entry["shape"];
  if (!shape_json.is_array()) throw Error(where, "shape is not an array");
  TensorView view;
  view.name = name;
  view.dtype = *dtype;
  uint64_t expected = dtype_size_bytes(*dtype);
  for (const Json& d : shape_json) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) throw Error(where, "shape has a non-integer or negative dimension");
    const auto dim = d.get<int64_t>();
    view.shape.push_back(dim);
    if (!checked_mul(expected, static_cast<uint64_t>(dim), data_bytes, expected))
      throw Error(where, "shape " + shape_string(view.shape) + " is larger than the file's data section");
  }

  const Json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
    throw Error(where, "data_offsets is not a pair of non-negative integers");
  const auto begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
  if (begin > end || end > data_bytes)
    throw Error(where, "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                           ") lie outside the data section of " + std::to_string(data_bytes) + " bytes (truncated file?)");
  if (end - begin != expected)
    throw Error(where, "holds " + std::to_string(end - begin) + " bytes but " + std::string(dtype_name(*dtype)) +
                           " " + shape_string(view.shape) + " needs " + std::to_string(expected));
  view.data = data_section + begin;
  view.size_bytes = end - begin;
  return view;
}

void check_no_overlaps(const std::string& path, const std::map<std::string, TensorView>& tensors) {
  std::vector<const TensorView*> sorted;
  for (const auto& [name, t] : tensors) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->data < b->data; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    const TensorView* prev = sorted[i - 1];
    if (prev->size_bytes > 0 && prev->data + prev->size_bytes > sorted[i]->data)
      throw Error(path, "tensors " + prev->name + " and " + sorted[i]->name + " overlap");
  }
}

}  // namespace

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : file_(path) {
  const uint64_t file_bytes = file_.size_bytes();
  if (file_bytes < 8) throw Error(path, "too short to be a safetensors file (" + std::to_string(file_bytes) + " bytes)");
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, file_.data(), 8);  // little-endian, as x86 and aarch64 store it
  if (header_bytes > kMaxHeaderBytes || header_bytes > file_bytes - 8)
    throw Error(path, "header length " + std::to_string(header_bytes) + " exceeds the file size " +
                          std::to_string(file_bytes) + " (truncated or not safetensors)");
  const std::string header_text(reinterpret_cast<const char*>(file_.data() + 8), header_bytes);
  const Json header = parse_json(header_text, path + ": header");
  if (!header.is_object()) throw Error(path, "header is not a JSON object");

  const uint8_t* data_section = file_.data() + 8 + header_bytes;
  const uint64_t data_bytes = file_bytes - 8 - header_bytes;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw Error(path, "__metadata__ is not an object");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string()) throw Error(path, "__metadata__." + k + " is not a string");
        metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    tensors_.emplace(name, parse_entry(path, name, entry, data_section, data_bytes));
  }
  apply_quantized_metadata(path, metadata_, tensors_);
  check_no_overlaps(path, tensors_);
}

TensorStore TensorStore::open_file(const std::string& path) {
  TensorStore store;
  store.location_ = path;
  store.files_.push_back(std::make_unique<SafetensorsFile>(path));
  for (const auto& [name, t] : store.files_.back()->tensors()) store.index_[name] = &t;
  return store;
}

TensorStore TensorStore::open_dir(const std::string& model_dir) {
  namespace fs = std::filesystem;
  const fs::path dir(model_dir);
  const fs::path single = dir / "model.safetensors";
  const fs::path index_path = dir / "model.safetensors.index.json";
  if (fs::exists(single)) {
    TensorStore store = open_file(single.string());
    store.location_ = model_dir;
    return store;
  }
  if (!fs::exists(index_path))
    throw Error(model_dir, "no model.safetensors or model.safetensors.index.json in the checkpoint folder");

  const Json index = read_json_file(index_path.string());
  const std::string where = index_path.string();
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw Error(where, "lacks a \"weight_map\" object");

  TensorStore store;
  store.location_ = model_dir;
  std::map<std::string, const SafetensorsFile*> shards;
  for (const auto& [name, shard_json] : index["weight_map"].items()) {
    if (!shard_json.is_string()) throw Error(where, "weight_map." + name + " is not a file name");
    const std::string shard = shard_json.get<std::string>();
    if (shard.empty() || shard.find('/') != std::string::npos || shard == "..")
      throw Error(where, "weight_map." + name + " names \"" + shard + "\", not a file in the folder");
    auto it = shards.find(shard);
    if (it == shards.end()) {
      store.files_.push_back(std::make_unique<SafetensorsFile>((dir / shard).string()));
      it = shards.emplace(shard, store.files_.back().get()).first;
    }
    const auto& in_shard = it->second->tensors();
    auto t = in_shard.find(name);
    if (t == in_shard.end()) throw Error(where, "tensor " + name + " is listed in " + shard + " but not stored there");
    store.index_[name] = &t->second;
  }
  return store;
}

const TensorView& TensorStore::get(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw Error(location_ + ": tensor " + name, "missing");
  return *it->second;
}

const TensorView& TensorStore::get(const std::string& name, const std::vector<int64_t>& shape) const {
  const TensorView& t = get(name);
  if (t.shape != shape)
    throw Error(location_ + ": tensor " + name, "has shape " + shape_string(t.shape) + ", expected " + shape_string(shape));
  return t;
}

std::vector<std::string> TensorStore::names() const {
  std::vector<std::string> out;
  for (const auto& [name, t] : index_) out.push_back(name);
  return out;
}

std::vector<float> to_f32(const TensorView& t) {
  const auto n = static_cast<size_t>(t.numel());
  std::vector<float> out(n);
  switch (t.dtype) {
    case DType::F32: std::memcpy(out.data(), t.data, n * 4); break;
    case DType::BF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, t.data + 2 * i, 2);
        out[i] = bf16_to_f32(h);
      }
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, t.data + 2 * i, 2);
        out[i] = f16_to_f32(h);
      }
      break;
    case DType::F64:
      for (size_t i = 0; i < n; ++i) {
        double d;
        std::memcpy(&d, t.data + 8 * i, 8);
        out[i] = static_cast<float>(d);
      }
      break;
    default: throw Error("tensor " + t.name, "is " + std::string(dtype_name(t.dtype)) + ", not a floating type");
  }
  return out;
}

}  // namespace smolvlm

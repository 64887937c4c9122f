// Writing safetensors files: tensor dumps (--dump-tensors) and synthetic checkpoints.
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "core/json_file.h"
#include "io/safetensors.h"

namespace smolvlm {

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    uint64_t expected = dtype_size_bytes(t.dtype);
    for (int64_t d : t.shape) expected *= static_cast<uint64_t>(d);
    if (expected != t.bytes.size())
      throw Error(path + ": tensor " + t.name, "has " + std::to_string(t.bytes.size()) + " bytes, shape needs " +
                                                   std::to_string(expected));
    header[t.name] = {{"dtype", std::string(dtype_name(t.dtype))},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');  // keeps the data section 8-byte aligned

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path, "cannot create");
  const uint64_t header_bytes = header_text.size();
  out.write(reinterpret_cast<const char*>(&header_bytes), 8);
  out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
  for (const auto& t : tensors) out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
  out.flush();
  if (!out) throw Error(path, "write failed (disk full?)");
}

TensorToWrite tensor_from_f32(std::string name, std::vector<int64_t> shape, const std::vector<float>& values,
                              DType stored_as) {
  TensorToWrite t{std::move(name), stored_as, std::move(shape), {}};
  const size_t n = values.size();
  switch (stored_as) {
    case DType::F32:
      t.bytes.resize(n * 4);
      std::memcpy(t.bytes.data(), values.data(), n * 4);
      break;
    case DType::BF16:
    case DType::F16:
      t.bytes.resize(n * 2);
      for (size_t i = 0; i < n; ++i) {
        const uint16_t h = stored_as == DType::BF16 ? f32_to_bf16(values[i]) : f32_to_f16(values[i]);
        std::memcpy(t.bytes.data() + 2 * i, &h, 2);
      }
      break;
    default: throw Error("tensor " + t.name, "cannot be stored as " + std::string(dtype_name(stored_as)));
  }
  return t;
}

TensorToWrite tensor_from_i32(std::string name, std::vector<int64_t> shape, const std::vector<int32_t>& values) {
  TensorToWrite t{std::move(name), DType::I32, std::move(shape), {}};
  t.bytes.resize(values.size() * 4);
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

}  // namespace smolvlm

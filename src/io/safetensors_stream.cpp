#include "io/safetensors_stream.h"

#include <fstream>

#include "core/error.h"
#include "core/json_file.h"

namespace smolvlm {

uint64_t TensorHeader::size_bytes() const {
  uint64_t bytes = dtype_size_bytes(dtype);
  for (int64_t d : shape) bytes *= static_cast<uint64_t>(d);
  return bytes;
}

void write_safetensors_streamed(const std::string& path, const std::vector<TensorHeader>& headers,
                                const std::map<std::string, std::string>& metadata,
                                const std::function<void(size_t, const EmitBytes&)>& write_tensor) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorHeader& t : headers) {
    header[t.name] = {{"dtype", std::string(dtype_name(t.dtype))},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + t.size_bytes()}}};
    offset += t.size_bytes();
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');  // 8-byte aligned data, as write_safetensors

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path, "cannot create");
  const uint64_t header_bytes = header_text.size();
  out.write(reinterpret_cast<const char*>(&header_bytes), 8);
  out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
  for (size_t i = 0; i < headers.size(); ++i) {
    uint64_t written = 0;
    write_tensor(i, [&](std::span<const uint8_t> bytes) {
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      written += bytes.size();
    });
    if (written != headers[i].size_bytes())
      throw Error(path + ": tensor " + headers[i].name, "got " + std::to_string(written) + " bytes, its header says " +
                                                            std::to_string(headers[i].size_bytes()));
    if (!out) throw Error(path, "write failed (disk full?)");
  }
  out.flush();
  if (!out) throw Error(path, "write failed (disk full?)");
}

}  // namespace smolvlm

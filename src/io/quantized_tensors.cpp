#include "io/quantized_tensors.h"

#include <charconv>
#include <fstream>

#include "core/error.h"
#include "core/json_file.h"

namespace smolvlm {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

bool parse_int(std::string_view s, int64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out > 0;
}

struct QuantMark {
  DType dtype;
  int64_t rows, cols;
};

// "q8_0:<rows>x<cols>" -> its parts; throws Error naming `where` otherwise.
QuantMark parse_mark(const std::string& where, const std::string& value) {
  const size_t colon = value.find(':'), x = value.find('x', colon == std::string::npos ? 0 : colon);
  QuantMark m{DType::Q8_0, 0, 0};
  const std::string_view v(value);
  if (colon == std::string::npos || x == std::string::npos)
    throw Error(where, "quantization mark \"" + value + "\" is not <dtype>:<rows>x<cols>");
  const std::string dtype = std::string(v.substr(0, colon));
  if (dtype == "q8_0")
    m.dtype = DType::Q8_0;
  else if (dtype == "q4_0")
    m.dtype = DType::Q4_0;
  else if (dtype == "q4_k")
    m.dtype = DType::Q4_K;
  else
    throw Error(where, "quantization mark names dtype \"" + dtype + "\" (expected q8_0, q4_0 or q4_k)");
  if (!parse_int(v.substr(colon + 1, x - colon - 1), m.rows) || !parse_int(v.substr(x + 1), m.cols))
    throw Error(where, "quantization mark \"" + value + "\" has no positive <rows>x<cols>");
  return m;
}

}  // namespace

std::string quant_metadata_value(DType dtype, int64_t rows, int64_t cols) {
  return lower(dtype_name(dtype)) + ":" + std::to_string(rows) + "x" + std::to_string(cols);
}

void apply_quantized_metadata(const std::string& path, const std::map<std::string, std::string>& metadata,
                              std::map<std::string, TensorView>& tensors) {
  for (const auto& [key, value] : metadata) {
    if (key.rfind(kQuantMetadataPrefix, 0) != 0) continue;
    const std::string name = key.substr(kQuantMetadataPrefix.size());
    const std::string where = path + ": tensor " + name;
    const QuantMark m = parse_mark(where, value);
    auto it = tensors.find(name);
    if (it == tensors.end()) throw Error(where, "is marked quantized (" + value + ") but not stored");
    TensorView& t = it->second;
    if (t.dtype != DType::U8) throw Error(where, "is marked quantized but stored as " + std::string(dtype_name(t.dtype)) + ", not U8");
    if (m.cols % dtype_block_elems(m.dtype) != 0)
      throw Error(where, "has " + std::to_string(m.cols) + " columns, not a whole number of " +
                             std::to_string(dtype_block_elems(m.dtype)) + "-blocks");
    const int64_t row_bytes = m.cols / dtype_block_elems(m.dtype) * static_cast<int64_t>(dtype_block_bytes(m.dtype));
    if (t.shape != std::vector<int64_t>{m.rows, row_bytes})
      throw Error(where, "holds U8 of another shape than " + value + " needs ([" + std::to_string(m.rows) + ", " +
                             std::to_string(row_bytes) + "])");
    t.dtype = m.dtype;
    t.shape = {m.rows, m.cols};
  }
}

void write_tensor_views(const std::string& path, const std::vector<const TensorView*>& tensors,
                        std::map<std::string, std::string> metadata) {
  Json header = Json::object();
  uint64_t offset = 0;
  for (const TensorView* t : tensors) {
    const std::optional<uint64_t> bytes = dtype_tensor_bytes(t->dtype, t->shape);
    if (!bytes || *bytes != t->size_bytes)
      throw Error(path + ": tensor " + t->name, "holds " + std::to_string(t->size_bytes) +
                                                    " bytes, which does not match its dtype and shape");
    std::string dtype(dtype_name(t->dtype));
    std::vector<int64_t> shape = t->shape;
    if (dtype_is_quantized(t->dtype)) {
      metadata[std::string(kQuantMetadataPrefix) + t->name] = quant_metadata_value(t->dtype, shape[0], shape[1]);
      dtype = "U8";
      shape = {shape[0], static_cast<int64_t>(t->size_bytes) / std::max<int64_t>(shape[0], 1)};
    }
    header[t->name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {offset, offset + t->size_bytes}}};
    offset += t->size_bytes;
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data section 8-byte aligned

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path, "cannot create");
  const uint64_t header_bytes = text.size();
  out.write(reinterpret_cast<const char*>(&header_bytes), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const TensorView* t : tensors)
    out.write(reinterpret_cast<const char*>(t->data), static_cast<std::streamsize>(t->size_bytes));
  out.flush();
  if (!out) throw Error(path, "write failed (disk full?)");
}

}  // namespace smolvlm

// Read-only memory mapping of a whole file (RAII). Weights stay in the page
// cache in their stored dtype; nothing is copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace smolvlm {

class MappedFile {
 public:
  // Throws Error naming `path` when it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;

  const uint8_t* data() const { return data_; }
  size_t size_bytes() const { return size_bytes_; }
  std::span<const uint8_t> bytes() const { return {data_, size_bytes_}; }
  const std::string& path() const { return path_; }

 private:
  void release();
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_bytes_ = 0;
};

// Whole file into a string (small text files: JSON configs, templates).
std::string read_text_file(const std::string& path);

}  // namespace smolvlm

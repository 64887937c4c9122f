#include "temp_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/error.h"

namespace smolvlm::bench {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "smolvlm-bench-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) throw Error(pattern, std::string("cannot create: ") + std::strerror(errno));
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ec;  // a destructor must not throw; a leftover folder is harmless
  std::filesystem::remove_all(path_, ec);
}

}  // namespace smolvlm::bench

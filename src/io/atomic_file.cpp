#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace smolvlm {

void sync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error(path, std::string("cannot open to sync: ") + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw Error(path, std::string("sync failed: ") + std::strerror(err));
}

std::string temp_path_beside(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

void write_file_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::string temp = temp_path_beside(path);
  try {
    write(temp);
    sync_path(temp);  // before the rename: without it a crash can leave the renamed file empty
    if (std::rename(temp.c_str(), path.c_str()) != 0)
      throw Error(path, std::string("cannot rename the temp file onto it: ") + std::strerror(errno));
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
}

void write_text_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(temp, "cannot create");
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) throw Error(temp, "write failed (disk full?)");
  });
}

}  // namespace smolvlm

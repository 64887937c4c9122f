// A private temporary folder (mkdtemp), removed with everything in it when the
// object goes away: the --like configs and the TTFT test image live there.
#pragma once

#include <string>

namespace smolvlm::bench {

class TempDir {
 public:
  TempDir();  // throws Error when no folder can be made
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace smolvlm::bench

#include "lora_flag.h"

#include <charconv>
#include <cmath>

#include "cli_args.h"

namespace smolvlm::cli {

LoraFlag parse_lora_flag(const std::string& value, const std::string& command) {
  LoraFlag flag{value, 1.0};
  const size_t colon = value.rfind(':');
  if (colon != std::string::npos && colon + 1 < value.size()) {
    const char* first = value.data() + colon + 1;
    const char* last = value.data() + value.size();
    double scale = 0;
    const auto [end, ec] = std::from_chars(first, last, scale);
    if (ec == std::errc() && end == last) {
      if (!std::isfinite(scale)) throw UsageError(command + ": --lora " + value + ": the scale must be a finite number");
      flag = {value.substr(0, colon), scale};
    }
  }
  if (flag.path.empty()) throw UsageError(command + ": --lora needs a folder (DIR or DIR:SCALE)");
  return flag;
}

}  // namespace smolvlm::cli

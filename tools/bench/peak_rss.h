// The process's peak resident set so far, in MiB: VmHWM of /proc/self/status
// (Linux), else getrusage's ru_maxrss. Mapped checkpoint pages that were read
// count, as they occupy memory like any other.
#pragma once

namespace smolvlm::bench {

double peak_rss_mb();

}  // namespace smolvlm::bench

// The process's peak resident set so far, in MiB: VmHWM of /proc/self/status
// (Linux), else getrusage's ru_maxrss. Mapped checkpoint pages that were read
// count, as they occupy memory like any other.
#pragma once

namespace smolvlm::bench {

double peak_rss_mb();

// Starts the peak over from the current RSS (writes 5 to /proc/self/clear_refs,
// Linux 4.0+); false where that is not possible.
bool reset_peak_rss();

}  // namespace smolvlm::bench

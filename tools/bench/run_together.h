// The machine probes need every thread busy at once, one share each: the
// kernels' pool may let one thread run several chunks (it balances load), so
// the probes start their own threads, as many as the pool has.
#pragma once

#include <functional>

namespace smolvlm::bench {

// Runs fn(t) for t in [0, n) on n threads (the caller is thread 0), released
// together once all have started; returns the seconds from the release until
// the last one finished.
double run_together(int n, const std::function<void(int)>& fn);

}  // namespace smolvlm::bench

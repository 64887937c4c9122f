#include "summary.h"

#include <algorithm>
#include <stdexcept>

namespace smolvlm::bench {

Summary summarize(std::vector<double> samples) {
  if (samples.empty()) throw std::logic_error("summarize: no samples");  // a caller bug: reps >= 1 is checked
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  const double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return {median, samples.front(), samples.back()};
}

}  // namespace smolvlm::bench

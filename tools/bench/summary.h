// Median, min and max of repeated measurements: the median is the figure to
// quote on a shared host, min and max show how noisy the run was.
#pragma once

#include <utility>
#include <vector>

namespace smolvlm::bench {

struct Summary {
  double median = 0, min = 0, max = 0;
};

// The median of an even count is the mean of the middle two. Needs a sample.
Summary summarize(std::vector<double> samples);

// Each sample mapped through fn (e.g. seconds to tokens per second); a
// decreasing fn swaps min and max back into order.
template <class Fn>
Summary map_samples(const std::vector<double>& samples, Fn fn) {
  std::vector<double> out;
  out.reserve(samples.size());
  for (double s : samples) out.push_back(fn(s));
  return summarize(std::move(out));
}

}  // namespace smolvlm::bench

// Prometheus text-format metrics for GET /metrics: request counts by route and
// status, token counts, latency histograms; the scheduler's and the image
// cache's gauges are read when the page is rendered.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/image_inputs.h"
#include "server/scheduler.h"

namespace smolvlm::server {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  // Appends the _bucket / _sum / _count lines of `name`.
  void render(const std::string& name, std::string& out) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();

  void count_request(const std::string& route, int status);
  // A finished completion: its tokens and its latencies.
  void count_completion(int64_t prompt_tokens, int64_t completion_tokens, double queue_seconds,
                        double first_token_seconds, double total_seconds);

  std::string render(const SchedulerStats& scheduler, const ImageCacheStats& images) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // (route, status) -> count
  uint64_t prompt_tokens_ = 0;
  uint64_t completion_tokens_ = 0;
  Histogram request_seconds_;
  Histogram queue_seconds_;
  Histogram first_token_seconds_;
};

}  // namespace smolvlm::server

// Shared helpers of the training-golden tests: fixture paths, f32 tensors out
// of a safetensors file, and error measures (fixtures/training/README.md
// "Tolerances").
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "io/safetensors.h"

namespace smolvlm::testing {

inline std::string training_dir() { return fixtures_dir() + "/training"; }
inline std::string tiny_model_dir() { return fixtures_dir() + "/models/tiny-smolvlm-256m"; }

inline std::vector<float> f32_tensor(const TensorStore& store, const std::string& name) {
  return to_f32(store.get(name));
}

inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b[i]));
  return worst;
}

// ||(after - before) - (expected - before)|| / ||expected - before||: the
// README's norm-relative measure of an update.
inline double update_rel_error(const std::vector<float>& before, const std::vector<float>& after,
                               const std::vector<float>& expected) {
  double diff = 0, ref = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    const double u = static_cast<double>(after[i]) - before[i];
    const double u_ref = static_cast<double>(expected[i]) - before[i];
    diff += (u - u_ref) * (u - u_ref);
    ref += u_ref * u_ref;
  }
  return std::sqrt(diff) / std::sqrt(ref);
}

}  // namespace smolvlm::testing

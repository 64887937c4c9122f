// np.mean / np.min / np.max over a short list of Python floats, summed in the
// order numpy's pairwise summation uses, so averages agree to the last bit.
#pragma once

#include <vector>

namespace smolvlm::eval {

double numpy_mean(const std::vector<double>& values);  // empty -> NaN, as numpy (with a warning)

}  // namespace smolvlm::eval

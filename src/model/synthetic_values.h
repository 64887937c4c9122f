// The values of one synthetic weight (synthetic_checkpoint.h), shared by the
// file writer and the in-memory checkpoint so both hold the same bits: BF16
// drawn from SplitMix64 seeded per tensor from (seed, name), so a tensor's
// values depend only on the seed and its name.
#pragma once

#include <cstdint>
#include <span>

#include "model/synthetic_checkpoint.h"

namespace smolvlm {

class SyntheticValues {
 public:
  SyntheticValues(const SyntheticWeight& weight, uint64_t seed);

  // The tensor's next out.size() values (row-major), as BF16 bits. Normal is
  // an Irwin-Hall(4) approximation of a Gaussian of std 0.02.
  void fill(std::span<uint16_t> out);

 private:
  uint64_t next();  // SplitMix64: tiny, fast, and well mixed

  WeightInit init_;
  uint64_t state_;
};

}  // namespace smolvlm

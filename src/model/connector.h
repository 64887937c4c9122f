// The connector (SPEC §4): pixel shuffle, then the modality projection
// (Linear without bias) into the text model's hidden size.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"

namespace smolvlm {

// x [seq, dim]: one tile's vision tower output (after post_layernorm);
// proj [text_hidden, dim * scale²]; out [seq / scale², text_hidden].
void connector_forward(const kernels::WeightView& proj, int64_t scale, std::span<const float> x, int64_t seq,
                       int64_t dim, std::span<float> out, kernels::ComputeMode mode);

}  // namespace smolvlm

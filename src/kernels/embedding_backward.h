// The backward of an embedding lookup (kernels/embedding.h): each position's
// gradient is added to its token's row of the table gradient.
#pragma once

#include <cstdint>
#include <span>

namespace smolvlm::kernels {

// dx [ids.size(), dim]; dtable [vocab, dim]: dtable[ids[t]] += dx[t]. Ids < 0
// are skipped: positions whose embedding was replaced (image features, SPEC
// §5) got no gradient through the table. Throws Error for ids >= vocab.
void embedding_rows_backward(std::span<const int32_t> ids, std::span<const float> dx, int64_t dim,
                             std::span<float> dtable);

}  // namespace smolvlm::kernels

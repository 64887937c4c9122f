#include "kernels/attention_driver.h"

#include "kernels/parallel.h"

namespace smolvlm::kernels {

void run_attention(const AttentionArgs& args) {
  const Backend& be = backend();
  AttentionArgs a = args;
  a.fast = a.fast && be.attention_bf16;
  const int64_t tasks = attention_tasks(a, be.attention_rows);
  const int64_t scratch = be.attention_scratch_floats(a);
  // Tasks (attention_tasks) in static chunks of consecutive ones, so a chunk
  // packs each kv head's keys once; two chunks per thread for a busy machine.
  shared_pool().parallel_for(
      tasks, [&](int64_t t0, int64_t t1) { be.attention(a, t0, t1, thread_scratch(scratch)); }, 2);
}

}  // namespace smolvlm::kernels

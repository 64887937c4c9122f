// A fixed pool of worker threads for data-parallel loops (the heavy kernels:
// matmul, attention, norms). No model knowledge: it splits index ranges.
//
// parallel_for(n, fn, per_thread) cuts [0, n) into at most size() * per_thread
// contiguous chunks of near-equal length and runs fn(begin, end) on each. The
// chunk boundaries are fixed (static chunking), but any thread takes the next
// unclaimed chunk, the calling thread included: on a busy machine a worker
// that is not scheduled yet costs nothing, the caller runs its chunks, and
// with several chunks per thread a descheduled worker delays only the one it
// holds. Returns when every chunk is done. A call made from inside a chunk, or while another thread is using the
// pool, runs inline on the calling thread: nesting and concurrent callers are
// safe, never a deadlock. An exception thrown by a chunk is rethrown to the
// caller (the first one, if several throw).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace smolvlm {

class ThreadPool {
 public:
  // n_threads counts the calling thread, so n_threads - 1 workers are started;
  // values below 1 are taken as 1.
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  template <class Fn>
  void parallel_for(int64_t n, Fn&& fn, int per_thread = 1) {
    run(n, [](void* f, int64_t begin, int64_t end) { (*static_cast<Fn*>(f))(begin, end); }, &fn, per_thread);
  }

  // Type-erased form of parallel_for: fn(ctx, begin, end).
  void run(int64_t n, void (*fn)(void*, int64_t, int64_t), void* ctx, int per_thread = 1);

 private:
  struct Job {
    void (*fn)(void*, int64_t, int64_t) = nullptr;
    void* ctx = nullptr;
    int64_t n = 0;
    int chunks = 0;
  };
  void worker_loop();
  void work(const Job& job);  // claims and runs chunks until none is left

  std::vector<std::thread> workers_;
  std::mutex busy_;  // held by the one caller whose job the pool runs
  // The hand-off takes no lock. The caller writes job_ and the counters, then
  // publishes the job's epoch in open_ and epoch_. A worker counts itself in
  // active_ and only then checks that open_ still holds the epoch it woke
  // for; the caller closes the job (open_ = 0) and returns once active_ is 0.
  // Both sides use sequentially consistent order, so a worker either is seen
  // in active_ or sees the job closed: a finished job is never read again.
  Job job_;
  uint64_t job_epoch_ = 0;             // the caller's count of jobs
  std::atomic<uint64_t> open_{0};      // epoch of the job workers may join, 0 when none
  std::atomic<uint64_t> epoch_{0};     // workers wake when it changes
  std::atomic<int> next_{0};           // next chunk to claim
  std::atomic<int> done_{0};           // chunks finished
  std::atomic<int> active_{0};         // workers inside work()
  std::atomic<bool> stop_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

// SMOLVLM_THREADS when set to a positive integer, else the hardware concurrency (at least 1).
int default_thread_count();

// The process-wide pool the kernels use, created on first use with
// default_thread_count() threads unless set_shared_pool_threads() came first.
ThreadPool& shared_pool();

// Replaces the shared pool by one of n_threads (the --threads option). Call it
// at start-up, before any kernel runs: a pool in use must not be replaced.
void set_shared_pool_threads(int n_threads);

}  // namespace smolvlm

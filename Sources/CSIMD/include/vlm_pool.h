// The toolkit's worker threads (besides OpenBLAS's own): `Parallel` in Swift and the decoding
// products run their tasks here. The caller works too; helpers take task indices from a
// shared counter (dynamic scheduling), spin briefly after a job so that the next one, if it
// follows within tens of microseconds, starts without a wake-up, then sleep so that they do
// not take cores from OpenBLAS's threads during the products in between.
#ifndef VLM_POOL_H
#define VLM_POOL_H

// Runs fn(ctx, i) for i in [0, tasks) on the caller and the pool's helpers (`threads` - 1 of
// them, started on the first call) and returns when all are done. A call made while the pool
// is busy (from inside a task, or from a second thread) runs its tasks on the calling thread.
void vlm_pool_run(int tasks, int threads, void (*fn)(void *ctx, int task), void *ctx);

#endif

#include "vlm_pool.h"

#include <immintrin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <x86intrin.h>

// Helpers spin this many TSC cycles (~40 us at 2.5 GHz) for the next job before sleeping:
// long enough to bridge the small ops between two products of a decoding step or a chain of
// elementwise kernels, short enough to be asleep during a GEMM.
enum { MAX_HELPERS = 63, SPIN_CYCLES = 100000 };

static struct {
    pthread_mutex_t lock;  // one job at a time
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;
    atomic_long posted;    // job sequence number
    atomic_int next;       // next task index to hand out
    atomic_int finished;   // helpers done with the current job
    int helpers;           // started helper threads; all take part in every job, so none can
                           // still be reading one job's fields when the next is posted
    int tasks;
    void (*fn)(void *, int);
    void *ctx;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static int pool_wanted;

static void work(void) {
    for (;;) {
        int i = atomic_fetch_add_explicit(&pool.next, 1, memory_order_relaxed);
        if (i >= pool.tasks) return;
        pool.fn(pool.ctx, i);
    }
}

static void *helper_main(void *arg) {
    (void)arg;
    long seen = 0;
    for (;;) {
        long now = atomic_load_explicit(&pool.posted, memory_order_acquire);
        if (now == seen) {
            unsigned long long start = __rdtsc();
            while (now == seen && __rdtsc() - start < SPIN_CYCLES) {
                _mm_pause();
                now = atomic_load_explicit(&pool.posted, memory_order_acquire);
            }
        }
        if (now == seen) {
            pthread_mutex_lock(&pool.sleep_lock);
            while ((now = atomic_load_explicit(&pool.posted, memory_order_acquire)) == seen)
                pthread_cond_wait(&pool.wake, &pool.sleep_lock);
            pthread_mutex_unlock(&pool.sleep_lock);
        }
        seen = now;
        work();
        atomic_fetch_add_explicit(&pool.finished, 1, memory_order_release);
    }
    return 0;
}

static void pool_start(void) {
    int n = pool_wanted - 1;
    if (n > MAX_HELPERS) n = MAX_HELPERS;
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, 0, helper_main, 0) != 0) break;
        pthread_detach(t);
        pool.helpers++;
    }
}

void vlm_pool_run(int tasks, int threads, void (*fn)(void *ctx, int task), void *ctx) {
    if (tasks <= 0) return;
    if (tasks == 1 || threads < 2 || pthread_mutex_trylock(&pool.lock) != 0) {
        for (int i = 0; i < tasks; i++) fn(ctx, i);
        return;
    }
    if (!pool_wanted) pool_wanted = threads;
    pthread_once(&pool_once, pool_start);
    if (pool.helpers == 0) {
        pthread_mutex_unlock(&pool.lock);
        for (int i = 0; i < tasks; i++) fn(ctx, i);
        return;
    }
    pool.fn = fn; pool.ctx = ctx; pool.tasks = tasks;
    atomic_store_explicit(&pool.next, 0, memory_order_relaxed);
    atomic_store_explicit(&pool.finished, 0, memory_order_relaxed);
    pthread_mutex_lock(&pool.sleep_lock);
    atomic_fetch_add_explicit(&pool.posted, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.sleep_lock);
    work();
    while (atomic_load_explicit(&pool.finished, memory_order_acquire) < pool.helpers) _mm_pause();
    pthread_mutex_unlock(&pool.lock);
}

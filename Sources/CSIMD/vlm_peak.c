#include "vlm_peak.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

typedef float v16 __attribute__((ext_vector_type(16)));

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct {
    long iterations;
    pthread_barrier_t *start;
    double seconds;
    double checksum;
} job;

// Twelve independent chains: more than an FMA's latency times its issue rate on current
// x86 cores (4 cycles x 2 pipes), so the units never wait for a result. The empty asm
// keeps the accumulators in registers and the loop from being folded.
static void *chains(void *arg) {
    job *j = arg;
    const v16 x = 0.5f, y = 1.0f;
    v16 a0 = 1, a1 = 1, a2 = 1, a3 = 1, a4 = 1, a5 = 1, a6 = 1, a7 = 1, a8 = 1, a9 = 1, a10 = 1, a11 = 1;
    pthread_barrier_wait(j->start);
    double t0 = now();
    for (long i = 0; i < j->iterations; i++) {
        a0 = a0 * x + y; a1 = a1 * x + y; a2 = a2 * x + y; a3 = a3 * x + y;
        a4 = a4 * x + y; a5 = a5 * x + y; a6 = a6 * x + y; a7 = a7 * x + y;
        a8 = a8 * x + y; a9 = a9 * x + y; a10 = a10 * x + y; a11 = a11 * x + y;
        __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5),
                              "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11));
    }
    j->seconds = now() - t0;
    v16 s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
    double sum = 0;
    for (int k = 0; k < 16; k++) sum += s[k];
    j->checksum = sum;
    return 0;
}

double vlm_fma_run(int threads, long iterations, double *checksum) {
    enum { MAX_THREADS = 256 };
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    pthread_barrier_t start;
    pthread_barrier_init(&start, 0, (unsigned)threads);
    job jobs[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job){iterations, &start, 0, 0};
        if (t > 0) pthread_create(&ids[t], 0, chains, &jobs[t]);
    }
    chains(&jobs[0]);
    double slowest = jobs[0].seconds;
    for (int t = 1; t < threads; t++) {
        pthread_join(ids[t], 0);
        if (jobs[t].seconds > slowest) slowest = jobs[t].seconds;
    }
    pthread_barrier_destroy(&start);
    if (checksum) *checksum = jobs[0].checksum;
    return slowest;
}

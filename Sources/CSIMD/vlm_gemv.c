#include "vlm_gemv.h"
#include <string.h>

typedef float f16v __attribute__((ext_vector_type(16)));
typedef uint16_t u16v __attribute__((ext_vector_type(16)));
typedef uint32_t u32v __attribute__((ext_vector_type(16)));

static inline f16v load_bf16(const uint16_t *p) {
    u16v h;
    memcpy(&h, p, sizeof h);
    u32v wide = __builtin_convertvector(h, u32v) << 16;
    f16v f;
    memcpy(&f, &wide, sizeof f);
    return f;
}

static inline f16v load_f32(const float *p) {
    f16v v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline float hsum(f16v v) {
    float s = 0;
    for (int i = 0; i < 16; i++) s += v[i];
    return s;
}

static inline float bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

void vlm_gemv_bf16_rows(const uint16_t *w, long ldw, long cols, const float *x, float *y, long r0, long r1) {
    long full = cols - cols % 16;
    long r = r0;
    // Four rows at a time: each block of x is loaded once for four weight rows. The rows of
    // two blocks ahead are prefetched, a cache line each per 32 columns: short rows (576
    // columns of a small LLM are 18 lines) give the hardware prefetcher too little to lock
    // on, and from DRAM this is worth 20-40% (10-13 -> 15-19 GB/s on two cores).
    const long ahead = 8 * ldw;
    for (; r + 4 <= r1; r += 4) {
        const uint16_t *a = w + r * ldw, *b = a + ldw, *c = b + ldw, *d = c + ldw;
        f16v sa = 0, sb = 0, sc = 0, sd = 0;
        for (long i = 0; i < full; i += 16) {
            f16v xv = load_f32(x + i);
            if ((i & 31) == 0) {
                __builtin_prefetch(a + ahead + i);
                __builtin_prefetch(b + ahead + i);
                __builtin_prefetch(c + ahead + i);
                __builtin_prefetch(d + ahead + i);
            }
            sa += load_bf16(a + i) * xv;
            sb += load_bf16(b + i) * xv;
            sc += load_bf16(c + i) * xv;
            sd += load_bf16(d + i) * xv;
        }
        float ta = hsum(sa), tb = hsum(sb), tc = hsum(sc), td = hsum(sd);
        for (long i = full; i < cols; i++) {
            ta += bf16_to_f32(a[i]) * x[i];
            tb += bf16_to_f32(b[i]) * x[i];
            tc += bf16_to_f32(c[i]) * x[i];
            td += bf16_to_f32(d[i]) * x[i];
        }
        y[r] = ta; y[r + 1] = tb; y[r + 2] = tc; y[r + 3] = td;
    }
    for (; r < r1; r++) {
        const uint16_t *a = w + r * ldw;
        f16v s = 0;
        for (long i = 0; i < full; i += 16) s += load_bf16(a + i) * load_f32(x + i);
        float t = hsum(s);
        for (long i = full; i < cols; i++) t += bf16_to_f32(a[i]) * x[i];
        y[r] = t;
    }
}

// ---------------------------------------------------------------------------------------
// Helper threads for the bf16 product. Decoding calls it ~200 times per token on matrices of
// a few hundred KB, where a libdispatch hand-off (~20 us) costs as much as the product.
// Helpers spin briefly for the next job (as OpenBLAS's threads do), then sleep.

#include <pthread.h>
#include <stdatomic.h>
#include <immintrin.h>

enum { MAX_HELPERS = 15, SPIN_ROUNDS = 20000 };

static struct {
    pthread_mutex_t lock;          // one caller at a time; others compute alone
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;
    atomic_long posted;            // job sequence number
    atomic_int finished;           // helpers done with the current job
    int helpers;
    const uint16_t *w; long ldw, cols; const float *x; float *y; long rows;
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static int pool_wanted = 0;

// Rows of participant `i` of `n`: multiples of 4, so every slice takes the 4-row path.
static void slice(long rows, int i, int n, long *r0, long *r1) {
    long blocks = (rows + 3) / 4;
    *r0 = blocks * i / n * 4;
    *r1 = blocks * (i + 1) / n * 4;
    if (*r1 > rows) *r1 = rows;
    if (*r0 > rows) *r0 = rows;
}

static void *helper_main(void *arg) {
    int index = (int)(long)arg;
    long seen = 0;
    for (;;) {
        long now = atomic_load_explicit(&pool.posted, memory_order_acquire);
        for (int spin = 0; now == seen && spin < SPIN_ROUNDS; spin++) {
            _mm_pause();
            now = atomic_load_explicit(&pool.posted, memory_order_acquire);
        }
        if (now == seen) {
            pthread_mutex_lock(&pool.sleep_lock);
            while ((now = atomic_load_explicit(&pool.posted, memory_order_acquire)) == seen)
                pthread_cond_wait(&pool.wake, &pool.sleep_lock);
            pthread_mutex_unlock(&pool.sleep_lock);
        }
        seen = now;
        long r0, r1;
        slice(pool.rows, index + 1, pool.helpers + 1, &r0, &r1);
        if (r0 < r1) vlm_gemv_bf16_rows(pool.w, pool.ldw, pool.cols, pool.x, pool.y, r0, r1);
        atomic_fetch_add_explicit(&pool.finished, 1, memory_order_release);
    }
    return 0;
}

static void pool_start(void) {
    int n = pool_wanted - 1;
    if (n > MAX_HELPERS) n = MAX_HELPERS;
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, 0, helper_main, (void *)(long)i) != 0) break;
        pthread_detach(t);
        pool.helpers++;
    }
}

void vlm_gemv_bf16(const uint16_t *w, long ldw, long cols, const float *x, float *y, long rows, int threads) {
    if (threads < 2 || rows < 64 || pthread_mutex_trylock(&pool.lock) != 0) {
        vlm_gemv_bf16_rows(w, ldw, cols, x, y, 0, rows);
        return;
    }
    pool_wanted = threads;
    pthread_once(&pool_once, pool_start);
    if (pool.helpers == 0) {
        pthread_mutex_unlock(&pool.lock);
        vlm_gemv_bf16_rows(w, ldw, cols, x, y, 0, rows);
        return;
    }
    pool.w = w; pool.ldw = ldw; pool.cols = cols; pool.x = x; pool.y = y; pool.rows = rows;
    atomic_store_explicit(&pool.finished, 0, memory_order_relaxed);
    pthread_mutex_lock(&pool.sleep_lock);
    atomic_fetch_add_explicit(&pool.posted, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.sleep_lock);
    long r0, r1;
    slice(rows, 0, pool.helpers + 1, &r0, &r1);
    if (r0 < r1) vlm_gemv_bf16_rows(w, ldw, cols, x, y, r0, r1);
    while (atomic_load_explicit(&pool.finished, memory_order_acquire) < pool.helpers) _mm_pause();
    pthread_mutex_unlock(&pool.lock);
}

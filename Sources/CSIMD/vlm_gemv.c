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

// Rows are read four at a time (each block of x is loaded once for four weight rows), and
// the rows 16 ahead are prefetched into L2 (prefetcht1), a cache line each per 64 bytes.
// Short rows (576 columns of a small LLM are 18 lines in bf16) give the hardware prefetcher
// too little to lock on. Prefetching into L2 rather than L1 does not hold L1's few fill
// buffers while the lines come from DRAM: on this machine's two cores a decoding step's
// products read 24-27 GB/s this way against 15-18 with L1 prefetches 8 rows ahead and
// 12-13 with none (a microbenchmark of the small LLM's 30 layers + LM head in bf16).
enum { PREFETCH_ROWS = 16 };

#define VLM_GEMV_ROWS(NAME, T, LOAD, SCALAR, LINE_ELEMS)                                             \
void NAME(const T *w, long ldw, long cols, const float *x, float *y, long r0, long r1) {          \
    long full = cols - cols % 16;                                                                    \
    long r = r0;                                                                                     \
    const long ahead = PREFETCH_ROWS * ldw;                                                          \
    for (; r + 4 <= r1; r += 4) {                                                                    \
        const T *a = w + r * ldw, *b = a + ldw, *c = b + ldw, *d = c + ldw;                          \
        f16v sa = 0, sb = 0, sc = 0, sd = 0;                                                         \
        for (long i = 0; i < full; i += 16) {                                                        \
            f16v xv = load_f32(x + i);                                                               \
            if ((i & (LINE_ELEMS - 1)) == 0) {                                                       \
                __builtin_prefetch(a + ahead + i, 0, 2);                                             \
                __builtin_prefetch(b + ahead + i, 0, 2);                                             \
                __builtin_prefetch(c + ahead + i, 0, 2);                                             \
                __builtin_prefetch(d + ahead + i, 0, 2);                                             \
            }                                                                                        \
            sa += LOAD(a + i) * xv;                                                                  \
            sb += LOAD(b + i) * xv;                                                                  \
            sc += LOAD(c + i) * xv;                                                                  \
            sd += LOAD(d + i) * xv;                                                                  \
        }                                                                                            \
        float ta = hsum(sa), tb = hsum(sb), tc = hsum(sc), td = hsum(sd);                            \
        for (long i = full; i < cols; i++) {                                                         \
            ta += SCALAR(a[i]) * x[i];                                                               \
            tb += SCALAR(b[i]) * x[i];                                                               \
            tc += SCALAR(c[i]) * x[i];                                                               \
            td += SCALAR(d[i]) * x[i];                                                               \
        }                                                                                            \
        y[r] = ta; y[r + 1] = tb; y[r + 2] = tc; y[r + 3] = td;                                      \
    }                                                                                                \
    for (; r < r1; r++) {                                                                            \
        const T *a = w + r * ldw;                                                                    \
        f16v s = 0;                                                                                  \
        for (long i = 0; i < full; i += 16) s += LOAD(a + i) * load_f32(x + i);                      \
        float t = hsum(s);                                                                           \
        for (long i = full; i < cols; i++) t += SCALAR(a[i]) * x[i];                                 \
        y[r] = t;                                                                                    \
    }                                                                                                \
}

static inline float f32_identity(float v) { return v; }

// A 64-byte line holds 32 bf16 or 16 f32 weights.
VLM_GEMV_ROWS(vlm_gemv_bf16_rows, uint16_t, load_bf16, bf16_to_f32, 32)
VLM_GEMV_ROWS(vlm_gemv_f32_rows, float, load_f32, f32_identity, 16)

// ---------------------------------------------------------------------------------------
// The whole product on the pool's threads (vlm_pool.c): decoding calls it ~200 times per
// token on matrices of a few hundred KB, where a libdispatch hand-off (~20 us) costs as much
// as the product itself.

#include "vlm_pool.h"

typedef struct {
    const void *w; int bf16; long ldw, cols; const float *x; float *y; long rows; int parts;
} gemv_job;

static void run_rows(const void *w, int bf16, long ldw, long cols, const float *x, float *y, long r0, long r1) {
    if (bf16) vlm_gemv_bf16_rows((const uint16_t *)w, ldw, cols, x, y, r0, r1);
    else vlm_gemv_f32_rows((const float *)w, ldw, cols, x, y, r0, r1);
}

// Part `i` of `n`: rows in multiples of 4, so every part takes the 4-row path.
static void gemv_part(void *ctx, int i) {
    const gemv_job *j = (const gemv_job *)ctx;
    long blocks = (j->rows + 3) / 4;
    long r0 = blocks * i / j->parts * 4, r1 = blocks * (i + 1) / j->parts * 4;
    if (r1 > j->rows) r1 = j->rows;
    if (r0 < r1) run_rows(j->w, j->bf16, j->ldw, j->cols, j->x, j->y, r0, r1);
}

static void gemv(const void *w, int bf16, long ldw, long cols, const float *x, float *y, long rows, int threads) {
    int parts = rows < 64 || threads < 2 ? 1 : threads;
    gemv_job job = {w, bf16, ldw, cols, x, y, rows, parts};
    vlm_pool_run(parts, threads, gemv_part, &job);
}

void vlm_gemv_bf16(const uint16_t *w, long ldw, long cols, const float *x, float *y, long rows, int threads) {
    gemv(w, 1, ldw, cols, x, y, rows, threads);
}

void vlm_gemv_f32(const float *w, long ldw, long cols, const float *x, float *y, long rows, int threads) {
    gemv(w, 0, ldw, cols, x, y, rows, threads);
}

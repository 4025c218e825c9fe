#include "vlm_gemm_small.h"

#include <string.h>

typedef float v16 __attribute__((ext_vector_type(16)));

static inline v16 load16(const float *p) {
    v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store16(float *p, v16 v) { memcpy(p, &v, sizeof v); }

// Rows per tile and columns per tile (two vectors): 8 x 2 accumulators, two loads of B and
// eight broadcasts of A per step of k, which leaves the FMA units the bottleneck.
enum { MR = 8, NR = 32 };

// One tile: rows [0, mr) of A against the 32 columns of B at b, into c. `mr` is a constant
// at every call site (always inlined), so the row loop unrolls and the accumulators stay in
// registers.
static inline __attribute__((always_inline)) void tile(const int mr, long k, float alpha, const float *a, long ars,
                                                       long acs, const float *b, long ldb, float beta, float *c,
                                                       long ldc) {
    v16 lo[MR], hi[MR];
    for (int i = 0; i < mr; i++) lo[i] = hi[i] = 0;
    for (long p = 0; p < k; p++) {
        const v16 b0 = load16(b + p * ldb), b1 = load16(b + p * ldb + 16);
        const float *ap = a + p * acs;
        for (int i = 0; i < mr; i++) {
            const v16 x = ap[i * ars];
            lo[i] += x * b0;
            hi[i] += x * b1;
        }
    }
    for (int i = 0; i < mr; i++) {
        v16 r0 = lo[i] * alpha, r1 = hi[i] * alpha;
        float *ci = c + i * ldc;
        if (beta != 0) {
            r0 += beta * load16(ci);
            r1 += beta * load16(ci + 16);
        }
        store16(ci, r0);
        store16(ci + 16, r1);
    }
}

// The same for a 16-column tile: products with 16 columns (a LoRA rank of 16) and the
// tails of wider ones.
static inline __attribute__((always_inline)) void tile16(const int mr, long k, float alpha, const float *a, long ars,
                                                         long acs, const float *b, long ldb, float beta, float *c,
                                                         long ldc) {
    v16 acc[MR];
    for (int i = 0; i < mr; i++) acc[i] = 0;
    for (long p = 0; p < k; p++) {
        const v16 b0 = load16(b + p * ldb);
        const float *ap = a + p * acs;
        for (int i = 0; i < mr; i++) acc[i] += (v16)ap[i * ars] * b0;
    }
    for (int i = 0; i < mr; i++) {
        v16 r = acc[i] * alpha;
        float *ci = c + i * ldc;
        if (beta != 0) r += beta * load16(ci);
        store16(ci, r);
    }
}

// A tile of any height 1...8 and either width, the height a constant in each instance.
#define TILE_CASE(R)                                                                               \
    case R:                                                                                        \
        if (width == NR) tile(R, k, alpha, a, ars, acs, b, ldb, beta, c, ldc);                     \
        else tile16(R, k, alpha, a, ars, acs, b, ldb, beta, c, ldc);                               \
        break;

static void tile_any(int width, long mr, long k, float alpha, const float *a, long ars, long acs, const float *b,
                     long ldb, float beta, float *c, long ldc) {
    switch (mr) {
        TILE_CASE(8) TILE_CASE(7) TILE_CASE(6) TILE_CASE(5) TILE_CASE(4) TILE_CASE(3) TILE_CASE(2) TILE_CASE(1)
    default: break;
    }
}

// One column tile (`width`, 32 or 16 columns, starting at column col0 of C) for every row
// tile, with the causal limits of vlm_sgemm_small.
static void tiles(long m, long k, float alpha, const float *a, long ars, long acs, const float *b, long ldb,
                  float beta, float *c, long ldc, int causal, long diag, long col0, int width) {
    for (long i = 0; i < m; i += MR) {
        long mr = m - i < MR ? m - i : MR;
        long kb = 0, ke = k;
        if (causal == VLM_OUT_LOWER && col0 >= i + mr + diag) continue;
        if (causal == VLM_A_LOWER && i + mr + diag < ke) ke = i + mr + diag > 0 ? i + mr + diag : 0;
        if (causal == VLM_A_UPPER && i - diag > kb) kb = i - diag < k ? i - diag : k;
        if (kb >= ke && beta == 1) continue;
        tile_any(width, mr, ke - kb, alpha, a + i * ars + kb * acs, ars, acs, b + kb * ldb, ldb, beta, c + i * ldc, ldc);
    }
}

void vlm_sgemm_small(long m, long n, long k, float alpha, const float *a, long ars, long acs,
                     const float *b, long ldb, float beta, float *c, long ldc, int causal, long diag) {
    long j = 0;
    for (; j + NR <= n; j += NR) tiles(m, k, alpha, a, ars, acs, b + j, ldb, beta, c + j, ldc, causal, diag, j, NR);
    if (j + 16 <= n) {
        tiles(m, k, alpha, a, ars, acs, b + j, ldb, beta, c + j, ldc, causal, diag, j, 16);
        j += 16;
    }
    long rest = n - j;
    if (rest == 0 || m == 0) return;
    // The last 1-15 columns: B's tail copied into a zero-padded 16-column panel, the product
    // computed into a padded tile a block of rows at a time, and only the real columns
    // written back.
    enum { PANEL_K = 256, ROWS = 64, W = 16 };
    float panel[PANEL_K * W];
    float out[ROWS * W];
    for (long p0 = 0; p0 < k || p0 == 0; p0 += PANEL_K) {
        long kk = k - p0 < PANEL_K ? k - p0 : PANEL_K;
        for (long p = 0; p < kk; p++) {
            memcpy(panel + p * W, b + (p0 + p) * ldb + j, (size_t)rest * sizeof(float));
            memset(panel + p * W + rest, 0, (size_t)(W - rest) * sizeof(float));
        }
        // Panels after the first accumulate into C (beta 1); the first applies the caller's beta.
        float bt = p0 == 0 ? beta : 1;
        for (long i0 = 0; i0 < m; i0 += ROWS) {
            long rows = m - i0 < ROWS ? m - i0 : ROWS;
            tiles(rows, kk, alpha, a + i0 * ars + p0 * acs, ars, acs, panel, W, 0, out, W, VLM_FULL, 0, 0, W);
            for (long i = 0; i < rows; i++) {
                float *ci = c + (i0 + i) * ldc + j;
                const float *oi = out + i * W;
                if (bt == 0) {
                    for (long x = 0; x < rest; x++) ci[x] = oi[x];
                } else {
                    for (long x = 0; x < rest; x++) ci[x] = bt * ci[x] + oi[x];
                }
            }
        }
        if (k == 0) break;
    }
}

void vlm_transpose(long rows, long cols, const float *src, long lds, float *dst, long ldd) {
    // Blocks of 16 x 16 keep both the reads and the writes within a few cache lines.
    enum { B = 16 };
    for (long i0 = 0; i0 < rows; i0 += B) {
        long i1 = i0 + B < rows ? i0 + B : rows;
        for (long j0 = 0; j0 < cols; j0 += B) {
            long j1 = j0 + B < cols ? j0 + B : cols;
            for (long i = i0; i < i1; i++)
                for (long j = j0; j < j1; j++) dst[j * ldd + i] = src[i * lds + j];
        }
    }
}

// One decoding step's matrix-vector products of the `small` LLM (30 layers of q, k, v, o,
// gate, up, down, then the 49152-row LM head) through vlm_gemv.c, in bf16 or f32, and the
// same in f32 through OpenBLAS's cblas_sgemv: read bandwidth and the token rate the
// products alone would allow. Weights total 268 MB (bf16) / 536 MB (f32), far beyond cache.
//
//   clang -O3 -march=native -I Sources/CSIMD/include -o /tmp/gemv_bench scripts/bench/gemv_microbench.c \
//         Sources/CSIMD/vlm_gemv.c -lpthread -lopenblas
//   OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 /tmp/gemv_bench bf16|f32|openblas
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vlm_gemv.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum { LAYERS = 30, MATS = 8, REPS = 12 };
static const long shapes[MATS][2] = {{576, 576}, {192, 576}, {192, 576}, {576, 576}, {1536, 576}, {1536, 576}, {576, 1536}, {49152, 576}};

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "bf16";
    int bf16 = strcmp(mode, "bf16") == 0, blas = strcmp(mode, "openblas") == 0;
    long elem = bf16 ? 2 : 4, bytes = 0;
    void *w[LAYERS][MATS];
    for (int l = 0; l < LAYERS; l++)
        for (int j = 0; j < MATS; j++) {
            if (j == MATS - 1 && l > 0) { w[l][j] = 0; continue; }  // one LM head
            long n = shapes[j][0] * shapes[j][1];
            w[l][j] = aligned_alloc(64, n * elem + 64);
            for (long i = 0; i < n; i++) {
                if (bf16) ((uint16_t *)w[l][j])[i] = 0x3c00 + (uint16_t)(i % 7);
                else ((float *)w[l][j])[i] = 1e-3f * (float)(i % 7);
            }
            bytes += n * elem;
        }
    float *x = aligned_alloc(64, 2048 * 4), *y = aligned_alloc(64, 49152 * 4);
    for (int i = 0; i < 2048; i++) x[i] = 1e-3f;
    double total = 0;
    for (int r = 0; r < REPS; r++) {
        double t0 = now();
        for (int l = 0; l < LAYERS; l++)
            for (int j = 0; j < MATS; j++) {
                if (!w[l][j]) continue;
                long rows = shapes[j][0], cols = shapes[j][1];
                if (blas) cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)cols, 1, w[l][j], (int)cols, x, 1, 0, y, 1);
                else if (bf16) vlm_gemv_bf16(w[l][j], cols, cols, x, y, rows, 2);
                else vlm_gemv_f32(w[l][j], cols, cols, x, y, rows, 2);
            }
        if (r >= 2) total += now() - t0;  // two warm-up passes
    }
    double step = total / (REPS - 2);
    printf("%s: %.2f ms a step, %.1f GB/s, %.1f tokens/s from the products alone\n", mode, step * 1e3, bytes / step / 1e9, 1 / step);
    return 0;
}

#include "vlm_blas.h"
#include <dlfcn.h>
#include <stdio.h>

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                         float, float *, int);
typedef char *(*str_fn)(void);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);

static void *handle;
static sgemm_fn p_sgemm;
static str_fn p_corename, p_config;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;

enum { RowMajor = 101, NoTrans = 111, Trans = 112 };

int vlm_blas_open(const char *path, char *err, size_t errlen) {
    if (handle) return 0;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, errlen, "%s", dlerror());
        return 1;
    }
    p_sgemm = (sgemm_fn)dlsym(h, "cblas_sgemm");
    if (!p_sgemm) {
        snprintf(err, errlen, "%s has no cblas_sgemm", path);
        dlclose(h);
        return 1;
    }
    p_corename = (str_fn)dlsym(h, "openblas_get_corename");
    p_config = (str_fn)dlsym(h, "openblas_get_config");
    p_set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn)dlsym(h, "openblas_get_num_threads");
    handle = h;
    return 0;
}

int vlm_blas_is_open(void) { return handle != 0; }

void vlm_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc) {
    p_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, M, N, K, alpha, A, lda, B, ldb,
            beta, C, ldc);
}

const char *vlm_blas_corename(void) { return p_corename ? p_corename() : 0; }
const char *vlm_blas_config(void) { return p_config ? p_config() : 0; }
void vlm_blas_set_threads(int n) {
    if (p_set_threads) p_set_threads(n);
}
int vlm_blas_get_threads(void) { return p_get_threads ? p_get_threads() : -1; }

int vlm_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
int vlm_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512cd");
}
int vlm_cpu_has_avx512_bf16(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16");
}

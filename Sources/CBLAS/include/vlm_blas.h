// A thin, dlopen-based entry to a CBLAS library (OpenBLAS by default).
//
// The library is opened at run time, not linked, so that OPENBLAS_CORETYPE can be set before
// OpenBLAS initialises (it reads the variable in its load-time constructor). Any library that
// exports cblas_sgemm can be used (OpenBLAS, BLIS, MKL's libmkl_rt); the OpenBLAS-only entry
// points are optional.
#ifndef VLM_BLAS_H
#define VLM_BLAS_H
#include <stddef.h>

/// Opens the library at `path` (a file name for the dynamic loader or a full path).
/// Returns 0 on success, else writes a message into `err`.
int vlm_blas_open(const char *path, char *err, size_t errlen);
/// 1 once a library is open.
int vlm_blas_is_open(void);

/// Row-major C = alpha * op(A) * op(B) + beta * C, op = transpose when trans != 0.
void vlm_sgemm(int transA, int transB, int M, int N, int K, float alpha,
               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

/// OpenBLAS's core name ("SkylakeX", "Prescott", ...) or NULL when the library has none.
const char *vlm_blas_corename(void);
/// OpenBLAS's build configuration string or NULL.
const char *vlm_blas_config(void);
/// Sets / gets the BLAS library's own thread count (no-op / -1 when unsupported).
void vlm_blas_set_threads(int n);
int vlm_blas_get_threads(void);

/// CPU features, from cpuid.
int vlm_cpu_has_avx2_fma(void);
int vlm_cpu_has_avx512(void);      // F, BW, VL, DQ, CD: what OpenBLAS's SkylakeX kernels need
int vlm_cpu_has_avx512_bf16(void);
#endif

// The small matrix products of attention (one head's block of query rows against its keys:
// tens to hundreds of rows and columns, head dimensions of 32-128), computed on the calling
// thread without packing. At these sizes OpenBLAS spends more time packing operands and
// entering the call than multiplying (`tiny` attention ran at ~30% of one core's peak).
#ifndef VLM_GEMM_SMALL_H
#define VLM_GEMM_SMALL_H

// C = alpha * A B + beta * C, C [m, n] row-major with row stride ldc. A [m, k] is read at
// a[i * ars + p * acs] (any strides: a transposed view is passed as such); B [k, n] is
// row-major with row stride ldb. With beta == 0, C is not read.
void vlm_sgemm_small(long m, long n, long k, float alpha, const float *a, long ars, long acs,
                     const float *b, long ldb, float beta, float *c, long ldc);

// dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols.
void vlm_transpose(long rows, long cols, const float *src, long lds, float *dst, long ldd);

#endif

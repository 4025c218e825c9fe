// The small matrix products of attention (one head's block of query rows against its keys:
// tens to hundreds of rows and columns, head dimensions of 32-128), computed on the calling
// thread without packing. At these sizes OpenBLAS spends more time packing operands and
// entering the call than multiplying (`tiny` attention ran at ~30% of one core's peak).
#ifndef VLM_GEMM_SMALL_H
#define VLM_GEMM_SMALL_H

// C = alpha * A B + beta * C, C [m, n] row-major with row stride ldc. A [m, k] is read at
// a[i * ars + p * acs] (any strides: a transposed view is passed as such); B [k, n] is
// row-major with row stride ldb. With beta == 0, C is not read.
//
// `causal` lets a causal attention block skip work that cannot matter, a tile (8 rows x 32
// columns) at a time:
//   VLM_FULL     the whole product;
//   VLM_OUT_LOWER only C[i, j] with j <= i + diag is wanted: tiles wholly above that are
//                 neither computed nor written;
//   VLM_A_LOWER  A[i, p] is 0 for p > i + diag: those terms are skipped;
//   VLM_A_UPPER  A[i, p] is 0 for p < i - diag: those terms are skipped.
// The last partial column tile is always computed in full, so entries of A said to be 0
// must be 0.
enum { VLM_FULL = 0, VLM_OUT_LOWER = 1, VLM_A_LOWER = 2, VLM_A_UPPER = 3 };
void vlm_sgemm_small(long m, long n, long k, float alpha, const float *a, long ars, long acs,
                     const float *b, long ldb, float beta, float *c, long ldc, int causal, long diag);

// dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols.
void vlm_transpose(long rows, long cols, const float *src, long lds, float *dst, long ldd);

#endif

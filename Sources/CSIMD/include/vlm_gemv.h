// Matrix-vector products for batch-1 decoding, where reading the weights is the whole cost:
// y[r] = sum_i W[r, i] * x[i] for rows [r0, r1) of a row-major W (leading dimension ldw).
// The bf16 kernel reads half the bytes of f32 and widens each weight in registers
// (bf16 -> f32 is a 16-bit shift), which is what makes bf16 decoding faster than f32.
#ifndef VLM_GEMV_H
#define VLM_GEMV_H
#include <stdint.h>

void vlm_gemv_bf16_rows(const uint16_t *w, long ldw, long cols, const float *x, float *y, long r0, long r1);
void vlm_gemv_f32_rows(const float *w, long ldw, long cols, const float *x, float *y, long r0, long r1);

// The whole product y = W x on `threads` threads of vlm_pool.c (the caller plus its spinning
// helpers). A call made while the pool is busy computes alone.
void vlm_gemv_bf16(const uint16_t *w, long ldw, long cols, const float *x, float *y, long rows, int threads);
void vlm_gemv_f32(const float *w, long ldw, long cols, const float *x, float *y, long rows, int threads);
#endif

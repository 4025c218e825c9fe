// Vector operations that Swift's SIMD types lower poorly (sqrt, min, max become scalar
// calls or NaN-handling loops). clang's ext_vector_type imports into Swift as SIMD16<Float>,
// and these always-inline functions compile to single AVX-512 / AVX2 instructions inside
// the Swift kernels that call them.
#ifndef VLM_SIMD_H
#define VLM_SIMD_H
#include "vlm_gemv.h"
#include "vlm_pool.h"
#include "vlm_peak.h"

typedef float vlm_float16 __attribute__((ext_vector_type(16)));

static inline __attribute__((always_inline)) vlm_float16 vlm_sqrt16(vlm_float16 x) {
    return __builtin_elementwise_sqrt(x);
}
static inline __attribute__((always_inline)) vlm_float16 vlm_max16(vlm_float16 a, vlm_float16 b) {
    return __builtin_elementwise_max(a, b);
}
static inline __attribute__((always_inline)) vlm_float16 vlm_min16(vlm_float16 a, vlm_float16 b) {
    return __builtin_elementwise_min(a, b);
}
#endif

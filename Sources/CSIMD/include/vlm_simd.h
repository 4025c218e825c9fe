// Vector operations that Swift's SIMD types lower poorly (sqrt, min, max become scalar
// calls or NaN-handling loops). clang's ext_vector_type imports into Swift as SIMD16<Float>,
// and these always-inline functions compile to single AVX-512 / AVX2 instructions inside
// the Swift kernels that call them.
#ifndef VLM_SIMD_H
#define VLM_SIMD_H
#include "vlm_gemv.h"
#include "vlm_pool.h"
#include "vlm_peak.h"
#include "vlm_gemm_small.h"

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
// Horizontal sum and maximum as a tree of shuffles (Swift's SIMD `sum()` adds the 16 lanes
// one after another). The order is fixed, so results are deterministic.
static inline __attribute__((always_inline)) float vlm_hsum16(vlm_float16 v) {
    typedef float f8 __attribute__((ext_vector_type(8)));
    typedef float f4 __attribute__((ext_vector_type(4)));
    f8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    f4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b.x + b.z) + (b.y + b.w);
}
static inline __attribute__((always_inline)) float vlm_hmax16(vlm_float16 v) {
    return __builtin_reduce_max(v);
}
#endif

// The functions are header-only; this file gives the target a translation unit.
#include "vlm_simd.h"

// Helpers shared by the decoders and encoders of CImaging (not part of the public header).
#ifndef VLM_IMAGE_COMMON_H
#define VLM_IMAGE_COMMON_H

#include "vlm_imaging.h"

/// Writes a printf-style message into the caller's buffer (which may be NULL or empty),
/// truncating it to fit.
void vlm_set_message(char *message, size_t capacity, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/// Whether an image of this size may be decoded (positive sides, at most VLM_IMAGE_MAX_PIXELS).
int vlm_pixel_count_allowed(int64_t width, int64_t height);

#endif

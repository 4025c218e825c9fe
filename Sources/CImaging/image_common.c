#include "image_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void vlm_set_message(char *message, size_t capacity, const char *format, ...) {
    if (message == NULL || capacity == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, capacity, format, arguments);
    va_end(arguments);
}

int vlm_pixel_count_allowed(int64_t width, int64_t height) {
    return width > 0 && height > 0 && width * height <= VLM_IMAGE_MAX_PIXELS;
}

void vlm_image_free(void *pointer) { free(pointer); }

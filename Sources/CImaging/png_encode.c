// 8-bit greyscale or RGB pixels -> PNG bytes in memory, with libpng.
#include "image_common.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// The growing output and the error text; heap allocated so both are well defined after
/// libpng's longjmp.
typedef struct {
    uint8_t *bytes;
    size_t size;
    size_t capacity;
    int out_of_memory;
    char library_message[192];
} png_encode_state;

static void append_to_memory(png_structp png, png_bytep source, size_t count) {
    png_encode_state *state = (png_encode_state *)png_get_io_ptr(png);
    if (count > state->capacity - state->size) {
        size_t capacity = state->capacity ? state->capacity : 4096;
        while (count > capacity - state->size) capacity *= 2;
        uint8_t *grown = realloc(state->bytes, capacity);
        if (!grown) {
            state->out_of_memory = 1;
            png_error(png, "out of memory");
        }
        state->bytes = grown;
        state->capacity = capacity;
    }
    memcpy(state->bytes + state->size, source, count);
    state->size += count;
}

static void flush_nothing(png_structp png) { (void)png; }

static void record_error_and_jump(png_structp png, png_const_charp text) {
    png_encode_state *state = (png_encode_state *)png_get_error_ptr(png);
    snprintf(state->library_message, sizeof state->library_message, "%s", text);
    png_longjmp(png, 1);
}

static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void encode_protected(png_structp png, png_infop info, const uint8_t *pixels,
                             int32_t width, int32_t height, int32_t channels,
                             int32_t compression_level) {
    png_set_compression_level(png, compression_level);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t row_bytes = (size_t)width * (size_t)channels;
    for (int32_t y = 0; y < height; y++) {
        png_write_row(png, pixels + row_bytes * (size_t)y);
    }
    png_write_end(png, info);
}

vlm_image_status vlm_png_encode(const uint8_t *pixels, int32_t width, int32_t height,
                                int32_t channels, int32_t compression_level,
                                vlm_encoded_image *out, char *message, size_t message_capacity) {
    memset(out, 0, sizeof *out);
    if (width <= 0 || height <= 0 || (int64_t)width * height > VLM_IMAGE_MAX_PIXELS ||
        (channels != 1 && channels != 3) || compression_level < 0 || compression_level > 9) {
        vlm_set_message(message, message_capacity,
                        "cannot encode %d x %d pixels with %d channels at level %d as PNG",
                        width, height, channels, compression_level);
        return VLM_IMAGE_INVALID_ARGUMENT;
    }
    png_encode_state *const state = calloc(1, sizeof *state);
    png_structp png = state ? png_create_write_struct(PNG_LIBPNG_VER_STRING, state,
                                                      record_error_and_jump, ignore_warning)
                            : NULL;
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        if (png) png_destroy_write_struct(&png, NULL);
        free(state);
        vlm_set_message(message, message_capacity, "out of memory");
        return VLM_IMAGE_OUT_OF_MEMORY;
    }
    png_set_write_fn(png, state, append_to_memory, flush_nothing);

    vlm_image_status status;
    if (setjmp(png_jmpbuf(png)) == 0) {
        encode_protected(png, info, pixels, width, height, channels, compression_level);
        out->bytes = state->bytes;
        out->size = state->size;
        state->bytes = NULL;
        status = VLM_IMAGE_OK;
    } else {
        status = state->out_of_memory ? VLM_IMAGE_OUT_OF_MEMORY : VLM_IMAGE_CORRUPT;
        vlm_set_message(message, message_capacity, "%s", state->library_message);
    }
    png_destroy_write_struct(&png, &info);
    free(state->bytes);
    free(state);
    return status;
}

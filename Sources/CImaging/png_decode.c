// PNG -> 8-bit RGB with libpng, matching Pillow's `Image.open(f).convert("RGB")`.
//
// libpng only inflates, unfilters and de-interlaces here (plus unpacking 1/2/4-bit samples
// to one byte each); the conversion to RGB is done below by hand, because Pillow's rules
// differ from libpng's transforms in places (measured with Pillow 13):
//   - greyscale 1/2/4-bit: scaled to 0...255 (x255, x85, x17);
//   - greyscale 16-bit: Pillow opens it as mode "I;16" and its I;16 -> RGB conversion
//     clips: a sample below 256 keeps its value, anything larger becomes 255;
//   - RGB, RGBA, grey+alpha at 16 bits: the high byte of each sample;
//   - palette: the PLTE entry, (0, 0, 0) for an index past the end of PLTE;
//   - alpha channels and tRNS are dropped (not composited), gamma/ICC chunks ignored.
#include "image_common.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// Everything the error path needs after a longjmp lives on the heap, so its contents are
/// well defined there (automatic variables changed after setjmp are not).
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
    int ran_out_of_data;
    char library_message[192];
    uint8_t *stored_rows;  // the image as libpng hands it over, before conversion
    png_bytep *row_pointers;
    uint8_t *rgb;
    vlm_image_status status;
} png_decode_state;

static void read_from_memory(png_structp png, png_bytep destination, size_t count) {
    png_decode_state *state = (png_decode_state *)png_get_io_ptr(png);
    if (count > state->size - state->position) {
        state->ran_out_of_data = 1;
        png_error(png, "data ends before the image does");
    }
    memcpy(destination, state->data + state->position, count);
    state->position += count;
}

static void record_error_and_jump(png_structp png, png_const_charp text) {
    png_decode_state *state = (png_decode_state *)png_get_error_ptr(png);
    snprintf(state->library_message, sizeof state->library_message, "%s", text);
    png_longjmp(png, 1);
}

/// Warnings (unknown sRGB profiles, CRC errors in ancillary chunks, ...) do not stop Pillow
/// either; they are dropped rather than printed.
static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

/// Converts one stored row (samples unpacked to bytes, 16-bit samples big-endian) to RGB.
static void convert_row_to_rgb(const uint8_t *in, uint8_t *out, png_uint_32 width,
                               int color_type, int bit_depth, const png_color *palette,
                               int palette_size) {
    png_uint_32 x;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
        if (bit_depth == 16) {
            for (x = 0; x < width; x++, in += 2, out += 3) {
                uint8_t value = in[0] == 0 ? in[1] : 255;
                out[0] = out[1] = out[2] = value;
            }
        } else {
            // 8-bit: x1; 4-bit: x17; 2-bit: x85; 1-bit: x255.
            int scale = 255 / ((1 << bit_depth) - 1);
            for (x = 0; x < width; x++, in++, out += 3) {
                uint8_t value = (uint8_t)(in[0] * scale);
                out[0] = out[1] = out[2] = value;
            }
        }
        break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: {
        int step = bit_depth == 16 ? 4 : 2;
        for (x = 0; x < width; x++, in += step, out += 3) out[0] = out[1] = out[2] = in[0];
        break;
    }
    case PNG_COLOR_TYPE_RGB:
        if (bit_depth == 16) {
            for (x = 0; x < width; x++, in += 6, out += 3) {
                out[0] = in[0];
                out[1] = in[2];
                out[2] = in[4];
            }
        } else {
            memcpy(out, in, (size_t)width * 3);
        }
        break;
    case PNG_COLOR_TYPE_RGB_ALPHA: {
        int sample = bit_depth == 16 ? 2 : 1;
        for (x = 0; x < width; x++, in += 4 * sample, out += 3) {
            out[0] = in[0];
            out[1] = in[sample];
            out[2] = in[2 * sample];
        }
        break;
    }
    case PNG_COLOR_TYPE_PALETTE:
        for (x = 0; x < width; x++, in++, out += 3) {
            if (in[0] < palette_size) {
                out[0] = palette[in[0]].red;
                out[1] = palette[in[0]].green;
                out[2] = palette[in[0]].blue;
            } else {
                out[0] = out[1] = out[2] = 0;
            }
        }
        break;
    }
}

/// The part of the decode that may longjmp back to `vlm_png_decode_rgb`.
static void decode_protected(png_structp png, png_infop info, png_decode_state *state,
                             vlm_decoded_image *out) {
    png_set_read_fn(png, state, read_from_memory);
    png_set_benign_errors(png, 1);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if (!vlm_pixel_count_allowed(width, height)) {
        state->status = VLM_IMAGE_TOO_LARGE;
        snprintf(state->library_message, sizeof state->library_message,
                 "image of %u x %u pixels is larger than the limit", (unsigned)width,
                 (unsigned)height);
        return;
    }

    png_colorp palette = NULL;
    int palette_size = 0;
    if (color_type == PNG_COLOR_TYPE_PALETTE &&
        !png_get_PLTE(png, info, &palette, &palette_size)) {
        state->status = VLM_IMAGE_CORRUPT;
        snprintf(state->library_message, sizeof state->library_message,
                 "palette image without a PLTE chunk");
        return;
    }

    if (bit_depth < 8) png_set_packing(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t row_bytes = png_get_rowbytes(png, info);
    size_t rgb_row_bytes = (size_t)width * 3;
    state->rgb = malloc(rgb_row_bytes * height);
    state->row_pointers = malloc(sizeof(png_bytep) * height);
    // 8-bit RGB is stored exactly as we return it: libpng writes straight into the output.
    int stored_is_rgb = color_type == PNG_COLOR_TYPE_RGB && bit_depth == 8;
    if (!stored_is_rgb) state->stored_rows = malloc(row_bytes * height);
    if (!state->rgb || !state->row_pointers || (!stored_is_rgb && !state->stored_rows)) {
        state->status = VLM_IMAGE_OUT_OF_MEMORY;
        snprintf(state->library_message, sizeof state->library_message,
                 "cannot allocate memory for %u x %u pixels", (unsigned)width, (unsigned)height);
        return;
    }
    uint8_t *stored = stored_is_rgb ? state->rgb : state->stored_rows;
    size_t stride = stored_is_rgb ? rgb_row_bytes : row_bytes;
    for (png_uint_32 y = 0; y < height; y++) state->row_pointers[y] = stored + stride * y;

    png_read_image(png, state->row_pointers);

    if (!stored_is_rgb) {
        for (png_uint_32 y = 0; y < height; y++) {
            convert_row_to_rgb(state->row_pointers[y], state->rgb + rgb_row_bytes * y, width,
                               color_type, bit_depth, palette, palette_size);
        }
    }
    // The IEND chunk and anything after the image data are not read: like Pillow, a file whose
    // pixels are all present decodes even if its tail is missing.
    out->width = (int32_t)width;
    out->height = (int32_t)height;
    out->pixels = state->rgb;
    state->rgb = NULL;
    state->status = VLM_IMAGE_OK;
}

vlm_image_status vlm_png_decode_rgb(const uint8_t *data, size_t size, vlm_decoded_image *out,
                                    char *message, size_t message_capacity) {
    memset(out, 0, sizeof *out);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        vlm_set_message(message, message_capacity, "not a PNG file (bad signature)");
        return VLM_IMAGE_CORRUPT;
    }
    png_decode_state *const state = calloc(1, sizeof *state);
    if (!state) {
        vlm_set_message(message, message_capacity, "out of memory");
        return VLM_IMAGE_OUT_OF_MEMORY;
    }
    state->data = data;
    state->size = size;

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, state, record_error_and_jump,
                                             ignore_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        free(state);
        vlm_set_message(message, message_capacity, "out of memory");
        return VLM_IMAGE_OUT_OF_MEMORY;
    }

    state->status = VLM_IMAGE_CORRUPT;
    if (setjmp(png_jmpbuf(png)) == 0) {
        decode_protected(png, info, state, out);
    } else {
        state->status = state->ran_out_of_data ? VLM_IMAGE_TRUNCATED : VLM_IMAGE_CORRUPT;
    }

    vlm_image_status result = state->status;
    if (result != VLM_IMAGE_OK) {
        vlm_set_message(message, message_capacity, "%s", state->library_message);
    }
    png_destroy_read_struct(&png, &info, NULL);
    free(state->rgb);
    free(state->stored_rows);
    free(state->row_pointers);
    free(state);
    return result;
}

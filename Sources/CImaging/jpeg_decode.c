// JPEG -> 8-bit RGB with libjpeg-turbo, matching Pillow's `Image.open(f).convert("RGB")`.
//
// Pillow leaves libjpeg's decoder settings at their defaults (accurate integer IDCT
// JDCT_ISLOW, fancy upsampling, block smoothing for progressive files), picks the output
// colour space from the number of components (1: greyscale, 3: RGB, 4: CMYK), and treats
// every 4-component file as Adobe's inverted CMYK. libjpeg itself turns YCbCr into RGB and
// YCCK into CMYK. The CMYK -> RGB step is Pillow's cmyk2rgb:
//     r = clip(nk - nk * c / 255) with nk = 255 - k and Pillow's rounded division by 255,
// applied after inverting the samples.
//
// Errors: libjpeg's error_exit would print and exit(); here it records the message and
// longjmps back. Warnings about corrupt data are tolerated (as in Pillow), except running
// out of data before the last scanline, which is reported as truncation. The EOI marker is
// not required once every scanline has been decoded (Pillow does not require it either).
#include "image_common.h"
#include "jpeg_errors.h"

#include <stdlib.h>
#include <string.h>

#include <jerror.h>

/// What the error path needs after the longjmp; heap allocated.
typedef struct {
    vlm_jpeg_errors errors;  // first: libjpeg's cinfo->err points here
    int ran_out_of_data;
    uint8_t *rgb;
    uint8_t *row;  // one decoded row, for greyscale and CMYK files
} jpeg_decode_state;

/// Called for warnings (level -1) and trace messages (levels >= 0). Only "premature end
/// of file" stops the decode; libjpeg would otherwise pad the image with grey.
static void handle_message(j_common_ptr cinfo, int level) {
    jpeg_decode_state *state = (jpeg_decode_state *)cinfo->err;
    if (level < 0) {
        cinfo->err->num_warnings++;
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
            state->ran_out_of_data = 1;
            snprintf(state->errors.message, sizeof state->errors.message,
                     "data ends before the image does");
            longjmp(state->errors.jump_target, 1);
        }
    }
}

/// Pillow's MULDIV255: a * b / 255 rounded, computed with shifts.
static inline int multiply_divide_255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

static inline uint8_t clip_to_byte(int value) {
    return value <= 0 ? 0 : value < 256 ? (uint8_t)value : 255;
}

/// Adobe CMYK rows store inverted samples; Pillow inverts them ("CMYK;I") before cmyk2rgb.
static void convert_inverted_cmyk_row(const uint8_t *in, uint8_t *out, JDIMENSION width) {
    for (JDIMENSION x = 0; x < width; x++, in += 4, out += 3) {
        int not_black = in[3];  // 255 - k, with k the inverted sample 255 - in[3]
        for (int channel = 0; channel < 3; channel++) {
            int ink = 255 - in[channel];
            out[channel] = clip_to_byte(not_black - multiply_divide_255(ink, not_black));
        }
    }
}

static void convert_grey_row(const uint8_t *in, uint8_t *out, JDIMENSION width) {
    for (JDIMENSION x = 0; x < width; x++, out += 3) out[0] = out[1] = out[2] = in[x];
}

/// The part of the decode that may longjmp back to `vlm_jpeg_decode_rgb`.
static vlm_image_status decode_protected(struct jpeg_decompress_struct *cinfo,
                                         jpeg_decode_state *state, const uint8_t *data,
                                         size_t size, vlm_decoded_image *out) {
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);

    if (!vlm_pixel_count_allowed(cinfo->image_width, cinfo->image_height)) {
        snprintf(state->errors.message, sizeof state->errors.message,
                 "image of %u x %u pixels is larger than the limit",
                 (unsigned)cinfo->image_width, (unsigned)cinfo->image_height);
        return VLM_IMAGE_TOO_LARGE;
    }
    switch (cinfo->num_components) {
    case 1: cinfo->out_color_space = JCS_GRAYSCALE; break;
    case 3: cinfo->out_color_space = JCS_RGB; break;
    case 4: cinfo->out_color_space = JCS_CMYK; break;
    default:
        snprintf(state->errors.message, sizeof state->errors.message,
                 "JPEG with %d components is not supported", cinfo->num_components);
        return VLM_IMAGE_UNSUPPORTED;
    }

    jpeg_start_decompress(cinfo);
    JDIMENSION width = cinfo->output_width, height = cinfo->output_height;
    size_t rgb_row_bytes = (size_t)width * 3;
    state->rgb = malloc(rgb_row_bytes * height);
    if (cinfo->out_color_space != JCS_RGB) {
        state->row = malloc((size_t)width * (size_t)cinfo->output_components);
    }
    if (!state->rgb || (cinfo->out_color_space != JCS_RGB && !state->row)) {
        snprintf(state->errors.message, sizeof state->errors.message,
                 "cannot allocate memory for %u x %u pixels", (unsigned)width, (unsigned)height);
        return VLM_IMAGE_OUT_OF_MEMORY;
    }

    while (cinfo->output_scanline < height) {
        uint8_t *rgb_row = state->rgb + rgb_row_bytes * cinfo->output_scanline;
        JSAMPROW target = cinfo->out_color_space == JCS_RGB ? rgb_row : state->row;
        if (jpeg_read_scanlines(cinfo, &target, 1) != 1) {
            snprintf(state->errors.message, sizeof state->errors.message,
                     "decoder stopped before the last scanline");
            return VLM_IMAGE_TRUNCATED;
        }
        if (cinfo->out_color_space == JCS_GRAYSCALE) {
            convert_grey_row(state->row, rgb_row, width);
        } else if (cinfo->out_color_space == JCS_CMYK) {
            convert_inverted_cmyk_row(state->row, rgb_row, width);
        }
    }
    out->width = (int32_t)width;
    out->height = (int32_t)height;
    out->pixels = state->rgb;
    state->rgb = NULL;
    return VLM_IMAGE_OK;
}

vlm_image_status vlm_jpeg_decode_rgb(const uint8_t *data, size_t size, vlm_decoded_image *out,
                                     char *message, size_t message_capacity) {
    memset(out, 0, sizeof *out);
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        vlm_set_message(message, message_capacity, "not a JPEG file (bad signature)");
        return VLM_IMAGE_CORRUPT;
    }
    jpeg_decode_state *const state = calloc(1, sizeof *state);
    struct jpeg_decompress_struct *const cinfo = calloc(1, sizeof *cinfo);
    if (!state || !cinfo) {
        free(state);
        free(cinfo);
        vlm_set_message(message, message_capacity, "out of memory");
        return VLM_IMAGE_OUT_OF_MEMORY;
    }
    cinfo->err = vlm_jpeg_errors_install(&state->errors, handle_message);

    vlm_image_status status;
    if (setjmp(state->errors.jump_target) == 0) {
        jpeg_create_decompress(cinfo);
        status = decode_protected(cinfo, state, data, size, out);
    } else {
        status = state->ran_out_of_data     ? VLM_IMAGE_TRUNCATED
                 // e.g. 12-bit samples, which this libjpeg build cannot decode
                 : state->errors.library.msg_code == JERR_BAD_PRECISION ? VLM_IMAGE_UNSUPPORTED
                                              : VLM_IMAGE_CORRUPT;
    }
    if (status != VLM_IMAGE_OK) {
        vlm_set_message(message, message_capacity, "%s", state->errors.message);
    }
    jpeg_destroy_decompress(cinfo);
    free(state->rgb);
    free(state->row);
    free(cinfo);
    free(state);
    return status;
}

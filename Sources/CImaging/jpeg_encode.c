// 8-bit greyscale or RGB pixels -> baseline JPEG bytes in memory, with libjpeg-turbo.
#include "image_common.h"
#include "jpeg_errors.h"

#include <stdlib.h>
#include <string.h>

/// The error manager and the output buffer libjpeg grows; heap allocated so both are well
/// defined after the longjmp.
typedef struct {
    vlm_jpeg_errors errors;  // first: libjpeg's cinfo->err points here
    unsigned char *bytes;
    unsigned long size;
} jpeg_encode_state;

static void encode_protected(struct jpeg_compress_struct *cinfo, jpeg_encode_state *state,
                             const uint8_t *pixels, int32_t width, int32_t height,
                             int32_t channels, int32_t quality) {
    jpeg_mem_dest(cinfo, &state->bytes, &state->size);
    cinfo->image_width = (JDIMENSION)width;
    cinfo->image_height = (JDIMENSION)height;
    cinfo->input_components = channels;
    cinfo->in_color_space = channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(cinfo);  // YCbCr with 2x2 chroma subsampling for RGB input
    jpeg_set_quality(cinfo, quality, TRUE);
    jpeg_start_compress(cinfo, TRUE);
    size_t row_bytes = (size_t)width * (size_t)channels;
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + row_bytes * cinfo->next_scanline);
        jpeg_write_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_compress(cinfo);
}

vlm_image_status vlm_jpeg_encode(const uint8_t *pixels, int32_t width, int32_t height,
                                 int32_t channels, int32_t quality, vlm_encoded_image *out,
                                 char *message, size_t message_capacity) {
    memset(out, 0, sizeof *out);
    if (width <= 0 || height <= 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION ||
        (channels != 1 && channels != 3) || quality < 1 || quality > 100) {
        vlm_set_message(message, message_capacity,
                        "cannot encode %d x %d pixels with %d channels at quality %d as JPEG",
                        width, height, channels, quality);
        return VLM_IMAGE_INVALID_ARGUMENT;
    }
    jpeg_encode_state *const state = calloc(1, sizeof *state);
    struct jpeg_compress_struct *const cinfo = calloc(1, sizeof *cinfo);
    if (!state || !cinfo) {
        free(state);
        free(cinfo);
        vlm_set_message(message, message_capacity, "out of memory");
        return VLM_IMAGE_OUT_OF_MEMORY;
    }
    cinfo->err = vlm_jpeg_errors_install(&state->errors, NULL);

    vlm_image_status status;
    if (setjmp(state->errors.jump_target) == 0) {
        jpeg_create_compress(cinfo);
        encode_protected(cinfo, state, pixels, width, height, channels, quality);
        out->bytes = state->bytes;
        out->size = state->size;
        state->bytes = NULL;
        status = VLM_IMAGE_OK;
    } else {
        status = VLM_IMAGE_CORRUPT;
        vlm_set_message(message, message_capacity, "%s", state->errors.message);
    }
    jpeg_destroy_compress(cinfo);
    free(state->bytes);
    free(cinfo);
    free(state);
    return status;
}

// PNG and JPEG decoding and encoding over libpng and libjpeg-turbo.
//
// Both libraries report errors by longjmp, which Swift cannot catch, and by default print
// warnings to stderr (libjpeg even calls exit() on errors). These wrappers do every library
// call under setjmp in C, install handlers that neither print nor exit, and turn every
// failure into a status code plus a one-line message.
//
// Decoders produce 8-bit interleaved RGB the way Pillow's `Image.open(f).convert("RGB")`
// does (alpha dropped, not composited; see each decoder's file for the details).
#ifndef VLM_IMAGING_H
#define VLM_IMAGING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of a decode or encode call.
typedef enum {
    VLM_IMAGE_OK = 0,
    /// The data breaks the format's rules (bad signature, CRC, Huffman data, ...).
    VLM_IMAGE_CORRUPT = 1,
    /// The data ends before the image does.
    VLM_IMAGE_TRUNCATED = 2,
    /// Well-formed, but a variant this code does not handle (e.g. 12-bit JPEG).
    VLM_IMAGE_UNSUPPORTED = 3,
    /// Width x height exceeds VLM_IMAGE_MAX_PIXELS (protects against hostile headers).
    VLM_IMAGE_TOO_LARGE = 4,
    VLM_IMAGE_OUT_OF_MEMORY = 5,
    /// The caller passed an impossible size, channel count or quality.
    VLM_IMAGE_INVALID_ARGUMENT = 6,
} vlm_image_status;

/// Largest image (in pixels) a decoder accepts: 2^28, about 16k x 16k.
#define VLM_IMAGE_MAX_PIXELS ((int64_t)1 << 28)

/// A decoded image. `pixels` holds width * height * 3 bytes, rows top to bottom, RGB
/// interleaved, allocated with malloc: release it with vlm_image_free.
typedef struct {
    int32_t width;
    int32_t height;
    uint8_t *pixels;
} vlm_decoded_image;

/// An encoded file in memory, allocated with malloc: release `bytes` with vlm_image_free.
typedef struct {
    uint8_t *bytes;
    size_t size;
} vlm_encoded_image;

/// Decodes a PNG (any bit depth and colour type, interlaced or not) to 8-bit RGB.
/// On failure `out` is left empty and `message` (capacity `message_capacity`, may be 0)
/// says what is wrong.
vlm_image_status vlm_png_decode_rgb(const uint8_t *data, size_t size, vlm_decoded_image *out,
                                    char *message, size_t message_capacity);

/// Decodes a JPEG (baseline or progressive; greyscale, YCbCr, RGB, CMYK or YCCK) to 8-bit RGB.
vlm_image_status vlm_jpeg_decode_rgb(const uint8_t *data, size_t size, vlm_decoded_image *out,
                                     char *message, size_t message_capacity);

/// Encodes 8-bit pixels as a PNG. `channels` is 1 (greyscale) or 3 (RGB);
/// `compression_level` is zlib's 0...9.
vlm_image_status vlm_png_encode(const uint8_t *pixels, int32_t width, int32_t height,
                                int32_t channels, int32_t compression_level,
                                vlm_encoded_image *out, char *message, size_t message_capacity);

/// Encodes 8-bit pixels as a baseline JPEG with libjpeg's standard tables scaled to
/// `quality` (1...100), 4:2:0 chroma subsampling for RGB (Pillow's default).
/// `channels` is 1 (greyscale) or 3 (RGB).
vlm_image_status vlm_jpeg_encode(const uint8_t *pixels, int32_t width, int32_t height,
                                 int32_t channels, int32_t quality, vlm_encoded_image *out,
                                 char *message, size_t message_capacity);

/// Frees memory returned by the functions above (NULL is fine).
void vlm_image_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif

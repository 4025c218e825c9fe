// libjpeg error handling shared by the JPEG decoder and encoder (not part of the public header).
//
// libjpeg's default error_exit prints and calls exit(). Here a fatal error records its
// message and longjmps back to the caller's setjmp; nothing is printed.
#ifndef VLM_JPEG_ERRORS_H
#define VLM_JPEG_ERRORS_H

#include <setjmp.h>
#include <stdio.h>

#include <jpeglib.h>

/// libjpeg's error manager extended with the jump target and the message. Put it first in a
/// heap-allocated state struct: libjpeg's `cinfo->err` points at it, and heap contents stay
/// well defined after the longjmp.
typedef struct {
    struct jpeg_error_mgr library;
    jmp_buf jump_target;
    char message[JMSG_LENGTH_MAX];
} vlm_jpeg_errors;

/// Sets `errors` up and returns the manager to assign to `cinfo->err`. Warnings and trace
/// messages go to `emit_message` (NULL ignores them).
struct jpeg_error_mgr *vlm_jpeg_errors_install(vlm_jpeg_errors *errors, void (*emit_message)(j_common_ptr, int));

#endif

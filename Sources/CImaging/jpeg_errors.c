#include "jpeg_errors.h"

static void record_error_and_jump(j_common_ptr cinfo) {
    vlm_jpeg_errors *errors = (vlm_jpeg_errors *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, errors->message);
    longjmp(errors->jump_target, 1);
}

static void ignore_message(j_common_ptr cinfo, int level) {
    (void)cinfo;
    (void)level;
}

static void print_nothing(j_common_ptr cinfo) { (void)cinfo; }

struct jpeg_error_mgr *vlm_jpeg_errors_install(vlm_jpeg_errors *errors, void (*emit_message)(j_common_ptr, int)) {
    struct jpeg_error_mgr *manager = jpeg_std_error(&errors->library);
    manager->error_exit = record_error_and_jump;
    manager->emit_message = emit_message ? emit_message : ignore_message;
    manager->output_message = print_nothing;
    return manager;
}

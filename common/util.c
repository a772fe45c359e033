/*
 * Checked size arithmetic, the process-wide limits, and the logging and
 * progress hooks the CLI installs (the library itself never prints).
 */
#include "sigil/common.h"

#include <stdio.h>

#include <openssl/crypto.h>

sg_err sg_add_size(size_t *out, size_t a, size_t b)
{
    if (__builtin_add_overflow(a, b, out))
        return sg_error_set(SG_ELIMIT, "size overflow");
    return SG_OK;
}

sg_err sg_mul_size(size_t *out, size_t a, size_t b)
{
    if (__builtin_mul_overflow(a, b, out))
        return sg_error_set(SG_ELIMIT, "size overflow");
    return SG_OK;
}

sg_err sg_add_u64(uint64_t *out, uint64_t a, uint64_t b)
{
    if (__builtin_add_overflow(a, b, out))
        return sg_error_set(SG_ELIMIT, "size overflow");
    return SG_OK;
}

static struct sg_limits limits = {
    .manifest_max = SG_LIMIT_MANIFEST_MAX,
    .descriptors_max = SG_LIMIT_DESCRIPTORS_MAX,
    .json_depth_max = SG_LIMIT_JSON_DEPTH_MAX,
    .token_max = SG_LIMIT_TOKEN_MAX,
    .config_blob_max = SG_LIMIT_CONFIG_MAX,
    .small_blob_max = SG_LIMIT_SMALL_BLOB_MAX,
    .tar_entries_max = SG_LIMIT_TAR_ENTRIES_MAX,
    .path_max = SG_LIMIT_PATH_MAX,
    .file_keep_max = SG_LIMIT_FILE_KEEP_MAX,
    .kept_bytes_max = SG_LIMIT_KEPT_BYTES_MAX,
    .layer_bytes_max = SG_LIMIT_LAYER_BYTES_MAX,
    .image_bytes_max = SG_LIMIT_IMAGE_BYTES_MAX,
    .ratio_max = SG_LIMIT_RATIO_MAX,
    .db_records_max = SG_LIMIT_DB_RECORDS_MAX,
    .tags_max = SG_LIMIT_TAGS_MAX,
    .header_max = SG_LIMIT_HEADER_MAX,
};

struct sg_limits *sg_limits_default(void)
{
    return &limits;
}

static sg_log_fn log_fn;
static void *log_payload;
static sg_progress_fn progress_fn;
static void *progress_payload;

void sg_log_set_hook(sg_log_fn fn, void *payload)
{
    log_fn = fn;
    log_payload = payload;
}

void sg_log(enum sg_log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (!log_fn)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_fn(level, msg, log_payload);
}

void sg_progress_set_hook(sg_progress_fn fn, void *payload)
{
    progress_fn = fn;
    progress_payload = payload;
}

void sg_progress(const char *what, uint64_t bytes, uint64_t total, int done)
{
    if (progress_fn)
        progress_fn(what, bytes, total, done, progress_payload);
}

void sg_wipe(void *p, size_t len)
{
    if (p && len)
        OPENSSL_cleanse(p, len);
}

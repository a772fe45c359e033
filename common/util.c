/*
 * Checked size arithmetic, and calling the logging and progress hooks of
 * a ctx (the library itself never prints).
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

void sg_log(const struct sg_ctx *c,
            enum sg_log_level level,
            const char *fmt,
            ...)
{
    char msg[1024];
    va_list ap;

    if (!c || !c->log)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->log(level, msg, c->payload);
}

void sg_progress(const struct sg_ctx *c,
                 const char *what,
                 uint64_t bytes,
                 uint64_t total,
                 int done)
{
    if (c && c->progress)
        c->progress(what, bytes, total, done, c->payload);
}

void sg_wipe(void *p, size_t len)
{
    if (p && len)
        OPENSSL_cleanse(p, len);
}

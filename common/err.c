/*
 * Per-thread error messages: the origin of an error records it once with
 * sg_error_set() and callers pass the code up unchanged (style.md B3).
 * Recording never allocates, so out-of-memory can be reported too.
 */
#include "sigil/common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

static _Thread_local char last_msg[1024];

sg_err sg_error_vset(sg_err code, const char *fmt, va_list ap)
{
    vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
    return code;
}

sg_err sg_error_set(sg_err code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sg_error_vset(code, fmt, ap);
    va_end(ap);
    return code;
}

sg_err sg_error_prefix(sg_err code, const char *fmt, ...)
{
    char old[sizeof(last_msg)];
    char pre[512];
    va_list ap;

    memcpy(old, last_msg, sizeof(old));
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    /* Truncation is fine for a message; build it by hand so GCC's
     * -Wformat-truncation has nothing to say. */
    {
        size_t n = strlen(pre), m = strlen(old), cap = sizeof(last_msg) - 1;
        size_t pos = 0;
        memcpy(last_msg, pre, n < cap ? n : cap);
        pos = n < cap ? n : cap;
        if (old[0] && pos + 2 < cap) {
            memcpy(last_msg + pos, ": ", 2);
            pos += 2;
            if (m > cap - pos)
                m = cap - pos;
            memcpy(last_msg + pos, old, m);
            pos += m;
        }
        last_msg[pos] = '\0';
    }
    return code;
}

sg_err sg_error_oom(void)
{
    snprintf(last_msg, sizeof(last_msg), "out of memory");
    return SG_ENOMEM;
}

sg_err sg_error_openssl(const char *what)
{
    unsigned long e = ERR_get_error();
    char detail[256] = "unknown OpenSSL error";

    if (e)
        ERR_error_string_n(e, detail, sizeof(detail));
    ERR_clear_error();
    return sg_error_set(SG_ECRYPTO, "%s: %s", what, detail);
}

sg_err sg_error_errno(const char *what, int errnum)
{
    char detail[256];

    detail[0] = '\0';
    /* XSI strerror_r (we build with _POSIX_C_SOURCE, not _GNU_SOURCE). */
    if (strerror_r(errnum, detail, sizeof(detail)) != 0)
        snprintf(detail, sizeof(detail), "error %d", errnum);
    return sg_error_set(errnum == ENOENT ? SG_ENOTFOUND : SG_EIO, "%s: %s",
                        what, detail);
}

const char *sg_error_last(void)
{
    return last_msg;
}

void sg_error_clear(void)
{
    last_msg[0] = '\0';
}

const char *sg_err_name(sg_err code)
{
    switch (code) {
    case SG_OK:
        return "OK";
    case SG_ENOMEM:
        return "ENOMEM";
    case SG_EINVAL:
        return "EINVAL";
    case SG_EPARSE:
        return "EPARSE";
    case SG_ELIMIT:
        return "ELIMIT";
    case SG_EUNSUPPORTED:
        return "EUNSUPPORTED";
    case SG_EIO:
        return "EIO";
    case SG_ENET:
        return "ENET";
    case SG_EHTTP:
        return "EHTTP";
    case SG_EAUTH:
        return "EAUTH";
    case SG_ENOTFOUND:
        return "ENOTFOUND";
    case SG_EDIGEST:
        return "EDIGEST";
    case SG_ECRYPTO:
        return "ECRYPTO";
    case SG_EVERIFY:
        return "EVERIFY";
    case SG_EEXIST:
        return "EEXIST";
    case SG_EINTERNAL:
        return "EINTERNAL";
    }
    return "E?";
}

/*
 * The owned, capped buffer (style.md snippet 2, after curl's dynbuf and
 * git's strbuf): always NUL-terminated, binary-safe, with a hard maximum.
 * A failed append releases the buffer so no half-built data survives.
 */
#include "sigil/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char sg_buf__empty[1];

void sg_buf_init(struct sg_buf *b, size_t max)
{
    b->data = sg_buf__empty;
    b->len = 0;
    b->cap = 0;
    b->max = max > SG_BUF_NOLIMIT ? SG_BUF_NOLIMIT : max;
}

void sg_buf_release(struct sg_buf *b)
{
    if (b->cap)
        free(b->data);
    b->data = sg_buf__empty;
    b->len = 0;
    b->cap = 0;
}

void sg_buf_reset(struct sg_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = '\0';
}

sg_err sg_buf_grow(struct sg_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->max > SG_BUF_NOLIMIT)
        b->max = SG_BUF_NOLIMIT;
    if (extra > b->max - b->len) {
        sg_buf_release(b);
        return sg_error_set(SG_ELIMIT, "buffer limit of %zu bytes exceeded",
                            b->max);
    }
    need = b->len + extra + 1; /* cannot wrap: max <= SIZE_MAX / 2 */
    if (need <= b->cap)
        return SG_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    p = realloc(b->cap ? b->data : NULL, cap);
    if (!p) {
        sg_buf_release(b);
        return sg_error_oom();
    }
    if (!b->cap)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return SG_OK;
}

sg_err sg_buf_add(struct sg_buf *b, const void *p, size_t len)
{
    sg_err rc = sg_buf_grow(b, len);

    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return SG_OK;
}

sg_err sg_buf_adds(struct sg_buf *b, const char *s)
{
    return sg_buf_add(b, s, strlen(s));
}

sg_err sg_buf_addc(struct sg_buf *b, char c)
{
    return sg_buf_add(b, &c, 1);
}

sg_err sg_buf_addf(struct sg_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    sg_err rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sg_buf_release(b);
        return sg_error_set(SG_EINTERNAL, "format error");
    }
    rc = sg_buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SG_OK;
}

sg_err sg_buf_take(char **out, size_t *len_out, struct sg_buf *b)
{
    *out = NULL;
    if (len_out)
        *len_out = 0;
    if (!b->cap) {
        *out = calloc(1, 1);
        if (!*out)
            return sg_error_oom();
    } else {
        *out = b->data;
        if (len_out)
            *len_out = b->len;
    }
    b->data = sg_buf__empty;
    b->len = 0;
    b->cap = 0;
    return SG_OK;
}

sg_err
sg_array_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first)
{
    size_t ncap;
    void *p;

    if (n < *cap)
        return SG_OK;
    if (*cap > SIZE_MAX / 2 / size)
        return sg_error_oom();
    ncap = *cap ? *cap * 2 : first;
    /* arr is the address of a T * whatever T is: its value is read and
     * written through memcpy */
    memcpy(&p, arr, sizeof(p));
    p = realloc(p, ncap * size);
    if (!p)
        return sg_error_oom();
    memcpy(arr, &p, sizeof(p));
    *cap = ncap;
    return SG_OK;
}

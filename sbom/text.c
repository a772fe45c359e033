/*
 * Text helpers for the catalogers: a line iterator over untrusted bytes,
 * trimming copies and a growable string vector.
 */
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void sg_lines_init(struct sg_lines *it, const void *data, size_t len)
{
    it->p = data;
    it->end = it->p + len;
    it->lineno = 0;
}

int sg_lines_next(struct sg_lines *it, const char **line, size_t *len)
{
    const char *nl;

    if (it->p >= it->end)
        return 0;
    nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    *line = it->p;
    *len = (size_t)((nl ? nl : it->end) - it->p);
    it->p = nl ? nl + 1 : it->end;
    if (*len > 0 && (*line)[*len - 1] == '\r')
        (*len)--;
    it->lineno++;
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
           c == '\f';
}

char *sg_text_dup_trim(const char *p, size_t n)
{
    char *s;

    while (n > 0 && is_blank(*p)) {
        p++;
        n--;
    }
    while (n > 0 && is_blank(p[n - 1]))
        n--;
    s = malloc(n + 1);
    if (!s) {
        (void)sg_error_oom();
        return NULL;
    }
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *sg_text_dup(const char *s)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        (void)sg_error_oom();
    return d;
}

int sg_text_eq_ci(const char *p, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!s[i] ||
            tolower((unsigned char)p[i]) != tolower((unsigned char)s[i]))
            return 0;
    }
    return s[n] == '\0';
}

sg_err sg_strv_push(char ***v, size_t *n, const char *p, size_t len)
{
    char **nv;
    char *s;

    nv = realloc(*v, (*n + 1) * sizeof(**v));
    if (!nv)
        return sg_error_oom();
    *v = nv;
    s = sg_text_dup_trim(p, len);
    if (!s)
        return sg_error_oom();
    nv[(*n)++] = s;
    return SG_OK;
}

/*
 * Distro identification: os-release (shell-style KEY=value with single or
 * double quotes and backslash escapes, `#` comments) and the point release
 * files etc/debian_version and etc/alpine-release.
 */
#include "sbom_int.h"
#include "sbom_core.h"
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Unquote a shell-style value into a malloc'd string. Returns NULL on OOM
 * and sets *bad for unterminated quotes. */
static char *unquote(const char *p, size_t n, int *bad)
{
    char *out = malloc(n + 1);
    size_t o = 0, i = 0;
    char q = 0;

    *bad = 0;
    if (!out) {
        (void)sg_error_oom();
        return NULL;
    }
    while (i < n) {
        char c = p[i++];
        if (q == '\'') {
            if (c == '\'')
                q = 0;
            else
                out[o++] = c;
        } else if (c == '\\' && i < n) {
            char e = p[i++];
            /* Inside double quotes only \" \\ \$ \` are escapes. */
            if (q == '"' && !strchr("\"\\$`", e))
                out[o++] = '\\';
            out[o++] = e;
        } else if (q == '"') {
            if (c == '"')
                q = 0;
            else
                out[o++] = c;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if (c == '#' && (i == 1 || isspace((unsigned char)p[i - 2]))) {
            break; /* trailing comment */
        } else if (isspace((unsigned char)c)) {
            /* unquoted blanks end the value */
            while (i < n && isspace((unsigned char)p[i]))
                i++;
            if (i < n && p[i] != '#')
                *bad = 1;
            break;
        } else {
            out[o++] = c;
        }
    }
    if (q)
        *bad = 1;
    out[o] = '\0';
    return out;
}

sg_err sg_sbom__os_release_parse(struct sg_distro *d,
                                 const void *data,
                                 size_t len,
                                 const struct sg_ctx *ctx)
{
    static const char *const keys[] = { "ID",          "VERSION_ID",
                                        "PRETTY_NAME", "NAME",
                                        "ID_LIKE",     "VERSION_CODENAME",
                                        "BUILD_ID" };
    struct sg_lines it;
    const char *line;
    size_t llen;
    char *build_id = NULL;

    sg_lines_init(&it, data, len);
    while (sg_lines_next(&it, &line, &llen)) {
        const char *eq;
        size_t i = 0, klen;
        char **dst = NULL;
        char *val;
        int bad;

        while (i < llen && isspace((unsigned char)line[i]))
            i++;
        if (i == llen || line[i] == '#')
            continue;
        eq = memchr(line + i, '=', llen - i);
        if (!eq)
            continue;
        klen = (size_t)(eq - (line + i));
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            if (strlen(keys[k]) == klen &&
                memcmp(keys[k], line + i, klen) == 0) {
                char **slots[] = { &d->id,          &d->version_id,
                                   &d->pretty_name, &d->name,
                                   &d->id_like,     &d->version_codename,
                                   &build_id };
                dst = slots[k];
                break;
            }
        }
        if (!dst || *dst)
            continue; /* unknown key or already set: keep the first */
        val = unquote(eq + 1, (size_t)(line + llen - (eq + 1)), &bad);
        if (!val) {
            free(build_id);
            return sg_error_oom();
        }
        if (bad || !val[0] || len > 1024 * 1024) {
            if (bad)
                sg_warn(ctx, "os-release: line %zu: bad quoting, ignored",
                        it.lineno);
            free(val);
            continue;
        }
        *dst = val;
    }
    if (d->id)
        for (char *c = d->id; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    if (!d->version_id && build_id) {
        d->version_id = build_id;
        build_id = NULL;
    }
    free(build_id);
    return SG_OK;
}

sg_err
sg_sbom__distro_point_release(struct sg_distro *d, const void *data, size_t len)
{
    const char *p = data, *nl;
    char *v;

    nl = memchr(p, '\n', len);
    if (nl)
        len = (size_t)(nl - p);
    if (len > 64 || d->version)
        return SG_OK;
    v = sg_text_dup_trim(p, len);
    if (!v)
        return sg_error_oom();
    /* Only a numeric point release ("12.7", "3.19.1") is useful; Debian
     * testing writes "trixie/sid". */
    for (const char *c = v; *c; c++) {
        if (!isdigit((unsigned char)*c) && *c != '.') {
            free(v);
            return SG_OK;
        }
    }
    if (!v[0]) {
        free(v);
        return SG_OK;
    }
    d->version = v;
    return SG_OK;
}

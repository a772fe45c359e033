/*
 * The simple-signing payload exactly as cosign writes it (Go
 * encoding/json: struct key order, sorted map keys, no whitespace, <>&
 * escaped as \u003c \u003e \u0026) and the Go-style JSON string writer the
 * other sign files use. Format: cosign-format.md §1.
 */
#include "sign_int.h"

#include <stdlib.h>
#include <string.h>

#define COSIGN_TYPE "cosign container image signature"

/* Length of a valid UTF-8 sequence at p (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

sg_err sg_sign__json_str(struct sg_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    sg_err rc = sg_buf_addc(out, '"');

    for (size_t i = 0; !rc && i < n;) {
        unsigned char c = p[i];
        size_t l;

        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            rc = sg_buf_add(out, e, 2);
            i++;
        } else if (c == '\n') {
            rc = sg_buf_adds(out, "\\n");
            i++;
        } else if (c == '\r') {
            rc = sg_buf_adds(out, "\\r");
            i++;
        } else if (c == '\t') {
            rc = sg_buf_adds(out, "\\t");
            i++;
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            rc = sg_buf_add(out, e, 6);
            i++;
        } else if (c < 0x80) {
            rc = sg_buf_addc(out, (char)c);
            i++;
        } else if ((l = utf8_len(p + i, n - i)) == 0) {
            rc = sg_buf_adds(out, "\\ufffd"); /* Go: invalid UTF-8 */
            i++;
        } else if (l == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
                   (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
            rc = sg_buf_adds(out, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
            i += 3;
        } else {
            rc = sg_buf_add(out, p + i, l);
            i += l;
        }
    }
    if (!rc)
        rc = sg_buf_addc(out, '"');
    return rc;
}

static sg_err json_cstr(struct sg_buf *out, const char *s)
{
    return sg_sign__json_str(out, s, strlen(s));
}

static int cmp_annot(const void *a, const void *b)
{
    const struct sg_sign_annotation *x =
        *(const struct sg_sign_annotation *const *)a;
    const struct sg_sign_annotation *y =
        *(const struct sg_sign_annotation *const *)b;

    return strcmp(x->key, y->key);
}

sg_err sg_sign__json_map(struct sg_buf *out,
                         const struct sg_sign_annotation *a,
                         size_t n)
{
    const struct sg_sign_annotation **v;
    size_t m = 0;
    sg_err rc;

    if (!n)
        return sg_buf_adds(out, "null");
    v = calloc(n, sizeof(*v));
    if (!v)
        return sg_error_oom();
    /* A Go map: the last value for a key wins; keys sorted bytewise. */
    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < m; j++) {
            if (strcmp(v[j]->key, a[i].key) == 0)
                break;
        }
        v[j] = &a[i];
        if (j == m)
            m++;
    }
    qsort(v, m, sizeof(*v), cmp_annot);
    rc = sg_buf_addc(out, '{');
    for (size_t i = 0; !rc && i < m; i++) {
        if (i)
            rc = sg_buf_addc(out, ',');
        if (!rc)
            rc = json_cstr(out, v[i]->key);
        if (!rc)
            rc = sg_buf_addc(out, ':');
        if (!rc)
            rc = json_cstr(out, v[i]->value);
    }
    if (!rc)
        rc = sg_buf_addc(out, '}');
    free(v);
    return rc;
}

sg_err sg_sign_payload_build(struct sg_buf *out,
                             const char *docker_reference,
                             const char *digest,
                             const struct sg_sign_annotation *annotations,
                             size_t n_annotations)
{
    sg_err rc;

    if (!sg_digest_valid(digest))
        return sg_error_set(SG_EINVAL, "payload: not a digest: %s", digest);
    for (size_t i = 0; i < n_annotations; i++) {
        if (!annotations[i].key || !annotations[i].value)
            return sg_error_set(SG_EINVAL, "payload: annotation %zu unset", i);
    }
    rc = sg_buf_adds(out, "{\"critical\":{\"identity\":{\"docker-reference\":");
    if (!rc)
        rc = json_cstr(out, docker_reference ? docker_reference : "");
    if (!rc)
        rc = sg_buf_adds(out, "},\"image\":{\"docker-manifest-digest\":");
    if (!rc)
        rc = json_cstr(out, digest);
    if (!rc)
        rc = sg_buf_adds(out, "},\"type\":\"" COSIGN_TYPE "\"},\"optional\":");
    if (!rc)
        rc = sg_sign__json_map(out, annotations, n_annotations);
    if (!rc)
        rc = sg_buf_addc(out, '}');
    return rc;
}

sg_err
sg_sign_annotation_parse(struct sg_sign_annotation *out, size_t *n, char *arg)
{
    char *part, *next, *eq;

    if (!arg[0])
        return SG_OK;
    for (part = arg; part; part = next) {
        next = strchr(part, ',');
        if (next)
            *next++ = '\0';
        eq = strchr(part, '=');
        /* an empty key would make a payload no verifier can ask for */
        if (!eq || eq == part)
            return sg_error_set(SG_EPARSE, "unable to parse annotation: %s",
                                part);
        if (strlen(part) > SG_SIGN_ANNOTATION_LEN_MAX)
            return sg_error_set(SG_ELIMIT,
                                "annotation \"%.*s\" longer than %u bytes",
                                (int)(eq - part > 64 ? 64 : eq - part), part,
                                SG_SIGN_ANNOTATION_LEN_MAX);
        if (*n >= SG_SIGN_ANNOTATIONS_MAX)
            return sg_error_set(SG_ELIMIT, "more than %d annotations",
                                SG_SIGN_ANNOTATIONS_MAX);
        *eq = '\0';
        out[*n].key = part;
        out[*n].value = eq + 1;
        (*n)++;
    }
    return SG_OK;
}

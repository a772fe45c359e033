/*
 * Parsing untrusted JSON with jansson under limits: total size, nesting
 * depth (checked by a pre-scan, since jansson's own limit is a compile-time
 * 2048) and duplicate keys (JSON_REJECT_DUPLICATES, never the default).
 */
#include "sigil/common.h"

#include <jansson.h>

static sg_err
check_depth(const unsigned char *p, size_t len, size_t max, const char *what)
{
    size_t depth = 0;
    int in_str = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];

        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                return sg_error_set(
                    SG_ELIMIT, "%s: JSON nested deeper than %zu", what, max);
        } else if ((c == '}' || c == ']') && depth) {
            depth--;
        }
    }
    return SG_OK;
}

sg_err sg_json_parse(struct json_t **out,
                     const void *data,
                     size_t len,
                     size_t max_len,
                     size_t max_depth,
                     const char *what)
{
    json_error_t jerr;
    json_t *root;
    sg_err rc;

    *out = NULL;
    if (!what)
        what = "JSON";
    if (max_len && len > max_len)
        return sg_error_set(SG_ELIMIT, "%s: %zu bytes, limit is %zu", what, len,
                            max_len);
    if (!max_depth)
        max_depth = SG_LIMIT_JSON_DEPTH_MAX;
    rc = check_depth(data, len, max_depth, what);
    if (rc)
        return rc;
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return sg_error_set(SG_EPARSE,
                            "%s: invalid JSON at line %d column %d: %s", what,
                            jerr.line, jerr.column, jerr.text);
    *out = root;
    return SG_OK;
}

struct dump_ctx {
    struct sg_buf *out;
    sg_err rc;
};

static int dump_cb(const char *p, size_t len, void *payload)
{
    struct dump_ctx *c = payload;

    /* Sticky: jansson does not stop at every failed callback, and a
     * failed append has released the buffer. */
    if (!c->rc)
        c->rc = sg_buf_add(c->out, p, len);
    return c->rc ? -1 : 0;
}

sg_err sg_json_dump_buf(struct sg_buf *out, const json_t *v, size_t flags)
{
    struct dump_ctx c = { out, SG_OK };

    if (!v) {
        sg_buf_release(out);
        return sg_error_oom();
    }
    if (json_dump_callback(v, dump_cb, &c, flags ? flags : JSON_COMPACT) &&
        !c.rc) {
        sg_buf_release(out);
        return sg_error_set(SG_EINTERNAL, "JSON: cannot serialize value");
    }
    return c.rc;
}

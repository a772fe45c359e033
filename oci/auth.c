/*
 * Registry authentication helpers: the WWW-Authenticate challenge parser
 * (RFC 7235 auth-params, quoted strings with backslash escapes), the Link
 * header parser (RFC 8288, for tag-list pagination) and the token response
 * parser of the distribution token spec. All input here is untrusted
 * header or body text from the registry or its token server.
 */
#include "oci_int.h"
#include "registry_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

static int is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Read a token or a quoted-string at *pp into out (capped). */
static sg_err read_value(struct sg_buf *out, const char **pp)
{
    const char *p = *pp;
    sg_err rc = SG_OK;

    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (*p == '\\') {
                p++;
                if (!*p)
                    break;
            }
            rc = sg_buf_addc(out, *p);
            if (rc)
                return rc;
            p++;
        }
        if (*p != '"')
            return sg_error_set(SG_EPARSE,
                                "WWW-Authenticate: unterminated quoted value");
        p++;
    } else {
        /* token68 style values may also contain '/' and '=' */
        while (*p && (is_tchar(*p) || *p == '/' || *p == '=' || *p == ':')) {
            rc = sg_buf_addc(out, *p);
            if (rc)
                return rc;
            p++;
        }
    }
    *pp = p;
    return SG_OK;
}

sg_err sg_oci__challenge_parse(struct sg_oci__challenge *out,
                               const char *header)
{
    struct sg_buf key = SG_BUF_INIT(256), val = SG_BUF_INIT(8192);
    const char *p = header, *start;
    size_t n;
    sg_err rc = SG_OK;

    memset(out, 0, sizeof(*out));
    if (strlen(header) > sg_limits_default()->header_max)
        return sg_error_set(SG_ELIMIT, "WWW-Authenticate: header too long");
    p = skip_ws(p);
    start = p;
    while (is_tchar(*p))
        p++;
    n = (size_t)(p - start);
    if (n == 6 && strncasecmp(start, "bearer", 6) == 0) {
        out->scheme = strdup("Bearer");
    } else if (n == 5 && strncasecmp(start, "basic", 5) == 0) {
        out->scheme = strdup("Basic");
    } else {
        return sg_error_set(SG_EUNSUPPORTED,
                            "WWW-Authenticate: unsupported scheme '%.*s'",
                            (int)(n > 32 ? 32 : n), start);
    }
    if (!out->scheme)
        return sg_error_oom();
    for (;;) {
        p = skip_ws(p);
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        sg_buf_reset(&key);
        sg_buf_reset(&val);
        start = p;
        while (is_tchar(*p))
            p++;
        if (p == start) {
            rc = sg_error_set(SG_EPARSE,
                              "WWW-Authenticate: unexpected character");
            goto done;
        }
        rc = sg_buf_add(&key, start, (size_t)(p - start));
        if (rc)
            goto done;
        p = skip_ws(p);
        if (*p != '=') {
            /* A new challenge (another scheme) starts: we use the first. */
            break;
        }
        p = skip_ws(p + 1);
        rc = read_value(&val, &p);
        if (rc)
            goto done;
        {
            char **slot = NULL;
            if (strcasecmp(key.data, "realm") == 0)
                slot = &out->realm;
            else if (strcasecmp(key.data, "service") == 0)
                slot = &out->service;
            else if (strcasecmp(key.data, "scope") == 0)
                slot = &out->scope;
            if (slot) {
                if (*slot) {
                    rc = sg_error_set(SG_EPARSE,
                                      "WWW-Authenticate: duplicate '%s'",
                                      key.data);
                    goto done;
                }
                *slot = strdup(val.data);
                if (!*slot) {
                    rc = sg_error_oom();
                    goto done;
                }
            }
        }
        p = skip_ws(p);
        if (*p && *p != ',') {
            rc = sg_error_set(SG_EPARSE,
                              "WWW-Authenticate: expected ',' after '%s'",
                              key.data);
            goto done;
        }
    }
    if (strcmp(out->scheme, "Bearer") == 0 && (!out->realm || !out->realm[0])) {
        rc = sg_error_set(SG_EPARSE, "WWW-Authenticate: Bearer without realm");
        goto done;
    }
done:
    sg_buf_release(&key);
    sg_buf_release(&val);
    if (rc)
        sg_oci__challenge_release(out);
    return rc;
}

void sg_oci__challenge_release(struct sg_oci__challenge *c)
{
    free(c->scheme);
    free(c->realm);
    free(c->service);
    free(c->scope);
    memset(c, 0, sizeof(*c));
}

sg_err sg_oci__link_next(char **next_out, const char *header)
{
    const char *p = header;

    *next_out = NULL;
    if (strlen(header) > sg_limits_default()->header_max)
        return sg_error_set(SG_ELIMIT, "Link: header too long");
    for (;;) {
        const char *url, *url_end;
        int is_next = 0;

        p = skip_ws(p);
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return SG_OK;
        if (*p != '<')
            return sg_error_set(SG_EPARSE, "Link: expected '<'");
        url = ++p;
        while (*p && *p != '>')
            p++;
        if (*p != '>')
            return sg_error_set(SG_EPARSE, "Link: unterminated '<'");
        url_end = p++;
        /* params: ; key=value ... until ',' */
        for (;;) {
            const char *k;
            size_t kn;
            struct sg_buf v = SG_BUF_INIT(1024);
            sg_err rc;

            p = skip_ws(p);
            if (*p != ';')
                break;
            p = skip_ws(p + 1);
            k = p;
            while (is_tchar(*p))
                p++;
            kn = (size_t)(p - k);
            if (!kn)
                return sg_error_set(SG_EPARSE, "Link: bad parameter");
            p = skip_ws(p);
            if (*p != '=')
                continue;
            p = skip_ws(p + 1);
            rc = read_value(&v, &p);
            if (rc) {
                sg_buf_release(&v);
                return sg_error_set(SG_EPARSE, "Link: bad parameter value");
            }
            if (kn == 3 && strncasecmp(k, "rel", 3) == 0) {
                /* rel may hold several space-separated relation types */
                const char *q = v.data;
                while (*q) {
                    size_t m = strcspn(q, " ");
                    if (m == 4 && strncasecmp(q, "next", 4) == 0)
                        is_next = 1;
                    q += m;
                    while (*q == ' ')
                        q++;
                }
            }
            sg_buf_release(&v);
        }
        if (*p && *p != ',')
            return sg_error_set(SG_EPARSE, "Link: expected ','");
        if (is_next) {
            if (url_end == url)
                return sg_error_set(SG_EPARSE, "Link: empty URL");
            *next_out = strndup(url, (size_t)(url_end - url));
            return *next_out ? SG_OK : sg_error_oom();
        }
    }
}

sg_err sg_oci__token_parse(char **token_out, const void *data, size_t len)
{
    struct json_t *root = NULL;
    const json_t *t;
    sg_err rc;

    *token_out = NULL;
    rc = sg_json_parse(&root, data, len, sg_limits_default()->token_max, 8,
                       "token response");
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        rc = sg_error_set(SG_EPARSE, "token response: not a JSON object");
        goto done;
    }
    t = json_object_get(root, "token");
    if (!json_is_string(t) || !json_string_length(t))
        t = json_object_get(root, "access_token");
    if (!json_is_string(t) || !json_string_length(t)) {
        rc = sg_error_set(SG_EPARSE,
                          "token response: no 'token' or 'access_token'");
        goto done;
    }
    /* The token goes into a header: refuse control characters. */
    for (const char *q = json_string_value(t); *q; q++) {
        if ((unsigned char)*q < 0x20 || *q == 0x7f) {
            rc = sg_error_set(SG_EPARSE,
                              "token response: control character in token");
            goto done;
        }
    }
    *token_out = strdup(json_string_value(t));
    if (!*token_out)
        rc = sg_error_oom();
done:
    json_decref(root);
    return rc;
}

/*
 * Package URLs and CPE 2.3 names.
 *
 * purl: the parser follows the purl-spec "how to parse" steps (split
 * subpath on the right-most '#', qualifiers on the right-most '?', the
 * scheme on the first ':', the type on the first '/', the version on the
 * right-most '@', the name on the last '/'); the serialiser writes the
 * canonical form of ECMA-427 / purl-spec "how to build": lower-case type,
 * qualifiers sorted by key, empty values dropped, ':' left unencoded.
 * Checked against every case of the official test suite
 * (tests/unit/test_purl.c loads shared/spec/purl-tests/ *.json).
 *
 * Package purls (sbom-formats.md §4): we emit the spec-canonical form,
 * not syft's. Differences a reader should know:
 *  - a Debian epoch stays in the version with ':' unencoded
 *    ("1:2.4.47-2%2Bb1", the spec's own example and its canonical test
 *    output); syft writes "%3A", which every conforming parser (ours
 *    included) decodes to the same version.
 *  - qualifiers are sorted (arch, distro, epoch, upstream); syft appends
 *    distro last.
 *  - distro is "<os-release ID>-<VERSION_ID>" ("debian-12",
 *    "alpine-3.19.1"); the point release (debian_version) is used only
 *    when VERSION_ID is missing.
 *  - rpm: namespace from the os-release ID (rhel -> redhat, opensuse* ->
 *    opensuse, as syft does), else the first word of the Vendor header;
 *    version is VERSION-RELEASE, epoch goes into epoch=, upstream= is
 *    the SOURCERPM file name.
 *
 * CPE: one per package, syft's first candidate (vendor = product =
 * package name, or the GitHub owner/repo for Go modules), escaped per the
 * CPE 2.3 formatted-string binding (NISTIR 7695 §6.2).
 */
#include "sbom_int.h"
#include "sbom_purl.h"

#include <stdlib.h>
#include <string.h>

#define PURL_LEN_MAX (64u * 1024u)

/* ------------------------------------------------------------------ */
/* Character classes                                                    */

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
    return is_alpha(c) || is_digit(c);
}

static char to_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The right-most c in [s, end), or NULL. */
static const char *last_of(const char *s, const char *end, char c)
{
    while (end > s)
        if (*--end == c)
            return end;
    return NULL;
}

/* s starts with an ASCII letter and holds only letters, digits and the
 * characters of `extra`. */
static int word_valid(const char *s, const char *extra)
{
    if (!s || !is_alpha((unsigned char)s[0]))
        return 0;
    for (; *s; s++)
        if (!is_alnum((unsigned char)*s) && !strchr(extra, *s))
            return 0;
    return 1;
}

/* Type: ASCII letters, digits, '.', '+', '-'; must start with a letter. */
static int type_valid(const char *t)
{
    return word_valid(t, ".+-");
}

/* Qualifier key: [a-z0-9._-] starting with a letter (upper case is
 * accepted here only when the caller folds it first). */
static int key_valid(const char *k)
{
    return word_valid(k, ".-_");
}

/* ------------------------------------------------------------------ */
/* Per-type normalisation                                               */

enum fold {
    FOLD_NS = 1u << 0,   /* namespace is case-insensitive: lower-case */
    FOLD_NAME = 1u << 1, /* name is case-insensitive: lower-case */
    FOLD_PYPI = 1u << 2  /* name: '_' becomes '-' */
};

static unsigned type_fold(const char *type)
{
    static const struct {
        const char *type;
        unsigned fold;
    } tab[] = {
        { "alpm", FOLD_NS | FOLD_NAME },
        { "apk", FOLD_NS | FOLD_NAME },
        { "bitbucket", FOLD_NS | FOLD_NAME },
        { "composer", FOLD_NS | FOLD_NAME },
        { "deb", FOLD_NS | FOLD_NAME },
        { "github", FOLD_NS | FOLD_NAME },
        { "hex", FOLD_NS | FOLD_NAME },
        { "oci", FOLD_NAME },
        { "pypi", FOLD_NAME | FOLD_PYPI },
        { "rpm", FOLD_NS },
        /* golang: the spec asks for lower case, but module paths are
         * case-sensitive and syft/trivy keep the case; so do we. */
    };
    char lt[16];
    size_t n = strlen(type);

    if (n >= sizeof(lt))
        return 0;
    for (size_t i = 0; i <= n; i++)
        lt[i] = to_lower(type[i]);
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (strcmp(tab[i].type, lt) == 0)
            return tab[i].fold;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Serialiser                                                          */

/* Percent-encode [p, p+n): keep A-Z a-z 0-9 . - _ ~ and ':'. */
static sg_err
enc(struct sg_buf *out, const char *p, size_t n, int lower, int pypi)
{
    static const char hex[] = "0123456789ABCDEF";
    sg_err rc = SG_OK;

    for (size_t i = 0; !rc && i < n; i++) {
        char c = p[i];
        unsigned char u = (unsigned char)c;

        if (lower)
            c = to_lower(c);
        if (pypi && c == '_')
            c = '-';
        if (is_alnum(u) || c == '.' || c == '-' || c == '_' || c == '~' ||
            c == ':') {
            rc = sg_buf_addc(out, c);
        } else {
            char e[3] = { '%', hex[u >> 4], hex[u & 15] };
            rc = sg_buf_add(out, e, sizeof(e));
        }
    }
    return rc;
}

/* Write '/'-separated segments of s, each encoded, dropping empty ones
 * (and "." / ".." when `subpath`). Returns the number written. */
static sg_err enc_segments(
    struct sg_buf *out, size_t *n_out, const char *s, int lower, int subpath)
{
    size_t n = 0;
    sg_err rc = SG_OK;

    while (!rc && *s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);

        if (len && !(subpath && ((len == 1 && s[0] == '.') ||
                                 (len == 2 && s[0] == '.' && s[1] == '.')))) {
            if (n++)
                rc = sg_buf_addc(out, '/');
            if (!rc)
                rc = enc(out, s, len, lower, 0);
        }
        s += len;
        if (*s == '/')
            s++;
    }
    *n_out = n;
    return rc;
}

static int qual_cmp(const void *a, const void *b)
{
    const struct sg_purl_qual *x = a, *y = b;

    return strcmp(x->key, y->key);
}

sg_err sg_sbom__purl_build(struct sg_buf *out, const struct sg_purl *p)
{
    struct sg_purl_qual *q = NULL;
    char *keys = NULL; /* lower-cased copies of the keys */
    size_t n_q = 0, keys_len = 0, n_seg = 0;
    unsigned fold;
    sg_err rc;

    if (!type_valid(p->type))
        return sg_error_set(SG_EPARSE, "purl: type %s%s%s is not valid",
                            p->type ? "\"" : "", p->type ? p->type : "missing",
                            p->type ? "\"" : "");
    if (!p->name || !*p->name)
        return sg_error_set(SG_EPARSE, "purl: name is required");
    fold = type_fold(p->type);

    for (size_t i = 0; i < p->n_quals; i++)
        if (p->quals[i].key)
            keys_len += strlen(p->quals[i].key) + 1;
    if (p->n_quals) {
        q = calloc(p->n_quals, sizeof(*q));
        keys = malloc(keys_len + 1);
        if (!q || !keys) {
            rc = sg_error_oom();
            goto done;
        }
    }
    keys_len = 0;
    for (size_t i = 0; i < p->n_quals; i++) {
        const char *k = p->quals[i].key;
        char *lk = keys + keys_len;
        size_t kl;

        if (!k || !key_valid(k)) {
            rc = sg_error_set(SG_EPARSE,
                              "purl: qualifier key \"%s\" is "
                              "not valid",
                              k ? k : "");
            goto done;
        }
        kl = strlen(k);
        for (size_t j = 0; j <= kl; j++)
            lk[j] = to_lower(k[j]);
        keys_len += kl + 1;
        if (!p->quals[i].value || !*p->quals[i].value)
            continue; /* empty values are dropped */
        q[n_q].key = lk;
        q[n_q].value = p->quals[i].value;
        n_q++;
    }
    if (n_q > 1)
        qsort(q, n_q, sizeof(*q), qual_cmp);
    for (size_t i = 1; i < n_q; i++)
        if (strcmp(q[i - 1].key, q[i].key) == 0) {
            rc = sg_error_set(SG_EPARSE, "purl: duplicate qualifier \"%s\"",
                              q[i].key);
            goto done;
        }

    rc = sg_buf_adds(out, "pkg:");
    for (const char *t = p->type; !rc && *t; t++)
        rc = sg_buf_addc(out, to_lower(*t));
    if (!rc)
        rc = sg_buf_addc(out, '/');
    if (!rc && p->ns) {
        rc = enc_segments(out, &n_seg, p->ns, (fold & FOLD_NS) != 0, 0);
        if (!rc && n_seg)
            rc = sg_buf_addc(out, '/');
    }
    if (!rc)
        rc = enc(out, p->name, strlen(p->name), (fold & FOLD_NAME) != 0,
                 (fold & FOLD_PYPI) != 0);
    if (!rc && p->version && *p->version) {
        rc = sg_buf_addc(out, '@');
        if (!rc)
            rc = enc(out, p->version, strlen(p->version), 0, 0);
    }
    for (size_t i = 0; !rc && i < n_q; i++) {
        rc = sg_buf_addc(out, i ? '&' : '?');
        if (!rc)
            rc = sg_buf_adds(out, q[i].key);
        if (!rc)
            rc = sg_buf_addc(out, '=');
        if (!rc)
            rc = enc(out, q[i].value, strlen(q[i].value), 0, 0);
    }
    if (!rc && p->subpath) {
        size_t mark = out->len;

        rc = sg_buf_addc(out, '#');
        if (!rc)
            rc = enc_segments(out, &n_seg, p->subpath, 0, 1);
        if (!rc && !n_seg) {
            out->len = mark; /* nothing left of the subpath */
            out->data[mark] = '\0';
        }
    }
done:
    free(q);
    free(keys);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */

/* Bump allocator over one block sized so that every decoded component
 * and its terminator fit (decoding never grows a string). */
struct arena {
    char *p;
    size_t len, cap;
};

/* Decode [s, s+n) into the arena (*out: the decoded string); SG_EPARSE
 * on a bad escape or an encoded NUL (a C string cannot carry it and a
 * name with a NUL would compare equal to its prefix). */
static sg_err dec(const char **out,
                  struct arena *a,
                  const char *s,
                  size_t n,
                  const char *what)
{
    char *start = a->p + a->len;

    *out = NULL;
    if (n + 1 > a->cap - a->len)
        return sg_error_set(SG_EINTERNAL, "purl: arena exhausted");
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c == '%') {
            int h = i + 2 < n ? sg_hex_digit((unsigned char)s[i + 1]) : -1;
            int l = h >= 0 ? sg_hex_digit((unsigned char)s[i + 2]) : -1;

            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return sg_error_set(SG_EPARSE, "purl: %s: bad percent-encoding",
                                    what);
            c = (char)(h * 16 + l);
            i += 2;
        }
        a->p[a->len++] = c;
    }
    a->p[a->len++] = '\0';
    *out = start;
    return SG_OK;
}

/* Decode '/'-separated segments, dropping empty ones (and "." / ".." if
 * `subpath`), joined by '/'. *out NULL when nothing is left. */
static sg_err dec_segments(const char **out,
                           struct arena *a,
                           const char *s,
                           size_t n,
                           int subpath,
                           const char *what)
{
    size_t start = a->len, i = 0;
    int any = 0;
    sg_err rc;

    *out = NULL;
    while (i < n) {
        size_t j = i;
        const char *seg;

        while (j < n && s[j] != '/')
            j++;
        if (j > i &&
            !(subpath && ((j - i == 1 && s[i] == '.') ||
                          (j - i == 2 && s[i] == '.' && s[i + 1] == '.')))) {
            if (any)
                a->p[a->len - 1] = '/'; /* turn the last NUL into '/' */
            rc = dec(&seg, a, s + i, j - i, what);
            if (rc)
                return rc;
            any = 1;
        }
        i = j + 1;
    }
    if (any)
        *out = a->p + start;
    return SG_OK;
}

void sg_sbom__purl_release(struct sg_purl *p)
{
    if (!p)
        return;
    free(p->quals);
    free(p->mem_);
    memset(p, 0, sizeof(*p));
}

const char *sg_sbom__purl_qual(const struct sg_purl *p, const char *key)
{
    for (size_t i = 0; i < p->n_quals; i++)
        if (strcmp(p->quals[i].key, key) == 0)
            return p->quals[i].value;
    return NULL;
}

/* Apply the per-type case folding to a parsed component in place. */
static void fold_inplace(char *s, int pypi)
{
    for (; s && *s; s++) {
        *s = to_lower(*s);
        if (pypi && *s == '_')
            *s = '-';
    }
}

sg_err sg_sbom__purl_parse(struct sg_purl *out, const char *s, unsigned flags)
{
    struct arena a = { NULL, 0, 0 };
    char *w = NULL;
    const char *p, *end, *hash, *qm, *colon, *slash, *at, *last;
    size_t len, n_amp = 0;
    unsigned fold;
    sg_err rc = SG_OK;

    memset(out, 0, sizeof(*out));
    len = strlen(s);
    if (len > PURL_LEN_MAX)
        return sg_error_set(SG_ELIMIT, "purl: longer than %u bytes",
                            PURL_LEN_MAX);
    a.cap = 2 * len + 16;
    a.p = malloc(a.cap);
    if (!a.p)
        return sg_error_oom();
    out->mem_ = a.p;

    end = s + len;
    hash = last_of(s, end, '#');
    if (hash) {
        rc = dec_segments(&out->subpath, &a, hash + 1, (size_t)(end - hash - 1),
                          1, "subpath");
        if (rc)
            goto done;
        end = hash;
    }
    qm = last_of(s, end, '?');
    if (qm) {
        for (const char *x = qm + 1; x < end; x++)
            n_amp += *x == '&';
        out->quals = calloc(n_amp + 1, sizeof(*out->quals));
        if (!out->quals) {
            rc = sg_error_oom();
            goto done;
        }
        for (p = qm + 1; p < end;) {
            const char *amp = memchr(p, '&', (size_t)(end - p));
            const char *pe = amp ? amp : end;
            const char *eq = memchr(p, '=', (size_t)(pe - p));
            const char *key, *val;
            char *k;

            if (pe == p) {
                p = pe + 1;
                continue;
            }
            if (!eq || eq == p) {
                rc = sg_error_set(SG_EPARSE,
                                  "purl: qualifier \"%.*s\" is "
                                  "not key=value",
                                  (int)(pe - p), p);
                goto done;
            }
            rc = dec(&key, &a, p, (size_t)(eq - p), "qualifier key");
            if (rc)
                goto done;
            k = a.p + (key - a.p); /* our own arena: writable */
            for (char *c = k; *c; c++) {
                if (*c >= 'A' && *c <= 'Z' && (flags & SG_PURL_STRICT)) {
                    rc = sg_error_set(SG_EPARSE,
                                      "purl: qualifier key \"%s\""
                                      " is not lower-case",
                                      key);
                    goto done;
                }
                *c = to_lower(*c);
            }
            if (!key_valid(key) || memchr(p, '%', (size_t)(eq - p))) {
                rc = sg_error_set(SG_EPARSE,
                                  "purl: qualifier key \"%.*s\" "
                                  "is not valid",
                                  (int)(eq - p), p);
                goto done;
            }
            rc =
                dec(&val, &a, eq + 1, (size_t)(pe - eq - 1), "qualifier value");
            if (rc)
                goto done;
            for (size_t i = 0; i < out->n_quals; i++)
                if (strcmp(out->quals[i].key, key) == 0) {
                    rc = sg_error_set(SG_EPARSE,
                                      "purl: duplicate qualifier "
                                      "\"%s\"",
                                      key);
                    goto done;
                }
            if (*val) { /* empty values are dropped */
                out->quals[out->n_quals].key = key;
                out->quals[out->n_quals].value = val;
                out->n_quals++;
            }
            p = pe + (amp ? 1 : 0);
        }
        if (out->n_quals > 1)
            qsort(out->quals, out->n_quals, sizeof(*out->quals), qual_cmp);
        end = qm;
    }

    colon = memchr(s, ':', (size_t)(end - s));
    if (!colon || colon - s != 3 || to_lower(s[0]) != 'p' ||
        to_lower(s[1]) != 'k' || to_lower(s[2]) != 'g') {
        rc = sg_error_set(SG_EPARSE, "purl: must start with \"pkg:\"");
        goto done;
    }
    p = colon + 1;
    while (p < end && *p == '/')
        p++;
    slash = memchr(p, '/', (size_t)(end - p));
    if (!slash) {
        rc = sg_error_set(SG_EPARSE, "purl: type is required");
        goto done;
    }
    w = a.p + a.len;
    if ((size_t)(slash - p) + 1 > a.cap - a.len) {
        rc = sg_error_set(SG_EINTERNAL, "purl: arena exhausted");
        goto done;
    }
    for (const char *x = p; x < slash; x++)
        a.p[a.len++] = to_lower(*x);
    a.p[a.len++] = '\0';
    out->type = w;
    if (!type_valid(out->type)) {
        rc = sg_error_set(SG_EPARSE, "purl: type \"%s\" is not valid",
                          out->type);
        goto done;
    }
    fold = (flags & SG_PURL_AS_WRITTEN) ? 0 : type_fold(out->type);
    p = slash + 1;

    at = last_of(p, end, '@');
    if (at) {
        rc = dec(&out->version, &a, at + 1, (size_t)(end - at - 1), "version");
        if (rc)
            goto done;
        if (!*out->version)
            out->version = NULL;
        end = at;
    }
    while (end > p && end[-1] == '/')
        end--;
    last = last_of(p, end, '/');
    rc = dec(&out->name, &a, last ? last + 1 : p,
             (size_t)(end - (last ? last + 1 : p)), "name");
    if (rc)
        goto done;
    if (!*out->name) {
        rc = sg_error_set(SG_EPARSE, "purl: name is required");
        goto done;
    }
    if (fold & FOLD_NAME)
        fold_inplace(a.p + (out->name - a.p), (fold & FOLD_PYPI) != 0);
    if (last) {
        rc = dec_segments(&out->ns, &a, p, (size_t)(last - p), 0, "namespace");
        if (rc)
            goto done;
        if (out->ns && (fold & FOLD_NS))
            fold_inplace(a.p + (out->ns - a.p), 0);
    }
done:
    if (rc)
        sg_sbom__purl_release(out);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Purls for packages                                                   */

/* "<id>-<version_id>" (falling back to the point release). */
static sg_err distro_qual(struct sg_buf *b, const struct sg_distro *d)
{
    const char *v;

    if (!d || !d->id || !*d->id)
        return SG_OK;
    v = d->version_id && *d->version_id ? d->version_id : d->version;
    if (!v || !*v)
        return SG_OK;
    return sg_buf_addf(b, "%s-%s", d->id, v);
}

/* rpm namespace: os-release ID with syft's aliases, else the Vendor's
 * first word ("Fedora Project" -> fedora, "Red Hat, Inc." -> redhat). */
static sg_err rpm_namespace(struct sg_buf *b,
                            const struct sg_pkg *p,
                            const struct sg_distro *d)
{
    const char *v = p->supplier;

    if (d && d->id && *d->id) {
        if (strcmp(d->id, "rhel") == 0)
            return sg_buf_adds(b, "redhat");
        if (strncmp(d->id, "opensuse", 8) == 0)
            return sg_buf_adds(b, "opensuse");
        return sg_buf_adds(b, d->id);
    }
    if (!v)
        return SG_OK;
    while (*v == ' ')
        v++;
    if (strncmp(v, "Red Hat", 7) == 0)
        return sg_buf_adds(b, "redhat");
    for (; is_alnum((unsigned char)*v); v++) {
        sg_err rc = sg_buf_addc(b, to_lower(*v));
        if (rc)
            return rc;
    }
    return SG_OK;
}

sg_err sg_sbom_purl(struct sg_buf *out,
                    const struct sg_pkg *p,
                    const struct sg_distro *d)
{
    struct sg_buf ns = SG_BUF_INIT(4096), dq = SG_BUF_INIT(4096);
    struct sg_buf up = SG_BUF_INIT(65536), ep = SG_BUF_INIT(64);
    struct sg_purl u;
    struct sg_purl_qual q[4];
    const char *slash;
    sg_err rc = SG_OK;

    memset(&u, 0, sizeof(u));
    u.quals = q;
    u.name = p->name;
    u.version = p->version;
    if (!p->name || !*p->name)
        return sg_error_set(SG_EINVAL, "purl: package has no name");

    switch (p->type) {
    case SG_PKG_DEB:
    case SG_PKG_APK:
        u.type = p->type == SG_PKG_DEB ? "deb" : "apk";
        u.ns = d && d->id && *d->id
                   ? d->id
                   : (p->type == SG_PKG_DEB ? "debian" : "alpine");
        rc = distro_qual(&dq, d);
        if (!rc && p->source_name && *p->source_name &&
            (strcmp(p->source_name, p->name) != 0 ||
             (p->source_version && *p->source_version))) {
            rc = sg_buf_adds(&up, p->source_name);
            if (!rc && p->source_version && *p->source_version)
                rc = sg_buf_addf(&up, "@%s", p->source_version);
        }
        break;
    case SG_PKG_RPM:
        u.type = "rpm";
        rc = rpm_namespace(&ns, p, d);
        u.ns = ns.len ? ns.data : NULL;
        if (!rc)
            rc = distro_qual(&dq, d);
        if (!rc && p->has_epoch)
            rc = sg_buf_addf(&ep, "%lu", p->epoch);
        if (!rc && p->source_name)
            rc = sg_buf_adds(&up, p->source_name);
        break;
    case SG_PKG_GO_STDLIB:
        u.type = "golang";
        u.name = "stdlib";
        if (u.version && strncmp(u.version, "go", 2) == 0)
            u.version += 2;
        break;
    case SG_PKG_GO_MODULE:
        u.type = "golang";
        slash = strrchr(p->name, '/');
        if (slash) {
            rc = sg_buf_add(&ns, p->name, (size_t)(slash - p->name));
            u.ns = ns.data;
            u.name = slash + 1;
        }
        break;
    case SG_PKG_PYTHON:
        /* PEP 503: lower case, every run of "-", "_", "." one "-". */
        u.type = "pypi";
        for (const char *c = p->name; !rc && *c; c++) {
            if (*c == '-' || *c == '_' || *c == '.') {
                if (ns.len && ns.data[ns.len - 1] == '-')
                    continue;
                rc = sg_buf_addc(&ns, '-');
            } else {
                rc = sg_buf_addc(&ns, to_lower(*c));
            }
        }
        if (!rc && !ns.len)
            rc = sg_buf_adds(&ns, "");
        u.name = ns.data;
        break;
    case SG_PKG_NPM:
        /* "@scope/name": the scope is the namespace (built "%40scope"). */
        u.type = "npm";
        slash = p->name[0] == '@' ? strchr(p->name, '/') : NULL;
        if (slash) {
            rc = sg_buf_add(&ns, p->name, (size_t)(slash - p->name));
            u.ns = ns.data;
            u.name = slash + 1;
        }
        break;
    case SG_PKG_JAVA:
        u.type = "maven";
        u.ns = p->group && *p->group ? p->group : NULL;
        break;
    }
    if (!u.type) {
        rc = sg_error_set(SG_EINVAL, "purl: unknown package type %d",
                          (int)p->type);
        goto done;
    }
    if (rc)
        goto done;
    if (p->type == SG_PKG_DEB || p->type == SG_PKG_APK ||
        p->type == SG_PKG_RPM) {
        q[u.n_quals].key = "arch";
        q[u.n_quals++].value = p->arch;
        q[u.n_quals].key = "distro";
        q[u.n_quals++].value = dq.data;
        q[u.n_quals].key = "epoch";
        q[u.n_quals++].value = ep.data;
        q[u.n_quals].key = "upstream";
        q[u.n_quals++].value = up.data;
    }
    rc = sg_sbom__purl_build(out, &u);
done:
    sg_buf_release(&ns);
    sg_buf_release(&dq);
    sg_buf_release(&up);
    sg_buf_release(&ep);
    return rc;
}

sg_err sg_sbom_purl_oci(struct sg_buf *out, const struct sg_sbom_source *src)
{
    struct sg_purl u;
    struct sg_purl_qual q[3];
    const char *slash;

    if (!src->digest || !src->repo_name || !*src->repo_name)
        return sg_error_set(SG_EINVAL, "purl: image has no digest or "
                                       "repository");
    memset(&u, 0, sizeof(u));
    slash = strrchr(src->repo_name, '/');
    u.type = "oci";
    u.name = slash ? slash + 1 : src->repo_name;
    u.version = src->digest;
    u.quals = q;
    q[0].key = "arch";
    q[0].value = src->arch;
    q[1].key = "repository_url";
    q[1].value = src->repo_name;
    q[2].key = "tag";
    q[2].value = src->tag;
    u.n_quals = 3;
    return sg_sbom__purl_build(out, &u);
}

/* ------------------------------------------------------------------ */
/* CPE 2.3                                                             */

sg_err sg_sbom__cpe_component(struct sg_buf *out, const char *s)
{
    size_t mark = out->len;
    sg_err rc = SG_OK;

    for (; s && *s && !rc; s++) {
        unsigned char u = (unsigned char)*s;

        if (u <= 0x20 || u >= 0x7f)
            continue; /* whitespace, control and non-ASCII are dropped */
        if (is_alnum(u) || u == '.' || u == '-' || u == '_') {
            rc = sg_buf_addc(out, to_lower(*s));
        } else {
            rc = sg_buf_addc(out, '\\');
            if (!rc)
                rc = sg_buf_addc(out, *s);
        }
    }
    if (!rc && out->len == mark)
        rc = sg_buf_addc(out, '*');
    return rc;
}

sg_err sg_sbom_cpe(struct sg_buf *out,
                   const struct sg_pkg *p,
                   const struct sg_distro *d)
{
    struct sg_buf vendor = SG_BUF_INIT(65536), product = SG_BUF_INIT(65536);
    struct sg_buf version = SG_BUF_INIT(65536);
    const char *update = "*";
    const char *name = p->name ? p->name : "";
    const char *v = p->version;
    sg_err rc = SG_OK;

    (void)d;
    switch (p->type) {
    case SG_PKG_GO_STDLIB:
        rc = sg_buf_adds(&vendor, "golang");
        if (!rc)
            rc = sg_buf_adds(&product, "go");
        if (v && strncmp(v, "go", 2) == 0)
            v += 2;
        update = "-";
        if (!rc && v) {
            const char *rc_sfx = strstr(v, "rc");
            const char *beta = strstr(v, "beta");
            const char *pre = rc_sfx ? rc_sfx : beta;

            if (pre) {
                rc = sg_buf_add(&version, v, (size_t)(pre - v));
                update = pre;
                v = NULL;
            }
        }
        break;
    case SG_PKG_GO_MODULE:
        if (strncmp(name, "github.com/", 11) == 0 ||
            strncmp(name, "gitlab.com/", 11) == 0) {
            const char *org = name + 11, *e = strchr(org, '/');
            const char *repo = e ? e + 1 : org;
            const char *re = strchr(repo, '/');

            rc = sg_buf_add(&vendor, org, e ? (size_t)(e - org) : strlen(org));
            if (!rc)
                rc = sg_buf_add(&product, repo,
                                re ? (size_t)(re - repo) : strlen(repo));
        } else {
            const char *slash = strrchr(name, '/');

            rc = sg_buf_adds(&vendor, slash ? slash + 1 : name);
            if (!rc)
                rc = sg_buf_adds(&product, slash ? slash + 1 : name);
        }
        break;
    case SG_PKG_RPM:
        if (p->has_epoch)
            rc = sg_buf_addf(&version, "%lu:", p->epoch);
        SG_FALLTHROUGH;
    case SG_PKG_DEB:
    case SG_PKG_APK:
    case SG_PKG_PYTHON:
    case SG_PKG_NPM:
        if (!rc)
            rc = sg_buf_adds(&vendor, name);
        if (!rc)
            rc = sg_buf_adds(&product, name);
        break;
    case SG_PKG_JAVA:
        rc = sg_buf_adds(&vendor, p->group && *p->group ? p->group : name);
        if (!rc)
            rc = sg_buf_adds(&product, name);
        break;
    }
    if (!rc && v)
        rc = sg_buf_adds(&version, v);
    if (!rc)
        rc = sg_buf_adds(out, "cpe:2.3:a:");
    if (!rc)
        rc = sg_sbom__cpe_component(out, vendor.data);
    if (!rc)
        rc = sg_buf_addc(out, ':');
    if (!rc)
        rc = sg_sbom__cpe_component(out, product.data);
    if (!rc)
        rc = sg_buf_addc(out, ':');
    if (!rc)
        rc = sg_sbom__cpe_component(out, version.data);
    if (!rc)
        rc = sg_buf_addc(out, ':');
    if (!rc)
        rc = (strcmp(update, "-") == 0 || strcmp(update, "*") == 0)
                 ? sg_buf_adds(out, update)
                 : sg_sbom__cpe_component(out, update);
    if (!rc)
        rc = sg_buf_adds(out, ":*:*:*:*:*:*");
    sg_buf_release(&vendor);
    sg_buf_release(&product);
    sg_buf_release(&version);
    return rc;
}

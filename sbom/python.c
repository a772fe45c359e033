/*
 * Python cataloger: installed distributions, as importlib.metadata finds
 * them: "NAME-VER.dist-info/METADATA" (wheels, PEP 376/627), and
 * "*.egg-info" as a directory holding PKG-INFO or as a single file
 * (setuptools/distutils installs; Debian ships many). Every location in
 * the image counts (site-packages, dist-packages, venvs, /usr/local).
 *
 * METADATA and PKG-INFO are RFC 822-style headers as Python's email
 * parser reads them (the core metadata spec says so, and importlib uses
 * email.message_from_string): "Key: value" lines, a line starting with a
 * blank continues the previous header, the headers end at the first
 * empty line (the body is the long description) or at the first line
 * that is neither a header nor a continuation (email's feedparser
 * treats it as the start of the body, MissingHeaderBodySeparator). Keys
 * are case-insensitive and the first occurrence wins, as msg['Name']
 * does. Lines end in "\n", "\r\n" or a lone "\r" (email splits on all
 * three).
 *
 * Licence, per the core metadata spec's order of precedence:
 * License-Expression (2.4, an SPDX expression), else License (free text:
 * kept when it is a one-line name, ignored when it is a whole licence
 * text pasted in), else the "License ::" trove classifiers that name one
 * SPDX licence unambiguously (several different ones are not combined:
 * a list of classifiers does not say whether it means AND or OR).
 *
 * Distributions installed by dpkg are related to the deb that ships them
 * through var/lib/dpkg/info/<pkg>.list; only the lines naming a
 * .dist-info/.egg-info path are kept from those files
 * (sg_sbom__python_list_filter) so that an image with thousands of debs
 * costs little memory.
 *
 * Untrusted: every byte comes from an image layer. Each metadata file is
 * bounded by sg_limits.pkg_meta_max before it is kept (scan.c); the
 * parsers only record spans into the buffer, copy trimmed values, and
 * refuse names with control bytes.
 */
#include "sbom_core.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOUND_BY "python-installed-package-cataloger"

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int ends_with_n(const char *s, size_t n, const char *suf)
{
    size_t m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

/* Is the directory holding `b` (a base name inside path) named *suf? */
static int parent_is(const char *path, const char *b, const char *suf)
{
    return b > path && ends_with_n(path, (size_t)(b - path) - 1, suf);
}

int sg_sbom__python_claims(const char *path)
{
    const char *b = base_of(path);
    size_t bl = strlen(b);

    if (strcmp(b, "METADATA") == 0 || strcmp(b, "RECORD") == 0)
        return parent_is(path, b, ".dist-info") ? SG_PY_META : 0;
    if (strcmp(b, "PKG-INFO") == 0)
        return parent_is(path, b, ".egg-info") ? SG_PY_META : 0;
    if (bl > 9 && ends_with_n(b, bl, ".egg-info"))
        return SG_PY_META; /* the single-file form */
    /* dpkg's file lists: any "dpkg/info/" directory, since var/lib/dpkg
     * may be reached through a symlinked directory (the squash resolves
     * which one is live). */
    if (bl > 5 && ends_with_n(b, bl, ".list") &&
        parent_is(path, b, "dpkg/info"))
        return SG_PY_DPKG_LIST;
    return 0;
}

/* ------------------------------------------------------------------ */
/* METADATA / PKG-INFO headers                                         */

enum py_field {
    PF_NAME,
    PF_VERSION,
    PF_LICENSE_EXPR,
    PF_LICENSE,
    PF_SUMMARY,
    PF_HOME_PAGE,
    PF_COUNT
};

static const char *const py_field_names[PF_COUNT] = {
    "Name", "Version", "License-Expression", "License", "Summary", "Home-page",
};

struct py_span {
    const char *p; /* NULL: absent */
    size_t n;      /* first line's value and its continuation lines */
};

/* Next line of [*pp, end): its length without the terminator; *pp moves
 * past the terminator ("\n", "\r\n" or "\r"). 0 when nothing is left. */
static int
next_line(const char **pp, const char *end, const char **line, size_t *len)
{
    const char *p = *pp, *q = p;

    if (p >= end)
        return 0;
    while (q < end && *q != '\n' && *q != '\r')
        q++;
    *line = p;
    *len = (size_t)(q - p);
    if (q < end && *q == '\r') {
        q++;
        if (q < end && *q == '\n')
            q++;
    } else if (q < end) {
        q++;
    }
    *pp = q;
    return 1;
}

/* A header line as email's feedparser recognises one (headerRE): a run
 * of printable ASCII other than ':' and space, then ':'. *klen is the
 * key's length. */
static int header_key(const char *l, size_t n, size_t *klen)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)l[i];
        if (c == ':') {
            *klen = i;
            return 1;
        }
        if (c < 0x21 || c > 0x7e)
            return 0;
    }
    return 0;
}

/* The licence classifiers that name exactly one SPDX licence. Left out
 * on purpose: "Apache Software License", "BSD License", "Zope Public
 * License", "Academic Free License (AFL)" and the like, which leave the
 * version or variant open. */
static const struct {
    const char *classifier;
    const char *spdx;
} py_classifiers[] = {
    { "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
      "CC0-1.0" },
    { "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)",
      "BSL-1.0" },
    { "License :: OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)",
      "EPL-1.0" },
    { "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)",
      "EPL-2.0" },
    { "License :: OSI Approved :: European Union Public Licence 1.2 "
      "(EUPL 1.2)",
      "EUPL-1.2" },
    { "License :: OSI Approved :: GNU Affero General Public License v3",
      "AGPL-3.0-only" },
    { "License :: OSI Approved :: GNU Affero General Public License v3 or "
      "later (AGPLv3+)",
      "AGPL-3.0-or-later" },
    { "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
      "GPL-2.0-only" },
    { "License :: OSI Approved :: GNU General Public License v2 or later "
      "(GPLv2+)",
      "GPL-2.0-or-later" },
    { "License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
      "GPL-3.0-only" },
    { "License :: OSI Approved :: GNU General Public License v3 or later "
      "(GPLv3+)",
      "GPL-3.0-or-later" },
    { "License :: OSI Approved :: GNU Lesser General Public License v2 "
      "(LGPLv2)",
      "LGPL-2.0-only" },
    { "License :: OSI Approved :: GNU Lesser General Public License v2 or "
      "later (LGPLv2+)",
      "LGPL-2.0-or-later" },
    { "License :: OSI Approved :: GNU Lesser General Public License v3 "
      "(LGPLv3)",
      "LGPL-3.0-only" },
    { "License :: OSI Approved :: GNU Lesser General Public License v3 or "
      "later (LGPLv3+)",
      "LGPL-3.0-or-later" },
    { "License :: OSI Approved :: ISC License (ISCL)", "ISC" },
    { "License :: OSI Approved :: MIT License", "MIT" },
    { "License :: OSI Approved :: MIT No Attribution License (MIT-0)",
      "MIT-0" },
    { "License :: OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)",
      "MPL-1.1" },
    { "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
      "MPL-2.0" },
    { "License :: OSI Approved :: Python Software Foundation License",
      "PSF-2.0" },
    { "License :: OSI Approved :: The Unlicense (Unlicense)", "Unlicense" },
    { "License :: OSI Approved :: Universal Permissive License (UPL)",
      "UPL-1.0" },
    { "License :: OSI Approved :: zlib/libpng License", "Zlib" },
};

/* The SPDX id of one Classifier value (trimmed span), or NULL. */
static const char *classifier_spdx(const char *p, size_t n)
{
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof(py_classifiers) / sizeof(py_classifiers[0]);
         i++) {
        const char *c = py_classifiers[i].classifier;
        if (strlen(c) == n && memcmp(c, p, n) == 0)
            return py_classifiers[i].spdx;
    }
    return NULL;
}

/* A License value longer than this, or spread over several lines, is a
 * licence text rather than its name (setuptools copies whole LICENSE
 * files there). */
#define LICENSE_NAME_MAX 128

/* Licence by precedence (see the top of the file); *out malloc'd or
 * NULL. */
static sg_err py_license(char **out,
                         const struct py_span *expr,
                         const struct py_span *lic,
                         const char *cls_id,
                         int cls_conflict)
{
    char *t = NULL;

    *out = NULL;
    if (expr->p) {
        if (!(t = sg_text_dup_trim(expr->p, expr->n)))
            return SG_ENOMEM;
        if (t[0]) {
            char *norm = NULL;
            /* Keep the declared text when it is not valid SPDX: the
             * writers turn it into a LicenseRef. */
            if (sg_spdx_expr_normalise(&norm, t) == SG_OK && norm) {
                free(t);
                t = norm;
            }
            sg_error_clear();
            *out = t;
            return SG_OK;
        }
        free(t);
    }
    if (lic->p && lic->n <= LICENSE_NAME_MAX && !memchr(lic->p, '\n', lic->n) &&
        !memchr(lic->p, '\r', lic->n)) {
        if (!(t = sg_text_dup_trim(lic->p, lic->n)))
            return SG_ENOMEM;
        if (t[0] && strcmp(t, "UNKNOWN") != 0) {
            *out = t;
            return SG_OK;
        }
        free(t);
    }
    if (cls_id && !cls_conflict && !(*out = sg_text_dup(cls_id)))
        return SG_ENOMEM;
    return SG_OK;
}

/* Length of the first line of [p, p+n). */
static size_t first_line_len(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && p[i] != '\n' && p[i] != '\r')
        i++;
    return i;
}

/* *out: the span's first line trimmed, NULL when absent or empty. */
static sg_err first_line_opt(char **out, const struct py_span *v)
{
    *out = NULL;
    if (!v->p)
        return SG_OK;
    if (!(*out = sg_text_dup_trim(v->p, first_line_len(v->p, v->n))))
        return SG_ENOMEM;
    if (!(*out)[0]) {
        free(*out);
        *out = NULL;
    }
    return SG_OK;
}

/* A Project-URL label meaning the home page: "Homepage", "Home page",
 * "home-page" (labels compared as PEP 753 normalises them: lower case,
 * without blanks, '-', '_' and '.'). */
static int homepage_label(const char *p, size_t n)
{
    static const char want[] = "homepage";
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ' ' || c == '\t' || c == '-' || c == '_' || c == '.')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (o >= sizeof(want) - 1 || want[o] != c)
            return 0;
        o++;
    }
    return o == sizeof(want) - 1;
}

static int bad_name(const char *s)
{
    if (!s[0])
        return 1;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

sg_err sg_sbom__python_parse(struct sg_sbom *s,
                             const void *data,
                             size_t len,
                             const char *path,
                             const char *layer,
                             const struct sg_ctx *ctx)
{
    const char *p = data, *end = p + len, *line;
    const char *where = path ? path : "METADATA";
    struct py_span f[PF_COUNT] = { { 0 } };
    struct py_span *cur = NULL; /* the header continuation lines extend */
    const char *cls_id = NULL;
    int cls_conflict = 0;
    struct py_span home = { 0 }; /* Project-URL: Homepage, URL */
    size_t n;
    struct sg_pkg *pk;
    char *name = NULL, *version = NULL;
    const char *why = NULL;
    sg_err rc;

    if (len > sg_ctx_limits(ctx)->pkg_meta_max) {
        sg_warn(ctx, "%s: larger than %zu bytes, not catalogued", where,
                sg_ctx_limits(ctx)->pkg_meta_max);
        return SG_OK;
    }
    while (next_line(&p, end, &line, &n)) {
        size_t kl;
        if (n == 0)
            break; /* end of the headers */
        if (line[0] == ' ' || line[0] == '\t') {
            /* A continuation: the span grows to the end of this line.
             * (Classifiers are read from their first line only.) */
            if (cur)
                cur->n = (size_t)(line + n - cur->p);
            continue;
        }
        if (!header_key(line, n, &kl))
            break; /* not a header: the body starts here */
        cur = NULL;
        {
            const char *v = line + kl + 1, *ve = line + n;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            if (sg_text_eq_ci(line, kl, "Classifier")) {
                const char *id = classifier_spdx(v, (size_t)(ve - v));
                if (id && cls_id && strcmp(id, cls_id) != 0)
                    cls_conflict = 1;
                if (id && !cls_id)
                    cls_id = id;
                continue;
            }
            if (!home.p && sg_text_eq_ci(line, kl, "Project-URL")) {
                const char *comma = memchr(v, ',', (size_t)(ve - v));
                if (comma && homepage_label(v, (size_t)(comma - v))) {
                    home.p = comma + 1;
                    home.n = (size_t)(ve - home.p);
                }
                continue;
            }
            for (size_t i = 0; i < PF_COUNT; i++) {
                if (sg_text_eq_ci(line, kl, py_field_names[i])) {
                    if (!f[i].p) { /* the first one wins, as msg[key] */
                        f[i].p = v;
                        f[i].n = (size_t)(ve - v);
                        cur = &f[i];
                    }
                    break;
                }
            }
        }
    }
    if (!f[PF_NAME].p || !f[PF_VERSION].p) {
        sg_warn(ctx, "%s: no %s header, skipped", where,
                f[PF_NAME].p ? "Version" : "Name");
        return SG_OK;
    }
    name = sg_text_dup_trim(f[PF_NAME].p, f[PF_NAME].n);
    version = sg_text_dup_trim(f[PF_VERSION].p, f[PF_VERSION].n);
    if (!name || !version) {
        rc = SG_ENOMEM;
        goto fail;
    }
    if (bad_name(name))
        why = "empty or bad Name";
    else if (bad_name(version))
        why = "empty or bad Version";
    if (why) {
        sg_warn(ctx, "%s: %s, skipped", where, why);
        free(name);
        free(version);
        return SG_OK;
    }
    rc = sg_sbom_add_pkg(s, &pk);
    if (rc)
        goto fail;
    pk->type = SG_PKG_PYTHON;
    pk->name = name;
    pk->version = version;
    name = version = NULL;
    rc = py_license(&pk->license, &f[PF_LICENSE_EXPR], &f[PF_LICENSE], cls_id,
                    cls_conflict);
    if (!rc)
        rc = first_line_opt(&pk->description, &f[PF_SUMMARY]);
    if (!rc)
        rc = first_line_opt(&pk->url, &f[PF_HOME_PAGE]);
    /* Metadata 2.1+ tools write the home page as a Project-URL */
    if (!rc && !pk->url)
        rc = first_line_opt(&pk->url, &home);
    if (!rc && !(pk->found_by = sg_text_dup(FOUND_BY)))
        rc = SG_ENOMEM;
    if (!rc && path && !(pk->db_path = sg_text_dup(path)))
        rc = SG_ENOMEM;
    if (!rc && layer && !(pk->layer_diff_id = sg_text_dup(layer)))
        rc = SG_ENOMEM;
    if (rc) {
        sg_pkg_release(pk);
        s->n_pkgs--;
    }
    return rc;
fail:
    free(name);
    free(version);
    return rc;
}

/* ------------------------------------------------------------------ */
/* RECORD                                                              */

/* RECORD is CSV (PEP 376, Python's csv module defaults): one row per
 * installed file, "path,hash,size", a field optionally in double quotes
 * with "" for a quote; quoted fields may hold commas and line breaks.
 * Only rows with a non-empty path count. An unterminated quote ends the
 * file (csv raises; the rows before it stand). */
sg_err
sg_sbom__python_record_parse(size_t *n_files, const void *data, size_t len)
{
    const char *p = data, *end = p + len;

    *n_files = 0;
    while (p < end) {
        size_t path_len = 0;
        /* the first field */
        if (*p == '"') {
            p++;
            for (;;) {
                if (p >= end)
                    return SG_OK; /* unterminated */
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        path_len++;
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                path_len++;
                p++;
            }
        }
        while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
            path_len++;
            p++;
        }
        if (path_len)
            (*n_files)++;
        /* the rest of the row (hash and size are never quoted in
         * practice; a quoted one with a line break would be miscounted,
         * which only changes the count) */
        while (p < end && *p != '\n' && *p != '\r')
            p++;
        while (p < end && (*p == '\n' || *p == '\r'))
            p++;
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* dpkg file lists                                                     */

/* Is this .list line a distribution's own path (a .dist-info or
 * .egg-info directory, or an .egg-info file)? */
static int dist_line(const char *l, size_t n)
{
    return ends_with_n(l, n, ".dist-info") || ends_with_n(l, n, ".egg-info");
}

sg_err sg_sbom__python_list_filter(char **out, const void *data, size_t len)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *p = data, *end = p + len, *l;
    size_t n;
    sg_err rc = SG_OK;

    *out = NULL;
    while (!rc && next_line(&p, end, &l, &n))
        if (dist_line(l, n) && !memchr(l, '\0', n)) {
            rc = sg_buf_add(&b, l, n);
            if (!rc)
                rc = sg_buf_addc(&b, '\n');
        }
    if (!rc && !b.len && !(*out = sg_text_dup("")))
        rc = SG_ENOMEM;
    else if (!rc && b.len)
        rc = sg_buf_take(out, NULL, &b);
    sg_buf_release(&b);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Cataloguing the squashed view                                       */

static int cmp_file(const void *a, const void *b)
{
    const struct sg_py_file *x = a, *y = b;
    int c = strcmp(x->k->path, y->k->path);

    if (c)
        return c;
    /* newest first, so that dead versions are credited to the newest
     * layer that had them */
    return x->layer > y->layer ? -1 : x->layer < y->layer;
}

/* Is f a metadata file (not RECORD, not a .list)? */
static int is_meta(const struct sg_py_file *f)
{
    const char *b = base_of(f->k->path);
    return f->k->kind == SG_KEPT_REG &&
           sg_sbom__python_claims(f->k->path) == SG_PY_META &&
           strcmp(b, "RECORD") != 0;
}

/* The distribution's own path: its .dist-info/.egg-info directory, or
 * the .egg-info file. */
static size_t dist_path_len(const char *path)
{
    const char *b = base_of(path);

    if (strcmp(b, "METADATA") == 0 || strcmp(b, "PKG-INFO") == 0)
        return b > path ? (size_t)(b - path) - 1 : 0;
    return strlen(path);
}

static const struct sg_py_file *
find_live(const struct sg_py_file *f, size_t n, const char *path)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(f[mid].k->path, path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && strcmp(f[lo].k->path, path) == 0; lo++)
        if (f[lo].alive)
            return &f[lo];
    return NULL;
}

static sg_err record_prop(struct sg_pkg *pk,
                          const struct sg_py_file *f,
                          size_t n,
                          const char *meta_path)
{
    struct sg_buf rp = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const struct sg_py_file *r;
    char num[32];
    size_t files = 0;
    sg_err rc;

    if (strcmp(base_of(meta_path), "METADATA") != 0)
        return SG_OK;
    rc = sg_buf_add(&rp, meta_path, dist_path_len(meta_path));
    if (!rc)
        rc = sg_buf_adds(&rp, "/RECORD");
    /* the scanner kept the RECORD's row count, not the file (squash.c) */
    if (!rc && (r = find_live(f, n, rp.data)) && r->k->kind == SG_KEPT_REG) {
        files = strtoul((const char *)r->k->data, NULL, 10);
        snprintf(num, sizeof(num), "%zu", files);
        rc = sg_sbom__go_prop_add(pk, "sigil:python:recordFiles", num,
                                  strlen(num));
    }
    sg_buf_release(&rp);
    return rc;
}

/* The deb named by a .list file's base name ("pkg" or "pkg:arch"). */
static size_t find_deb(const struct sg_sbom *s, const char *b, size_t bl)
{
    const char *colon = memchr(b, ':', bl);
    size_t nl = colon ? (size_t)(colon - b) : bl;

    for (size_t i = 0; i < s->n_pkgs; i++) {
        const struct sg_pkg *d = &s->pkgs[i];
        if (d->type != SG_PKG_DEB || d->deleted || !d->name ||
            strlen(d->name) != nl || memcmp(d->name, b, nl) != 0)
            continue;
        if (colon && d->arch &&
            (strlen(d->arch) != bl - nl - 1 ||
             memcmp(d->arch, colon + 1, bl - nl - 1) != 0))
            continue;
        return i + 1;
    }
    return 0;
}

struct dist_ref {
    const char *path; /* the dist path: len bytes, not NUL-ended */
    size_t len;
    struct sg_pkg *pk;
};

static int cmp_dist_ref(const void *a, const void *b)
{
    const struct dist_ref *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->path, y->path, n);

    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Relate the dists in s[first, end) to the debs whose .list (in the live
 * dpkg info directory) names their path. The dists are sorted by path
 * and each .list line looked up, so a .list of millions of lines costs
 * a binary search each, not a pass over every dist. */
static sg_err dpkg_owners(struct sg_sbom *s,
                          size_t first,
                          const struct sg_py_file *f,
                          size_t n,
                          const char *dpkg_info)
{
    size_t dl = strlen(dpkg_info), nr = 0;
    struct dist_ref *r = malloc((s->n_pkgs - first + 1) * sizeof(*r));

    if (!r)
        return sg_error_oom();
    for (size_t k = first; k < s->n_pkgs; k++) {
        if (!s->pkgs[k].db_path)
            continue;
        r[nr].path = s->pkgs[k].db_path;
        r[nr].len = dist_path_len(s->pkgs[k].db_path);
        r[nr++].pk = &s->pkgs[k];
    }
    if (nr)
        qsort(r, nr, sizeof(*r), cmp_dist_ref);
    for (size_t i = 0; i < n && nr; i++) {
        const char *path = f[i].k->path, *b = path + dl + 1, *p, *pe, *l;
        size_t ln;
        if (!f[i].alive || f[i].k->kind != SG_KEPT_REG ||
            strncmp(path, dpkg_info, dl) != 0 || path[dl] != '/' ||
            strchr(b, '/') || !ends_with_n(b, strlen(b), ".list"))
            continue;
        p = (const char *)f[i].k->data;
        pe = p + f[i].k->len;
        while (next_line(&p, pe, &l, &ln)) {
            struct dist_ref key;
            size_t lo = 0, hi = nr;
            while (ln && *l == '/') {
                l++;
                ln--;
            }
            key.path = l;
            key.len = ln;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (cmp_dist_ref(&r[mid], &key) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            /* every dist at that path (one, unless two metadata files
             * name the same directory) */
            for (; lo < nr && cmp_dist_ref(&r[lo], &key) == 0; lo++)
                if (!r[lo].pk->parent)
                    r[lo].pk->parent = find_deb(s, b, strlen(b) - 5);
        }
    }
    free(r);
    return SG_OK;
}

sg_err sg_sbom__python_catalog(struct sg_sbom *s,
                               struct sg_py_file *f,
                               size_t n,
                               const char *dpkg_info,
                               char *const *diff_ids,
                               enum sg_sbom_scope scope,
                               const struct sg_ctx *ctx)
{
    size_t first = s->n_pkgs, live_end;
    struct sg_sbom *old = NULL;
    sg_err rc = SG_OK;

    if (!n)
        return SG_OK;
    qsort(f, n, sizeof(*f), cmp_file);
    for (size_t i = 0; i < n && !rc; i++) {
        size_t before = s->n_pkgs;
        if (!f[i].alive || !is_meta(&f[i]))
            continue;
        rc = sg_sbom__python_parse(s, f[i].k->data, f[i].k->len, f[i].k->path,
                                   diff_ids ? diff_ids[f[i].layer] : NULL, ctx);
        if (!rc && s->n_pkgs > before)
            rc = record_prop(&s->pkgs[before], f, n, f[i].k->path);
    }
    live_end = s->n_pkgs;
    if (!rc && dpkg_info && *dpkg_info)
        rc = dpkg_owners(s, first, f, n, dpkg_info);
    if (rc || scope != SG_SBOM_ALL_LAYERS)
        return rc;
    /* all-layers: distributions of removed or replaced metadata files
     * that the final tree no longer has at that path, once each (name,
     * version, path: the same dist installed elsewhere is another
     * install), credited to the newest layer that had them (cmp_file's
     * order). */
    for (size_t i = 0; i < n && !rc; i++) {
        struct sg_pkg *p, *d;
        int seen = 0;
        if (f[i].alive || !is_meta(&f[i]))
            continue;
        sg_sbom_free(old);
        old = NULL;
        rc = sg_sbom_create(&old);
        if (!rc) /* no ctx: the live version already warned */
            rc = sg_sbom__python_parse(
                old, f[i].k->data, f[i].k->len, f[i].k->path,
                diff_ids ? diff_ids[f[i].layer] : NULL, NULL);
        if (rc || !old->n_pkgs)
            continue;
        p = &old->pkgs[0];
        for (size_t j = first; j < s->n_pkgs && !seen; j++)
            seen = s->pkgs[j].type == SG_PKG_PYTHON &&
                   (j < live_end || s->pkgs[j].deleted) &&
                   strcmp(s->pkgs[j].name, p->name) == 0 &&
                   strcmp(s->pkgs[j].version, p->version) == 0 &&
                   strcmp(s->pkgs[j].db_path, p->db_path) == 0;
        if (seen)
            continue;
        rc = sg_sbom_add_pkg(s, &d);
        if (!rc) {
            *d = *p;
            memset(p, 0, sizeof(*p));
            d->deleted = 1;
        }
    }
    sg_sbom_free(old);
    return rc;
}

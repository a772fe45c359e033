/*
 * dpkg cataloger: var/lib/dpkg/status and distroless status.d/ stanzas,
 * and DEP-5 copyright files mapped to SPDX licence ids.
 *
 * A stanza is a run of non-blank lines; "Field: value" starts a field and
 * lines starting with a blank continue it (Debian Policy §5.1 "Syntax of
 * control files", the status file as described in deb-status(5); our
 * notes in docs/sbom-formats.md §6.1). Field names are case-insensitive
 * and may not repeat. A malformed stanza is skipped with a warning naming
 * it; the parse never fails on content, only on memory or limits.
 *
 * Untrusted: the file comes from an image layer and may be written by
 * hand (distroless status.d/ files are). Two passes keep that cheap and
 * safe: split_stanza() only records views (pointer, length) into the
 * file and decides whether the stanza is well-formed; only then does
 * stanza_to_pkg() allocate. Record count and licence ids are bounded;
 * every byte that reaches a warning is cut at the first blank and
 * bounded in length.
 */
#include "sbom_int.h"
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum dpkg_field {
    F_PACKAGE,
    F_STATUS,
    F_VERSION,
    F_ARCH,
    F_SOURCE,
    F_MAINTAINER,
    F_ISIZE,
    F_DESCRIPTION,
    F_HOMEPAGE,
    F_DEPENDS,
    F_PREDEPENDS,
    F_PROVIDES,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "Package",  "Status",     "Version",        "Architecture",
    "Source",   "Maintainer", "Installed-Size", "Description",
    "Homepage", "Depends",    "Pre-Depends",    "Provides",
};

struct span {
    const char *p; /* NULL when the field is absent */
    size_t n;      /* raw value, continuation lines included */
};

struct stanza {
    struct span f[F_COUNT];
    size_t first_line;
    const char *bad; /* reason it is malformed, NULL if fine */
};

static int is_sp(char c)
{
    return c == ' ' || c == '\t';
}

/* First line of a value, trimmed. For Description that is the synopsis
 * (Policy §5.6.13): the extended description is prose, not metadata. */
static char *first_line(const struct span *v)
{
    const char *nl = memchr(v->p, '\n', v->n);

    return sg_text_dup_trim(v->p, nl ? (size_t)(nl - v->p) : v->n);
}

/* Whole value with continuation lines folded into single spaces. */
static char *folded(const struct span *v)
{
    char *s = malloc(v->n + 1);
    size_t o = 0;

    if (!s) {
        (void)sg_error_oom();
        return NULL;
    }
    for (size_t i = 0; i < v->n; i++) {
        char c = v->p[i];
        if (c == '\n' || c == '\r')
            c = ' ';
        s[o++] = c;
    }
    s[o] = '\0';
    return s;
}

/* Name of one relation alternative "name[:arch] [(op ver)] [<profile>]"
 * (Policy §7.1). The architecture qualifier (":any", ":native") and the
 * restriction lists ("[amd64]", "<!nocheck>") are not part of the name
 * that the finishing pass matches against installed packages. */
static size_t rel_name_len(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && !is_sp(p[i]) && p[i] != '(' && p[i] != ':' && p[i] != '[' &&
           p[i] != '<')
        i++;
    return i;
}

static const char *skip_sp(const char *p, const char *end)
{
    while (p < end && (is_sp(*p) || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Parse "a (>= 1), b | c:any, d" into names; alternatives are kept as
 * "b|c" so that resolution can pick whichever is installed (emitting an
 * edge to each would claim a dependency on packages that may not even be
 * present). Commas separate groups, '|' alternatives; nothing here can
 * nest, so a linear scan with memchr is the whole grammar. */
static sg_err parse_relations(char ***v, size_t *n, const struct span *val)
{
    const char *p = val->p, *end = val->p + val->n;
    struct sg_buf group = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = SG_OK;

    while (p < end && !rc) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *gend = comma ? comma : end;

        sg_buf_reset(&group);
        while (p < gend && !rc) {
            const char *bar = memchr(p, '|', (size_t)(gend - p));
            const char *aend = bar ? bar : gend;
            size_t nl;

            p = skip_sp(p, aend);
            nl = rel_name_len(p, (size_t)(aend - p));
            if (nl) {
                if (group.len)
                    rc = sg_buf_addc(&group, '|');
                if (!rc)
                    rc = sg_buf_add(&group, p, nl);
            }
            p = bar ? bar + 1 : gend;
        }
        if (!rc && group.len)
            rc = sg_strv_push(v, n, group.data, group.len);
        p = comma ? comma + 1 : end;
    }
    sg_buf_release(&group);
    return rc;
}

static int status_installed(const struct span *st)
{
    /* "want flag status": the package is installed when the third word
     * is exactly "installed" (hold ok installed counts too). Everything
     * else is a package dpkg knows but whose files are not (all) there:
     * "deinstall ok config-files" (removed, configuration kept),
     * "half-installed", "unpacked", ... */
    const char *p = st->p, *end = st->p + st->n;
    int word = 0;

    while (p < end) {
        const char *w;
        p = skip_sp(p, end);
        if (p >= end)
            break;
        w = p;
        while (p < end && !is_sp(*p) && *p != '\n' && *p != '\r')
            p++;
        if (++word == 3)
            return (size_t)(p - w) == 9 && memcmp(w, "installed", 9) == 0 &&
                   skip_sp(p, end) == end;
    }
    return 0;
}

/* Decimal digits only (no sign, no space, no overflow): 1, else 0. A
 * predicate, not an error: a bad Installed-Size is warned about and
 * ignored by the caller, never fatal. */
static int parse_u64(uint64_t *out, const char *s)
{
    uint64_t v = 0;

    if (!*s)
        return 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s) || v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 1;
}

/* Split one stanza [p, end) into the fields we use. */
static void split_stanza(struct stanza *st,
                         const char *p,
                         const char *end,
                         size_t first_line)
{
    struct sg_lines it;
    const char *line;
    size_t len;
    int cur = -1; /* field being continued, F_COUNT for an unknown one */

    /* Every failure below marks the whole stanza bad instead of skipping
     * a line: a stanza with one broken line may have lost the line that
     * said which package it is, and a half-read stanza would report a
     * package with the wrong version or dependencies. */

    memset(st, 0, sizeof(*st));
    st->first_line = first_line;
    sg_lines_init(&it, p, (size_t)(end - p));
    while (sg_lines_next(&it, &line, &len)) {
        const char *colon;
        size_t nlen;
        int k;

        if (len > 0 && is_sp(line[0])) {
            if (cur < 0) {
                st->bad = "continuation line before any field";
                return;
            }
            if (cur < F_COUNT) /* extend the raw span over this line */
                st->f[cur].n = (size_t)(line + len - st->f[cur].p);
            continue;
        }
        colon = memchr(line, ':', len);
        if (!colon || colon == line) {
            st->bad = "line without a field name";
            return;
        }
        nlen = (size_t)(colon - line);
        /* Field names are printable US-ASCII without space or colon
         * (Policy §5.1); a stray byte here means the stanza was cut or
         * mangled. */
        for (size_t i = 0; i < nlen; i++) {
            if (is_sp(line[i]) || (unsigned char)line[i] < 0x21) {
                st->bad = "bad field name";
                return;
            }
        }
        cur = F_COUNT;
        for (k = 0; k < F_COUNT; k++) {
            if (sg_text_eq_ci(line, nlen, field_names[k])) {
                /* Two Package: or Version: fields: dpkg reports such a
                 * stanza as an error, and we skip it rather than guess. */
                if (st->f[k].p) {
                    st->bad = "duplicate field";
                    return;
                }
                st->f[k].p = colon + 1;
                st->f[k].n = (size_t)(line + len - (colon + 1));
                cur = k;
                break;
            }
        }
    }
}

static sg_err stanza_to_pkg(struct sg_sbom *s,
                            const struct stanza *st,
                            const char *db_path,
                            const char *layer,
                            const struct sg_ctx *ctx)
{
    struct sg_pkg *pkg;
    char *tmp = NULL;
    sg_err rc;

    rc = sg_sbom_add_pkg(s, &pkg);
    if (rc)
        return rc;
    pkg->type = SG_PKG_DEB;
    if (!(pkg->name = first_line(&st->f[F_PACKAGE])) ||
        !(pkg->version = first_line(&st->f[F_VERSION])) ||
        !(pkg->found_by = sg_text_dup("dpkg-db-cataloger")) ||
        (db_path && !(pkg->db_path = sg_text_dup(db_path))) ||
        (layer && !(pkg->layer_diff_id = sg_text_dup(layer))))
        goto oom;
    if (st->f[F_ARCH].p && !(pkg->arch = first_line(&st->f[F_ARCH])))
        goto oom;
    /* "Source: name (version)": the version is there only when it
     * differs from the binary package's (Policy §5.6.1), e.g. binNMUs;
     * a missing ')' is tolerated, the rest of the line is the version. */
    if (st->f[F_SOURCE].p) {
        char *src = first_line(&st->f[F_SOURCE]);
        char *paren;
        if (!src)
            goto oom;
        paren = strchr(src, '(');
        if (paren) {
            char *close = strchr(paren, ')');
            size_t vlen =
                close ? (size_t)(close - paren - 1) : strlen(paren + 1);
            pkg->source_version = sg_text_dup_trim(paren + 1, vlen);
            pkg->source_name = sg_text_dup_trim(src, (size_t)(paren - src));
        } else {
            pkg->source_name = sg_text_dup_trim(src, strlen(src));
        }
        free(src);
        if (!pkg->source_name || (paren && !pkg->source_version))
            goto oom;
    }
    if (st->f[F_MAINTAINER].p &&
        !(pkg->supplier = first_line(&st->f[F_MAINTAINER])))
        goto oom;
    /* Installed-Size is in KiB (Policy §5.6.20); the model keeps bytes.
     * The check keeps kib * 1024 from wrapping. */
    if (st->f[F_ISIZE].p) {
        uint64_t kib;
        if (!(tmp = first_line(&st->f[F_ISIZE])))
            goto oom;
        if (parse_u64(&kib, tmp) && kib <= UINT64_MAX / 1024)
            pkg->installed_size = kib * 1024;
        else
            sg_warn(ctx, "%s: package %s: bad Installed-Size \"%s\", ignored",
                    db_path ? db_path : "dpkg", pkg->name, tmp);
        free(tmp);
        tmp = NULL;
    }
    if (st->f[F_DESCRIPTION].p &&
        !(pkg->description = first_line(&st->f[F_DESCRIPTION])))
        goto oom;
    if (st->f[F_HOMEPAGE].p && !(pkg->url = first_line(&st->f[F_HOMEPAGE])))
        goto oom;
    /* Pre-Depends is a stronger Depends (Policy §7.2): for the graph
     * both are "needs", so they share one list. */
    if (st->f[F_PREDEPENDS].p &&
        (rc = parse_relations(&pkg->depends, &pkg->n_depends,
                              &st->f[F_PREDEPENDS])))
        return rc;
    if (st->f[F_DEPENDS].p &&
        (rc = parse_relations(&pkg->depends, &pkg->n_depends,
                              &st->f[F_DEPENDS])))
        return rc;
    if (st->f[F_PROVIDES].p) {
        /* Provides has no alternatives (Policy §7.5); split the folded
         * text. A versioned "foo (= 1.2)" keeps only the name. */
        char *all = folded(&st->f[F_PROVIDES]);
        char *p, *save = NULL;
        if (!all)
            goto oom;
        for (p = strtok_r(all, ",", &save); p && !rc;
             p = strtok_r(NULL, ",", &save)) {
            while (is_sp(*p))
                p++;
            if (rel_name_len(p, strlen(p)))
                rc = sg_strv_push(&pkg->provides, &pkg->n_provides, p,
                                  rel_name_len(p, strlen(p)));
        }
        free(all);
        if (rc)
            return rc;
    }
    return SG_OK;
oom:
    return sg_error_oom();
}

sg_err sg_sbom__dpkg_parse(struct sg_sbom *s,
                           const void *data,
                           size_t len,
                           int require_status,
                           const char *db_path,
                           const char *layer,
                           const struct sg_ctx *ctx)
{
    struct sg_lines it;
    const char *line, *start = NULL;
    size_t llen, start_line = 0, n_stanza = 0, n_records = 0;
    const char *where = db_path ? db_path : "dpkg status";
    const char *end = (const char *)data + len;
    int more = 1;

    sg_lines_init(&it, data, len);
    while (more) {
        int blank;
        const char *stop;

        more = sg_lines_next(&it, &line, &llen);
        blank = 1;
        for (size_t i = 0; more && i < llen; i++) {
            if (!is_sp(line[i]) && line[i] != '\r') {
                blank = 0;
                break;
            }
        }
        if (more && !blank) {
            if (!start) {
                start = line;
                start_line = it.lineno;
            }
            continue;
        }
        if (!start)
            continue;
        /* A stanza ends at this blank line or at the end of input. A
         * line of only spaces counts as blank: dpkg itself writes none,
         * but hand-edited status.d files do, and reading it as a
         * continuation would glue two packages together. */
        stop = more ? line : end;
        {
            struct stanza st;
            char name[80];
            sg_err rc;

            n_stanza++;
            split_stanza(&st, start, stop, start_line);
            start = NULL;
            name[0] = '\0';
            if (st.f[F_PACKAGE].p) {
                const struct span *pk = &st.f[F_PACKAGE];
                size_t i = 0, o = 0;
                while (i < pk->n && is_sp(pk->p[i]))
                    i++;
                while (i < pk->n && o + 1 < sizeof(name) && !is_sp(pk->p[i]) &&
                       pk->p[i] != '\n' && pk->p[i] != '\r')
                    name[o++] = pk->p[i++];
                name[o] = '\0';
            }
            if (!st.bad && !name[0])
                st.bad = "no Package field";
            if (!st.bad && !st.f[F_VERSION].p)
                st.bad = "no Version field";
            if (st.bad) {
                sg_warn(ctx, "%s: stanza %zu (line %zu%s%s): %s, skipped",
                        where, n_stanza, st.first_line,
                        name[0] ? ", package " : "", name, st.bad);
                continue;
            }
            if (require_status) {
                if (!st.f[F_STATUS].p) {
                    sg_warn(ctx,
                            "%s: stanza %zu (line %zu, package %s): no "
                            "Status field, skipped",
                            where, n_stanza, st.first_line, name);
                    continue;
                }
                if (!status_installed(&st.f[F_STATUS]))
                    continue;
            }
            if (++n_records > sg_ctx_limits(ctx)->db_records_max)
                return sg_error_set(SG_ELIMIT, "%s: more than %zu records",
                                    where, sg_ctx_limits(ctx)->db_records_max);
            rc = stanza_to_pkg(s, &st, db_path, layer, ctx);
            if (rc)
                return rc;
            /* Checked after the copy, on the trimmed values: a name with
             * control bytes would reach purls and terminal output, and
             * an empty one cannot be matched by any dependency. */
            {
                struct sg_pkg *pk = &s->pkgs[s->n_pkgs - 1];
                const char *why = NULL;
                if (!pk->name[0])
                    why = "empty Package";
                for (const char *c = pk->name; !why && *c; c++)
                    if ((unsigned char)*c <= 0x20 || *c == 0x7f)
                        why = "bad Package name";
                if (!why && !pk->version[0])
                    why = "empty Version";
                if (why) {
                    sg_warn(ctx, "%s: stanza %zu (line %zu): %s, skipped",
                            where, n_stanza, st.first_line, why);
                    sg_pkg_release(pk);
                    s->n_pkgs--;
                }
            }
        }
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* DEP-5 copyright → SPDX                                               */

struct lic_map {
    const char *debian;
    const char *spdx;
};

/* Debian short names (DEP-5 §"License short name") and common spellings,
 * compared case-insensitively. */
static const struct lic_map lic_table[] = {
    { "AGPL-3", "AGPL-3.0-only" },
    { "AGPL-3+", "AGPL-3.0-or-later" },
    { "Apache", "Apache-2.0" },
    { "Apache-1.0", "Apache-1.0" },
    { "Apache-1.1", "Apache-1.1" },
    { "Apache-2", "Apache-2.0" },
    { "Apache-2.0", "Apache-2.0" },
    { "Artistic", "Artistic-1.0" },
    { "Artistic-1.0", "Artistic-1.0" },
    { "Artistic-2.0", "Artistic-2.0" },
    { "BSD-2-clause", "BSD-2-Clause" },
    { "BSD-3-clause", "BSD-3-Clause" },
    { "BSD-4-clause", "BSD-4-Clause" },
    { "BSL-1.0", "BSL-1.0" },
    { "CC-BY-3.0", "CC-BY-3.0" },
    { "CC-BY-4.0", "CC-BY-4.0" },
    { "CC-BY-SA-3.0", "CC-BY-SA-3.0" },
    { "CC-BY-SA-4.0", "CC-BY-SA-4.0" },
    { "CC0", "CC0-1.0" },
    { "CC0-1.0", "CC0-1.0" },
    { "curl", "curl" },
    { "Expat", "MIT" },
    { "FSFAP", "FSFAP" },
    { "FSFUL", "FSFUL" },
    { "FSFULLR", "FSFULLR" },
    { "GFDL-1.2", "GFDL-1.2-only" },
    { "GFDL-1.2+", "GFDL-1.2-or-later" },
    { "GFDL-1.3", "GFDL-1.3-only" },
    { "GFDL-1.3+", "GFDL-1.3-or-later" },
    { "GFDL-NIV-1.2+", "GFDL-1.2-or-later" },
    { "GPL", "GPL-1.0-or-later" },
    { "GPL-1", "GPL-1.0-only" },
    { "GPL-1+", "GPL-1.0-or-later" },
    { "GPL-2", "GPL-2.0-only" },
    { "GPL-2+", "GPL-2.0-or-later" },
    { "GPL-2.0", "GPL-2.0-only" },
    { "GPL-2.0+", "GPL-2.0-or-later" },
    { "GPL-3", "GPL-3.0-only" },
    { "GPL-3+", "GPL-3.0-or-later" },
    { "GPL-3.0", "GPL-3.0-only" },
    { "GPL-3.0+", "GPL-3.0-or-later" },
    { "ISC", "ISC" },
    { "LGPL", "LGPL-2.0-or-later" },
    { "LGPL-2", "LGPL-2.0-only" },
    { "LGPL-2+", "LGPL-2.0-or-later" },
    { "LGPL-2.0", "LGPL-2.0-only" },
    { "LGPL-2.0+", "LGPL-2.0-or-later" },
    { "LGPL-2.1", "LGPL-2.1-only" },
    { "LGPL-2.1+", "LGPL-2.1-or-later" },
    { "LGPL-3", "LGPL-3.0-only" },
    { "LGPL-3+", "LGPL-3.0-or-later" },
    { "LGPL-3.0", "LGPL-3.0-only" },
    { "LGPL-3.0+", "LGPL-3.0-or-later" },
    { "MIT", "MIT" },
    { "MPL-1.1", "MPL-1.1" },
    { "MPL-2.0", "MPL-2.0" },
    { "OpenSSL", "OpenSSL" },
    { "Perl", "Artistic-1.0-Perl" },
    { "PSF-2", "PSF-2.0" },
    { "public-domain", "LicenseRef-public-domain" },
    { "Python", "Python-2.0" },
    { "Python-2.0", "Python-2.0" },
    { "SSLeay", "SSLeay-standalone" },
    { "Unicode-DFS-2016", "Unicode-DFS-2016" },
    { "Unlicense", "Unlicense" },
    { "X11", "X11" },
    { "Zlib", "Zlib" },
    { "ZPL-2.1", "ZPL-2.1" },
};

/* Map one Debian licence name to a malloc'd SPDX id or LicenseRef.
 * Unknown names become "LicenseRef-<name>" with every character outside
 * the SPDX idstring set [A-Za-z0-9.-] (SPDX 2.3 §10.1) replaced by '-',
 * and a trailing '+' (DEP-5: "or any later version") spelled out. The
 * name is cut at 200 bytes: it lands in every output format once per
 * package, and the buffer's 256-byte cap then always holds the result,
 * so NULL here only ever means out of memory. */
static char *map_license(const char *p, size_t n)
{
    struct sg_buf b = SG_BUF_INIT(256);
    char *out = NULL;

    for (size_t i = 0; i < sizeof(lic_table) / sizeof(lic_table[0]); i++) {
        if (sg_text_eq_ci(p, n, lic_table[i].debian))
            return sg_text_dup(lic_table[i].spdx);
    }
    if (n > 200)
        n = 200;
    if (sg_buf_adds(&b, "LicenseRef-"))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '+' && i + 1 == n) {
            if (sg_buf_adds(&b, "-or-later"))
                return NULL;
            continue;
        }
        if (!isalnum((unsigned char)c) && c != '.' && c != '-')
            c = '-';
        if (sg_buf_addc(&b, c))
            return NULL;
    }
    if (sg_buf_take(&out, NULL, &b))
        return NULL;
    return out;
}

static int strv_has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

#define LIC_IDS_MAX 64u

sg_err sg_sbom__dpkg_copyright_license(char **out, const void *data, size_t len)
{
    struct sg_lines it;
    const char *line;
    size_t llen, n = 0;
    char **ids = NULL;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = SG_OK;

    *out = NULL;
    sg_lines_init(&it, data, len);
    /* at most LIC_IDS_MAX ids per file: each new one is checked against
     * the others, so an unbounded list would be quadratic */
    while (!rc && n < LIC_IDS_MAX && sg_lines_next(&it, &line, &llen)) {
        const char *p, *end = line + llen;
        if (llen < 8 || !sg_text_eq_ci(line, 8, "License:"))
            continue;
        /* "License: A or B with X exception": each name between the
         * connectives becomes an id; exception clauses are dropped.
         * Only "License:" lines are read (DEP-5, Files and stand-alone
         * License paragraphs alike); the licence texts that follow them
         * are continuation lines and are skipped by the test above. The
         * ids are a set joined by AND: which file carries which licence
         * is lost, and "or" is not a choice we can make for the user,
         * so it is listed like the rest. */
        p = line + 8;
        while (p <= end && !rc) {
            const char *w, *name = NULL, *name_end = NULL;
            int stop = 0;
            /* Collect words up to a connective, "with" or the end. */
            for (;;) {
                size_t wn;
                p = skip_sp(p, end);
                w = p;
                while (p < end && !is_sp(*p) && *p != ',')
                    p++;
                wn = (size_t)(p - w);
                if (p < end && *p == ',') {
                    p++;
                    if (wn) {
                        if (!name)
                            name = w;
                        name_end = w + wn;
                    }
                    break;
                }
                if (!wn) {
                    stop = 1;
                    break;
                }
                if (sg_text_eq_ci(w, wn, "or") || sg_text_eq_ci(w, wn, "and"))
                    break;
                if (sg_text_eq_ci(w, wn, "with")) {
                    stop = 1;
                    break;
                }
                if (!name)
                    name = w;
                name_end = w + wn;
            }
            if (name) {
                char *id = map_license(name, (size_t)(name_end - name));
                if (!id) {
                    rc = sg_error_oom();
                    break;
                }
                if (strv_has(ids, n, id)) {
                    free(id);
                } else {
                    char **nv = realloc(ids, (n + 1) * sizeof(*ids));
                    if (!nv) {
                        free(id);
                        rc = sg_error_oom();
                        break;
                    }
                    ids = nv;
                    ids[n++] = id;
                }
            }
            if (stop || n >= LIC_IDS_MAX || p >= end)
                break;
        }
    }
    if (!rc && n) {
        qsort(ids, n, sizeof(*ids), cmp_str);
        for (size_t i = 0; i < n && !rc; i++)
            rc = sg_buf_addf(&b, "%s%s", i ? " AND " : "", ids[i]);
        if (!rc)
            rc = sg_buf_take(out, NULL, &b);
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    sg_buf_release(&b);
    return rc;
}

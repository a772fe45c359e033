/*
 * Go build-info module text → packages. The text is runtime.modinfo as
 * `go version -m` prints it (golang/go src/runtime/debug/mod.go): lines
 *
 *     path  <main package import path>
 *     mod   <module> <version> [<h1:sum>]
 *     dep   <module> <version> [<h1:sum>]
 *     =>    <replacement path> [<version> <h1:sum>]   (after mod/dep)
 *     build <key>=<value>         (Go-quoted when needed)
 *
 * separated by tabs, optionally framed by the 16-byte infoStart/infoEnd
 * sentinels (stripped here). Packages: one "stdlib" for the toolchain
 * (as syft reports it), the main module, one per dep. The main module's
 * "(devel)" version is kept unless vcs.revision and vcs.time exist, in
 * which case syft's pseudo-version v0.0.0-<yyyymmddhhmmss>-<rev[:12]> is
 * used (the "(devel)" original stays in the go.version.original prop).
 * Replacements: the package reports the replacement path and version
 * exactly as `go version -m` shows them on the => line (as syft and
 * Trivy do), also for a local directory ("./local", "(devel)"; then
 * go.replace.path records the directory); go.replaces keeps the
 * original "path@version".
 */
#include "sbom_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GO_CATALOGER "go-module-binary-cataloger"

const unsigned char sg_sbom__go_info_start[16] = { 0x30, 0x77, 0xaf, 0x0c,
                                                   0x92, 0x74, 0x08, 0x02,
                                                   0x41, 0xe1, 0xc1, 0x07,
                                                   0xe6, 0xd6, 0x18, 0xe6 };
const unsigned char sg_sbom__go_info_end[16] = { 0xf9, 0x32, 0x43, 0x31,
                                                 0x86, 0x18, 0x20, 0x72,
                                                 0x00, 0x82, 0x42, 0x10,
                                                 0x41, 0x16, 0xd8, 0xf2 };

char *sg_sbom__dupn(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s) {
        sg_error_oom();
        return NULL;
    }
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static sg_err set_str(char **dst, const char *p, size_t n)
{
    char *s = sg_sbom__dupn(p, n);
    if (!s)
        return SG_ENOMEM;
    free(*dst);
    *dst = s;
    return SG_OK;
}

sg_err sg_sbom__go_prop_add(struct sg_pkg *p,
                            const char *key,
                            const char *val,
                            size_t vlen)
{
    struct sg_pkg_kv *kv;
    char *k, *v;

    if (p->n_props >= 4096)
        return sg_error_set(SG_ELIMIT, "more than 4096 properties");
    kv = realloc(p->props, (p->n_props + 1) * sizeof(*kv));
    if (!kv)
        return sg_error_oom();
    p->props = kv;
    k = sg_sbom__dupn(key, strlen(key));
    v = sg_sbom__dupn(val, vlen);
    if (!k || !v) {
        free(k);
        free(v);
        return SG_ENOMEM;
    }
    kv[p->n_props].key = k;
    kv[p->n_props].value = v;
    p->n_props++;
    return SG_OK;
}

/* Split [p,end) at tabs into at most `max` fields. */
static size_t
split_tabs(const char *p, const char *end, struct sg_slice *f, size_t max)
{
    size_t n = 0;
    while (n < max) {
        const char *t = memchr(p, '\t', (size_t)(end - p));
        const char *e = t ? t : end;
        f[n].p = (const unsigned char *)p;
        f[n].n = (size_t)(e - p);
        n++;
        if (!t)
            break;
        p = t + 1;
    }
    return n;
}

/* Unquote a Go double-quoted string in place into out (len <= n). Returns
 * the output length, or SIZE_MAX when malformed. Handles the escapes
 * strconv.Quote writes (\a \b \f \n \r \t \v \\ \" \xNN \uNNNN as-is
 * bytes for ASCII; other \u/\U are kept verbatim). */
static size_t go_unquote(const char *p, size_t n, char *out)
{
    /* the one-letter escapes and what each stands for, position by position */
    static const char esc_from[] = "abfnrtv\\\"";
    static const char esc_to[] = "\a\b\f\n\r\t\v\\\"";
    size_t o = 0;
    if (n < 2 || p[0] != '"' || p[n - 1] != '"')
        return SIZE_MAX;
    for (size_t i = 1; i + 1 < n; i++) {
        char c = p[i];
        const char *e;
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        if (++i + 1 >= n)
            return SIZE_MAX;
        e = p[i] ? strchr(esc_from, p[i]) : NULL;
        if (e) {
            out[o++] = esc_to[e - esc_from];
        } else if (p[i] == 'x') {
            int h, l;
            if (i + 3 >= n)
                return SIZE_MAX;
            h = sg_hex_digit((unsigned char)p[i + 1]);
            l = sg_hex_digit((unsigned char)p[i + 2]);
            if (h < 0 || l < 0)
                return SIZE_MAX;
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            /* \u, \U, octal: keep the escape text verbatim */
            out[o++] = '\\';
            out[o++] = p[i];
        }
    }
    return o;
}

/* "build" line value "k=v" with Go quoting → props go.build.<k> = v. */
static sg_err add_build_setting(struct sg_pkg *p, const char *s, size_t n)
{
    char *tmp = NULL, *key = NULL;
    const char *k, *v, *eq;
    size_t kn, vn;
    sg_err rc = SG_OK;

    if (n == 0)
        return SG_OK;
    tmp = malloc(n + 1);
    if (!tmp)
        return sg_error_oom();
    if (s[0] == '"') {
        /* quoted key: find the closing quote */
        size_t i = 1;
        while (i < n && s[i] != '"') {
            if (s[i] == '\\')
                i++;
            i++;
        }
        if (i >= n || i + 1 >= n || s[i + 1] != '=') {
            rc = SG_OK; /* malformed: ignore the setting */
            goto done;
        }
        kn = go_unquote(s, i + 1, tmp);
        if (kn == SIZE_MAX)
            goto done;
        k = tmp;
        eq = s + i + 1;
    } else {
        eq = memchr(s, '=', n);
        if (!eq)
            goto done;
        k = s;
        kn = (size_t)(eq - s);
    }
    key = malloc(kn + sizeof("go.build."));
    if (!key) {
        rc = sg_error_oom();
        goto done;
    }
    memcpy(key, "go.build.", 9);
    memcpy(key + 9, k, kn);
    key[9 + kn] = '\0';
    v = eq + 1;
    vn = n - (size_t)(v - s);
    if (vn > 0 && v[0] == '"') {
        size_t un = go_unquote(v, vn, tmp);
        if (un != SIZE_MAX) {
            v = tmp;
            vn = un;
        }
    }
    rc = sg_sbom__go_prop_add(p, key, v, vn);
done:
    free(key);
    free(tmp);
    return rc;
}

static int is_local_path(const struct sg_slice *f)
{
    const char *p = (const char *)f->p;
    if (f->n == 0)
        return 0;
    if (p[0] == '/' || (f->n >= 2 && p[0] == '.' && p[1] == '/') ||
        (f->n >= 3 && p[0] == '.' && p[1] == '.' && p[2] == '/') ||
        (f->n == 1 && p[0] == '.') || (f->n == 2 && p[0] == '.' && p[1] == '.'))
        return 1;
    /* Windows-style "C:\..." */
    if (f->n >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'))
        return 1;
    return 0;
}

static const char *prop_get(const struct sg_pkg *p, const char *key)
{
    for (size_t i = 0; i < p->n_props; i++)
        if (strcmp(p->props[i].key, key) == 0)
            return p->props[i].value;
    return NULL;
}

/* syft: v0.0.0-<vcs.time as yyyymmddhhmmss UTC>-<revision[:12]>. */
static sg_err pseudo_version(struct sg_pkg *m)
{
    const char *rev = prop_get(m, "go.build.vcs.revision");
    const char *t = prop_get(m, "go.build.vcs.time");
    char ts[15], buf[64];
    size_t n = 0;
    sg_err rc;

    if (!rev || !t || strlen(rev) < 12)
        return SG_OK;
    for (const char *q = t; *q && n < 14; q++) {
        if (*q >= '0' && *q <= '9')
            ts[n++] = *q;
        else if (*q != '-' && *q != ':' && *q != 'T')
            return SG_OK; /* not RFC 3339 as Go writes it */
    }
    if (n != 14)
        return SG_OK;
    ts[14] = '\0';
    snprintf(buf, sizeof(buf), "v0.0.0-%s-%.12s", ts, rev);
    rc = sg_sbom__go_prop_add(m, "go.version.original", m->version,
                              strlen(m->version));
    if (rc)
        return rc;
    return set_str(&m->version, buf, strlen(buf));
}

static sg_err new_pkg(struct sg_sbom *s,
                      size_t *idx,
                      enum sg_pkg_type type,
                      const char *path,
                      const char *layer)
{
    struct sg_pkg *p;
    sg_err rc = sg_sbom_add_pkg(s, &p);
    if (rc)
        return rc;
    *idx = s->n_pkgs - 1;
    p->type = type;
    if (!(p->found_by = sg_sbom__dupn(GO_CATALOGER, strlen(GO_CATALOGER))))
        return SG_ENOMEM;
    if (path && !(p->db_path = sg_sbom__dupn(path, strlen(path))))
        return SG_ENOMEM;
    if (layer && !(p->layer_diff_id = sg_sbom__dupn(layer, strlen(layer))))
        return SG_ENOMEM;
    return SG_OK;
}

/* Fill a module package from "mod"/"dep" fields (path, version, sum). */
static sg_err fill_module(struct sg_pkg *p, const struct sg_slice *f, size_t nf)
{
    sg_err rc = set_str(&p->name, (const char *)f[1].p, f[1].n);
    if (!rc)
        rc = set_str(&p->version, nf > 2 ? (const char *)f[2].p : "",
                     nf > 2 ? f[2].n : 0);
    if (!rc && nf > 3 && f[3].n > 0)
        rc = set_str(&p->checksum, (const char *)f[3].p, f[3].n);
    return rc;
}

static sg_err
apply_replace(struct sg_pkg *p, const struct sg_slice *f, size_t nf)
{
    sg_err rc;
    if (nf < 2 || f[1].n == 0)
        return SG_OK;
    if (is_local_path(&f[1])) {
        rc = sg_sbom__go_prop_add(p, "go.replace.path", (const char *)f[1].p,
                                  f[1].n);
        if (rc)
            return rc;
    }
    /* record what was replaced, then report the replacement */
    {
        size_t n = strlen(p->name) + 1 + (p->version ? strlen(p->version) : 0);
        char *orig = malloc(n + 1);
        if (!orig)
            return sg_error_oom();
        snprintf(orig, n + 1, "%s@%s", p->name, p->version ? p->version : "");
        rc = sg_sbom__go_prop_add(p, "go.replaces", orig, strlen(orig));
        free(orig);
        if (rc)
            return rc;
    }
    free(p->checksum);
    p->checksum = NULL;
    return fill_module(p, f, nf);
}

sg_err sg_sbom__gobuildinfo_parse(struct sg_sbom *s,
                                  const char *go_version,
                                  const void *modinfo,
                                  size_t len,
                                  const char *path,
                                  const char *layer)
{
    /* no module info at all is len 0 over "" (NULL + 0 is undefined) */
    const char *p = modinfo ? modinfo : "", *end;
    size_t stdlib_idx, main_idx = SIZE_MAX, last_idx = SIZE_MAX;
    size_t first_new = s->n_pkgs, ndeps = 0;
    char *gover = NULL;
    sg_err rc;

    if (!modinfo)
        len = 0;
    if (len > 16 * 1024 * 1024)
        return sg_error_set(SG_ELIMIT, "%s: Go module info of %zu bytes",
                            path ? path : "?", len);
    /* strip the sentinels when framed (runtime/debug's rule) */
    if (len >= 33 && memcmp(p, sg_sbom__go_info_start, 16) == 0 &&
        memcmp(p + len - 16, sg_sbom__go_info_end, 16) == 0) {
        p += 16;
        len -= 32;
    }
    end = p + len;

    /* toolchain: "go1.22.3 X:boringcrypto" → version go1.22.3 */
    if (go_version) {
        size_t n = strcspn(go_version, " \t");
        gover = sg_sbom__dupn(go_version, n);
        if (!gover)
            return SG_ENOMEM;
    }
    rc = new_pkg(s, &stdlib_idx, SG_PKG_GO_STDLIB, path, layer);
    if (rc)
        goto fail;
    s->pkgs[stdlib_idx].name = sg_sbom__dupn("stdlib", 6);
    if (!s->pkgs[stdlib_idx].name) {
        rc = SG_ENOMEM;
        goto fail;
    }
    s->pkgs[stdlib_idx].version = gover;
    gover = NULL;
    s->pkgs[stdlib_idx].license = sg_sbom__dupn("BSD-3-Clause", 12);
    if (!s->pkgs[stdlib_idx].license) {
        rc = SG_ENOMEM;
        goto fail;
    }
    if (go_version && strchr(go_version, ' ')) {
        const char *x = strchr(go_version, ' ') + 1;
        rc = sg_sbom__go_prop_add(&s->pkgs[stdlib_idx], "go.experiments", x,
                                  strlen(x));
        if (rc)
            goto fail;
    }

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        struct sg_slice f[5];
        size_t nf = split_tabs(p, le, f, 5);
        const char *w = (const char *)f[0].p;
        size_t wn = f[0].n;

        if (wn == 4 && memcmp(w, "path", 4) == 0 && nf >= 2) {
            rc = sg_sbom__go_prop_add(&s->pkgs[stdlib_idx], "go.path",
                                      (const char *)f[1].p, f[1].n);
        } else if (wn == 3 && memcmp(w, "mod", 3) == 0 && nf >= 2 &&
                   main_idx == SIZE_MAX) {
            rc = new_pkg(s, &main_idx, SG_PKG_GO_MODULE, path, layer);
            if (!rc)
                rc = fill_module(&s->pkgs[main_idx], f, nf);
            if (!rc)
                rc = sg_sbom__go_prop_add(&s->pkgs[main_idx], "go.main_module",
                                          "true", 4);
            last_idx = main_idx;
        } else if (wn == 3 && memcmp(w, "dep", 3) == 0 && nf >= 2) {
            size_t di;
            if (++ndeps > 100000) {
                rc = sg_error_set(SG_ELIMIT, "%s: more than 100000 Go deps",
                                  path ? path : "?");
                goto fail;
            }
            rc = new_pkg(s, &di, SG_PKG_GO_MODULE, path, layer);
            if (!rc)
                rc = fill_module(&s->pkgs[di], f, nf);
            last_idx = di;
        } else if (wn == 2 && memcmp(w, "=>", 2) == 0) {
            if (last_idx != SIZE_MAX)
                rc = apply_replace(&s->pkgs[last_idx], f, nf);
            last_idx = SIZE_MAX;
        } else if (wn == 5 && memcmp(w, "build", 5) == 0 && nf >= 2) {
            /* the value may itself contain tabs only when quoted, and Go
             * quotes those; re-join anything split anyway */
            const char *v = (const char *)f[1].p;
            rc = add_build_setting(&s->pkgs[stdlib_idx], v, (size_t)(le - v));
        }
        if (rc)
            goto fail;
        p = nl ? nl + 1 : end;
    }

    /* build settings belong to the main module when there is one */
    if (main_idx != SIZE_MAX) {
        struct sg_pkg *sp = &s->pkgs[stdlib_idx], *mp = &s->pkgs[main_idx];
        size_t keep = 0;
        for (size_t i = 0; i < sp->n_props; i++) {
            struct sg_pkg_kv kv = sp->props[i];
            if (strncmp(kv.key, "go.build.", 9) == 0 ||
                strcmp(kv.key, "go.path") == 0) {
                rc = sg_sbom__go_prop_add(mp, kv.key, kv.value,
                                          strlen(kv.value));
                free(kv.key);
                free(kv.value);
                if (rc) {
                    /* keep the array consistent before failing */
                    for (size_t j = i + 1; j < sp->n_props; j++)
                        sp->props[keep++] = sp->props[j];
                    sp->n_props = keep;
                    goto fail;
                }
            } else {
                sp->props[keep++] = kv;
            }
        }
        sp->n_props = keep;
        if (strcmp(mp->version, "(devel)") == 0 || mp->version[0] == '\0') {
            rc = pseudo_version(mp);
            if (rc)
                goto fail;
        }
        /* every other package of this binary hangs off the main module */
        for (size_t i = first_new; i < s->n_pkgs; i++)
            if (i != main_idx)
                s->pkgs[i].parent = main_idx + 1;
    }
    return SG_OK;

fail:
    free(gover);
    /* drop what this binary added: the SBOM stays as it was */
    while (s->n_pkgs > first_new)
        sg_pkg_release(&s->pkgs[--s->n_pkgs]);
    return rc;
}

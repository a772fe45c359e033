/*
 * go.mod (+ go.sum) → packages, for dir: sources and go.mod files found
 * in images. Grammar (golang.org/ref/mod#go-mod-file): one directive per
 * line or a parenthesised block of them; `//` comments (a `// indirect`
 * comment marks an indirect requirement); module paths may be quoted
 * ("..." with Go escapes, or `raw`).
 *
 *   module M            the main module (recorded as go.module prop)
 *   go V / toolchain T  recorded as go.directive / go.toolchain props
 *   require P V         a package; "// indirect" → go.indirect=true
 *   replace P [V] => N [W]
 *                       N a module: the package becomes N@W (go.replaces
 *                       = P@V); N a directory (./ ../ /): P@V is kept,
 *                       go.replace.path = N
 *   exclude P V         a require of exactly P@V is dropped
 *   retract/godebug/tool/ignore and unknown verbs are skipped.
 *
 * go.sum only fills the h1: checksum of modules go.mod lists (the line
 * without "/go.mod"); it never adds modules.
 */
#include "sbom_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOMOD_MAX     (16u * 1024u * 1024u)
#define GOMOD_REQ_MAX 100000u
#define TOK_MAX       8

struct tok {
    char *s; /* malloc'd, unquoted */
};

struct req {
    char *path, *version;
    int indirect;
};

struct repl {
    char *old_path, *old_version; /* old_version may be NULL: any */
    char *new_path, *new_version; /* new_version NULL for a directory */
};

struct modfile {
    struct req *reqs;
    size_t nreq;
    struct repl *repls;
    size_t nrepl;
    struct req *excl;
    size_t nexcl;
    char *module, *go, *toolchain;
};

static void toks_free(struct tok *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].s);
}

/* Split a line (comment already removed) into tokens. Returns the count,
 * or SIZE_MAX on a malformed quote / OOM (error set). */
static size_t tokenize(const char *p, const char *end, struct tok *t)
{
    size_t n = 0;
    while (p < end) {
        const char *b;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p >= end)
            break;
        if (n == TOK_MAX) {
            toks_free(t, n);
            sg_error_set(SG_EPARSE, "too many fields");
            return SIZE_MAX;
        }
        if (*p == '"' || *p == '`') {
            char q = *p++, *o;
            b = p;
            o = t[n].s = malloc((size_t)(end - p) + 1);
            if (!o) {
                toks_free(t, n);
                sg_error_oom();
                return SIZE_MAX;
            }
            while (p < end && *p != q) {
                if (q == '"' && *p == '\\' && p + 1 < end) {
                    p++;
                    *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
                    p++;
                    continue;
                }
                *o++ = *p++;
            }
            if (p >= end) {
                toks_free(t, n + 1);
                sg_error_set(SG_EPARSE, "unterminated quoted string");
                return SIZE_MAX;
            }
            *o = '\0';
            p++;
            (void)b;
        } else {
            b = p;
            while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
                p++;
            t[n].s = sg_sbom__dupn(b, (size_t)(p - b));
            if (!t[n].s) {
                toks_free(t, n);
                return SIZE_MAX;
            }
        }
        n++;
    }
    return n;
}

static int is_dir_path(const char *p)
{
    return p[0] == '/' || strncmp(p, "./", 2) == 0 ||
           strncmp(p, "../", 3) == 0 || strcmp(p, ".") == 0 ||
           strcmp(p, "..") == 0 ||
           (p[0] && p[1] == ':' && (p[2] == '\\' || p[2] == '/'));
}

static void modfile_release(struct modfile *m)
{
    for (size_t i = 0; i < m->nreq; i++) {
        free(m->reqs[i].path);
        free(m->reqs[i].version);
    }
    for (size_t i = 0; i < m->nexcl; i++) {
        free(m->excl[i].path);
        free(m->excl[i].version);
    }
    for (size_t i = 0; i < m->nrepl; i++) {
        free(m->repls[i].old_path);
        free(m->repls[i].old_version);
        free(m->repls[i].new_path);
        free(m->repls[i].new_version);
    }
    free(m->reqs);
    free(m->excl);
    free(m->repls);
    free(m->module);
    free(m->go);
    free(m->toolchain);
}

static sg_err push_req(struct req **v, size_t *n, struct tok *t, int indirect)
{
    struct req *r;
    if (*n >= GOMOD_REQ_MAX)
        return sg_error_set(SG_ELIMIT, "more than %u requirements",
                            GOMOD_REQ_MAX);
    r = realloc(*v, (*n + 1) * sizeof(*r));
    if (!r)
        return sg_error_oom();
    *v = r;
    r[*n].path = t[0].s;
    r[*n].version = t[1].s;
    r[*n].indirect = indirect;
    t[0].s = t[1].s = NULL;
    (*n)++;
    return SG_OK;
}

/* One directive (verb already known) with its argument tokens. */
static sg_err directive(struct modfile *m,
                        const char *verb,
                        struct tok *t,
                        size_t n,
                        int indirect,
                        size_t lineno)
{
    if (strcmp(verb, "module") == 0 && n >= 1) {
        free(m->module);
        m->module = t[0].s;
        t[0].s = NULL;
    } else if (strcmp(verb, "go") == 0 && n >= 1) {
        free(m->go);
        m->go = t[0].s;
        t[0].s = NULL;
    } else if (strcmp(verb, "toolchain") == 0 && n >= 1) {
        free(m->toolchain);
        m->toolchain = t[0].s;
        t[0].s = NULL;
    } else if (strcmp(verb, "require") == 0 || strcmp(verb, "exclude") == 0) {
        if (n != 2)
            return sg_error_set(SG_EPARSE,
                                "line %zu: %s needs a path and a version",
                                lineno, verb);
        if (verb[0] == 'r')
            return push_req(&m->reqs, &m->nreq, t, indirect);
        return push_req(&m->excl, &m->nexcl, t, 0);
    } else if (strcmp(verb, "replace") == 0) {
        /* P [V] => N [W] */
        size_t arrow = n;
        struct repl *r;
        for (size_t i = 0; i < n; i++)
            if (strcmp(t[i].s, "=>") == 0)
                arrow = i;
        if (arrow == n || arrow < 1 || arrow > 2 || n - arrow < 2 ||
            n - arrow > 3)
            return sg_error_set(SG_EPARSE, "line %zu: malformed replace",
                                lineno);
        if (m->nrepl >= GOMOD_REQ_MAX)
            return sg_error_set(SG_ELIMIT, "too many replace directives");
        r = realloc(m->repls, (m->nrepl + 1) * sizeof(*r));
        if (!r)
            return sg_error_oom();
        m->repls = r;
        r += m->nrepl++;
        r->old_path = t[0].s;
        r->old_version = arrow == 2 ? t[1].s : NULL;
        r->new_path = t[arrow + 1].s;
        r->new_version = n - arrow == 3 ? t[arrow + 2].s : NULL;
        t[0].s = t[arrow + 1].s = NULL;
        if (arrow == 2)
            t[1].s = NULL;
        if (n - arrow == 3)
            t[arrow + 2].s = NULL;
    }
    /* retract, godebug, tool, ignore, unknown verbs: skipped */
    return SG_OK;
}

static sg_err parse_modfile(struct modfile *m, const char *p, size_t len)
{
    const char *end = p + len;
    char block[32] = "";
    size_t lineno = 0;
    sg_err rc = SG_OK;

    while (p < end && !rc) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *cm = NULL;
        struct tok t[TOK_MAX];
        size_t n;
        int indirect = 0;

        lineno++;
        /* a comment starts at "//" outside quotes */
        for (const char *q = p; q + 1 < le; q++) {
            if (*q == '"' || *q == '`') {
                char c = *q;
                for (q++; q < le && *q != c; q++)
                    if (c == '"' && *q == '\\')
                        q++;
                if (q >= le)
                    break;
                continue;
            }
            if (q[0] == '/' && q[1] == '/') {
                cm = q;
                break;
            }
        }
        if (cm) {
            const char *c = cm + 2;
            while (c < le && (*c == ' ' || *c == '\t'))
                c++;
            if ((size_t)(le - c) >= 8 && memcmp(c, "indirect", 8) == 0 &&
                (le - c == 8 || c[8] == ';' || c[8] == ' ' || c[8] == '\r'))
                indirect = 1;
        }
        n = tokenize(p, cm ? cm : le, t);
        p = nl ? nl + 1 : end;
        if (n == SIZE_MAX)
            return sg_error_prefix(SG_EPARSE, "line %zu", lineno);
        if (n == 0)
            continue;
        if (block[0]) {
            if (n == 1 && strcmp(t[0].s, ")") == 0)
                block[0] = '\0';
            else
                rc = directive(m, block, t, n, indirect, lineno);
        } else if (n == 2 && strcmp(t[1].s, "(") == 0) {
            snprintf(block, sizeof(block), "%s", t[0].s);
        } else {
            rc = directive(m, t[0].s, t + 1, n - 1, indirect, lineno);
        }
        toks_free(t, n);
    }
    if (!rc && block[0])
        rc = sg_error_set(SG_EPARSE, "unterminated %s block", block);
    return rc;
}

/* h1: sum for path@version from go.sum, or NULL. */
static char *
sum_lookup(const char *sum, size_t len, const char *path, const char *version)
{
    const char *p = sum, *end = sum + len;
    size_t pl = strlen(path), vl = strlen(version);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if ((size_t)(le - p) > pl + vl + 2 && memcmp(p, path, pl) == 0 &&
            p[pl] == ' ' && memcmp(p + pl + 1, version, vl) == 0 &&
            p[pl + 1 + vl] == ' ') {
            const char *h = p + pl + vl + 2, *he = h;
            while (he < le && *he != ' ' && *he != '\r')
                he++;
            if (he - h > 3 && memcmp(h, "h1:", 3) == 0)
                return sg_sbom__dupn(h, (size_t)(he - h));
        }
        p = nl ? nl + 1 : end;
    }
    return NULL;
}

static sg_err prop_str(struct sg_pkg *p, const char *k, const char *v)
{
    return v ? sg_sbom__go_prop_add(p, k, v, strlen(v)) : SG_OK;
}

sg_err sg_sbom__gomod_parse(struct sg_sbom *s,
                            const void *gomod,
                            size_t len,
                            const void *gosum,
                            size_t sum_len,
                            const char *path,
                            const char *layer)
{
    struct modfile m;
    size_t first = s->n_pkgs;
    sg_err rc;

    memset(&m, 0, sizeof(m));
    if (len > GOMOD_MAX || sum_len > 4 * GOMOD_MAX)
        return sg_error_set(SG_ELIMIT, "%s: go.mod/go.sum too large",
                            path ? path : "go.mod");
    rc = parse_modfile(&m, gomod, len);
    if (rc)
        goto done;
    for (size_t i = 0; i < m.nreq && !rc; i++) {
        const struct req *r = &m.reqs[i];
        const struct repl *rp = NULL;
        const char *name = r->path, *ver = r->version;
        struct sg_pkg *p;
        int excluded = 0;

        for (size_t j = 0; j < m.nexcl; j++)
            if (strcmp(m.excl[j].path, r->path) == 0 &&
                strcmp(m.excl[j].version, r->version) == 0)
                excluded = 1;
        if (excluded)
            continue;
        /* a versioned replace wins over a path-only one */
        for (size_t j = 0; j < m.nrepl; j++) {
            const struct repl *c = &m.repls[j];
            if (strcmp(c->old_path, r->path) != 0)
                continue;
            if (c->old_version && strcmp(c->old_version, r->version) == 0)
                rp = c;
            else if (!c->old_version && (!rp || !rp->old_version))
                rp = c;
        }
        if (rp && !is_dir_path(rp->new_path) && rp->new_version) {
            name = rp->new_path;
            ver = rp->new_version;
        }
        rc = sg_sbom_add_pkg(s, &p);
        if (rc)
            break;
        p->type = SG_PKG_GO_MODULE;
        if (!(p->name = sg_sbom__dupn(name, strlen(name))) ||
            !(p->version = sg_sbom__dupn(ver, strlen(ver))) ||
            !(p->found_by = sg_sbom__dupn("go-module-file-cataloger", 24)) ||
            (path && !(p->db_path = sg_sbom__dupn(path, strlen(path)))) ||
            (layer &&
             !(p->layer_diff_id = sg_sbom__dupn(layer, strlen(layer))))) {
            rc = SG_ENOMEM;
            break;
        }
        if (gosum && sum_len)
            p->checksum = sum_lookup(gosum, sum_len, name, ver);
        if (r->indirect)
            rc = prop_str(p, "go.indirect", "true");
        if (!rc && rp && is_dir_path(rp->new_path))
            rc = prop_str(p, "go.replace.path", rp->new_path);
        if (!rc && name != r->path) {
            char buf[1024];
            snprintf(buf, sizeof(buf), "%s@%s", r->path, r->version);
            rc = prop_str(p, "go.replaces", buf);
        }
        if (!rc)
            rc = prop_str(p, "go.module", m.module);
        if (!rc)
            rc = prop_str(p, "go.directive", m.go);
        if (!rc)
            rc = prop_str(p, "go.toolchain", m.toolchain);
    }
done:
    if (rc) {
        while (s->n_pkgs > first)
            sg_pkg_release(&s->pkgs[--s->n_pkgs]);
        rc = sg_error_prefix(rc, "%s", path ? path : "go.mod");
    }
    modfile_release(&m);
    return rc;
}

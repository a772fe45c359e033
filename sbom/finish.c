/*
 * sg_sbom_finish: the last step of every scan (and of the SBOM readers):
 * a deterministic package order, purls and CPEs from the builders in
 * purl.c, and relationships: the image root CONTAINS every package, and
 * DEPENDS_ON edges resolved by name and Provides among installed
 * packages of the same ecosystem (a "a|b" alternative picks the first
 * installed name). Existing relationships are kept and re-indexed.
 */
#include "sbom_core.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

static int cmp_opt(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_pkg(const struct sg_pkg *a, const struct sg_pkg *b)
{
    int c;

    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if ((c = cmp_opt(a->name, b->name)) ||
        (c = cmp_opt(a->version, b->version)) ||
        (c = cmp_opt(a->arch, b->arch)))
        return c;
    if (a->deleted != b->deleted)
        return a->deleted < b->deleted ? -1 : 1;
    if ((c = cmp_opt(a->db_path, b->db_path)) ||
        (c = cmp_opt(a->layer_diff_id, b->layer_diff_id)))
        return c;
    return 0;
}

struct sort_item {
    const struct sg_pkg *p;
    size_t i;
};

static int cmp_item(const void *x, const void *y)
{
    const struct sort_item *a = x, *b = y;
    int c = cmp_pkg(a->p, b->p);

    return c ? c : (a->i < b->i ? -1 : a->i > b->i);
}

/* Sort packages, carrying parent links and relationships along. */
static sg_err sort_pkgs(struct sg_sbom *s)
{
    size_t n = s->n_pkgs;
    struct sort_item *perm;
    size_t *inv;
    struct sg_pkg *np;

    if (n < 2)
        return SG_OK;
    perm = malloc(n * sizeof(*perm));
    inv = malloc(n * sizeof(*inv));
    np = malloc(n * sizeof(*np));
    if (!perm || !inv || !np) {
        free(perm);
        free(inv);
        free(np);
        return sg_error_oom();
    }
    for (size_t i = 0; i < n; i++) {
        perm[i].p = &s->pkgs[i];
        perm[i].i = i;
    }
    qsort(perm, n, sizeof(*perm), cmp_item);
    for (size_t i = 0; i < n; i++) {
        np[i] = s->pkgs[perm[i].i];
        inv[perm[i].i] = i;
    }
    for (size_t i = 0; i < n; i++)
        if (np[i].parent && np[i].parent <= n)
            np[i].parent = inv[np[i].parent - 1] + 1;
    for (size_t i = 0; i < s->n_rels; i++) {
        if (s->rels[i].from != SIZE_MAX && s->rels[i].from < n)
            s->rels[i].from = inv[s->rels[i].from];
        if (s->rels[i].to < n)
            s->rels[i].to = inv[s->rels[i].to];
    }
    free(s->pkgs);
    s->pkgs = np;
    s->cap_pkgs = n;
    free(perm);
    free(inv);
    return SG_OK;
}

/* Name index over installed packages and their Provides. */
struct name_ref {
    const char *name;
    enum sg_pkg_type type;
    size_t idx;
    int provided; /* 0: the package's own name (preferred) */
};

static int cmp_name_ref(const void *x, const void *y)
{
    const struct name_ref *a = x, *b = y;
    int c;

    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if ((c = strcmp(a->name, b->name)))
        return c;
    if (a->provided != b->provided)
        return a->provided - b->provided;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static const struct name_ref *lookup(const struct name_ref *refs,
                                     size_t n,
                                     enum sg_pkg_type type,
                                     const char *name,
                                     size_t len)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = refs[mid].type != type ? (refs[mid].type < type ? -1 : 1)
                                       : strncmp(refs[mid].name, name, len);
        if (c == 0 && refs[mid].name[len] != '\0')
            c = 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && refs[lo].type == type &&
        strncmp(refs[lo].name, name, len) == 0 && refs[lo].name[len] == '\0')
        return &refs[lo];
    return NULL;
}

static int has_rel(const struct sg_sbom *s,
                   size_t from,
                   size_t to,
                   enum sg_rel_type t,
                   size_t start)
{
    for (size_t i = start; i < s->n_rels; i++)
        if (s->rels[i].from == from && s->rels[i].to == to &&
            s->rels[i].type == t)
            return 1;
    return 0;
}

/* npm: a depends entry is "name@version" (npm.c resolved it through
 * node_modules already); several versions of one name are installed side
 * by side, so the edge goes to that version exactly, or nowhere. */
static const struct name_ref *lookup_npm(const struct sg_sbom *s,
                                         const struct name_ref *refs,
                                         size_t n,
                                         const char *dep)
{
    const char *at = strrchr(dep, '@');
    const struct name_ref *r;

    if (!at || at == dep)
        return NULL;
    r = lookup(refs, n, SG_PKG_NPM, dep, (size_t)(at - dep));
    for (; r && r < refs + n && r->type == SG_PKG_NPM &&
           strncmp(r->name, dep, (size_t)(at - dep)) == 0 &&
           r->name[at - dep] == '\0';
         r++)
        if (!r->provided &&
            strcmp(s->pkgs[r->idx].version ? s->pkgs[r->idx].version : "",
                   at + 1) == 0)
            return r;
    return NULL;
}

static sg_err relationships(struct sg_sbom *s)
{
    struct name_ref *refs = NULL;
    size_t n = 0, cap = 0;
    sg_err rc = SG_OK;

    for (size_t i = 0; i < s->n_pkgs && !rc; i++)
        rc = sg_sbom_add_rel(s, SIZE_MAX, i, SG_REL_CONTAINS);
    for (size_t i = 0; i < s->n_pkgs && !rc; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        if (p->deleted || !p->name)
            continue;
        for (size_t k = 0; k <= p->n_provides; k++) {
            rc = sg_array_grow(&refs, &cap, n, sizeof(*refs), 256);
            if (rc)
                break;
            refs[n].name = k == 0 ? p->name : p->provides[k - 1];
            refs[n].type = p->type;
            refs[n].idx = i;
            refs[n].provided = k != 0;
            n++;
        }
    }
    if (!rc && n)
        qsort(refs, n, sizeof(*refs), cmp_name_ref);
    for (size_t i = 0; i < s->n_pkgs && !rc; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        size_t start = s->n_rels;
        if (p->deleted)
            continue;
        if ((p->type == SG_PKG_GO_MODULE || p->type == SG_PKG_GO_STDLIB) &&
            p->parent && p->parent - 1 != i && p->parent <= s->n_pkgs) {
            rc = sg_sbom_add_rel(s, p->parent - 1, i, SG_REL_DEPENDS_ON);
            continue;
        }
        /* Any other parent ships this package (a deb its Python dist, a
         * jar its nested jars); dependency names are still resolved. */
        if (p->parent && p->parent - 1 != i && p->parent <= s->n_pkgs)
            rc = sg_sbom_add_rel(s, p->parent - 1, i, SG_REL_CONTAINS);
        for (size_t d = 0; d < p->n_depends && !rc; d++) {
            const char *alt = p->depends[d];
            if (p->type == SG_PKG_NPM) {
                const struct name_ref *r = lookup_npm(s, refs, n, alt);
                if (r && r->idx != i &&
                    !has_rel(s, i, r->idx, SG_REL_DEPENDS_ON, start))
                    rc = sg_sbom_add_rel(s, i, r->idx, SG_REL_DEPENDS_ON);
                continue;
            }
            while (*alt) {
                size_t len = strcspn(alt, "|");
                const struct name_ref *r = lookup(refs, n, p->type, alt, len);
                if (r) {
                    if (r->idx != i &&
                        !has_rel(s, i, r->idx, SG_REL_DEPENDS_ON, start))
                        rc = sg_sbom_add_rel(s, i, r->idx, SG_REL_DEPENDS_ON);
                    break;
                }
                alt += len;
                if (*alt == '|')
                    alt++;
            }
        }
    }
    free(refs);
    return rc;
}

sg_err sg_sbom_finish(struct sg_sbom *s)
{
    struct sg_buf b = SG_BUF_INIT(64 * 1024);
    sg_err rc = sort_pkgs(s);

    for (size_t i = 0; i < s->n_pkgs && !rc; i++) {
        struct sg_pkg *p = &s->pkgs[i];
        if (!p->name)
            continue;
        if (!p->purl) {
            sg_buf_reset(&b);
            rc = sg_sbom_purl(&b, p, &s->distro);
            if (!rc && b.len)
                rc = sg_buf_take(&p->purl, NULL, &b);
        }
        if (!rc && !p->cpe) {
            sg_buf_reset(&b);
            rc = sg_sbom_cpe(&b, p, &s->distro);
            if (!rc && b.len)
                rc = sg_buf_take(&p->cpe, NULL, &b);
        }
    }
    sg_buf_release(&b);
    if (!rc && s->n_rels == 0)
        rc = relationships(s);
    return rc;
}

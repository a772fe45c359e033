/*
 * The table format: "NAME VERSION TYPE" with aligned columns, sorted by
 * name, version, type (syft's default on a terminal). Packages from
 * deleted layers (all-layers scope) show "(deleted)" after the type.
 */
#include "sbom_core.h"

#include <stdlib.h>
#include <string.h>

static int cmp_row(const void *x, const void *y)
{
    const struct sg_pkg *a = *(const struct sg_pkg *const *)x;
    const struct sg_pkg *b = *(const struct sg_pkg *const *)y;
    int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");

    if (!c)
        c = strcmp(a->version ? a->version : "", b->version ? b->version : "");
    if (!c)
        c = strcmp(sg_pkg_type_name(a->type), sg_pkg_type_name(b->type));
    if (!c)
        c = a->deleted - b->deleted;
    if (!c) /* stable: original (already deterministic) order */
        c = a < b ? -1 : a > b;
    return c;
}

sg_err sg_sbom__write_table(struct sg_buf *out,
                            const struct sg_sbom *s,
                            const struct sg_sbom_write_opts *o)
{
    const struct sg_pkg **rows;
    size_t wn = 4, wv = 7;
    sg_err rc = SG_OK;

    (void)o;
    if (!s->n_pkgs)
        return sg_buf_adds(out, "No packages discovered\n");
    rows = malloc(s->n_pkgs * sizeof(*rows));
    if (!rows)
        return sg_error_oom();
    for (size_t i = 0; i < s->n_pkgs; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        rows[i] = p;
        if (p->name && strlen(p->name) > wn)
            wn = strlen(p->name);
        if (p->version && strlen(p->version) > wv)
            wv = strlen(p->version);
    }
    if (wn > 60)
        wn = 60;
    if (wv > 60)
        wv = 60;
    qsort(rows, s->n_pkgs, sizeof(*rows), cmp_row);
    rc = sg_buf_addf(out, "%-*s  %-*s  %s\n", (int)wn, "NAME", (int)wv,
                     "VERSION", "TYPE");
    for (size_t i = 0; i < s->n_pkgs && !rc; i++) {
        const struct sg_pkg *p = rows[i];
        rc = sg_buf_addf(
            out, "%-*s  %-*s  %s%s\n", (int)wn, p->name ? p->name : "", (int)wv,
            p->version ? p->version : "", sg_pkg_type_name(p->type),
            p->deleted ? " (deleted)" : "");
    }
    free(rows);
    return rc;
}

/*
 * The package model: an SBOM's packages and relationships, kept in
 * growable arrays owned by struct sg_sbom.
 */
#include "sbom_int.h"

#include <stdlib.h>
#include <string.h>

sg_err sg_sbom_create(struct sg_sbom **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? SG_OK : sg_error_oom();
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void sg_pkg_release(struct sg_pkg *p)
{
    free(p->name);
    free(p->version);
    free(p->arch);
    free(p->group);
    free(p->source_name);
    free(p->source_version);
    free(p->supplier);
    free(p->license);
    free(p->description);
    free(p->url);
    strv_free(p->depends, p->n_depends);
    strv_free(p->provides, p->n_provides);
    free(p->layer_diff_id);
    free(p->db_path);
    free(p->purl);
    free(p->cpe);
    free(p->found_by);
    free(p->checksum);
    for (size_t i = 0; i < p->n_props; i++) {
        free(p->props[i].key);
        free(p->props[i].value);
    }
    free(p->props);
    memset(p, 0, sizeof(*p));
}

static void distro_release(struct sg_distro *d)
{
    free(d->id);
    free(d->version_id);
    free(d->version);
    free(d->pretty_name);
    free(d->name);
    free(d->id_like);
    free(d->version_codename);
    memset(d, 0, sizeof(*d));
}

static void source_release(struct sg_sbom_source *s)
{
    free(s->name);
    free(s->digest);
    free(s->manifest_digest);
    free(s->repo_name);
    free(s->tag);
    free(s->os);
    free(s->arch);
    free(s->variant);
    strv_free(s->diff_ids, s->n_diff_ids);
    memset(s, 0, sizeof(*s));
}

void sg_sbom_free(struct sg_sbom *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_pkgs; i++)
        sg_pkg_release(&s->pkgs[i]);
    free(s->pkgs);
    free(s->rels);
    distro_release(&s->distro);
    source_release(&s->source);
    free(s);
}

sg_err sg_sbom_add_pkg(struct sg_sbom *s, struct sg_pkg **out)
{
    *out = NULL;
    if (s->n_pkgs == s->cap_pkgs) {
        size_t ncap = s->cap_pkgs ? s->cap_pkgs * 2 : 64;
        struct sg_pkg *p;
        size_t max =
            s->pkgs_max ? s->pkgs_max : SG_LIMIT_DB_RECORDS_MAX * (size_t)4;
        if (ncap > max)
            return sg_error_set(SG_ELIMIT, "more than %zu packages", max);
        p = realloc(s->pkgs, ncap * sizeof(*p));
        if (!p)
            return sg_error_oom();
        s->pkgs = p;
        s->cap_pkgs = ncap;
    }
    *out = &s->pkgs[s->n_pkgs++];
    memset(*out, 0, sizeof(**out));
    return SG_OK;
}

sg_err sg_sbom_add_rel(struct sg_sbom *s,
                       size_t from,
                       size_t to,
                       enum sg_rel_type type)
{
    sg_err rc =
        sg_array_grow(&s->rels, &s->cap_rels, s->n_rels, sizeof(*s->rels), 64);

    if (rc)
        return rc;
    s->rels[s->n_rels].from = from;
    s->rels[s->n_rels].to = to;
    s->rels[s->n_rels].type = type;
    s->n_rels++;
    return SG_OK;
}

static const struct {
    const char *name;
    unsigned bit;
} cataloger_names[] = {
    { "dpkg", SG_CAT_DPKG },       { "apk", SG_CAT_APK },
    { "rpm", SG_CAT_RPM },         { "go", SG_CAT_GO },
    { "python", SG_CAT_PYTHON },   { "node", SG_CAT_NODE },
    { "javascript", SG_CAT_NODE }, { "java", SG_CAT_JAVA },
};

sg_err sg_sbom_catalogers_parse(unsigned *out, const char *list)
{
    unsigned mask = 0;
    const char *p = list;

    while (*p) {
        size_t n = strcspn(p, ",");
        size_t i, nn = sizeof(cataloger_names) / sizeof(cataloger_names[0]);
        for (i = 0; i < nn; i++)
            if (strlen(cataloger_names[i].name) == n &&
                strncmp(cataloger_names[i].name, p, n) == 0)
                break;
        if (n == 3 && strncmp(p, "all", 3) == 0)
            mask |= SG_CAT_ALL;
        else if (i == nn)
            return sg_error_set(SG_EINVAL,
                                "unknown cataloger \"%.*s\" (dpkg, apk, rpm, "
                                "go, python, node, java, all)",
                                (int)(n > 64 ? 64 : n), p);
        else
            mask |= cataloger_names[i].bit;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!mask)
        return sg_error_set(SG_EINVAL, "no cataloger named");
    *out = mask;
    return SG_OK;
}

unsigned sg_sbom_cataloger_of(enum sg_pkg_type t)
{
    switch (t) {
    case SG_PKG_DEB:
        return SG_CAT_DPKG;
    case SG_PKG_APK:
        return SG_CAT_APK;
    case SG_PKG_RPM:
        return SG_CAT_RPM;
    case SG_PKG_GO_MODULE:
    case SG_PKG_GO_STDLIB:
        return SG_CAT_GO;
    case SG_PKG_PYTHON:
        return SG_CAT_PYTHON;
    case SG_PKG_NPM:
        return SG_CAT_NODE;
    case SG_PKG_JAVA:
        return SG_CAT_JAVA;
    }
    return 0;
}

/* Drop the packages of catalogers not in mask, before sg_sbom_finish()
 * (no relationships yet; parent links are renumbered, or cleared when the
 * parent goes). */
sg_err sg_sbom__keep_catalogers(struct sg_sbom *s, unsigned mask)
{
    size_t *newidx, n = 0;

    if (!mask || (mask & SG_CAT_ALL) == SG_CAT_ALL || !s->n_pkgs)
        return SG_OK;
    newidx = malloc(s->n_pkgs * sizeof(*newidx));
    if (!newidx)
        return sg_error_oom();
    for (size_t i = 0; i < s->n_pkgs; i++) {
        if (sg_sbom_cataloger_of(s->pkgs[i].type) & mask) {
            newidx[i] = n;
            if (n != i)
                s->pkgs[n] = s->pkgs[i];
            n++;
        } else {
            newidx[i] = SIZE_MAX;
            sg_pkg_release(&s->pkgs[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct sg_pkg *p = &s->pkgs[i];
        /* parent indexes refer to the old positions */
        if (p->parent)
            p->parent = newidx[p->parent - 1] != SIZE_MAX
                            ? newidx[p->parent - 1] + 1
                            : 0;
    }
    s->n_pkgs = n;
    free(newidx);
    return SG_OK;
}

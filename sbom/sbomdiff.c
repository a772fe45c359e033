/*
 * sg_sbom_diff: packages added, removed and changed between two SBOMs.
 *
 * Key = purl type + "namespace/name" + arch qualifier + the distro
 * qualifier's name part (packages without a purl use the model type and
 * name). Each SBOM is reduced to a set of (key, version); a key whose
 * versions differ is "changed" when exactly one version is left on each
 * side after removing the versions both have, otherwise every leftover
 * old version is "removed" and every leftover new one "added" (several
 * kernels, or a Go module at two versions in two binaries). Packages
 * marked deleted (all-layers scope) are ignored.
 */
#define _GNU_SOURCE /* strndup */
#include "sbom_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

struct entry {
    char *type, *name, *arch, *distro; /* key */
    char *version;
    const char *purl; /* borrowed from the SBOM */
};

static void entry_release(struct entry *e)
{
    free(e->type);
    free(e->name);
    free(e->arch);
    free(e->distro);
    free(e->version);
}

static int cmp_s(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_key(const struct entry *a, const struct entry *b)
{
    int c;
    if ((c = cmp_s(a->type, b->type)) || (c = cmp_s(a->name, b->name)) ||
        (c = cmp_s(a->arch, b->arch)) || (c = cmp_s(a->distro, b->distro)))
        return c;
    return 0;
}

static int cmp_entry(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    int c = cmp_key(a, b);
    return c ? c : cmp_s(a->version, b->version);
}

static const char *model_type(enum sg_pkg_type t)
{
    switch (t) {
    case SG_PKG_DEB:
        return "deb";
    case SG_PKG_APK:
        return "apk";
    case SG_PKG_RPM:
        return "rpm";
    case SG_PKG_GO_MODULE:
    case SG_PKG_GO_STDLIB:
        return "golang";
    }
    return "unknown";
}

static char *dup0(const char *s)
{
    return s ? strdup(s) : NULL;
}

static sg_err
entries(struct entry **out, size_t *n_out, const struct sg_sbom *s)
{
    struct entry *v = calloc(s->n_pkgs + 1, sizeof(*v));
    size_t n = 0;

    *out = NULL;
    *n_out = 0;
    if (!v)
        return sg_error_oom();
    for (size_t i = 0; i < s->n_pkgs; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        struct sg_purl_parts u;
        struct entry *e = &v[n];
        int have;
        char ver[64];

        if (p->deleted || !p->name)
            continue;
        /* split only what is kept: the parts are released below */
        have = p->purl && sg_sbom__purl_split(&u, p->purl) == 0;
        if (have) {
            if (u.ns) {
                size_t l = strlen(u.ns) + strlen(u.name) + 2;
                e->name = malloc(l);
                if (e->name)
                    snprintf(e->name, l, "%s/%s", u.ns, u.name);
            } else {
                e->name = dup0(u.name);
            }
            e->type = dup0(u.type);
            e->arch = dup0(u.arch);
            if (u.distro)
                e->distro = strndup(u.distro, strcspn(u.distro, "-"));
            sg_sbom__purl_parts_release(&u);
        } else {
            e->type = dup0(model_type(p->type));
            e->name = dup0(p->name);
            e->arch = dup0(p->arch);
        }
        if (p->has_epoch && p->type == SG_PKG_RPM) {
            size_t l;
            snprintf(ver, sizeof(ver), "%lu:", p->epoch);
            l = strlen(ver) + (p->version ? strlen(p->version) : 0) + 1;
            e->version = malloc(l);
            if (e->version)
                snprintf(e->version, l, "%s%s", ver,
                         p->version ? p->version : "");
        } else {
            e->version = dup0(p->version ? p->version : "");
        }
        e->purl = p->purl;
        if (!e->type || !e->name || !e->version) {
            for (size_t k = 0; k <= n; k++)
                entry_release(&v[k]);
            free(v);
            return sg_error_oom();
        }
        n++;
    }
    qsort(v, n, sizeof(*v), cmp_entry);
    /* drop duplicates of (key, version) */
    if (n > 1) {
        size_t w = 1;
        for (size_t i = 1; i < n; i++) {
            if (cmp_entry(&v[i], &v[w - 1]) == 0)
                entry_release(&v[i]);
            else
                v[w++] = v[i];
        }
        n = w;
    }
    *out = v;
    *n_out = n;
    return SG_OK;
}

static sg_err push(struct sg_sbom_diff *d,
                   enum sg_sbom_change_kind k,
                   const struct entry *o,
                   const struct entry *nw)
{
    const struct entry *e = o ? o : nw;
    struct sg_sbom_change *c, *v;
    v = realloc(d->v, (d->n + 1) * sizeof(*v));
    if (!v)
        return sg_error_oom();
    d->v = v;
    c = &v[d->n];
    memset(c, 0, sizeof(*c));
    c->kind = k;
    c->type = dup0(e->type);
    c->name = dup0(e->name);
    c->arch = dup0(e->arch);
    c->old_version = o ? dup0(o->version) : NULL;
    c->new_version = nw ? dup0(nw->version) : NULL;
    c->old_purl = o ? dup0(o->purl) : NULL;
    c->new_purl = nw ? dup0(nw->purl) : NULL;
    d->n++;
    if (!c->type || !c->name || (o && !c->old_version) ||
        (nw && !c->new_version))
        return sg_error_oom();
    return SG_OK;
}

void sg_sbom_diff_release(struct sg_sbom_diff *d)
{
    for (size_t i = 0; i < d->n; i++) {
        struct sg_sbom_change *c = &d->v[i];
        free(c->type);
        free(c->name);
        free(c->arch);
        free(c->old_version);
        free(c->new_version);
        free(c->old_purl);
        free(c->new_purl);
    }
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

/* One key: a[0..na) old versions, b[0..nb) new versions (sorted). */
static sg_err diff_key(struct sg_sbom_diff *d,
                       struct entry *a,
                       size_t na,
                       struct entry *b,
                       size_t nb)
{
    size_t i = 0, j = 0, lo = 0, ln = 0;
    const struct entry *only_o = NULL, *only_n = NULL;
    sg_err rc = SG_OK;
    /* mark common versions by clearing purl-less sentinel: count leftovers */
    char *keep_a = calloc(na + 1, 1), *keep_b = calloc(nb + 1, 1);
    if (!keep_a || !keep_b) {
        free(keep_a);
        free(keep_b);
        return sg_error_oom();
    }
    while (i < na || j < nb) {
        int c = i >= na ? 1 : j >= nb ? -1 : cmp_s(a[i].version, b[j].version);
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            keep_a[i++] = 1;
            lo++;
            only_o = &a[i - 1];
        } else {
            keep_b[j++] = 1;
            ln++;
            only_n = &b[j - 1];
        }
    }
    if (lo == 1 && ln == 1) {
        rc = push(d, SG_CHANGE_CHANGED, only_o, only_n);
    } else {
        for (i = 0; i < na && !rc; i++)
            if (keep_a[i])
                rc = push(d, SG_CHANGE_REMOVED, &a[i], NULL);
        for (j = 0; j < nb && !rc; j++)
            if (keep_b[j])
                rc = push(d, SG_CHANGE_ADDED, NULL, &b[j]);
    }
    free(keep_a);
    free(keep_b);
    return rc;
}

sg_err sg_sbom_diff(struct sg_sbom_diff *out,
                    const struct sg_sbom *old_sbom,
                    const struct sg_sbom *new_sbom)
{
    struct entry *a = NULL, *b = NULL;
    size_t na = 0, nb = 0, i = 0, j = 0;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    rc = entries(&a, &na, old_sbom);
    if (!rc)
        rc = entries(&b, &nb, new_sbom);
    while (!rc && (i < na || j < nb)) {
        size_t ie = i, je = j;
        int c = i >= na ? 1 : j >= nb ? -1 : cmp_key(&a[i], &b[j]);
        const struct entry *k = c <= 0 ? &a[i] : &b[j];
        while (ie < na && cmp_key(&a[ie], k) == 0)
            ie++;
        while (je < nb && cmp_key(&b[je], k) == 0)
            je++;
        rc = diff_key(out, a + i, ie - i, b + j, je - j);
        i = ie;
        j = je;
    }
    for (size_t k = 0; k < na; k++)
        entry_release(&a[k]);
    for (size_t k = 0; k < nb; k++)
        entry_release(&b[k]);
    free(a);
    free(b);
    if (rc)
        sg_sbom_diff_release(out);
    return rc;
}

static const char *kind_name(enum sg_sbom_change_kind k)
{
    switch (k) {
    case SG_CHANGE_ADDED:
        return "added";
    case SG_CHANGE_REMOVED:
        return "removed";
    case SG_CHANGE_CHANGED:
        return "changed";
    }
    return "?";
}

static sg_err write_json(struct sg_buf *out, const struct sg_sbom_diff *d)
{
    json_t *root = json_object(),
           *arr[4] = { NULL, json_array(), json_array(), json_array() };
    char *text;
    sg_err rc = SG_OK;
    int bad = !root || !arr[1] || !arr[2] || !arr[3];

    for (size_t i = 0; i < d->n && !bad; i++) {
        const struct sg_sbom_change *c = &d->v[i];
        json_t *o = json_object();
        bad |= !o;
        if (bad)
            break;
        bad |= json_object_set_new(o, "type", json_string(c->type)) != 0;
        bad |= json_object_set_new(o, "name", json_string(c->name)) != 0;
        if (c->arch)
            bad |= json_object_set_new(o, "arch", json_string(c->arch)) != 0;
        if (c->kind == SG_CHANGE_CHANGED) {
            bad |= json_object_set_new(o, "old_version",
                                       json_string(c->old_version)) != 0;
            bad |= json_object_set_new(o, "new_version",
                                       json_string(c->new_version)) != 0;
            if (c->old_purl)
                bad |= json_object_set_new(o, "old_purl",
                                           json_string(c->old_purl)) != 0;
            if (c->new_purl)
                bad |= json_object_set_new(o, "new_purl",
                                           json_string(c->new_purl)) != 0;
        } else {
            const char *v =
                c->kind == SG_CHANGE_ADDED ? c->new_version : c->old_version;
            const char *pu =
                c->kind == SG_CHANGE_ADDED ? c->new_purl : c->old_purl;
            bad |= json_object_set_new(o, "version", json_string(v)) != 0;
            if (pu)
                bad |= json_object_set_new(o, "purl", json_string(pu)) != 0;
        }
        bad |= json_array_append_new(arr[c->kind], o) != 0;
    }
    if (!bad) {
        bad |= json_object_set_new(root, "added", arr[1]) != 0;
        bad |= json_object_set_new(root, "removed", arr[2]) != 0;
        bad |= json_object_set_new(root, "changed", arr[3]) != 0;
        arr[1] = arr[2] = arr[3] = NULL;
    }
    text = bad ? NULL
               : json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2) |
                                      JSON_ENSURE_ASCII);
    if (!text)
        rc = sg_error_oom();
    else
        rc = sg_buf_adds(out, text);
    if (!rc)
        rc = sg_buf_addc(out, '\n');
    free(text);
    json_decref(arr[1]);
    json_decref(arr[2]);
    json_decref(arr[3]);
    json_decref(root);
    return rc;
}

static sg_err write_table(struct sg_buf *out, const struct sg_sbom_diff *d)
{
    size_t wn = 4, wt = 4, wo = 3;
    size_t cnt[4] = { 0 };
    sg_err rc = SG_OK;

    for (size_t i = 0; i < d->n; i++) {
        const struct sg_sbom_change *c = &d->v[i];
        size_t ln = strlen(c->name) + (c->arch ? strlen(c->arch) + 1 : 0);
        if (ln > wn)
            wn = ln;
        if (strlen(c->type) > wt)
            wt = strlen(c->type);
        if (c->old_version && strlen(c->old_version) > wo)
            wo = strlen(c->old_version);
    }
    if (wn > 60)
        wn = 60;
    if (wo > 40)
        wo = 40;
    if (d->n)
        rc = sg_buf_addf(out, "%-8s %-*s %-*s %-*s %s\n", "CHANGE", (int)wt,
                         "TYPE", (int)wn, "NAME", (int)wo, "OLD", "NEW");
    for (size_t i = 0; i < d->n && !rc; i++) {
        const struct sg_sbom_change *c = &d->v[i];
        char name[1024];
        snprintf(name, sizeof(name), "%s%s%s", c->name, c->arch ? ":" : "",
                 c->arch ? c->arch : "");
        cnt[c->kind]++;
        rc = sg_buf_addf(out, "%-8s %-*s %-*s %-*s %s\n", kind_name(c->kind),
                         (int)wt, c->type, (int)wn, name, (int)wo,
                         c->old_version ? c->old_version : "-",
                         c->new_version ? c->new_version : "-");
    }
    if (!rc)
        rc = sg_buf_addf(out, "%zu added, %zu removed, %zu changed\n",
                         cnt[SG_CHANGE_ADDED], cnt[SG_CHANGE_REMOVED],
                         cnt[SG_CHANGE_CHANGED]);
    return rc;
}

sg_err
sg_sbom_diff_write(struct sg_buf *out, const struct sg_sbom_diff *d, int json)
{
    return json ? write_json(out, d) : write_table(out, d);
}

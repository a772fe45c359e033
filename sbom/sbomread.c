/*
 * sg_sbom_read: SPDX 2.x JSON or CycloneDX JSON (sigil's own, syft's and
 * Trivy's layouts) → struct sg_sbom, for `sigil diff` and `sigil convert`.
 *
 * Packages come from the purl first (type, namespace/name, version,
 * arch/distro/epoch qualifiers), then from the document's own fields
 * (name, versionInfo/version, licences, supplier, CPE). The purl and CPE
 * strings are kept as read (never recomputed), so a conversion does not
 * change them. A purl type the model has no enum for (npm, ...) is
 * kept with type 0 and its purl. Elements that are not packages are
 * skipped: the described root (image/directory: it fills s->source), an
 * operating-system element (fills s->distro), and elements without a
 * purl (Trivy's application nodes, syft's files).
 *
 * Relationships: SPDX CONTAINS / DEPENDS_ON / DEPENDENCY_OF (reversed);
 * CycloneDX dependencies[] (edges from the root become CONTAINS from the
 * image, the others DEPENDS_ON). An edge from a skipped element becomes
 * "the image CONTAINS"; edges to skipped elements are dropped. With no
 * relationships at all, the image CONTAINS every package.
 *
 * Evidence: sigil's "layer: L; path: P" SPDX comment and sigil:/syft:/
 * aquasecurity:trivy: CycloneDX properties fill layer_diff_id / db_path;
 * other sigil properties (go.*, ...) are kept as props. Go h1: sums come
 * back from SHA-256 checksums of golang packages (syft writes them so).
 */
#define _GNU_SOURCE /* strndup */
#include "sbom_int.h"
#include "sbom_purl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define READ_MAX (256u * 1024u * 1024u)

/* ------------------------------------------------------------------ */
/* helpers                                                              */

static const char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int set_dup(char **dst, const char *v)
{
    char *c;
    if (!v)
        return 0;
    c = strdup(v);
    if (!c)
        return -1;
    free(*dst);
    *dst = c;
    return 0;
}

static int noassert(const char *v)
{
    return !v || !v[0] || strcmp(v, "NOASSERTION") == 0 ||
           strcmp(v, "NONE") == 0;
}

/* SPDX "Person: Name (email)" / "Organization: X" → "Name <email>". */
static char *actor_back(const char *v)
{
    const char *p = v, *lp;
    size_t n;
    char *o;
    if (noassert(v))
        return NULL;
    if (strncmp(p, "Person:", 7) == 0)
        p += 7;
    else if (strncmp(p, "Organization:", 13) == 0)
        p += 13;
    while (*p == ' ')
        p++;
    n = strlen(p);
    lp = strrchr(p, '(');
    o = malloc(n + 3);
    if (!o)
        return NULL;
    if (lp && n && p[n - 1] == ')') {
        size_t nn = (size_t)(lp - p);
        while (nn && p[nn - 1] == ' ')
            nn--;
        if ((size_t)(p + n - 1 - lp - 1) == 0) {
            memcpy(o, p, nn);
            o[nn] = '\0';
        } else {
            snprintf(o, n + 3, "%.*s <%.*s>", (int)nn, p,
                     (int)(p + n - 1 - lp - 1), lp + 1);
        }
    } else {
        memcpy(o, p, n + 1);
    }
    return o;
}

/* SHA-256 hex → "h1:<base64>" (Go's module hash as syft exports it). */
static char *h1_from_hex(const char *hex)
{
    unsigned char raw[32];
    struct sg_buf b = SG_BUF_INIT(128);
    char *out = NULL;
    if (sg_hex_decode(raw, sizeof(raw), hex, strlen(hex))) {
        sg_error_clear(); /* not a SHA-256: no h1 sum, not an error */
        return NULL;
    }
    if (sg_buf_adds(&b, "h1:") || sg_base64_encode(&b, raw, 32) ||
        sg_buf_take(&out, NULL, &b))
        return NULL;
    return out;
}

/* Parse a purl as written (no case folding: a conversion keeps names).
 * 1 parsed, 0 not a purl (ignored: the string is kept anyway), -1 out of
 * memory. */
static int purl_read(struct sg_purl *u, const char *purl)
{
    sg_err rc = sg_sbom__purl_parse(u, purl, SG_PURL_AS_WRITTEN);

    if (rc == SG_ENOMEM)
        return -1;
    if (rc) {
        sg_error_clear();
        return 0;
    }
    return 1;
}

/* SPDX primaryPackagePurpose (cdx 0) or CycloneDX component type (cdx 1)
 * back to sg_pkg_purpose. A library is the default either way, so it is
 * kept only where SPDX says so explicitly. */
static enum sg_pkg_purpose purpose_back(const char *v, int cdx)
{
    if (!v)
        return SG_PURPOSE_DEFAULT;
    if (strcmp(v, cdx ? "application" : "APPLICATION") == 0)
        return SG_PURPOSE_APPLICATION;
    if (strcmp(v, cdx ? "framework" : "FRAMEWORK") == 0)
        return SG_PURPOSE_FRAMEWORK;
    if (!cdx && strcmp(v, "LIBRARY") == 0)
        return SG_PURPOSE_LIBRARY;
    return SG_PURPOSE_DEFAULT;
}

/* Fill type/name/version/arch/epoch from the purl; returns 0 or -1 OOM. */
static int from_purl(struct sg_pkg *p, const char *purl, struct sg_sbom *s)
{
    struct sg_purl u;
    const char *epoch, *distro;
    int rc;
    if (set_dup(&p->purl, purl))
        return -1;
    rc = purl_read(&u, purl);
    if (rc <= 0)
        return rc;
    rc = 0;
    if (strcmp(u.type, "deb") == 0)
        p->type = SG_PKG_DEB;
    else if (strcmp(u.type, "apk") == 0)
        p->type = SG_PKG_APK;
    else if (strcmp(u.type, "rpm") == 0)
        p->type = SG_PKG_RPM;
    else if (strcmp(u.type, "pypi") == 0)
        p->type = SG_PKG_PYTHON;
    else if (strcmp(u.type, "golang") == 0)
        p->type = !u.ns && strcmp(u.name, "stdlib") == 0 ? SG_PKG_GO_STDLIB
                                                         : SG_PKG_GO_MODULE;
    else if (strcmp(u.type, "maven") == 0)
        p->type = SG_PKG_JAVA;
    else if (strcmp(u.type, "npm") == 0)
        p->type = SG_PKG_NPM;
    if (p->type == SG_PKG_JAVA && u.ns && !p->group && set_dup(&p->group, u.ns))
        rc = -1;
    /* an npm scope is the purl namespace ("@babel", decoded) and part of
     * the package's name as npm writes it */
    if ((p->type == SG_PKG_GO_MODULE || p->type == SG_PKG_NPM) && u.ns) {
        size_t n = strlen(u.ns) + strlen(u.name) + 2;
        char *full = malloc(n);
        if (!full) {
            sg_sbom__purl_release(&u);
            return -1;
        }
        snprintf(full, n, "%s/%s", u.ns, u.name);
        free(p->name);
        p->name = full;
    } else if (!rc && p->type == SG_PKG_JAVA) {
        /* the artifactId; a CycloneDX name may be "group:artifact" */
        rc = set_dup(&p->name, u.name);
    } else if (!rc && !p->name) {
        rc = set_dup(&p->name, u.name);
    }
    if (!rc && !p->version)
        rc = set_dup(&p->version, u.version);
    if (!rc && !p->arch)
        rc = set_dup(&p->arch, sg_sbom__purl_qual(&u, "arch"));
    epoch = sg_sbom__purl_qual(&u, "epoch");
    if (!rc && epoch) {
        char *e;
        unsigned long v = strtoul(epoch, &e, 10);
        if (!*e) {
            p->epoch = v;
            p->has_epoch = 1;
        }
    }
    /* distro qualifier "debian-12" → the document's distro if unknown */
    distro = sg_sbom__purl_qual(&u, "distro");
    if (!rc && distro && !s->distro.id) {
        const char *dash = strchr(distro, '-');
        if (dash) {
            s->distro.id = strndup(distro, (size_t)(dash - distro));
            s->distro.version_id = strdup(dash + 1);
            if (!s->distro.id || !s->distro.version_id)
                rc = -1;
        }
    }
    sg_sbom__purl_release(&u);
    return rc;
}

/* The image root's pkg:oci purl → source digest, arch, repo, tag. */
static int root_from_purl(struct sg_sbom *s, const char *purl)
{
    struct sg_purl u;
    int rc;
    if (!purl)
        return 0;
    rc = purl_read(&u, purl);
    if (rc <= 0)
        return rc;
    rc = 0;
    if (strcmp(u.type, "oci") == 0) {
        if (!s->source.digest && u.version &&
            strncmp(u.version, "sha256:", 7) == 0)
            rc |= set_dup(&s->source.digest, u.version);
        if (!s->source.arch)
            rc |= set_dup(&s->source.arch, sg_sbom__purl_qual(&u, "arch"));
        if (!s->source.repo_name)
            rc |= set_dup(&s->source.repo_name,
                          sg_sbom__purl_qual(&u, "repository_url"));
        if (!s->source.tag)
            rc |= set_dup(&s->source.tag, sg_sbom__purl_qual(&u, "tag"));
    }
    sg_sbom__purl_release(&u);
    return rc ? -1 : 0;
}

/* Element id → package index (SIZE_MAX - 1: the root, SIZE_MAX: skipped) */
struct idmap {
    const char **ids;
    size_t *idx;
    size_t n;
};

#define IDX_ROOT    (SIZE_MAX - 1)
#define IDX_SKIPPED SIZE_MAX

static int idmap_add(struct idmap *m, const char *id, size_t idx)
{
    const char **ni;
    size_t *nx;
    if (!id)
        return 0;
    ni = realloc(m->ids, (m->n + 1) * sizeof(*ni));
    if (!ni)
        return -1;
    m->ids = ni;
    nx = realloc(m->idx, (m->n + 1) * sizeof(*nx));
    if (!nx)
        return -1;
    m->idx = nx;
    m->ids[m->n] = id;
    m->idx[m->n] = idx;
    m->n++;
    return 0;
}

static void idmap_release(struct idmap *m)
{
    free(m->ids);
    free(m->idx);
}

/* Element ids sorted for binary search (built once all are known). */
struct sorted_ids {
    size_t *order; /* positions into idmap, sorted by id */
};

/* qsort has no context argument: the comparators read these, set around
 * each qsort call. Thread-local: concurrent reads do not share them. */
static _Thread_local const struct idmap *sort_ctx;
static int cmp_pos(const void *a, const void *b)
{
    return strcmp(sort_ctx->ids[*(const size_t *)a],
                  sort_ctx->ids[*(const size_t *)b]);
}

static int idmap_seal(const struct idmap *m, struct sorted_ids *so)
{
    so->order = malloc((m->n + 1) * sizeof(size_t));
    if (!so->order)
        return -1;
    for (size_t i = 0; i < m->n; i++)
        so->order[i] = i;
    sort_ctx = m;
    qsort(so->order, m->n, sizeof(size_t), cmp_pos);
    sort_ctx = NULL;
    return 0;
}

static size_t
idmap_find(const struct idmap *m, const struct sorted_ids *so, const char *id)
{
    size_t lo = 0, hi = m->n;
    if (!id)
        return IDX_SKIPPED;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->ids[so->order[mid]], id);
        if (c == 0)
            return m->idx[so->order[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return IDX_SKIPPED;
}

static _Thread_local const struct sg_rel *sort_rels; /* as sort_ctx */

static sg_err
add_edge(struct sg_sbom *s, size_t from, size_t to, enum sg_rel_type t)
{
    if (to >= s->n_pkgs)
        return SG_OK; /* root or skipped target */
    if (from == IDX_ROOT || from == IDX_SKIPPED) {
        from = SIZE_MAX;
        t = SG_REL_CONTAINS;
    }
    if (from == to)
        return SG_OK;
    /* duplicates are dropped once, by dedupe_rels(): a scan here would
     * make a document with many edges quadratic */
    return sg_sbom_add_rel(s, from, to, t);
}

static int cmp_rel_pos(const void *a, const void *b)
{
    const struct sg_rel *x = &sort_rels[*(const size_t *)a];
    const struct sg_rel *y = &sort_rels[*(const size_t *)b];

    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Drop repeated (from, to, type) edges, keeping the first of each in
 * document order: O(n log n) whatever the input. */
static sg_err dedupe_rels(struct sg_sbom *s)
{
    size_t *order, w = 0;
    unsigned char *drop;

    if (s->n_rels < 2)
        return SG_OK;
    order = malloc(s->n_rels * sizeof(*order));
    drop = calloc(s->n_rels, 1);
    if (!order || !drop) {
        free(order);
        free(drop);
        return sg_error_oom();
    }
    for (size_t i = 0; i < s->n_rels; i++)
        order[i] = i;
    sort_rels = s->rels;
    qsort(order, s->n_rels, sizeof(*order), cmp_rel_pos);
    sort_rels = NULL;
    for (size_t i = 1; i < s->n_rels; i++) {
        const struct sg_rel *x = &s->rels[order[i - 1]];
        const struct sg_rel *y = &s->rels[order[i]];
        if (x->from == y->from && x->to == y->to && x->type == y->type)
            drop[order[i]] = 1;
    }
    for (size_t i = 0; i < s->n_rels; i++)
        if (!drop[i])
            s->rels[w++] = s->rels[i];
    s->n_rels = w;
    free(order);
    free(drop);
    return SG_OK;
}

/* "layer: L; path: P[; ...]" (sigil's SPDX comment). */
static int parse_comment(struct sg_pkg *p, const char *c)
{
    const char *l, *pa;
    if (!c || strncmp(c, "layer: ", 7) != 0)
        return 0;
    l = c + 7;
    pa = strstr(l, "; path: ");
    if (!pa)
        return 0;
    if (strncmp(l, "NOASSERTION", 11) != 0) {
        free(p->layer_diff_id);
        p->layer_diff_id = strndup(l, (size_t)(pa - l));
        if (!p->layer_diff_id)
            return -1;
    }
    pa += 8;
    if (*pa && *pa != ';') {
        free(p->db_path);
        p->db_path = strndup(pa, strcspn(pa, ";"));
        if (!p->db_path)
            return -1;
    }
    if (strstr(pa, "; deleted"))
        p->deleted = 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* SPDX                                                                 */

static sg_err read_spdx(struct sg_sbom *s, const json_t *doc)
{
    const json_t *pkgs = json_object_get(doc, "packages");
    const json_t *rels = json_object_get(doc, "relationships");
    const json_t *v;
    const char *root_id = NULL;
    struct idmap m = { 0 };
    struct sorted_ids so = { 0 };
    size_t i;
    sg_err rc = SG_OK;

    if (!json_is_string(json_object_get(doc, "spdxVersion")) ||
        strncmp(jstr(doc, "spdxVersion"), "SPDX-2.", 7) != 0)
        return sg_error_set(SG_EUNSUPPORTED,
                            "SPDX: only 2.x JSON is read "
                            "(spdxVersion \"%s\")",
                            jstr(doc, "spdxVersion") ? jstr(doc, "spdxVersion")
                                                     : "?");
    if (pkgs && !json_is_array(pkgs))
        return sg_error_set(SG_EPARSE, "SPDX: packages is not an array");
    if (rels && !json_is_array(rels))
        return sg_error_set(SG_EPARSE, "SPDX: relationships is not an array");
    if (set_dup(&s->source.name, jstr(doc, "name")))
        return sg_error_oom();
    /* the described root */
    json_array_foreach(rels, i, v)
    {
        const char *t = jstr(v, "relationshipType");
        if (t && strcmp(t, "DESCRIBES") == 0 &&
            strcmp(jstr(v, "spdxElementId") ? jstr(v, "spdxElementId") : "",
                   "SPDXRef-DOCUMENT") == 0) {
            root_id = jstr(v, "relatedSpdxElement");
            break;
        }
    }
    if (!root_id) {
        const json_t *dd = json_object_get(doc, "documentDescribes");
        if (json_array_size(dd) == 1)
            root_id = json_string_value(json_array_get(dd, 0));
    }

    json_array_foreach(pkgs, i, v)
    {
        const char *id = jstr(v, "SPDXID"), *purl = NULL, *cpe = NULL;
        const char *purpose = jstr(v, "primaryPackagePurpose");
        const json_t *er = json_object_get(v, "externalRefs"), *e;
        struct sg_pkg *p;
        size_t k;

        if (!json_is_object(v) || !id) {
            rc = sg_error_set(SG_EPARSE, "SPDX: packages[%zu]: no SPDXID", i);
            goto done;
        }
        json_array_foreach(er, k, e)
        {
            const char *rt = jstr(e, "referenceType");
            if (!rt)
                continue;
            if (strcmp(rt, "purl") == 0 && !purl)
                purl = jstr(e, "referenceLocator");
            else if (strcmp(rt, "cpe23Type") == 0 && !cpe)
                cpe = jstr(e, "referenceLocator");
        }
        if ((root_id && strcmp(id, root_id) == 0) ||
            (purpose && strcmp(purpose, "CONTAINER") == 0) ||
            (purl && strncmp(purl, "pkg:oci/", 8) == 0)) {
            const char *vi = jstr(v, "versionInfo");
            if (idmap_add(&m, id, IDX_ROOT))
                goto oom;
            if (vi && strncmp(vi, "sha256:", 7) == 0 && !s->source.digest &&
                set_dup(&s->source.digest, vi))
                goto oom;
            if (root_from_purl(s, purl))
                goto oom;
            continue;
        }
        if (purpose &&
            (strcmp(purpose, "OPERATING-SYSTEM") == 0 ||
             strcmp(purpose, "OPERATING_SYSTEM") == 0) &&
            !purl) {
            if (!s->distro.id &&
                (set_dup(&s->distro.id, jstr(v, "name")) ||
                 set_dup(&s->distro.version_id, jstr(v, "versionInfo"))))
                goto oom;
            if (idmap_add(&m, id, IDX_SKIPPED))
                goto oom;
            continue;
        }
        if (!purl) {
            if (idmap_add(&m, id, IDX_SKIPPED))
                goto oom;
            continue;
        }
        rc = sg_sbom_add_pkg(s, &p);
        if (rc)
            goto done;
        if (set_dup(&p->name, jstr(v, "name")) ||
            set_dup(&p->version, jstr(v, "versionInfo")) ||
            from_purl(p, purl, s) || set_dup(&p->cpe, cpe))
            goto oom;
        {
            const char *ld = jstr(v, "licenseDeclared");
            if (noassert(ld))
                ld = jstr(v, "licenseConcluded");
            if (!noassert(ld) && set_dup(&p->license, ld))
                goto oom;
        }
        p->purpose = purpose_back(purpose, 0);
        p->supplier = actor_back(jstr(v, "supplier"));
        if (set_dup(&p->description, jstr(v, "summary")) ||
            set_dup(&p->url, jstr(v, "homepage")) ||
            parse_comment(p, jstr(v, "comment")))
            goto oom;
        if (p->type == SG_PKG_GO_MODULE) {
            const json_t *cks = json_object_get(v, "checksums"), *c;
            size_t ci;
            json_array_foreach(cks, ci, c)
            {
                const char *alg = jstr(c, "algorithm");
                const char *val = jstr(c, "checksumValue");
                if (alg && val && strcmp(alg, "SHA256") == 0 && !p->checksum)
                    p->checksum = h1_from_hex(val);
            }
        }
        if (idmap_add(&m, id, s->n_pkgs - 1))
            goto oom;
    }

    if (idmap_seal(&m, &so))
        goto oom;
    json_array_foreach(rels, i, v)
    {
        const char *t = jstr(v, "relationshipType");
        size_t a = idmap_find(&m, &so, jstr(v, "spdxElementId"));
        size_t b = idmap_find(&m, &so, jstr(v, "relatedSpdxElement"));
        if (!t)
            continue;
        if (strcmp(t, "CONTAINS") == 0)
            rc = add_edge(s, a, b, SG_REL_CONTAINS);
        else if (strcmp(t, "CONTAINED_BY") == 0)
            rc = add_edge(s, b, a, SG_REL_CONTAINS);
        else if (strcmp(t, "DEPENDS_ON") == 0)
            rc = add_edge(s, a, b, SG_REL_DEPENDS_ON);
        else if (strcmp(t, "DEPENDENCY_OF") == 0)
            rc = add_edge(s, b, a, SG_REL_DEPENDS_ON);
        if (rc)
            goto done;
    }
    goto done;
oom:
    rc = sg_error_oom();
done:
    free(so.order);
    idmap_release(&m);
    return rc;
}

/* ------------------------------------------------------------------ */
/* CycloneDX                                                            */

static sg_err cdx_licenses(struct sg_pkg *p, const json_t *lic)
{
    struct sg_buf b = SG_BUF_INIT(64 * 1024);
    const json_t *l;
    size_t i;
    sg_err rc = SG_OK;

    json_array_foreach(lic, i, l)
    {
        const char *x = jstr(l, "expression");
        const json_t *li = json_object_get(l, "license");
        if (!x && li)
            x = jstr(li, "id") ? jstr(li, "id") : jstr(li, "name");
        if (!x || !x[0])
            continue;
        if (b.len)
            rc = sg_buf_adds(&b, " AND ");
        if (!rc)
            rc = sg_buf_adds(&b, x);
        if (rc)
            return rc;
    }
    if (b.len)
        rc = sg_buf_take(&p->license, NULL, &b);
    sg_buf_release(&b);
    return rc;
}

static sg_err cdx_props(struct sg_pkg *p, const json_t *props)
{
    const json_t *pr;
    size_t i;
    sg_err rc;
    json_array_foreach(props, i, pr)
    {
        const char *k = jstr(pr, "name"), *v = jstr(pr, "value");
        char **dst = NULL;
        if (!k || !v)
            continue;
        if (strcmp(k, "sigil:location:layerID") == 0 ||
            strcmp(k, "aquasecurity:trivy:LayerDiffID") == 0 ||
            (strncmp(k, "syft:location:", 14) == 0 && strstr(k, ":layerID")))
            dst = &p->layer_diff_id;
        else if (strcmp(k, "sigil:location:path") == 0 ||
                 (strncmp(k, "syft:location:", 14) == 0 &&
                  strstr(k, ":path")) ||
                 strcmp(k, "aquasecurity:trivy:FilePath") == 0)
            dst = &p->db_path;
        else if (strcmp(k, "sigil:package:arch") == 0)
            dst = &p->arch;
        else if (strcmp(k, "sigil:package:sourceName") == 0 ||
                 strcmp(k, "aquasecurity:trivy:SrcName") == 0)
            dst = &p->source_name;
        else if (strcmp(k, "sigil:package:sourceVersion") == 0)
            dst = &p->source_version;
        else if (strcmp(k, "sigil:package:foundBy") == 0 ||
                 strcmp(k, "syft:package:foundBy") == 0)
            dst = &p->found_by;
        if (dst) {
            if (!*dst && set_dup(dst, v))
                return sg_error_oom();
            continue;
        }
        if (strcmp(k, "sigil:package:deleted") == 0) {
            p->deleted = strcmp(v, "true") == 0;
            continue;
        }
        if (strcmp(k, "sigil:package:installedSize") == 0) {
            p->installed_size = strtoull(v, NULL, 10);
            continue;
        }
        if (strncmp(k, "sigil:", 6) == 0 || strncmp(k, "syft:", 5) == 0 ||
            strncmp(k, "aquasecurity:", 13) == 0)
            continue;
        rc = sg_sbom__go_prop_add(p, k, v, strlen(v));
        if (rc)
            return rc;
    }
    return SG_OK;
}

static sg_err cdx_components(struct sg_sbom *s,
                             const json_t *comps,
                             struct idmap *m,
                             unsigned depth)
{
    const json_t *c;
    size_t i;
    sg_err rc;

    if (!comps)
        return SG_OK;
    if (!json_is_array(comps))
        return sg_error_set(SG_EPARSE, "CycloneDX: components is not an "
                                       "array");
    if (depth > 8)
        return sg_error_set(SG_ELIMIT, "CycloneDX: components nested "
                                       "deeper than 8");
    json_array_foreach(comps, i, c)
    {
        const char *ref = jstr(c, "bom-ref"), *purl = jstr(c, "purl");
        const char *type = jstr(c, "type");
        struct sg_pkg *p;

        if (!json_is_object(c))
            return sg_error_set(SG_EPARSE,
                                "CycloneDX: components[%zu] is "
                                "not an object",
                                i);
        if (type && strcmp(type, "operating-system") == 0 && !purl) {
            if (!s->distro.id &&
                (set_dup(&s->distro.id, jstr(c, "name")) ||
                 set_dup(&s->distro.version_id, jstr(c, "version"))))
                return sg_error_oom();
            if (idmap_add(m, ref, IDX_SKIPPED))
                return sg_error_oom();
        } else if (!purl || strncmp(purl, "pkg:oci/", 8) == 0) {
            if (idmap_add(m, ref, IDX_SKIPPED))
                return sg_error_oom();
        } else {
            rc = sg_sbom_add_pkg(s, &p);
            if (rc)
                return rc;
            if (set_dup(&p->name, jstr(c, "name")) ||
                set_dup(&p->version, jstr(c, "version")) ||
                from_purl(p, purl, s) || set_dup(&p->cpe, jstr(c, "cpe")) ||
                set_dup(&p->description, jstr(c, "description")))
                return sg_error_oom();
            if (json_is_object(json_object_get(c, "supplier")) &&
                set_dup(&p->supplier,
                        jstr(json_object_get(c, "supplier"), "name")))
                return sg_error_oom();
            p->purpose = purpose_back(type, 1);
            if (!p->supplier && set_dup(&p->supplier, jstr(c, "publisher")))
                return sg_error_oom();
            rc = cdx_licenses(p, json_object_get(c, "licenses"));
            if (!rc)
                rc = cdx_props(p, json_object_get(c, "properties"));
            if (rc)
                return rc;
            if (p->type == SG_PKG_GO_MODULE) {
                const json_t *hs = json_object_get(c, "hashes"), *h;
                size_t hi;
                json_array_foreach(hs, hi, h)
                {
                    const char *alg = jstr(h, "alg"), *val = jstr(h, "content");
                    if (alg && val && strcmp(alg, "SHA-256") == 0 &&
                        !p->checksum)
                        p->checksum = h1_from_hex(val);
                }
            }
            if (idmap_add(m, ref, s->n_pkgs - 1))
                return sg_error_oom();
        }
        rc = cdx_components(s, json_object_get(c, "components"), m, depth + 1);
        if (rc)
            return rc;
    }
    return SG_OK;
}

static sg_err read_cdx(struct sg_sbom *s, const json_t *doc)
{
    const json_t *meta = json_object_get(doc, "metadata");
    const json_t *root = json_object_get(meta, "component");
    const json_t *deps = json_object_get(doc, "dependencies"), *d;
    struct idmap m = { 0 };
    struct sorted_ids so = { 0 };
    size_t i;
    sg_err rc;

    if (json_is_object(root)) {
        const char *ver = jstr(root, "version");
        if (set_dup(&s->source.name, jstr(root, "name")) ||
            (ver && strncmp(ver, "sha256:", 7) == 0 &&
             set_dup(&s->source.digest, ver)) ||
            idmap_add(&m, jstr(root, "bom-ref"), IDX_ROOT) ||
            root_from_purl(s, jstr(root, "purl"))) {
            rc = sg_error_oom();
            goto done;
        }
    }
    rc = cdx_components(s, json_object_get(doc, "components"), &m, 0);
    if (rc)
        goto done;
    if (deps && !json_is_array(deps)) {
        rc = sg_error_set(SG_EPARSE, "CycloneDX: dependencies is not an "
                                     "array");
        goto done;
    }
    if (idmap_seal(&m, &so)) {
        rc = sg_error_oom();
        goto done;
    }
    json_array_foreach(deps, i, d)
    {
        size_t from = idmap_find(&m, &so, jstr(d, "ref"));
        const json_t *on = json_object_get(d, "dependsOn"), *t;
        size_t k;
        json_array_foreach(on, k, t)
        {
            size_t to = idmap_find(&m, &so, json_string_value(t));
            rc = add_edge(s, from, to, SG_REL_DEPENDS_ON);
            if (rc)
                goto done;
        }
    }
done:
    free(so.order);
    idmap_release(&m);
    return rc;
}

sg_err sg_sbom_read(struct sg_sbom **out, const void *data, size_t len)
{
    struct sg_sbom *s = NULL;
    json_t *doc = NULL;
    sg_err rc;

    *out = NULL;
    rc = sg_json_parse((struct json_t **)&doc, data, len, READ_MAX, 0, "SBOM");
    if (rc)
        return rc;
    rc = sg_sbom_create(&s);
    if (rc)
        goto done;
    if (!json_is_object(doc)) {
        rc = sg_error_set(SG_EPARSE, "SBOM: not a JSON object");
    } else if (json_object_get(doc, "spdxVersion")) {
        rc = read_spdx(s, doc);
    } else if (json_is_string(json_object_get(doc, "bomFormat")) &&
               strcmp(jstr(doc, "bomFormat"), "CycloneDX") == 0) {
        rc = read_cdx(s, doc);
    } else {
        rc = sg_error_set(SG_EPARSE, "SBOM: neither SPDX (spdxVersion) nor "
                                     "CycloneDX (bomFormat) JSON");
    }
    if (!rc)
        rc = dedupe_rels(s);
    if (!rc && s->n_rels == 0)
        for (size_t i = 0; i < s->n_pkgs && !rc; i++)
            rc = sg_sbom_add_rel(s, SIZE_MAX, i, SG_REL_CONTAINS);
done:
    json_decref(doc);
    if (rc) {
        sg_sbom_free(s);
        return rc;
    }
    *out = s;
    return SG_OK;
}

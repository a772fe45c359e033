/*
 * SPDX 2.3 JSON writer (spdx.github.io/spdx-spec/v2.3). Layout: the
 * document DESCRIBES a root package for the image (name = the reference,
 * version = the digest, SHA256 checksum, pkg:oci purl); the root CONTAINS
 * every package; packages DEPENDS_ON packages. Each package has its purl
 * and CPE as externalRefs, supplier, licenseDeclared (a valid expression
 * or a LicenseRef- with hasExtractedLicensingInfos), filesAnalyzed false,
 * and the layer diffID and database path in its comment. Keys are sorted
 * (JSON_SORT_KEYS) so the bytes are stable.
 */
#include "sbom_core.h"
#include "sbom_writer.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* An object of three members, in this order (SPDX external references
 * and relationships are all of this shape). */
static json_t *obj3(struct sg_jb *b,
                    const char *k1,
                    json_t *v1,
                    const char *k2,
                    json_t *v2,
                    const char *k3,
                    json_t *v3)
{
    json_t *r = json_object();

    sg_sbom__jset(b, r, k1, v1);
    sg_sbom__jset(b, r, k2, v2);
    sg_sbom__jset(b, r, k3, v3);
    return r;
}

static json_t *
ext_ref(struct sg_jb *b, const char *cat, const char *type, const char *loc)
{
    return obj3(b, "referenceCategory", json_string(cat), "referenceType",
                json_string(type), "referenceLocator", sg_sbom__jstr(loc));
}

static json_t *
rel(struct sg_jb *b, const char *from, const char *type, const char *to)
{
    return obj3(b, "spdxElementId", json_string(from), "relationshipType",
                json_string(type), "relatedSpdxElement", json_string(to));
}

/* Record every LicenseRef-… of expr in `refs` (object id → text). */
static void
collect_refs(struct sg_jb *b, json_t *refs, const char *expr, const char *text)
{
    const char *p = expr;

    while ((p = strstr(p, "LicenseRef-"))) {
        size_t n = strcspn(p, " ()");
        char *id = sg_text_dup_trim(p, n);
        if (!id) {
            b->bad = 1;
            return;
        }
        if (!json_object_get(refs, id))
            sg_sbom__jset(
                b, refs, id,
                sg_sbom__jstr(text ? text : id + strlen("LicenseRef-")));
        free(id);
        p += n;
    }
}

static const char *db_label(enum sg_pkg_type t)
{
    switch (t) {
    case SG_PKG_DEB:
        return "DPKG DB";
    case SG_PKG_APK:
        return "APK DB";
    case SG_PKG_RPM:
        return "RPM DB";
    case SG_PKG_GO_MODULE:
    case SG_PKG_GO_STDLIB:
        return "go module information";
    case SG_PKG_PYTHON:
        return "python package metadata";
    case SG_PKG_NPM:
        return "npm package metadata";
    case SG_PKG_JAVA:
        return "java archive";
    }
    return "package DB";
}

/* The declared licence as written in SPDX (malloc'd), recording every
 * LicenseRef- it uses in refs. */
static char *declared(struct sg_jb *b, const struct sg_pkg *p, json_t *refs)
{
    char *expr = NULL;

    if (sg_spdx_expr_normalise(&expr, p->license) != SG_OK)
        b->bad = 1;
    if (expr) {
        collect_refs(b, refs, expr, NULL);
    } else if (sg_spdx_license_ref(&expr, p->license) == SG_OK) {
        collect_refs(b, refs, expr, p->license);
    } else {
        b->bad = 1;
    }
    return expr;
}

static json_t *
package(struct sg_jb *b, const struct sg_pkg *p, const char *id, json_t *refs)
{
    json_t *o = json_object(), *er = json_array();
    struct sg_buf t = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *path = p->db_path;
    char *expr = NULL;

    sg_sbom__jset(b, o, "SPDXID", json_string(id));
    sg_sbom__jset(b, o, "name", sg_sbom__jstr(p->name));
    if (p->version)
        sg_sbom__jset(b, o, "versionInfo", sg_sbom__jstr(p->version));
    if (sg_sbom__purpose_spdx(p))
        sg_sbom__jset(b, o, "primaryPackagePurpose",
                      json_string(sg_sbom__purpose_spdx(p)));
    sg_sbom__jset(b, o, "downloadLocation", json_string("NOASSERTION"));
    sg_sbom__jset(b, o, "filesAnalyzed", json_false());
    sg_sbom__jset(b, o, "licenseConcluded", json_string("NOASSERTION"));
    sg_sbom__jset(b, o, "copyrightText", json_string("NOASSERTION"));
    if (p->supplier && p->supplier[0] &&
        sg_spdx_actor(&t, p->supplier, p->type == SG_PKG_RPM) == SG_OK)
        sg_sbom__jset(b, o, "supplier", sg_sbom__jstr(t.data));
    else
        sg_sbom__jset(b, o, "supplier", json_string("NOASSERTION"));
    sg_buf_reset(&t);
    if (p->license && p->license[0]) {
        expr = declared(b, p, refs);
        sg_sbom__jset(b, o, "licenseDeclared", sg_sbom__jstr(expr));
        free(expr);
    } else {
        sg_sbom__jset(b, o, "licenseDeclared", json_string("NOASSERTION"));
    }
    if (p->description && p->description[0])
        sg_sbom__jset(b, o, "summary", sg_sbom__jstr(p->description));
    if (p->url && (strncmp(p->url, "http://", 7) == 0 ||
                   strncmp(p->url, "https://", 8) == 0))
        sg_sbom__jset(b, o, "homepage", sg_sbom__jstr(p->url));
    if (p->source_name) {
        if (sg_buf_addf(&t, "built package from: %s%s%s", p->source_name,
                        p->source_version ? " " : "",
                        p->source_version ? p->source_version : ""))
            b->bad = 1;
        else
            sg_sbom__jset(b, o, "sourceInfo", sg_sbom__jstr(t.data));
        sg_buf_reset(&t);
    } else if (path) {
        if (sg_buf_addf(&t, "acquired package info from %s: %s%s",
                        db_label(p->type), path[0] == '/' ? "" : "/", path))
            b->bad = 1;
        else
            sg_sbom__jset(b, o, "sourceInfo", sg_sbom__jstr(t.data));
        sg_buf_reset(&t);
    }
    if (sg_buf_addf(&t, "layer: %s; path: %s%s%s",
                    p->layer_diff_id ? p->layer_diff_id : "NOASSERTION",
                    path && path[0] != '/' ? "/" : "", path ? path : "",
                    p->deleted ? "; deleted or replaced in a later layer" : ""))
        b->bad = 1;
    else
        sg_sbom__jset(b, o, "comment", sg_sbom__jstr(t.data));
    if (p->cpe)
        sg_sbom__jpush(b, er, ext_ref(b, "SECURITY", "cpe23Type", p->cpe));
    if (p->purl)
        sg_sbom__jpush(b, er, ext_ref(b, "PACKAGE-MANAGER", "purl", p->purl));
    if (json_array_size(er))
        sg_sbom__jset(b, o, "externalRefs", er);
    else
        json_decref(er);
    sg_buf_release(&t);
    return o;
}

sg_err sg_sbom__write_spdx(struct sg_buf *out,
                           const struct sg_sbom *s,
                           const struct sg_sbom_write_opts *o)
{
    const struct sg_sbom_source *src = &s->source;
    struct sg_jb b = { 0 };
    json_t *doc = json_object(), *ci = json_object(), *cr = json_array();
    json_t *refs = json_object();
    json_t *root = json_object();
    struct sg_buf t = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf root_id = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char **ids = NULL, uuid[37], when[32];
    const char *name = src->name ? src->name : "image";
    sg_err rc;

    rc = sg_sbom__pkg_ids(&ids, s);
    if (!rc)
        rc = sg_sbom__doc_uuid(uuid, s, o, NULL);
    if (rc)
        goto done;
    sg_sbom__time(when, o->created);

    sg_sbom__jset(&b, doc, "dataLicense", json_string("CC0-1.0"));
    sg_sbom__jset(&b, doc, "SPDXID", json_string("SPDXRef-DOCUMENT"));
    sg_sbom__jset(&b, doc, "name", sg_sbom__jstr(name));
    if (sg_buf_addf(&t, "https://sigil.dev/spdx/%s/",
                    src->is_dir ? "dir" : "image") ||
        sg_spdx_idstring(&t, name) ||
        (src->digest && sg_buf_addf(&t, "/%s", src->digest)) ||
        sg_buf_addf(&t, "/%s", uuid)) {
        rc = sg_error_oom();
        goto done;
    }
    sg_sbom__jset(&b, doc, "documentNamespace", sg_sbom__jstr(t.data));
    sg_buf_reset(&t);
    sg_sbom__jset(&b, ci, "created", json_string(when));
    if (sg_buf_addf(&t, "Tool: sigil-%s",
                    o->tool_version ? o->tool_version : SG_VERSION)) {
        rc = sg_error_oom();
        goto done;
    }
    sg_sbom__jpush(&b, cr, json_string("Organization: sigil"));
    sg_sbom__jpush(&b, cr, sg_sbom__jstr(t.data));
    sg_buf_reset(&t);
    sg_sbom__jset(&b, ci, "creators", cr);
    cr = NULL;
    sg_sbom__jset(&b, doc, "creationInfo", ci);
    ci = NULL;
    if (s->distro.id) {
        if (sg_buf_addf(&t, "distro: %s %s", s->distro.id,
                        s->distro.version      ? s->distro.version
                        : s->distro.version_id ? s->distro.version_id
                                               : "")) {
            rc = sg_error_oom();
            goto done;
        }
        sg_sbom__jset(&b, doc, "comment", sg_sbom__jstr(t.data));
        sg_buf_reset(&t);
    }

    /* The root package. */
    if (sg_buf_addf(&root_id, "SPDXRef-DocumentRoot-%s-",
                    src->is_dir ? "Directory" : "Image") ||
        sg_spdx_idstring(&root_id, name)) {
        rc = sg_error_oom();
        goto done;
    }
    sg_sbom__jset(&b, root, "SPDXID", json_string(root_id.data));
    sg_sbom__jset(&b, root, "name", sg_sbom__jstr(name));
    if (src->digest)
        sg_sbom__jset(&b, root, "versionInfo", sg_sbom__jstr(src->digest));
    sg_sbom__jset(&b, root, "downloadLocation", json_string("NOASSERTION"));
    sg_sbom__jset(&b, root, "filesAnalyzed", json_false());
    sg_sbom__jset(&b, root, "supplier", json_string("NOASSERTION"));
    sg_sbom__jset(&b, root, "licenseConcluded", json_string("NOASSERTION"));
    sg_sbom__jset(&b, root, "licenseDeclared", json_string("NOASSERTION"));
    sg_sbom__jset(&b, root, "copyrightText", json_string("NOASSERTION"));
    sg_sbom__jset(&b, root, "primaryPackagePurpose",
                  json_string(src->is_dir ? "FILE" : "CONTAINER"));
    if (src->digest && strncmp(src->digest, "sha256:", 7) == 0) {
        json_t *cks = json_array(), *ck = json_object();
        sg_sbom__jset(&b, ck, "algorithm", json_string("SHA256"));
        sg_sbom__jset(&b, ck, "checksumValue", sg_sbom__jstr(src->digest + 7));
        sg_sbom__jpush(&b, cks, ck);
        sg_sbom__jset(&b, root, "checksums", cks);
    }
    rc = sg_sbom__root_purl(&t, s);
    if (rc)
        goto done;
    if (t.len) {
        json_t *er = json_array();
        sg_sbom__jpush(&b, er, ext_ref(&b, "PACKAGE-MANAGER", "purl", t.data));
        sg_sbom__jset(&b, root, "externalRefs", er);
    }
    sg_buf_reset(&t);
    /* Licences first: hasExtractedLicensingInfos sorts before packages. */
    for (size_t i = 0; i < s->n_pkgs; i++)
        if (s->pkgs[i].license && s->pkgs[i].license[0])
            free(declared(&b, &s->pkgs[i], refs));
    if (json_object_size(refs)) {
        json_t *ex = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(refs, k, v)
        {
            json_t *e = json_object();
            sg_sbom__jset(&b, e, "licenseId", json_string(k));
            sg_sbom__jset(&b, e, "name",
                          json_string(k + strlen("LicenseRef-")));
            sg_sbom__jset(&b, e, "extractedText", json_incref(v));
            sg_sbom__jpush(&b, ex, e);
        }
        sg_sbom__jset(&b, doc, "hasExtractedLicensingInfos", ex);
    }
    if (b.bad) {
        rc = sg_error_oom();
        goto done;
    }
    /* The document is written member by member (keys in sorted order) so
     * that only one package's JSON tree exists at a time. */
    rc = sg_sbom__json_head(out, doc, 1);
    if (!rc)
        rc = sg_buf_adds(out, ",\n  \"packages\": [\n");
    if (!rc)
        rc = sg_sbom__json_put(out, root, 4);
    json_decref(root);
    root = NULL;
    for (size_t i = 0; i < s->n_pkgs && !rc; i++) {
        json_t *pj;
        sg_buf_reset(&t);
        if (sg_buf_adds(&t, "SPDXRef-Package-") || sg_buf_adds(&t, ids[i])) {
            rc = sg_error_oom();
            break;
        }
        pj = package(&b, &s->pkgs[i], t.data, refs);
        rc = sg_sbom__json_elem(out, &b, ",\n", pj);
    }
    if (!rc)
        rc = sg_buf_adds(out, "\n  ],\n  \"relationships\": [\n");
    if (!rc) {
        json_t *r0 = rel(&b, "SPDXRef-DOCUMENT", "DESCRIBES", root_id.data);
        rc = sg_sbom__json_elem(out, &b, "", r0);
    }
    for (size_t i = 0; i < s->n_rels && !rc; i++) {
        const struct sg_rel *r = &s->rels[i];
        struct sg_buf f = SG_BUF_INIT(SG_BUF_NOLIMIT);
        json_t *rj;
        if (r->to >= s->n_pkgs || (r->from != SIZE_MAX && r->from >= s->n_pkgs))
            continue;
        sg_buf_reset(&t);
        if ((r->from == SIZE_MAX
                 ? sg_buf_adds(&f, root_id.data)
                 : sg_buf_addf(&f, "SPDXRef-Package-%s", ids[r->from])) ||
            sg_buf_addf(&t, "SPDXRef-Package-%s", ids[r->to])) {
            sg_buf_release(&f);
            rc = sg_error_oom();
            break;
        }
        rj =
            rel(&b, f.data,
                r->type == SG_REL_CONTAINS ? "CONTAINS" : "DEPENDS_ON", t.data);
        sg_buf_release(&f);
        rc = sg_sbom__json_elem(out, &b, ",\n", rj);
    }
    if (!rc)
        rc = sg_buf_adds(out, "\n  ],\n  \"spdxVersion\": \"SPDX-2.3\"\n}\n");
done:
    sg_strv_free_n(ids, ids ? s->n_pkgs : 0);
    sg_buf_release(&t);
    sg_buf_release(&root_id);
    json_decref(doc);
    json_decref(ci);
    json_decref(cr);
    json_decref(refs);
    json_decref(root);
    return rc;
}

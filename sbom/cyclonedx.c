/*
 * CycloneDX 1.6 JSON writer (cyclonedx.org/docs/1.6/json):
 * metadata.component is the image (type container), one library component
 * per package with bom-ref, purl, cpe, supplier, licenses and sigil:*
 * properties (layer diffID, database path, cataloger), an
 * operating-system component for the distro, and the dependencies graph
 * (every component has an entry; the image depends on every package).
 */
#include "sbom_core.h"
#include "sbom_writer.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static void prop(struct sg_jb *b, json_t *props, const char *k, const char *v)
{
    json_t *o;

    if (!v)
        return;
    o = json_object();
    sg_sbom__jset(b, o, "name", sg_sbom__jstr(k));
    sg_sbom__jset(b, o, "value", sg_sbom__jstr(v));
    sg_sbom__jpush(b, props, o);
}

static json_t *licenses(struct sg_jb *b, const char *raw)
{
    json_t *a = json_array(), *l = json_object(), *lic;
    char *expr = NULL;

    if (sg_spdx_expr_normalise(&expr, raw) != SG_OK)
        b->bad = 1;
    if (expr && sg_spdx_license_id(expr) &&
        strncmp(expr, "LicenseRef-", 11) != 0) {
        lic = json_object();
        sg_sbom__jset(b, lic, "id", json_string(sg_spdx_license_id(expr)));
        sg_sbom__jset(b, l, "license", lic);
    } else if (expr) {
        sg_sbom__jset(b, l, "expression", sg_sbom__jstr(expr));
    } else {
        lic = json_object();
        sg_sbom__jset(b, lic, "name", sg_sbom__jstr(raw));
        sg_sbom__jset(b, l, "license", lic);
    }
    free(expr);
    sg_sbom__jpush(b, a, l);
    return a;
}

static json_t *
component(struct sg_jb *b, const struct sg_pkg *p, const char *ref)
{
    json_t *c = json_object(), *props = json_array();
    struct sg_buf t = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char num[32];

    sg_sbom__jset(b, c, "type", json_string(sg_sbom__purpose_cdx(p)));
    sg_sbom__jset(b, c, "bom-ref", sg_sbom__jstr(ref));
    if (p->group && p->group[0]) /* Maven groupId */
        sg_sbom__jset(b, c, "group", sg_sbom__jstr(p->group));
    sg_sbom__jset(b, c, "name", sg_sbom__jstr(p->name));
    if (p->version)
        sg_sbom__jset(b, c, "version", sg_sbom__jstr(p->version));
    if (p->purl)
        sg_sbom__jset(b, c, "purl", sg_sbom__jstr(p->purl));
    if (p->cpe)
        sg_sbom__jset(b, c, "cpe", sg_sbom__jstr(p->cpe));
    if (p->description && p->description[0])
        sg_sbom__jset(b, c, "description", sg_sbom__jstr(p->description));
    if (p->supplier && p->supplier[0]) {
        json_t *s = json_object();
        const char *lt = strchr(p->supplier, '<');
        char *nm = sg_text_dup_trim(p->supplier, lt ? (size_t)(lt - p->supplier)
                                                    : strlen(p->supplier));
        sg_sbom__jset(b, s, "name", sg_sbom__jstr(nm ? nm : p->supplier));
        free(nm);
        sg_sbom__jset(b, c, "supplier", s);
    }
    if (p->license && p->license[0])
        sg_sbom__jset(b, c, "licenses", licenses(b, p->license));
    if (p->url && (strncmp(p->url, "http://", 7) == 0 ||
                   strncmp(p->url, "https://", 8) == 0)) {
        json_t *er = json_array(), *e = json_object();
        sg_sbom__jset(b, e, "type", json_string("website"));
        sg_sbom__jset(b, e, "url", sg_sbom__jstr(p->url));
        sg_sbom__jpush(b, er, e);
        sg_sbom__jset(b, c, "externalReferences", er);
    }
    prop(b, props, "sigil:package:type", sg_pkg_type_name(p->type));
    prop(b, props, "sigil:package:foundBy", p->found_by);
    prop(b, props, "sigil:location:layerID", p->layer_diff_id);
    if (p->db_path) {
        if (sg_buf_addf(&t, "%s%s", p->db_path[0] == '/' ? "" : "/",
                        p->db_path))
            b->bad = 1;
        prop(b, props, "sigil:location:path", t.data);
    }
    prop(b, props, "sigil:package:arch", p->arch);
    prop(b, props, "sigil:package:sourceName", p->source_name);
    prop(b, props, "sigil:package:sourceVersion", p->source_version);
    if (p->installed_size) {
        snprintf(num, sizeof(num), "%llu",
                 (unsigned long long)p->installed_size);
        prop(b, props, "sigil:package:installedSize", num);
    }
    if (p->deleted)
        prop(b, props, "sigil:package:deleted", "true");
    for (size_t i = 0; i < p->n_props; i++)
        prop(b, props, p->props[i].key, p->props[i].value);
    if (json_array_size(props))
        sg_sbom__jset(b, c, "properties", props);
    else
        json_decref(props);
    sg_buf_release(&t);
    return c;
}

sg_err sg_sbom__write_cyclonedx(struct sg_buf *out,
                                const struct sg_sbom *s,
                                const struct sg_sbom_write_opts *o)
{
    const struct sg_sbom_source *src = &s->source;
    struct sg_jb b = { 0 };
    json_t *doc = json_object(), *meta = json_object(), *tools, *tc;
    json_t *img = json_object();
    json_t **dep_lists = NULL;
    struct sg_buf t = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char **ids = NULL, uuid[37], when[32];
    const char *name = src->name ? src->name : "image";
    const char *root_ref =
        src->is_dir ? "sigil-root-directory" : "sigil-root-image";
    sg_err rc;

    rc = sg_sbom__pkg_ids(&ids, s);
    if (!rc)
        rc = sg_sbom__doc_uuid(uuid, s, o, "cyclonedx");
    if (rc)
        goto done;
    sg_sbom__time(when, o->created);

    sg_sbom__jset(&b, doc, "specVersion", json_string("1.6"));
    if (sg_buf_addf(&t, "urn:uuid:%s", uuid)) {
        rc = sg_error_oom();
        goto done;
    }
    sg_sbom__jset(&b, doc, "serialNumber", json_string(t.data));
    sg_buf_reset(&t);
    sg_sbom__jset(&b, doc, "version", json_integer(1));
    sg_sbom__jset(&b, meta, "timestamp", json_string(when));
    tools = json_object();
    tc = json_array();
    {
        json_t *tool = json_object();
        sg_sbom__jset(&b, tool, "type", json_string("application"));
        sg_sbom__jset(&b, tool, "name", json_string("sigil"));
        sg_sbom__jset(
            &b, tool, "version",
            json_string(o->tool_version ? o->tool_version : SG_VERSION));
        sg_sbom__jpush(&b, tc, tool);
    }
    sg_sbom__jset(&b, tools, "components", tc);
    sg_sbom__jset(&b, meta, "tools", tools);

    sg_sbom__jset(&b, img, "type",
                  json_string(src->is_dir ? "file" : "container"));
    sg_sbom__jset(&b, img, "bom-ref", json_string(root_ref));
    sg_sbom__jset(&b, img, "name", sg_sbom__jstr(name));
    if (src->digest) {
        json_t *hs = json_array(), *h = json_object();
        sg_sbom__jset(&b, img, "version", sg_sbom__jstr(src->digest));
        if (strncmp(src->digest, "sha256:", 7) == 0) {
            sg_sbom__jset(&b, h, "alg", json_string("SHA-256"));
            sg_sbom__jset(&b, h, "content", sg_sbom__jstr(src->digest + 7));
            sg_sbom__jpush(&b, hs, h);
            sg_sbom__jset(&b, img, "hashes", hs);
        } else {
            json_decref(h);
            json_decref(hs);
        }
    }
    rc = sg_sbom__root_purl(&t, s);
    if (rc)
        goto done;
    if (t.len)
        sg_sbom__jset(&b, img, "purl", sg_sbom__jstr(t.data));
    sg_buf_reset(&t);
    sg_sbom__jset(&b, meta, "component", img);
    img = NULL;
    sg_sbom__jset(&b, doc, "metadata", meta);
    meta = NULL;

    dep_lists = calloc(s->n_pkgs + 1, sizeof(*dep_lists));
    if (!dep_lists) {
        rc = sg_error_oom();
        goto done;
    }
    for (size_t i = 0; i < s->n_pkgs; i++)
        dep_lists[i] = json_array();
    dep_lists[s->n_pkgs] = json_array(); /* the image */
    for (size_t i = 0; i < s->n_rels; i++) {
        const struct sg_rel *r = &s->rels[i];
        size_t from = r->from == SIZE_MAX ? s->n_pkgs : r->from;
        if (r->to >= s->n_pkgs || from > s->n_pkgs)
            continue;
        sg_sbom__jpush(&b, dep_lists[from], json_string(ids[r->to]));
    }
    if (b.bad) {
        rc = sg_error_oom();
        goto done;
    }
    /* Written member by member in sorted key order (bomFormat,
     * components, dependencies, then metadata… from `doc`), so that only
     * one component's JSON tree exists at a time. */
    rc = sg_buf_adds(out,
                     "{\n  \"bomFormat\": \"CycloneDX\",\n  \"components\": [");
    for (size_t i = 0; i <= s->n_pkgs && !rc; i++) {
        json_t *cj;
        if (i < s->n_pkgs) {
            cj = component(&b, &s->pkgs[i], ids[i]);
        } else if (s->distro.id) {
            cj = json_object();
            sg_sbom__jset(&b, cj, "type", json_string("operating-system"));
            sg_sbom__jset(&b, cj, "bom-ref", json_string("sigil-os"));
            sg_sbom__jset(&b, cj, "name", sg_sbom__jstr(s->distro.id));
            if (s->distro.version || s->distro.version_id)
                sg_sbom__jset(&b, cj, "version",
                              sg_sbom__jstr(s->distro.version
                                                ? s->distro.version
                                                : s->distro.version_id));
            if (s->distro.pretty_name)
                sg_sbom__jset(&b, cj, "description",
                              sg_sbom__jstr(s->distro.pretty_name));
        } else {
            break;
        }
        rc = sg_sbom__json_elem(out, &b, i ? ",\n" : "\n", cj);
    }
    if (!rc)
        rc = sg_buf_adds(out, s->n_pkgs || s->distro.id ? "\n  ],\n" : "],\n");
    if (!rc)
        rc = sg_buf_adds(out, "  \"dependencies\": [\n");
    for (size_t i = 0; i <= s->n_pkgs && !rc; i++) {
        json_t *d = json_object();
        sg_sbom__jset(&b, d, "ref",
                      sg_sbom__jstr(i < s->n_pkgs ? ids[i] : root_ref));
        sg_sbom__jset(&b, d, "dependsOn", dep_lists[i]);
        dep_lists[i] = NULL;
        rc = sg_sbom__json_elem(out, &b, i ? ",\n" : "", d);
    }
    if (!rc)
        rc = sg_buf_adds(out, "\n  ],\n");
    if (!rc) {
        /* doc holds metadata, serialNumber, specVersion, version: append
         * its members without its opening brace. */
        struct sg_buf rest = SG_BUF_INIT(SG_BUF_NOLIMIT);
        rc = sg_sbom__json_head(&rest, doc, 0);
        if (!rc && rest.len > 2 && rest.data[0] == '{' && rest.data[1] == '\n')
            rc = sg_buf_add(out, rest.data + 2, rest.len - 2);
        else if (!rc)
            rc = sg_error_set(SG_EINTERNAL, "cyclonedx: unexpected JSON");
        sg_buf_release(&rest);
    }
    if (!rc)
        rc = sg_buf_addc(out, '\n');
done:
    if (dep_lists)
        for (size_t i = 0; i <= s->n_pkgs; i++)
            json_decref(dep_lists[i]);
    free(dep_lists);
    sg_strv_free_n(ids, ids ? s->n_pkgs : 0);
    sg_buf_release(&t);
    json_decref(doc);
    json_decref(meta);
    json_decref(img);
    return rc;
}

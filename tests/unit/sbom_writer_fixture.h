/* A small hand-built SBOM for the writer tests, and the checks they
 * share. Include after <cmocka.h> (the checks assert with it). */
#ifndef SBOM_WRITER_FIXTURE_H
#define SBOM_WRITER_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sigil/sbom.h"

#define WF_DIGEST \
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static inline char *wf_dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static inline struct sg_sbom *wf_build(void)
{
    struct sg_sbom *s = NULL;
    struct sg_pkg *p;

    if (sg_sbom_create(&s))
        abort();
    s->source.name = wf_dup("registry.example/team/app:1.0");
    s->source.digest = wf_dup(WF_DIGEST);
    s->source.repo_name = wf_dup("registry.example/team/app");
    s->source.tag = wf_dup("1.0");
    s->source.arch = wf_dup("amd64");
    s->distro.id = wf_dup("debian");
    s->distro.version_id = wf_dup("12");

    if (sg_sbom_add_pkg(s, &p))
        abort();
    p->type = SG_PKG_DEB;
    p->name = wf_dup("zlib1g");
    p->version = wf_dup("1:1.2.13.dfsg-1");
    p->arch = wf_dup("amd64");
    p->supplier = wf_dup("Mark Brown <broonie@debian.org>");
    p->license = wf_dup("Zlib AND LicenseRef-public-domain");
    p->layer_diff_id = wf_dup("sha256:l0");
    p->db_path = wf_dup("var/lib/dpkg/status");
    if (sg_sbom_add_pkg(s, &p))
        abort();
    p->type = SG_PKG_DEB;
    p->name = wf_dup("libc6");
    p->version = wf_dup("2.36-9+deb12u4");
    p->arch = wf_dup("amd64");
    p->license = wf_dup("gpl-2.0-or-later WITH gcc-exception-3.1");
    p->depends = calloc(1, sizeof(char *));
    p->depends[0] = wf_dup("missing|zlib1g");
    p->n_depends = 1;
    p->layer_diff_id = wf_dup("sha256:l0");
    p->db_path = wf_dup("var/lib/dpkg/status");
    if (sg_sbom_add_pkg(s, &p))
        abort();
    p->type = SG_PKG_RPM;
    p->name = wf_dup("bash");
    p->version = wf_dup("5.1.8-6.el9");
    p->arch = wf_dup("x86_64");
    p->supplier = wf_dup("Red Hat, Inc.");
    p->license = wf_dup("GPLv2+");
    p->description = wf_dup("The GNU Bourne Again shell \xff");
    p->url = wf_dup("https://www.gnu.org/software/bash");
    if (sg_sbom_finish(s))
        abort();
    return s;
}

/* o[k] as a C string; NULL when absent or not a string. */
static inline const char *wf_sget(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The element of doc[array] whose "name" is name, or NULL. */
static inline json_t *wf_named(json_t *doc, const char *array, const char *name)
{
    size_t i;
    json_t *p;

    json_array_foreach(json_object_get(doc, array), i, p)
    {
        if (strcmp(wf_sget(p, "name"), name) == 0)
            return p;
    }
    return NULL;
}

/* Write s as fmt into out, check that a second write gives the same
 * bytes, and return the parsed document (json_decref it). */
static inline json_t *wf_write_doc(struct sg_buf *out,
                                   const struct sg_sbom *s,
                                   enum sg_sbom_format fmt,
                                   const struct sg_sbom_write_opts *o)
{
    struct sg_buf again = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_error_t je;
    json_t *doc;

    assert_int_equal(sg_sbom_write(out, s, fmt, o), SG_OK);
    assert_int_equal(sg_sbom_write(&again, s, fmt, o), SG_OK);
    assert_string_equal(out->data, again.data); /* deterministic */
    sg_buf_release(&again);
    doc = json_loads(out->data, 0, &je);
    assert_non_null(doc);
    return doc;
}

/* tests/schema_validate.py accepts doc under every schema named in the
 * NULL-terminated list. */
static inline void wf_schema_check(const struct sg_buf *doc,
                                   const char *const *schemas)
{
    char path[] = "/tmp/sigil-wf-XXXXXX", cmd[8192];
    int fd = mkstemp(path);
    const char *src = getenv("SG_SOURCE_DIR");
    size_t n = 0;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, doc->data, doc->len), (ssize_t)doc->len);
    close(fd);
    for (size_t i = 0; schemas[i]; i++) {
        int w = snprintf(cmd + n, sizeof(cmd) - n,
                         "%s/usr/bin/python3 %s/tests/schema_validate.py %s %s",
                         i ? " && " : "", src ? src : ".", schemas[i], path);
        assert_true(w > 0 && (size_t)w < sizeof(cmd) - n);
        n += (size_t)w;
    }
    assert_int_equal(system(cmd), 0);
    unlink(path);
}

#endif

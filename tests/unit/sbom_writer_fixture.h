/* A small hand-built SBOM for the writer tests. */
#ifndef SBOM_WRITER_FIXTURE_H
#define SBOM_WRITER_FIXTURE_H

#include <stdlib.h>
#include <string.h>

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

#endif

/* dpkg status / status.d parser and DEP-5 copyright licences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbom/sbom_int.h"
#include "sbom_test_util.h"

static void dpkg__status_exact(void **state)
{
    struct sg_sbom *s = NULL;
    struct sg_buf b;
    const struct sg_pkg *p;

    (void)state;
    sbom_test_capture();
    sbom_test_fixture(&b, "dpkg-status");
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__dpkg_parse(s, b.data, b.len, 1,
                                         "var/lib/dpkg/status", "sha256:l0",
                                         sbom_test_sg()),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 2);

    p = &s->pkgs[0];
    assert_int_equal(p->type, SG_PKG_DEB);
    assert_string_equal(p->name, "libc6");
    assert_string_equal(p->version, "2.36-9+deb12u4");
    assert_string_equal(p->arch, "amd64");
    assert_string_equal(p->source_name, "glibc");
    assert_string_equal(p->source_version, "2.36-9+deb12u4");
    assert_string_equal(p->supplier,
                        "GNU Libc Maintainers <debian-glibc@lists.debian.org>");
    assert_true(p->installed_size == 12986u * 1024u);
    assert_string_equal(p->description, "GNU C Library: Shared libraries");
    assert_string_equal(p->url, "https://www.gnu.org/software/libc/libc.html");
    assert_int_equal(p->n_depends, 1);
    assert_string_equal(p->depends[0], "libgcc-s1");
    assert_string_equal(p->db_path, "var/lib/dpkg/status");
    assert_string_equal(p->layer_diff_id, "sha256:l0");
    assert_string_equal(p->found_by, "dpkg-db-cataloger");

    p = &s->pkgs[1];
    assert_string_equal(p->name, "held");
    assert_string_equal(p->version, "1:2.4.47-2+b1"); /* epoch kept */
    assert_null(p->source_name);
    assert_int_equal(p->n_depends, 5);
    assert_string_equal(p->depends[0], "libc6");
    assert_string_equal(p->depends[1], "foo");
    assert_string_equal(p->depends[2], "awk|mawk");
    assert_string_equal(p->depends[3], "base-files");
    assert_string_equal(p->depends[4], "tzdata");
    assert_int_equal(p->n_provides, 2);
    assert_string_equal(p->provides[0], "x-provider");
    assert_string_equal(p->provides[1], "y");

    assert_string_equal(
        sbom_test_log,
        "var/lib/dpkg/status: stanza 5 (line 41): no Package field, skipped\n"
        "var/lib/dpkg/status: stanza 6 (line 44, package dup): duplicate "
        "field, skipped\n"
        "var/lib/dpkg/status: stanza 7 (line 49, package nostatus): no "
        "Status field, skipped\n");
    sg_sbom_free(s);
    sg_buf_release(&b);
}

static void dpkg__status_d_without_status(void **state)
{
    static const char doc[] = "Package: tzdata\nVersion: 2024a-0+deb12u1\n"
                              "Architecture: all\nSource: tzdata\n";
    struct sg_sbom *s = NULL;

    (void)state;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__dpkg_parse(s, doc, sizeof(doc) - 1, 0,
                                         "var/lib/dpkg/status.d/tzdata", NULL,
                                         sbom_test_sg()),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 1);
    assert_string_equal(s->pkgs[0].name, "tzdata");
    assert_string_equal(s->pkgs[0].source_name, "tzdata");
    assert_null(s->pkgs[0].source_version);
    /* The same stanza with require_status: skipped. */
    assert_int_equal(sg_sbom__dpkg_parse(s, doc, sizeof(doc) - 1, 1, NULL, NULL,
                                         sbom_test_sg()),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 1);
    sg_sbom_free(s);
}

static void dpkg__garbage_never_fails(void **state)
{
    static const char doc[] = "\n\n \n:\nPackage\n Version: 1\n\0\xff";
    struct sg_sbom *s = NULL;

    (void)state;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(
        sg_sbom__dpkg_parse(s, doc, sizeof(doc), 1, NULL, NULL, sbom_test_sg()),
        SG_OK);
    assert_int_equal(s->n_pkgs, 0);
    sg_sbom_free(s);
}

static void copyright__dep5_to_spdx(void **state)
{
    struct sg_buf b;
    char *lic = NULL;

    (void)state;
    sbom_test_fixture(&b, "copyright-dep5");
    assert_int_equal(sg_sbom__dpkg_copyright_license(&lic, b.data, b.len),
                     SG_OK);
    assert_string_equal(lic, "Artistic-1.0 AND GPL-2.0-or-later AND "
                             "LicenseRef-Some-Weird-License AND "
                             "LicenseRef-public-domain AND MIT");
    free(lic);
    lic = NULL;
    assert_int_equal(sg_sbom__dpkg_copyright_license(&lic, "free text\n", 10),
                     SG_OK);
    assert_null(lic);
    assert_int_equal(sg_sbom__dpkg_copyright_license(
                         &lic, "License: LGPL-2.1+ with X exception\n", 36),
                     SG_OK);
    assert_string_equal(lic, "LGPL-2.1-or-later");
    free(lic);
    sg_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dpkg__status_exact),
        cmocka_unit_test(dpkg__status_d_without_status),
        cmocka_unit_test(dpkg__garbage_never_fails),
        cmocka_unit_test(copyright__dep5_to_spdx),
    };
    return cmocka_run_group_tests_name("sbom_dpkg", tests, NULL, NULL);
}

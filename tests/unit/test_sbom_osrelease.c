/* os-release quoting and the point-release files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbom/sbom_core.h"
#include "sbom_test_util.h"

static void osrelease__quotes_and_escapes(void **state)
{
    struct sg_sbom *s = NULL;
    struct sg_buf b;

    (void)state;
    sbom_test_capture();
    sbom_test_fixture(&b, "os-release");
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(
        sg_sbom__os_release_parse(&s->distro, b.data, b.len, sbom_test_sg()),
        SG_OK);
    assert_string_equal(s->distro.id, "debian");
    assert_string_equal(s->distro.version_id, "12");
    assert_string_equal(s->distro.pretty_name,
                        "Debian GNU/Linux 12 (bookworm)");
    assert_string_equal(s->distro.name, "Debian GNU/Linux");
    assert_string_equal(s->distro.id_like, "rhel \"fedora\" \\x");
    assert_string_equal(s->distro.version_codename, "bookworm");
    assert_string_equal(sbom_test_log,
                        "os-release: line 8: bad quoting, ignored\n");
    assert_null(s->distro.version);
    assert_int_equal(
        sg_sbom__distro_point_release(&s->distro, "trixie/sid\n", 11), SG_OK);
    assert_null(s->distro.version);
    assert_int_equal(sg_sbom__distro_point_release(&s->distro, "12.7\n", 5),
                     SG_OK);
    assert_string_equal(s->distro.version, "12.7");
    sg_sbom_free(s);
    sg_buf_release(&b);
}

static void osrelease__first_file_wins(void **state)
{
    struct sg_distro d;

    (void)state;
    memset(&d, 0, sizeof(d));
    assert_int_equal(sg_sbom__os_release_parse(&d,
                                               "ID=alpine\nVERSION_ID=3.19.1\n",
                                               29, sbom_test_sg()),
                     SG_OK);
    assert_int_equal(sg_sbom__os_release_parse(&d, "ID=debian\nBUILD_ID=x\n",
                                               21, sbom_test_sg()),
                     SG_OK);
    assert_string_equal(d.id, "alpine");
    assert_string_equal(d.version_id, "3.19.1");
    free(d.id);
    free(d.version_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(osrelease__quotes_and_escapes),
        cmocka_unit_test(osrelease__first_file_wins),
    };
    return cmocka_run_group_tests_name("sbom_osrelease", tests, NULL, NULL);
}

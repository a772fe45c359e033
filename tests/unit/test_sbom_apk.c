/* apk installed database parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbom/sbom_int.h"
#include "sbom_test_util.h"

static void apk__installed_exact(void **state)
{
    struct sg_sbom *s = NULL;
    struct sg_buf b;
    const struct sg_pkg *p;

    (void)state;
    sbom_test_capture();
    sbom_test_fixture(&b, "apk-installed");
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__apk_parse(s, b.data, b.len,
                                        "lib/apk/db/installed", "sha256:l1",
                                        sbom_test_sg()),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 2);
    p = &s->pkgs[0];
    assert_int_equal(p->type, SG_PKG_APK);
    assert_string_equal(p->name, "musl");
    assert_string_equal(p->version, "1.2.4-r2");
    assert_string_equal(p->arch, "x86_64");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->source_name, "musl");
    assert_string_equal(p->supplier, "Timo Teräs <timo.teras@iki.fi>");
    assert_string_equal(p->url, "https://musl.libc.org/");
    assert_string_equal(p->description,
                        "the musl c library (libc) implementation");
    assert_true(p->installed_size == 622592);
    assert_int_equal(p->n_depends, 2);
    assert_string_equal(p->depends[0], "so:libc.musl-x86_64.so.1");
    assert_string_equal(p->depends[1], "busybox");
    assert_int_equal(p->n_provides, 2);
    assert_string_equal(p->provides[0], "so:libc.musl-x86_64.so.1");
    assert_string_equal(p->provides[1], "cmd:getent");
    assert_int_equal(p->n_props, 2);
    assert_string_equal(p->props[0].key, "apk:buildTime");
    assert_string_equal(p->props[0].value, "1698846565");
    assert_string_equal(p->props[1].value,
                        "c7ab3a7c1b3a9e8fc2e3f5b2d8c0a3a5f00e2d3c");
    assert_string_equal(p->layer_diff_id, "sha256:l1");

    p = &s->pkgs[1];
    assert_string_equal(p->name, "busybox");
    assert_string_equal(p->version, "1.36.1-r15");
    assert_string_equal(p->description,
                        "Size optimized toolbox of many common UNIX utilities");
    assert_int_equal(p->n_depends, 1);
    assert_string_equal(
        sbom_test_log,
        "lib/apk/db/installed: block 3 (line 33, package bad): line is not "
        "\"X:value\", skipped\n"
        "lib/apk/db/installed: block 4 (line 37): no P: (name) field, "
        "skipped\n");
    sg_sbom_free(s);
    sg_buf_release(&b);
}

static void apk__no_trailing_newline_and_crlf(void **state)
{
    static const char doc[] = "P:a\r\nV:1-r0\r\n\r\nP:b\nV:2-r0";
    struct sg_sbom *s = NULL;

    (void)state;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(
        sg_sbom__apk_parse(s, doc, sizeof(doc) - 1, NULL, NULL, sbom_test_sg()),
        SG_OK);
    assert_int_equal(s->n_pkgs, 2);
    assert_string_equal(s->pkgs[0].version, "1-r0");
    assert_string_equal(s->pkgs[1].name, "b");
    sg_sbom_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apk__installed_exact),
        cmocka_unit_test(apk__no_trailing_newline_and_crlf),
    };
    return cmocka_run_group_tests_name("sbom_apk", tests, NULL, NULL);
}

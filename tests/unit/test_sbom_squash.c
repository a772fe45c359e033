/* The squash: whiteouts, opaque directories (hiding only lower layers),
 * replacement of a parent by a file, symlink resolution clamped to the
 * root, layer credit along unchanged records, all-layers scope, and path
 * normalisation. Views are built by hand, as the scanner would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbom/sbom_core.h"
#include "sbom/text.h"
#include "sbom_test_util.h"
#include "sbom_view_util.h"

static char l0[] = "sha256:l0", l1[] = "sha256:l1", l2[] = "sha256:l2";
static char *const diff_ids[] = { l0, l1, l2 };

static void link_(struct sg_layer_view *v, const char *path, const char *t)
{
    assert_int_equal(sg_layer_view_keep(v, path, SG_KEPT_SYMLINK, NULL, 0, t),
                     SG_OK);
    assert_int_equal(sg_layer_view_nondir(v, path), SG_OK);
}

#define ST(n, v) \
    "Package: " n "\nStatus: install ok installed\nVersion: " v "\n\n"

static const char *pkgs(const struct sg_sbom *s)
{
    static char out[1024];

    out[0] = '\0';
    for (size_t i = 0; i < s->n_pkgs; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s %s %s%s;",
                 s->pkgs[i].name, s->pkgs[i].version,
                 s->pkgs[i].layer_diff_id ? s->pkgs[i].layer_diff_id : "-",
                 s->pkgs[i].deleted ? " deleted" : "");
    return out;
}

static void squash__replace_credits_unchanged_records(void **state)
{
    struct sg_layer_view v[3];
    struct sg_sbom *s;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], "var/lib/dpkg/status", ST("a", "1") ST("b", "1"));
    sbom_view_keep(&v[1], "var/lib/dpkg/status", ST("a", "1") ST("b", "2"));
    sbom_view_keep(&v[2], "var/lib/dpkg/status",
                   ST("a", "1") ST("b", "2") ST("c", "3"));
    s = sbom_view_squash(v, 3, diff_ids, SG_SBOM_SQUASHED);
    assert_string_equal(pkgs(s), "a 1 sha256:l0;b 2 sha256:l1;c 3 sha256:l2;");
    sg_sbom_free(s);

    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], "var/lib/dpkg/status", ST("a", "1") ST("b", "1"));
    sbom_view_keep(&v[1], "var/lib/dpkg/status", ST("a", "1") ST("b", "2"));
    sbom_view_keep(&v[2], "var/lib/dpkg/status",
                   ST("a", "1") ST("b", "2") ST("c", "3"));
    s = sbom_view_squash(v, 3, diff_ids, SG_SBOM_ALL_LAYERS);
    assert_string_equal(pkgs(s), "a 1 sha256:l0;b 1 sha256:l0 deleted;"
                                 "b 2 sha256:l1;c 3 sha256:l2;");
    sg_sbom_free(s);
}

static void squash__whiteout_then_readd_breaks_the_chain(void **state)
{
    struct sg_layer_view v[3];
    struct sg_sbom *s;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], "var/lib/dpkg/status", ST("a", "1"));
    sbom_view_push(&v[1].whiteouts, &v[1].n_whiteouts, "var/lib/dpkg");
    sbom_view_keep(&v[2], "var/lib/dpkg/status", ST("a", "1"));
    s = sbom_view_squash(v, 3, diff_ids, SG_SBOM_SQUASHED);
    assert_string_equal(pkgs(s), "a 1 sha256:l2;");
    sg_sbom_free(s);
}

static void squash__opaque_hides_only_lower_layers(void **state)
{
    struct sg_layer_view v[2];
    struct sg_sbom *s;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], "var/lib/dpkg/status", ST("a", "1"));
    sbom_view_keep(&v[0], "var/lib/dpkg/status.d/x",
                   "Package: x\nVersion: 9\n");
    sbom_view_keep(&v[1], "var/lib/dpkg/status.d/y",
                   "Package: y\nVersion: 8\n");
    sbom_view_push(&v[1].opaque, &v[1].n_opaque, "var/lib/dpkg");
    s = sbom_view_squash(v, 2, diff_ids, SG_SBOM_SQUASHED);
    assert_string_equal(pkgs(s), "y 8 sha256:l1;");
    sg_sbom_free(s);
}

static void squash__parent_replaced_by_a_file(void **state)
{
    struct sg_layer_view v[2];
    struct sg_sbom *s;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], "lib/apk/db/installed", "P:a\nV:1-r0\n");
    assert_int_equal(sg_layer_view_nondir(&v[1], "lib/apk"), SG_OK);
    s = sbom_view_squash(v, 2, diff_ids, SG_SBOM_SQUASHED);
    assert_string_equal(pkgs(s), "");
    sg_sbom_free(s);
}

static void squash__symlinks_resolve_inside_the_image(void **state)
{
    struct sg_layer_view v[2];
    struct sg_sbom *s;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], "usr/lib/os-release", "ID=debian\nVERSION_ID=12\n");
    link_(&v[0], "etc/os-release", "../../../../usr/lib/os-release");
    sbom_view_keep(&v[0], "etc/debian_version", "12.1\n");
    /* a later layer points debian_version elsewhere: absolute, clamped */
    link_(&v[1], "etc/debian_version", "/../../etc/dv");
    sbom_view_keep(&v[1], "etc/dv", "12.9\n");
    s = sbom_view_squash(v, 2, diff_ids, SG_SBOM_SQUASHED);
    assert_string_equal(s->distro.id, "debian");
    assert_string_equal(s->distro.version_id, "12");
    assert_string_equal(s->distro.version, "12.9");
    sg_sbom_free(s);
}

static void squash__symlink_loop_is_not_followed_forever(void **state)
{
    struct sg_layer_view v[1];
    struct sg_sbom *s;

    (void)state;
    memset(v, 0, sizeof(v));
    link_(&v[0], "etc/os-release", "os-release");
    link_(&v[0], "usr/lib/os-release", "../../usr/lib/os-release");
    s = sbom_view_squash(v, 1, diff_ids, SG_SBOM_SQUASHED);
    assert_null(s->distro.id);
    sg_sbom_free(s);
}

static void path__normalise(void **state)
{
    static const char *const cases[][2] = {
        { "./a//b/../c/", "a/c" },
        { "/etc/os-release", "etc/os-release" },
        { "../../x", "x" },
        { "a/./b/.", "a/b" },
        { "..", NULL },
        { "./", NULL },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = NULL;
        assert_int_equal(sg_path_normalise(&out, cases[i][0]), SG_OK);
        if (cases[i][1])
            assert_string_equal(out, cases[i][1]);
        else
            assert_null(out);
        free(out);
    }
    assert_true(sg_path_claimed("var/lib/dpkg/status.d/foo"));
    assert_false(sg_path_claimed("var/lib/dpkg/status.d/foo/bar"));
    assert_true(sg_path_claimed("usr/share/doc/bash/copyright"));
    assert_false(sg_path_claimed("usr/share/doc/bash/x/copyright"));
    assert_true(sg_path_claimed("usr/lib/sysimage/rpm/rpmdb.sqlite"));
    assert_true(sg_path_claimed("src/app/go.mod"));
    assert_false(sg_path_claimed("usr/bin/bash"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(squash__replace_credits_unchanged_records),
        cmocka_unit_test(squash__whiteout_then_readd_breaks_the_chain),
        cmocka_unit_test(squash__opaque_hides_only_lower_layers),
        cmocka_unit_test(squash__parent_replaced_by_a_file),
        cmocka_unit_test(squash__symlinks_resolve_inside_the_image),
        cmocka_unit_test(squash__symlink_loop_is_not_followed_forever),
        cmocka_unit_test(path__normalise),
    };
    return cmocka_run_group_tests_name("sbom_squash", tests, NULL, NULL);
}

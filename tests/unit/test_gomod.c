/*
 * go.mod / go.sum parser (sbom/gomod.c): directives, blocks, comments,
 * quoting, replacements (module and directory), exclude, go.sum sums.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

static const struct sg_pkg *find(const struct sg_sbom *s, const char *name)
{
    for (size_t i = 0; i < s->n_pkgs; i++)
        if (strcmp(s->pkgs[i].name, name) == 0)
            return &s->pkgs[i];
    return NULL;
}

static const char *prop(const struct sg_pkg *p, const char *k)
{
    for (size_t i = 0; i < p->n_props; i++)
        if (strcmp(p->props[i].key, k) == 0)
            return p->props[i].value;
    return NULL;
}

static const char gomod[] =
    "// a comment line\n"
    "module \"example.com/top\" // quoted\n"
    "\n"
    "go 1.21\n"
    "toolchain go1.21.3\n"
    "\n"
    "require example.com/single v1.0.0\n"
    "require (\n"
    "\tgithub.com/a/b v1.2.3 // indirect\n"
    "\tgithub.com/c/d v0.0.0-20230102150405-abcdef123456\n"
    "\t`example.com/raw` v2.0.0+incompatible // indirect; comment\n"
    "\texample.com/old v1.0.0\n"
    "\texample.com/anyver v1.1.0\n"
    "\texample.com/dir v0.0.0-00010101000000-000000000000\n"
    "\texample.com/excluded v0.5.0\n"
    ")\n"
    "\n"
    "replace example.com/old v1.0.0 => example.com/new v1.4.0\n"
    "replace (\n"
    "\texample.com/anyver => example.com/fork v1.1.1\n"
    "\texample.com/dir => ../dir // local\n"
    ")\n"
    "exclude example.com/excluded v0.5.0\n"
    "retract v0.9.0\n"
    "godebug default=go1.21\n";

static const char gosum[] = "github.com/a/b v1.2.3 h1:AAAA=\n"
                            "github.com/a/b v1.2.3/go.mod h1:GOMOD=\n"
                            "example.com/new v1.4.0 h1:NEW=\n"
                            "example.com/old v1.0.0 h1:OLD=\n"
                            "example.com/unlisted v9.9.9 h1:X=\n";

static void test_directives(void **state)
{
    struct sg_sbom *s;
    const struct sg_pkg *p;
    (void)state;

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__gomod_parse(s, gomod, sizeof(gomod) - 1, gosum,
                                          sizeof(gosum) - 1, "/src/go.mod",
                                          NULL),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 7);

    p = find(s, "example.com/single");
    assert_string_equal(p->version, "v1.0.0");
    assert_null(p->checksum);
    assert_null(prop(p, "go.indirect"));
    assert_string_equal(prop(p, "go.module"), "example.com/top");
    assert_string_equal(prop(p, "go.directive"), "1.21");
    assert_string_equal(prop(p, "go.toolchain"), "go1.21.3");
    assert_string_equal(p->found_by, "go-module-file-cataloger");
    assert_string_equal(p->db_path, "/src/go.mod");

    p = find(s, "github.com/a/b");
    assert_string_equal(p->version, "v1.2.3");
    assert_string_equal(p->checksum, "h1:AAAA=");
    assert_string_equal(prop(p, "go.indirect"), "true");

    p = find(s, "github.com/c/d");
    assert_string_equal(p->version, "v0.0.0-20230102150405-abcdef123456");
    assert_null(prop(p, "go.indirect"));

    p = find(s, "example.com/raw");
    assert_string_equal(p->version, "v2.0.0+incompatible");
    assert_string_equal(prop(p, "go.indirect"), "true");

    assert_null(find(s, "example.com/old"));
    p = find(s, "example.com/new");
    assert_string_equal(p->version, "v1.4.0");
    assert_string_equal(p->checksum, "h1:NEW=");
    assert_string_equal(prop(p, "go.replaces"), "example.com/old@v1.0.0");

    p = find(s, "example.com/fork");
    assert_string_equal(p->version, "v1.1.1");

    p = find(s, "example.com/dir");
    assert_string_equal(p->version, "v0.0.0-00010101000000-000000000000");
    assert_string_equal(prop(p, "go.replace.path"), "../dir");

    assert_null(find(s, "example.com/excluded"));
    assert_null(find(s, "example.com/unlisted"));
    sg_sbom_free(s);
}

/* The real go.mod of the Go fixture program. */
static void test_fixture_gomod(void **state)
{
    char path[1024];
    struct sg_buf b = SG_BUF_INIT(1 << 20);
    struct sg_sbom *s;
    const char *src = getenv("SG_SOURCE_DIR");
    (void)state;

    snprintf(path, sizeof(path), "%s/testdata/go/app1/go.mod", src ? src : ".");
    assert_int_equal(sg_file_read(&b, path, 1 << 20), SG_OK);
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(
        sg_sbom__gomod_parse(s, b.data, b.len, NULL, 0, path, "sha256:l"),
        SG_OK);
    assert_int_equal(s->n_pkgs, 5);
    assert_string_equal(find(s, "example.com/newer")->version, "v1.4.0");
    assert_string_equal(prop(find(s, "example.com/indirectdep"), "go.indirect"),
                        "true");
    assert_string_equal(prop(find(s, "example.com/local"), "go.replace.path"),
                        "./local");
    assert_string_equal(find(s, "example.com/greet")->layer_diff_id,
                        "sha256:l");
    sg_sbom_free(s);
    sg_buf_release(&b);
}

static void test_errors(void **state)
{
    static const char *bad[] = {
        "require (\n a v1\n",      /* unterminated block */
        "require a\n",             /* missing version */
        "module \"unterminated\n", /* quote */
        "replace a v1 b v2\n",     /* no arrow */
        "replace a => \n",         /* no target */
    };
    struct sg_sbom *s;
    (void)state;

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sg_sbom__gomod_parse(s, bad[i], strlen(bad[i]), NULL,
                                              0, "go.mod", NULL),
                         SG_EPARSE);
        assert_non_null(strstr(sg_error_last(), "go.mod"));
        assert_int_equal(s->n_pkgs, 0);
    }
    /* the message names the directive and its line */
    assert_int_equal(sg_sbom__gomod_parse(s, "module m\nexclude a\n", 19, NULL,
                                          0, "go.mod", NULL),
                     SG_EPARSE);
    assert_non_null(
        strstr(sg_error_last(), "line 2: exclude needs a path and a version"));
    assert_int_equal(
        sg_sbom__gomod_parse(s, "require a b c\n", 14, NULL, 0, "go.mod", NULL),
        SG_EPARSE);
    assert_non_null(
        strstr(sg_error_last(), "line 1: require needs a path and a version"));
    /* empty file: nothing, no error */
    assert_int_equal(sg_sbom__gomod_parse(s, "", 0, NULL, 0, NULL, NULL),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 0);
    sg_sbom_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directives),
        cmocka_unit_test(test_fixture_gomod),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

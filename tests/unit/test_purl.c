/* purl parser/serialiser against every case of the official purl test
 * suite (testdata/spec/purl-tests/ *-test.json), then the package
 * purl and CPE builders on hand-made packages with exact strings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sbom/sbom_int.h"
#include "sbom/sbom_purl.h"

static const char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Components from a test's "input"/"expected_output" object; quals
 * borrowed from the JSON. */
static void from_json(struct sg_purl *p,
                      struct sg_purl_qual *q,
                      size_t cap,
                      const json_t *o)
{
    const json_t *quals = json_object_get(o, "qualifiers");
    const char *k;
    json_t *v;

    memset(p, 0, sizeof(*p));
    p->type = jstr(o, "type");
    p->ns = jstr(o, "namespace");
    p->name = jstr(o, "name");
    p->version = jstr(o, "version");
    p->subpath = jstr(o, "subpath");
    p->quals = q;
    json_object_foreach((json_t *)(uintptr_t)quals, k, v)
    {
        assert_true(p->n_quals < cap);
        q[p->n_quals].key = k;
        q[p->n_quals].value = json_string_value(v);
        p->n_quals++;
    }
}

static int same_components(const struct sg_purl *got, const json_t *exp)
{
    const json_t *quals = json_object_get(exp, "qualifiers");
    size_t n = json_is_object(quals) ? json_object_size(quals) : 0;

    if (!streq(got->type, jstr(exp, "type")) ||
        !streq(got->ns, jstr(exp, "namespace")) ||
        !streq(got->name, jstr(exp, "name")) ||
        !streq(got->version, jstr(exp, "version")) ||
        !streq(got->subpath, jstr(exp, "subpath")) || got->n_quals != n)
        return 0;
    for (size_t i = 0; i < got->n_quals; i++)
        if (!streq(got->quals[i].value, jstr(quals, got->quals[i].key)))
            return 0;
    return 1;
}

/* Runs one case; returns 1 when it behaves as the suite expects and
 * prints the case otherwise. */
static int run_case(const char *file, size_t idx, const json_t *t)
{
    const char *type = jstr(t, "test_type");
    const char *group = jstr(t, "test_group");
    const json_t *in = json_object_get(t, "input");
    const json_t *exp = json_object_get(t, "expected_output");
    int fail = json_is_true(json_object_get(t, "expected_failure"));
    unsigned flags = streq(group, "recommended") ? 0 : SG_PURL_STRICT;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_purl p;
    struct sg_purl_qual q[32];
    sg_err rc;
    int ok = 0;

    memset(&p, 0, sizeof(p));
    if (streq(type, "parse")) {
        rc = sg_sbom__purl_parse(&p, json_string_value(in), flags);
        ok = fail ? rc != SG_OK : (rc == SG_OK && same_components(&p, exp));
        sg_sbom__purl_release(&p);
    } else if (streq(type, "validate") || streq(type, "roundtrip")) {
        rc = sg_sbom__purl_parse(&p, json_string_value(in), flags);
        if (!rc)
            rc = sg_sbom__purl_build(&b, &p);
        ok = fail ? rc != SG_OK
                  : (rc == SG_OK && streq(b.data, json_string_value(exp)));
        sg_sbom__purl_release(&p);
    } else if (streq(type, "build")) {
        from_json(&p, q, 32, in);
        rc = sg_sbom__purl_build(&b, &p);
        ok = fail ? rc != SG_OK
                  : (rc == SG_OK && streq(b.data, json_string_value(exp)));
    } else {
        rc = SG_OK;
        print_error("%s[%zu]: unknown test_type %s\n", file, idx,
                    type ? type : "?");
    }
    if (!ok)
        print_error("%s[%zu] %s (%s): input %s -> rc=%s out=\"%s\" (%s)\n",
                    file, idx, type, group,
                    json_is_string(in) ? json_string_value(in) : "{...}",
                    sg_err_name(rc), b.data, sg_error_last());
    sg_buf_release(&b);
    sg_error_clear();
    return ok;
}

static void purl__official_test_suite(void **state)
{
    char dir[4096], path[4096 + 512];
    struct dirent *de;
    DIR *d;
    size_t n_files = 0, n_cases = 0, n_bad = 0;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/spec/purl-tests", SG_TESTDATA_DIR);
    d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        json_error_t jerr;
        json_t *root, *tests;

        if (nl < 10 || strcmp(de->d_name + nl - 10, "-test.json") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        root = json_load_file(path, 0, &jerr);
        if (!root)
            fail_msg("%s: %s", path, jerr.text);
        tests = json_object_get(root, "tests");
        assert_true(json_is_array(tests));
        for (size_t i = 0; i < json_array_size(tests); i++) {
            n_cases++;
            n_bad += !run_case(de->d_name, i, json_array_get(tests, i));
        }
        json_decref(root);
        n_files++;
    }
    closedir(d);
    print_message("purl suite: %zu files, %zu cases, %zu failed\n", n_files,
                  n_cases, n_bad);
    assert_true(n_files >= 8);
    assert_true(n_cases >= 100);
    assert_int_equal(n_bad, 0);
}

static void check_parse_build(const char *in, unsigned flags, const char *canon)
{
    struct sg_purl p;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    if (sg_sbom__purl_parse(&p, in, flags) != SG_OK)
        fail_msg("%s: %s", in, sg_error_last());
    assert_int_equal(sg_sbom__purl_build(&b, &p), SG_OK);
    assert_string_equal(b.data, canon);
    sg_sbom__purl_release(&p);
    sg_buf_release(&b);
}

static void purl__historical_and_odd_forms(void **state)
{
    (void)state;
    /* syft's "%3A" epoch decodes to the same version */
    check_parse_build("pkg:deb/debian/zlib1g@1%3A1.3.dfsg-3?arch=amd64", 0,
                      "pkg:deb/debian/zlib1g@1:1.3.dfsg-3?arch=amd64");
    check_parse_build("pkg://deb/Debian/Bash@5.2-1?distro=&arch=amd64", 0,
                      "pkg:deb/debian/bash@5.2-1?arch=amd64");
    check_parse_build("pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.7.0",
                      SG_PURL_STRICT,
                      "pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.7.0");
    check_parse_build("pkg:npm/%40angular/core@1.0#a/./b/../c/", 0,
                      "pkg:npm/%40angular/core@1.0#a/b/c");
}

static void purl__malformed_is_rejected(void **state)
{
    static const char *const bad[] = {
        "",
        "pkg:",
        "pkg:deb",
        "pkg:/deb",
        "pkg:deb/",
        "pkg:deb//",
        "pkg:deb/a@1?x",
        "pkg:deb/a@1?=v",
        "pkg:deb/a@%zz",
        "pkg:deb/a%4",
        "pkg:deb/a%00b",
        "pkg:deb/a?k=1&k=2",
        "pkg:1deb/a",
        "pkg:d_b/a",
        "pkh:deb/a",
        "pkg:deb/a?1k=v",
        "pkg:deb/a?k%41=v",
    };
    struct sg_purl p;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (sg_sbom__purl_parse(&p, bad[i], 0) == SG_OK)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_null(p.mem_);
        assert_true(strlen(sg_error_last()) > 0);
        sg_error_clear();
    }
}

struct pkg_case {
    enum sg_pkg_type type;
    const char *name, *version, *arch, *src, *srcver, *vendor;
    int has_epoch;
    unsigned long epoch;
    const char *d_id, *d_vid, *d_ver;
    const char *purl, *cpe;
};

static const struct pkg_case pkg_cases[] = {
    { SG_PKG_DEB, "libc6", "2.36-9+deb12u7", "amd64", "glibc", NULL, NULL, 0, 0,
      "debian", "12", "12.7",
      "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&"
      "upstream=glibc",
      "cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u7:*:*:*:*:*:*:*" },
    { SG_PKG_DEB, "zlib1g", "1:1.2.13.dfsg-1", "amd64", "zlib", NULL, NULL, 0,
      0, "debian", "12", NULL,
      "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&"
      "upstream=zlib",
      "cpe:2.3:a:zlib1g:zlib1g:1\\:1.2.13.dfsg-1:*:*:*:*:*:*:*" },
    { SG_PKG_DEB, "bash", "5.2.15-2+b2", "amd64", "bash", "5.2.15-2", NULL, 0,
      0, "debian", "12", NULL,
      "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12&"
      "upstream=bash%405.2.15-2",
      "cpe:2.3:a:bash:bash:5.2.15-2\\+b2:*:*:*:*:*:*:*" },
    { SG_PKG_DEB, "base-files", "12.4", "amd64", "base-files", NULL, NULL, 0, 0,
      "ubuntu", "22.04", NULL,
      "pkg:deb/ubuntu/base-files@12.4?arch=amd64&distro=ubuntu-22.04",
      "cpe:2.3:a:base-files:base-files:12.4:*:*:*:*:*:*:*" },
    { SG_PKG_APK, "musl", "1.2.4_git20230717-r4", "x86_64", "musl", NULL, NULL,
      0, 0, "alpine", "3.19.1", NULL,
      "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&"
      "distro=alpine-3.19.1",
      "cpe:2.3:a:musl:musl:1.2.4_git20230717-r4:*:*:*:*:*:*:*" },
    { SG_PKG_APK, "libcrypto3", "3.1.4-r5", "x86_64", "openssl", NULL, NULL, 0,
      0, "alpine", "3.19.1", NULL,
      "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&"
      "upstream=openssl",
      "cpe:2.3:a:libcrypto3:libcrypto3:3.1.4-r5:*:*:*:*:*:*:*" },
    { SG_PKG_RPM, "bash", "5.1.8-6.el9_1", "x86_64",
      "bash-5.1.8-6.el9_1.src.rpm", NULL, "Red Hat, Inc.", 0, 0, "rhel", "9.1",
      NULL,
      "pkg:rpm/redhat/bash@5.1.8-6.el9_1?arch=x86_64&distro=rhel-9.1&"
      "upstream=bash-5.1.8-6.el9_1.src.rpm",
      "cpe:2.3:a:bash:bash:5.1.8-6.el9_1:*:*:*:*:*:*:*" },
    { SG_PKG_RPM, "openssl-libs", "1.1.1k-4.el8", "x86_64",
      "openssl-1.1.1k-4.el8.src.rpm", NULL, "AlmaLinux", 1, 1, "almalinux",
      "8.5", NULL,
      "pkg:rpm/almalinux/openssl-libs@1.1.1k-4.el8?arch=x86_64&"
      "distro=almalinux-8.5&epoch=1&upstream=openssl-1.1.1k-4.el8.src.rpm",
      "cpe:2.3:a:openssl-libs:openssl-libs:1\\:1.1.1k-4.el8:*:*:*:*:*:*:*" },
    { SG_PKG_RPM, "Judy", "1.0.5-28.fc40", "noarch", NULL, NULL,
      "Fedora Project", 1, 0, NULL, NULL, NULL,
      "pkg:rpm/fedora/Judy@1.0.5-28.fc40?arch=noarch&epoch=0",
      "cpe:2.3:a:judy:judy:0\\:1.0.5-28.fc40:*:*:*:*:*:*:*" },
    { SG_PKG_RPM, "libzypp", "17.31.0-1.1", "x86_64", NULL, NULL, "SUSE LLC", 0,
      0, "opensuse-leap", "15.5", NULL,
      "pkg:rpm/opensuse/libzypp@17.31.0-1.1?arch=x86_64&"
      "distro=opensuse-leap-15.5",
      "cpe:2.3:a:libzypp:libzypp:17.31.0-1.1:*:*:*:*:*:*:*" },
    { SG_PKG_GO_MODULE, "github.com/CycloneDX/cyclonedx-go",
      "v0.7.2-0.20230625092137-07e2f29defc3+incompatible", NULL, NULL, NULL,
      NULL, 0, 0, "alpine", "3.19.1", NULL,
      "pkg:golang/github.com/CycloneDX/cyclonedx-go@"
      "v0.7.2-0.20230625092137-07e2f29defc3%2Bincompatible",
      "cpe:2.3:a:cyclonedx:cyclonedx-go:"
      "v0.7.2-0.20230625092137-07e2f29defc3\\+incompatible:*:*:*:*:*:*:*" },
    { SG_PKG_GO_MODULE, "golang.org/x/net", "v0.17.0", NULL, NULL, NULL, NULL,
      0, 0, NULL, NULL, NULL, "pkg:golang/golang.org/x/net@v0.17.0",
      "cpe:2.3:a:net:net:v0.17.0:*:*:*:*:*:*:*" },
    { SG_PKG_GO_STDLIB, "stdlib", "go1.22.3", NULL, NULL, NULL, NULL, 0, 0,
      NULL, NULL, NULL, "pkg:golang/stdlib@1.22.3",
      "cpe:2.3:a:golang:go:1.22.3:-:*:*:*:*:*:*" },
    { SG_PKG_GO_STDLIB, "stdlib", "go1.23rc1", NULL, NULL, NULL, NULL, 0, 0,
      NULL, NULL, NULL, "pkg:golang/stdlib@1.23rc1",
      "cpe:2.3:a:golang:go:1.23:rc1:*:*:*:*:*:*" },
};

static void purl__package_builders(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(pkg_cases) / sizeof(pkg_cases[0]); i++) {
        const struct pkg_case *c = &pkg_cases[i];
        struct sg_pkg p;
        struct sg_distro d;
        struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
        struct sg_purl back;

        memset(&p, 0, sizeof(p));
        memset(&d, 0, sizeof(d));
        p.type = c->type;
        p.name = (char *)(uintptr_t)c->name;
        p.version = (char *)(uintptr_t)c->version;
        p.arch = (char *)(uintptr_t)c->arch;
        p.source_name = (char *)(uintptr_t)c->src;
        p.source_version = (char *)(uintptr_t)c->srcver;
        p.supplier = (char *)(uintptr_t)c->vendor;
        p.has_epoch = c->has_epoch;
        p.epoch = c->epoch;
        d.id = (char *)(uintptr_t)c->d_id;
        d.version_id = (char *)(uintptr_t)c->d_vid;
        d.version = (char *)(uintptr_t)c->d_ver;
        assert_int_equal(sg_sbom_purl(&b, &p, &d), SG_OK);
        assert_string_equal(b.data, c->purl);
        /* the result is canonical: it re-parses strictly to itself */
        assert_int_equal(sg_sbom__purl_parse(&back, b.data, SG_PURL_STRICT),
                         SG_OK);
        sg_buf_reset(&b);
        assert_int_equal(sg_sbom__purl_build(&b, &back), SG_OK);
        assert_string_equal(b.data, c->purl);
        sg_sbom__purl_release(&back);
        sg_buf_reset(&b);
        assert_int_equal(sg_sbom_cpe(&b, &p, &d), SG_OK);
        assert_string_equal(b.data, c->cpe);
        sg_buf_release(&b);
    }
}

static void purl__oci_image(void **state)
{
    struct sg_sbom_source src;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    memset(&src, 0, sizeof(src));
    src.digest = (char *)(uintptr_t) "sha256:244fd47e07d10";
    src.repo_name = (char *)(uintptr_t) "docker.io/library/Debian";
    src.arch = (char *)(uintptr_t) "amd64";
    src.tag = (char *)(uintptr_t) "latest";
    assert_int_equal(sg_sbom_purl_oci(&b, &src), SG_OK);
    assert_string_equal(b.data,
                        "pkg:oci/debian@sha256:244fd47e07d10?arch=amd64&"
                        "repository_url=docker.io%2Flibrary%2FDebian&"
                        "tag=latest");
    sg_buf_reset(&b);
    src.tag = NULL;
    src.arch = (char *)(uintptr_t) "";
    assert_int_equal(sg_sbom_purl_oci(&b, &src), SG_OK);
    assert_string_equal(b.data, "pkg:oci/debian@sha256:244fd47e07d10?"
                                "repository_url=docker.io%2Flibrary%2FDebian");
    sg_buf_release(&b);
}

/* One parser, distinct codes: a caller that tolerates "not a purl"
 * (the SBOM reader) tells it apart from a limit or out-of-memory. */
static void purl__error_codes_and_as_written(void **state)
{
    struct sg_purl u;
    char *big;

    (void)state;
    assert_int_equal(sg_sbom__purl_parse(&u, "npm/x@1", 0), SG_EPARSE);
    assert_string_equal(sg_error_last(), "purl: must start with \"pkg:\"");
    assert_null(u.mem_);
    assert_int_equal(sg_sbom__purl_parse(&u, "pkg:deb/debian/x%zz@1", 0),
                     SG_EPARSE);
    assert_string_equal(sg_error_last(), "purl: name: bad percent-encoding");
    big = malloc(70000);
    assert_non_null(big);
    memcpy(big, "pkg:generic/", 12);
    memset(big + 12, 'a', 70000 - 13);
    big[70000 - 1] = '\0';
    assert_int_equal(sg_sbom__purl_parse(&u, big, 0), SG_ELIMIT);
    free(big);
    /* per-type folding by default, none when reading as written */
    assert_int_equal(sg_sbom__purl_parse(&u, "pkg:DEB/Debian/LibC6?Arch=x", 0),
                     SG_OK);
    assert_string_equal(u.type, "deb");
    assert_string_equal(u.ns, "debian");
    assert_string_equal(u.name, "libc6");
    assert_string_equal(sg_sbom__purl_qual(&u, "arch"), "x");
    assert_null(sg_sbom__purl_qual(&u, "Arch"));
    sg_sbom__purl_release(&u);
    assert_int_equal(
        sg_sbom__purl_parse(&u, "pkg:DEB/Debian/LibC6", SG_PURL_AS_WRITTEN),
        SG_OK);
    assert_string_equal(u.type, "deb");
    assert_string_equal(u.ns, "Debian");
    assert_string_equal(u.name, "LibC6");
    sg_sbom__purl_release(&u);
}

static void cpe__escaping(void **state)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    assert_int_equal(sg_sbom__cpe_component(&b, "a b+c:d*e?f\\g/h~i.j-k_L"),
                     SG_OK);
    assert_string_equal(b.data, "ab\\+c\\:d\\*e\\?f\\\\g\\/h\\~i.j-k_l");
    sg_buf_reset(&b);
    assert_int_equal(sg_sbom__cpe_component(&b, " \t"), SG_OK);
    assert_string_equal(b.data, "*");
    sg_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(purl__official_test_suite),
        cmocka_unit_test(purl__historical_and_odd_forms),
        cmocka_unit_test(purl__malformed_is_rejected),
        cmocka_unit_test(purl__package_builders),
        cmocka_unit_test(purl__oci_image),
        cmocka_unit_test(purl__error_codes_and_as_written),
        cmocka_unit_test(cpe__escaping),
    };

    return cmocka_run_group_tests_name("purl", tests, NULL, NULL);
}

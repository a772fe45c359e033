/*
 * Go build-info finder (sbom/gobin.c + sbom/gobuildinfo.c) against real
 * binaries built by testdata/fixtures/go.sh, compared exactly with the
 * `go version -m` output the fixture script saved beside each binary.
 * Each file is fed through begin/feed/end in pseudo-random chunk sizes
 * (1 byte .. 128 KiB) so matches spanning chunk boundaries are exercised.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbom/sbom_int.h"

static char warnings[8192];

/* The tests' ctx: default limits, log_hook (set up in main). */
static struct sg_ctx tctx;

static void log_hook(enum sg_log_level level, const char *msg, void *payload)
{
    (void)payload;
    if (level <= SG_LOG_WARN) {
        size_t n = strlen(warnings);
        snprintf(warnings + n, sizeof(warnings) - n, "%s\n", msg);
    }
}

static const char *fixtures(void)
{
    static char dir[1024];
    const char *f = getenv("SG_FIXTURES");
    snprintf(dir, sizeof(dir), "%s/go/bin", f ? f : "fixtures");
    return dir;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static size_t next_chunk(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    switch (rng % 4) {
    case 0:
        return 1 + (size_t)(rng >> 32) % 31; /* tiny */
    case 1:
        return 1 + (size_t)(rng >> 32) % 4096;
    default:
        return 1 + (size_t)(rng >> 32) % (128 * 1024);
    }
}

/* Feed a file through the finder; returns the SBOM (caller frees). */
static struct sg_sbom *scan_file(const char *path)
{
    struct sg_sbom *s = NULL;
    struct sg_gobin *g = NULL;
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(128 * 1024);
    long size;
    size_t n;

    assert_non_null(f);
    assert_non_null(buf);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__gobin_begin(&g, path, (uint64_t)size, &tctx),
                     SG_OK);
    while ((n = fread(buf, 1, next_chunk(), f)) > 0)
        assert_int_equal(sg_sbom__gobin_feed(g, buf, n), SG_OK);
    assert_int_equal(sg_sbom__gobin_end(g, s, "sha256:layer"), SG_OK);
    sg_sbom__gobin_free(g);
    free(buf);
    fclose(f);
    return s;
}

static const char *prop(const struct sg_pkg *p, const char *k)
{
    for (size_t i = 0; i < p->n_props; i++)
        if (strcmp(p->props[i].key, k) == 0)
            return p->props[i].value;
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct lines {
    char *v[512];
    size_t n;
};

static void lines_add(struct lines *l, const char *s)
{
    assert_true(l->n < 512);
    l->v[l->n++] = strdup(s);
}

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    l->n = 0;
}

/* Expected "type name version sum" lines from `go version -m` text. */
static void expected_from(const char *expect_path, struct lines *out)
{
    FILE *f = fopen(expect_path, "r");
    char line[4096], mainline[2048] = "", rev[64] = "", vtime[64] = "";
    char pend[2048] = "";
    int first = 1;

    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        char *fl[5] = { 0 };
        size_t nf = 0;
        line[strcspn(line, "\n")] = '\0';
        if (first) {
            char *c = strrchr(line, ' ');
            char buf[256];
            assert_non_null(c);
            snprintf(buf, sizeof(buf), "stdlib stdlib %s -", c + 1);
            lines_add(out, buf);
            first = 0;
            continue;
        }
        /* "\tkey\tf1\tf2\tf3" */
        for (char *p = line + 1; nf < 5;) {
            char *t = strchr(p, '\t');
            fl[nf++] = p;
            if (!t)
                break;
            *t = '\0';
            p = t + 1;
        }
        if (!fl[0] || !fl[0][0])
            continue;
        if (strcmp(fl[0], "=>") == 0) {
            /* replacement of the pending module */
            char buf[2048];
            assert_true(pend[0]);
            snprintf(buf, sizeof(buf), "module %s %s %s", fl[1],
                     nf > 2 ? fl[2] : "", nf > 3 && fl[3][0] ? fl[3] : "-");
            lines_add(out, buf);
            pend[0] = '\0';
            continue;
        }
        if (pend[0]) {
            lines_add(out, pend);
            pend[0] = '\0';
        }
        if (strcmp(fl[0], "dep") == 0) {
            snprintf(pend, sizeof(pend), "module %s %s %s", fl[1], fl[2],
                     nf > 3 && fl[3][0] ? fl[3] : "-");
        } else if (strcmp(fl[0], "mod") == 0) {
            snprintf(mainline, sizeof(mainline), "%s\t%s\t%s", fl[1], fl[2],
                     nf > 3 && fl[3][0] ? fl[3] : "-");
        } else if (strcmp(fl[0], "build") == 0) {
            if (strncmp(fl[1], "vcs.revision=", 13) == 0)
                snprintf(rev, sizeof(rev), "%s", fl[1] + 13);
            if (strncmp(fl[1], "vcs.time=", 9) == 0)
                snprintf(vtime, sizeof(vtime), "%s", fl[1] + 9);
        }
    }
    if (pend[0])
        lines_add(out, pend);
    if (mainline[0]) {
        char *path = mainline, *ver = strchr(path, '\t'), *sum, buf[4200];
        *ver++ = '\0';
        sum = strchr(ver, '\t');
        *sum++ = '\0';
        if (strcmp(ver, "(devel)") == 0 && rev[0] && vtime[0]) {
            /* syft's pseudo-version from vcs.time + revision[:12] */
            char ts[15];
            size_t k = 0;
            for (const char *q = vtime; *q && k < 14; q++)
                if (*q >= '0' && *q <= '9')
                    ts[k++] = *q;
            ts[k] = '\0';
            snprintf(buf, sizeof(buf), "main %s v0.0.0-%s-%.12s %s", path, ts,
                     rev, sum);
        } else {
            snprintf(buf, sizeof(buf), "main %s %s %s", path, ver, sum);
        }
        lines_add(out, buf);
    }
    fclose(f);
    qsort(out->v, out->n, sizeof(out->v[0]), cmp_str);
}

static void actual_from(const struct sg_sbom *s, struct lines *out)
{
    for (size_t i = 0; i < s->n_pkgs; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        char buf[2048];
        const char *kind = p->type == SG_PKG_GO_STDLIB ? "stdlib"
                           : prop(p, "go.main_module") ? "main"
                                                       : "module";
        snprintf(buf, sizeof(buf), "%s %s %s %s", kind, p->name,
                 p->version ? p->version : "", p->checksum ? p->checksum : "-");
        lines_add(out, buf);
    }
    qsort(out->v, out->n, sizeof(out->v[0]), cmp_str);
}

static void check_binary(const char *name)
{
    char path[1200], exp[1300];
    struct lines want = { 0 }, got = { 0 };
    struct sg_sbom *s;

    snprintf(path, sizeof(path), "%s/%s", fixtures(), name);
    snprintf(exp, sizeof(exp), "%s.expect", path);
    warnings[0] = '\0';
    s = scan_file(path);
    expected_from(exp, &want);
    actual_from(s, &got);
    for (size_t i = 0; i < want.n || i < got.n; i++) {
        const char *w = i < want.n ? want.v[i] : "(none)";
        const char *g = i < got.n ? got.v[i] : "(none)";
        if (strcmp(w, g) != 0)
            fail_msg("%s: expected [%s], got [%s]", name, w, g);
    }
    assert_string_equal(warnings, "");
    /* every package records where it was found */
    for (size_t i = 0; i < s->n_pkgs; i++) {
        assert_string_equal(s->pkgs[i].db_path, path);
        assert_string_equal(s->pkgs[i].layer_diff_id, "sha256:layer");
        assert_string_equal(s->pkgs[i].found_by, "go-module-binary-cataloger");
    }
    lines_free(&want);
    lines_free(&got);
    sg_sbom_free(s);
}

static const struct sg_pkg *find(const struct sg_sbom *s, const char *name)
{
    for (size_t i = 0; i < s->n_pkgs; i++)
        if (strcmp(s->pkgs[i].name, name) == 0)
            return &s->pkgs[i];
    return NULL;
}

static void test_app1_variants(void **state)
{
    (void)state;
    check_binary("app1-nocgo");
    check_binary("app1-cgo");
    check_binary("app1-trimpath");
    check_binary("app1-stripped");
    check_binary("app1-vcs");
}

static void test_pe_macho(void **state)
{
    (void)state;
    check_binary("app1-windows.exe");
    check_binary("app1-darwin");
}

static void test_release_binaries(void **state)
{
    (void)state;
    check_binary("esbuild");
    check_binary("buf");
}

static void test_old_format(void **state)
{
    (void)state;
    check_binary("old-behind");
    check_binary("old-ahead");
    check_binary("old-be32");
}

static void test_debian_no_modules(void **state)
{
    const char *names[] = { "debian-docker-registry", "debian-skopeo",
                            "debian-umoci" };
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        char path[1200];
        struct sg_sbom *s;
        check_binary(names[i]);
        snprintf(path, sizeof(path), "%s/%s", fixtures(), names[i]);
        s = scan_file(path);
        assert_int_equal(s->n_pkgs, 1);
        assert_int_equal(s->pkgs[0].type, SG_PKG_GO_STDLIB);
        assert_string_equal(s->pkgs[0].version, "go1.19.8");
        assert_non_null(prop(&s->pkgs[0], "go.path"));
        assert_string_equal(prop(&s->pkgs[0], "go.build.GOOS"), "linux");
        sg_sbom_free(s);
    }
}

/* Build settings, replacement records, relationships via parent. */
static void test_app1_details(void **state)
{
    char path[1200];
    struct sg_sbom *s;
    const struct sg_pkg *m, *d, *st;
    (void)state;

    snprintf(path, sizeof(path), "%s/app1-trimpath", fixtures());
    s = scan_file(path);
    m = find(s, "example.com/app1");
    assert_non_null(m);
    assert_string_equal(m->version, "(devel)");
    assert_string_equal(prop(m, "go.build.-trimpath"), "true");
    /* Go drops -ldflags from the build info under -trimpath */
    assert_null(prop(m, "go.build.-ldflags"));
    assert_string_equal(prop(m, "go.build.CGO_ENABLED"), "0");
    assert_string_equal(prop(m, "go.build.GOARCH"), "amd64");
    assert_string_equal(prop(m, "go.path"), "example.com/app1");
    d = find(s, "example.com/newer");
    assert_non_null(d);
    assert_string_equal(d->version, "v1.4.0");
    assert_string_equal(prop(d, "go.replaces"), "example.com/old@v1.0.0");
    /* a directory replacement is reported as go version -m shows it */
    assert_null(find(s, "example.com/local"));
    d = find(s, "./local");
    assert_non_null(d);
    assert_string_equal(d->version, "(devel)");
    assert_string_equal(prop(d, "go.replace.path"), "./local");
    assert_string_equal(prop(d, "go.replaces"),
                        "example.com/local@v0.0.0-00010101000000-000000000000");
    st = find(s, "stdlib");
    assert_non_null(st);
    for (size_t i = 0; i < s->n_pkgs; i++) {
        if (&s->pkgs[i] == m)
            assert_int_equal(s->pkgs[i].parent, 0);
        else
            assert_int_equal(s->pkgs[i].parent, (size_t)(m - s->pkgs) + 1);
    }
    sg_sbom_free(s);

    snprintf(path, sizeof(path), "%s/app1-stripped", fixtures());
    s = scan_file(path);
    assert_string_equal(prop(find(s, "example.com/app1"), "go.build.-ldflags"),
                        "-s -w");
    sg_sbom_free(s);

    snprintf(path, sizeof(path), "%s/app1-cgo", fixtures());
    s = scan_file(path);
    assert_string_equal(
        prop(find(s, "example.com/app1"), "go.build.CGO_ENABLED"), "1");
    sg_sbom_free(s);

    snprintf(path, sizeof(path), "%s/app1-vcs", fixtures());
    s = scan_file(path);
    m = find(s, "example.com/app1");
    assert_string_equal(prop(m, "go.version.original"), "(devel)");
    assert_string_equal(prop(m, "go.build.vcs"), "git");
    sg_sbom_free(s);
}

static void test_warnings(void **state)
{
    char path[1200];
    struct sg_sbom *s;
    (void)state;

    warnings[0] = '\0';
    snprintf(path, sizeof(path), "%s/app1-nobuildinfo", fixtures());
    s = scan_file(path);
    assert_int_equal(s->n_pkgs, 0);
    assert_non_null(strstr(warnings, path));
    assert_non_null(strstr(warnings, "Go binary without build info"));
    sg_sbom_free(s);

    warnings[0] = '\0';
    snprintf(path, sizeof(path), "%s/upx-like", fixtures());
    s = scan_file(path);
    assert_int_equal(s->n_pkgs, 0);
    assert_non_null(strstr(warnings, path));
    assert_non_null(strstr(warnings, "UPX-packed"));
    sg_sbom_free(s);
}

/* Non-executables and tiny files are ignored; no warnings. */
static void test_not_executable(void **state)
{
    struct sg_sbom *s;
    struct sg_gobin *g;
    static const char txt[] = "#!/bin/sh\necho \xff Go buildinf:\n";
    unsigned char junk[4096];
    (void)state;

    warnings[0] = '\0';
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__gobin_begin(&g, "x.sh", sizeof(txt), &tctx),
                     SG_OK);
    assert_int_equal(sg_sbom__gobin_feed(g, txt, sizeof(txt)), SG_OK);
    assert_int_equal(sg_sbom__gobin_end(g, s, NULL), SG_OK);
    sg_sbom__gobin_free(g);
    /* an ELF header followed by junk that is not Go */
    memset(junk, 0, sizeof(junk));
    memcpy(junk,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    assert_int_equal(sg_sbom__gobin_begin(&g, "junk", sizeof(junk), &tctx),
                     SG_OK);
    assert_int_equal(sg_sbom__gobin_feed(g, junk, 3), SG_OK);
    assert_int_equal(sg_sbom__gobin_feed(g, junk + 3, sizeof(junk) - 3), SG_OK);
    assert_int_equal(sg_sbom__gobin_end(g, s, NULL), SG_OK);
    sg_sbom__gobin_free(g);
    /* begin/free without feeding */
    assert_int_equal(sg_sbom__gobin_begin(&g, "empty", 0, &tctx), SG_OK);
    sg_sbom__gobin_free(g);
    assert_int_equal(s->n_pkgs, 0);
    assert_string_equal(warnings, "");
    sg_sbom_free(s);
}

/* Hostile stream: an ELF full of unterminated modinfo sentinels and
 * build-info magics. Memory stays under the capture budget. */
static void test_memory_bound(void **state)
{
    static const unsigned char start[16] = { 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74,
                                             0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07,
                                             0xe6, 0xd6, 0x18, 0xe6 };
    size_t chunk = 1 << 20;
    unsigned char *buf = calloc(1, chunk);
    struct sg_sbom *s;
    struct sg_gobin *g;
    size_t before, peak = 0;
    (void)state;

    assert_non_null(buf);
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    before = mallinfo2().uordblks;
    assert_int_equal(sg_sbom__gobin_begin(&g, "hostile", 0, &tctx), SG_OK);
    memcpy(buf,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    for (int i = 0; i < 64; i++) {
        memcpy(buf + 4096, start, 16);
        /* inline build info claiming a 4 MiB modinfo (of zeros) */
        memcpy(buf + 8192, "\xff Go buildinf:\x08\x02", 16);
        memcpy(buf + 8192 + 32, "\x08go1.22.3\x80\x80\x80\x02", 13);
        assert_int_equal(sg_sbom__gobin_feed(g, buf, chunk), SG_OK);
        if (mallinfo2().uordblks - before > peak)
            peak = mallinfo2().uordblks - before;
        memset(buf, 0, 16);
    }
    assert_int_equal(sg_sbom__gobin_end(g, s, NULL), SG_OK);
    sg_sbom__gobin_free(g);
    assert_true(peak < 9u * 1024 * 1024);
    /* the first claim is complete (zeros): a toolchain, no modules */
    assert_int_equal(s->n_pkgs, 1);
    assert_string_equal(s->pkgs[0].version, "go1.22.3");
    sg_sbom_free(s);
    free(buf);
}

/* The text parser alone: quoting, replacements, no module info. */
static void test_buildinfo_text(void **state)
{
    static const char mi[] = "path\tcmd/x\n"
                             "mod\tex.com/m\t(devel)\t\n"
                             "dep\tex.com/a\tv1.0.0\th1:aaa=\n"
                             "=>\tex.com/b\tv2.0.0\th1:bbb=\n"
                             "dep\tex.com/c\tv0.1.0\n"
                             "=>\t../c\t\n"
                             "build\t-ldflags=\"-s -w -X \\\"main.v=1\\\"\"\n"
                             "build\t\"weird key\"=v\n"
                             "build\tesc=\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\x41"
                             "\\x7a\\u00e9\"\n"
                             "build\tbadx=\"\\xZZ\"\n"
                             "build\tvcs.revision=0123456789abcdef0123\n"
                             "build\tvcs.time=2024-03-14T19:49:11Z\n";
    struct sg_sbom *s;
    const struct sg_pkg *p;
    (void)state;

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__gobuildinfo_parse(s, "go1.22.3 X:boringcrypto",
                                                mi, sizeof(mi) - 1, "/bin/x",
                                                "L"),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 4);
    p = find(s, "stdlib");
    assert_string_equal(p->version, "go1.22.3");
    assert_string_equal(prop(p, "go.experiments"), "X:boringcrypto");
    p = find(s, "ex.com/m");
    assert_string_equal(p->version, "v0.0.0-20240314194911-0123456789ab");
    assert_string_equal(prop(p, "go.build.-ldflags"), "-s -w -X \"main.v=1\"");
    assert_string_equal(prop(p, "go.build.weird key"), "v");
    /* every one-letter escape, \xNN in either case; \u kept verbatim */
    assert_string_equal(prop(p, "go.build.esc"), "\a\b\f\n\r\t\v\\\"Az\\u00e9");
    /* a malformed quoted value is kept as written */
    assert_string_equal(prop(p, "go.build.badx"), "\"\\xZZ\"");
    p = find(s, "ex.com/b");
    assert_string_equal(p->version, "v2.0.0");
    assert_string_equal(p->checksum, "h1:bbb=");
    p = find(s, "../c");
    assert_string_equal(p->version, "");
    assert_string_equal(prop(p, "go.replace.path"), "../c");
    assert_string_equal(prop(p, "go.replaces"), "ex.com/c@v0.1.0");
    assert_null(find(s, "ex.com/a"));
    sg_sbom_free(s);

    /* empty modinfo: the toolchain only */
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(
        sg_sbom__gobuildinfo_parse(s, "go1.19.8", "", 0, "/b", NULL), SG_OK);
    assert_int_equal(s->n_pkgs, 1);
    assert_string_equal(s->pkgs[0].name, "stdlib");
    sg_sbom_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buildinfo_text),
        cmocka_unit_test(test_not_executable),
        cmocka_unit_test(test_memory_bound),
    };
    /* These read the binaries testdata/fixtures/go.sh builds. */
    const struct CMUnitTest fixture_tests[] = {
        cmocka_unit_test(test_app1_variants),
        cmocka_unit_test(test_app1_details),
        cmocka_unit_test(test_pe_macho),
        cmocka_unit_test(test_old_format),
        cmocka_unit_test(test_release_binaries),
        cmocka_unit_test(test_debian_no_modules),
        cmocka_unit_test(test_warnings),
    };
    char probe[1200];
    int rc;

    sg_ctx_init(&tctx);
    tctx.log = log_hook;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(probe, sizeof(probe), "%s/app1-nocgo.expect", fixtures());
    if (access(probe, R_OK) != 0) {
        /* CTest reports exit 77 as skipped (tests/CMakeLists.txt) */
        fprintf(stderr,
                "SKIP: %s missing: the Go binary tests need the fixtures "
                "(sh testdata/make-fixtures.sh build/dev/fixtures; "
                "scripts/test.sh does it)\n",
                probe);
        return rc ? rc : 77;
    }
    return rc | cmocka_run_group_tests(fixture_tests, NULL, NULL);
}

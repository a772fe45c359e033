/* Node.js cataloger (sbom/npm.c): which paths are read, package.json
 * fields and licences, lock files v1/v2/v3, the edges resolved through
 * nested node_modules as Node does, lock-only projects, limits and bad
 * files, exact DEPENDS_ON in sg_sbom_finish(), and whiteouts through the
 * squash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbom/sbom_core.h"
#include "sbom/text.h"
#include "sbom_test_util.h"
#include "sbom_view_util.h"

#define F(p, d)                            \
    {                                      \
        p, d, sizeof(d) - 1, "sha256:l", 0 \
    }

static const struct sg_pkg *
find(const struct sg_sbom *s, const char *name, const char *version)
{
    for (size_t i = 0; i < s->n_pkgs; i++)
        if (strcmp(s->pkgs[i].name, name) == 0 &&
            strcmp(s->pkgs[i].version ? s->pkgs[i].version : "",
                   version ? version : "") == 0)
            return &s->pkgs[i];
    return NULL;
}

/* "a@1 b@2 " of p's depends, in order */
static const char *deps(const struct sg_pkg *p)
{
    static char out[1024];

    out[0] = '\0';
    for (size_t i = 0; p && i < p->n_depends; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s ",
                 p->depends[i]);
    return out;
}

/* "name@version " of every package, sorted (after sg_sbom_finish). */
static const char *names(const struct sg_sbom *s)
{
    static char out[2048];

    out[0] = '\0';
    for (size_t i = 0; i < s->n_pkgs; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s@%s ",
                 s->pkgs[i].name,
                 s->pkgs[i].version ? s->pkgs[i].version : "-");
    return out;
}

/* "from -> to;" DEPENDS_ON edges by name@version (after finish). */
static const char *edges(const struct sg_sbom *s)
{
    static char out[2048];

    out[0] = '\0';
    for (size_t i = 0; i < s->n_rels; i++) {
        const struct sg_rel *r = &s->rels[i];
        if (r->type != SG_REL_DEPENDS_ON)
            continue;
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s@%s->%s@%s;",
                 s->pkgs[r->from].name,
                 s->pkgs[r->from].version ? s->pkgs[r->from].version : "-",
                 s->pkgs[r->to].name, s->pkgs[r->to].version);
    }
    return out;
}

static struct sg_sbom *
catalog(const struct sg_npm_file *f, size_t n, const struct sg_ctx *ctx)
{
    struct sg_sbom *s = NULL;

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__npm_catalog(s, f, n, ctx), SG_OK);
    return s;
}

static void npm__claims(void **state)
{
    static const struct {
        const char *path;
        int want;
    } t[] = {
        { "app/package.json", 1 },
        { "package.json", 1 },
        { "app/package-lock.json", 1 },
        { "app/npm-shrinkwrap.json", 1 },
        { "app/node_modules/.package-lock.json", 1 },
        { "app/node_modules/x/package.json", 1 },
        { "app/node_modules/@s/x/package.json", 1 },
        { "node_modules/a/node_modules/@s/b/node_modules/c/package.json", 1 },
        { "usr/lib/node_modules/npm/node_modules/abbrev/package.json", 1 },
        /* not packages npm installed */
        { "app/node_modules/x/lib/package.json", 0 },
        { "app/node_modules/resolve/test/node_modules/y/package.json", 0 },
        { "app/node_modules/@s/package.json", 0 },
        { "app/node_modules/package.json", 0 },
        { "node_modules/a/node_modules/package.json", 0 },
        { "node_modules/@s/node_modules/package.json", 0 },
        { "app/node_modules/.bin/package.json", 0 },
        { "app/node_modules/.pnpm/x@1/node_modules/x/package.json", 0 },
        { "app/node_modules/x/package-lock.json", 0 },
        { "app/node_modules/x/.package-lock.json", 0 },
        { "app/package.json5", 0 },
        { "app/mypackage.json", 0 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (sg_sbom__npm_claims(t[i].path) != t[i].want)
            fail_msg("%s: claimed %d", t[i].path, !t[i].want);
        assert_int_equal(sg_path_claimed(t[i].path), t[i].want);
    }
}

static void npm__package_json_fields(void **state)
{
    static const char doc[] =
        "{\"name\": \"@babel/code-frame\", \"version\": \"7.26.2\","
        " \"license\": \"MIT\", \"description\": \"frames\","
        " \"homepage\": \"https://babel.dev\","
        " \"dependencies\": {\"js-tokens\": \"^4\"}}";
    struct sg_pkg p;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    int ok = 0;

    (void)state;
    assert_int_equal(sg_sbom__npm_package_json(&p, &ok, doc, sizeof(doc) - 1,
                                               "n/package.json", "sha256:l",
                                               sbom_test_sg()),
                     SG_OK);
    assert_true(ok);
    assert_int_equal(p.type, SG_PKG_NPM);
    assert_string_equal(p.name, "@babel/code-frame");
    assert_string_equal(p.version, "7.26.2");
    assert_string_equal(p.license, "MIT");
    assert_string_equal(p.description, "frames");
    assert_string_equal(p.url, "https://babel.dev");
    assert_string_equal(p.found_by, "javascript-package-cataloger");
    assert_string_equal(p.db_path, "n/package.json");
    assert_string_equal(p.layer_diff_id, "sha256:l");
    assert_int_equal(sg_sbom_purl(&b, &p, NULL), SG_OK);
    assert_string_equal(b.data, "pkg:npm/%40babel/code-frame@7.26.2");
    sg_buf_release(&b);
    sg_pkg_release(&p);
}

static void npm__licences(void **state)
{
    static const struct {
        const char *doc, *want;
    } t[] = {
        { "{\"name\":\"a\",\"version\":\"1\",\"license\":\"(MIT OR "
          "Apache-2.0)\"}",
          "(MIT OR Apache-2.0)" },
        /* legacy object */
        { "{\"name\":\"a\",\"version\":\"1\",\"license\":{\"type\":\"ISC\","
          "\"url\":\"u\"}}",
          "ISC" },
        /* legacy array: offered under each */
        { "{\"name\":\"a\",\"version\":\"1\",\"licenses\":[{\"type\":\"MIT\"},"
          "{\"type\":\"GPL-2.0\"},\"BSD-3-Clause\",{\"url\":\"x\"}]}",
          "MIT OR GPL-2.0 OR BSD-3-Clause" },
        { "{\"name\":\"a\",\"version\":\"1\",\"licenses\":{\"type\":\"BSD\"}}",
          "BSD" },
        /* "license" wins over "licenses" */
        { "{\"name\":\"a\",\"version\":\"1\",\"license\":\"MIT\",\"licenses\":"
          "[{\"type\":\"GPL-2.0\"}]}",
          "MIT" },
        { "{\"name\":\"a\",\"version\":\"1\",\"license\":7}", NULL },
        { "{\"name\":\"a\",\"version\":\"1\"}", NULL },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct sg_pkg p;
        int ok = 0;
        assert_int_equal(sg_sbom__npm_package_json(&p, &ok, t[i].doc,
                                                   strlen(t[i].doc), NULL, NULL,
                                                   sbom_test_sg()),
                         SG_OK);
        assert_true(ok);
        if (t[i].want)
            assert_string_equal(p.license, t[i].want);
        else
            assert_null(p.license);
        sg_pkg_release(&p);
    }
}

static void npm__package_json_not_a_package(void **state)
{
    static const char *const none[] = {
        "{\"type\": \"module\"}",
        "{\"name\": \"a\"}",
        "{\"version\": \"1.0.0\"}",
        "{\"name\": \"a b\", \"version\": \"1\"}",
        "{\"name\": \"\", \"version\": \"1\"}",
        "{\"name\": \"a\", \"version\": 1}",
    };
    static const char *const bad[] = { "[1]", "{\"name\": ", "",
                                       "{\"a\":1,\"a\":2}" };
    struct sg_pkg p;
    int ok = 1;

    (void)state;
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        assert_int_equal(sg_sbom__npm_package_json(&p, &ok, none[i],
                                                   strlen(none[i]), NULL, NULL,
                                                   sbom_test_sg()),
                         SG_OK);
        assert_false(ok);
        assert_null(p.name);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sg_sbom__npm_package_json(&p, &ok, bad[i],
                                                   strlen(bad[i]), NULL, NULL,
                                                   sbom_test_sg()),
                         SG_EPARSE);
        assert_false(ok);
        sg_error_clear();
    }
}

/* A project: express needs debug 2.6.9 (nested), the app debug 4.4.0
 * (top); each debug needs its own ms. fsevents is in the lock but not
 * installed (another platform); @s/x is installed twice at one version. */
#define PJ(n, v) \
    "{\"name\":\"" n "\",\"version\":\"" v "\",\"license\":\"MIT\"}"
#define LOCK3                                                             \
    "{\"name\":\"app\",\"version\":\"1.0.0\",\"lockfileVersion\":3,"      \
    "\"packages\":{"                                                      \
    "\"\":{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":"      \
    "{\"express\":\"4\",\"debug\":\"4\"},\"devDependencies\":{\"@s/x\":"  \
    "\"1\"},\"optionalDependencies\":{\"fsevents\":\"2\"}},"              \
    "\"node_modules/express\":{\"version\":\"4.21.2\",\"dependencies\":"  \
    "{\"debug\":\"2.6.9\",\"@s/x\":\"1\"}},"                              \
    "\"node_modules/express/node_modules/debug\":{\"version\":\"2.6.9\"," \
    "\"dependencies\":{\"ms\":\"2.0.0\"}},"                               \
    "\"node_modules/express/node_modules/ms\":{\"version\":\"2.0.0\"},"   \
    "\"node_modules/express/node_modules/@s/x\":{\"version\":\"1.0.0\","  \
    "\"peerDependencies\":{\"ms\":\"*\"}},"                               \
    "\"node_modules/debug\":{\"version\":\"4.4.0\",\"dependencies\":"     \
    "{\"ms\":\"^2.1.3\"}},"                                               \
    "\"node_modules/ms\":{\"version\":\"2.1.3\"},"                        \
    "\"node_modules/@s/x\":{\"version\":\"1.0.0\",\"dev\":true},"         \
    "\"node_modules/fsevents\":{\"version\":\"2.3.3\",\"optional\":true," \
    "\"os\":[\"darwin\"]},"                                               \
    "\"node_modules/ws\":{\"resolved\":\"../ws\",\"link\":true}"          \
    "}}"

static const struct sg_npm_file project_files[] = {
    F("srv/app/package.json",
      "{\"name\":\"app\",\"version\":\"1.0.0\",\"private\":true,"
      "\"license\":\"UNLICENSED\"}"),
    F("srv/app/package-lock.json", LOCK3),
    F("srv/app/node_modules/express/package.json", PJ("express", "4.21.2")),
    F("srv/app/node_modules/express/node_modules/debug/package.json",
      PJ("debug", "2.6.9")),
    F("srv/app/node_modules/express/node_modules/ms/package.json",
      PJ("ms", "2.0.0")),
    F("srv/app/node_modules/express/node_modules/@s/x/package.json",
      PJ("@s/x", "1.0.0")),
    F("srv/app/node_modules/debug/package.json", PJ("debug", "4.4.0")),
    F("srv/app/node_modules/ms/package.json", PJ("ms", "2.1.3")),
    F("srv/app/node_modules/@s/x/package.json", PJ("@s/x", "1.0.0")),
    /* not packages */
    F("srv/app/node_modules/debug/src/package.json", PJ("nope", "0")),
    F("srv/app/node_modules/ms/test/node_modules/z/package.json", PJ("z", "0")),
    F("srv/app/node_modules/ms/README.md", "# ms"),
};

static void npm__project_with_lock(void **state)
{
    struct sg_sbom *s;
    const struct sg_pkg *p;

    (void)state;
    sbom_test_capture();
    s = catalog(project_files, sizeof(project_files) / sizeof(project_files[0]),
                sbom_test_sg());
    assert_string_equal(sbom_test_log, "");
    assert_int_equal(s->n_pkgs, 7);
    p = find(s, "app", "1.0.0");
    assert_non_null(p);
    assert_int_equal(p->purpose, SG_PURPOSE_APPLICATION);
    assert_string_equal(p->license, "UNLICENSED");
    assert_string_equal(p->db_path, "srv/app/package.json");
    /* dev and optional names too; fsevents is not installed: no edge */
    assert_string_equal(deps(p), "@s/x@1.0.0 debug@4.4.0 express@4.21.2 ");
    p = find(s, "express", "4.21.2");
    assert_int_equal(p->purpose, SG_PURPOSE_DEFAULT);
    assert_string_equal(p->found_by, "javascript-package-cataloger");
    assert_string_equal(p->layer_diff_id, "sha256:l");
    assert_string_equal(deps(p), "@s/x@1.0.0 debug@2.6.9 ");
    assert_string_equal(deps(find(s, "debug", "2.6.9")), "ms@2.0.0 ");
    assert_string_equal(deps(find(s, "debug", "4.4.0")), "ms@2.1.3 ");
    /* once, credited to the first path; edges of both copies */
    p = find(s, "@s/x", "1.0.0");
    assert_string_equal(p->db_path, "srv/app/node_modules/@s/x/package.json");
    assert_string_equal(deps(p), "ms@2.0.0 ");
    assert_null(find(s, "fsevents", "2.3.3"));
    assert_null(find(s, "nope", "0"));
    assert_null(find(s, "z", "0"));

    /* finish: each edge to that exact version */
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    assert_string_equal(names(s), "@s/x@1.0.0 app@1.0.0 debug@2.6.9 "
                                  "debug@4.4.0 express@4.21.2 ms@2.0.0 "
                                  "ms@2.1.3 ");
    assert_string_equal(edges(s), "@s/x@1.0.0->ms@2.0.0;"
                                  "app@1.0.0->@s/x@1.0.0;"
                                  "app@1.0.0->debug@4.4.0;"
                                  "app@1.0.0->express@4.21.2;"
                                  "debug@2.6.9->ms@2.0.0;"
                                  "debug@4.4.0->ms@2.1.3;"
                                  "express@4.21.2->@s/x@1.0.0;"
                                  "express@4.21.2->debug@2.6.9;");
    assert_string_equal(s->pkgs[0].purl, "pkg:npm/%40s/x@1.0.0");
    sg_sbom_free(s);
}

/* Whichever order the files come in, the result is the same. */
static void npm__order_does_not_matter(void **state)
{
    size_t n = sizeof(project_files) / sizeof(project_files[0]);
    struct sg_npm_file rev[sizeof(project_files) / sizeof(project_files[0])];
    struct sg_sbom *a, *b;
    char want[2048];

    (void)state;
    for (size_t i = 0; i < n; i++)
        rev[i] = project_files[n - 1 - i];
    a = catalog(project_files, n, sbom_test_sg());
    b = catalog(rev, n, sbom_test_sg());
    assert_int_equal(sg_sbom_finish(a), SG_OK);
    assert_int_equal(sg_sbom_finish(b), SG_OK);
    snprintf(want, sizeof(want), "%s", edges(a));
    assert_string_equal(edges(b), want);
    snprintf(want, sizeof(want), "%s", names(a));
    assert_string_equal(names(b), want);
    sg_sbom_free(a);
    sg_sbom_free(b);
}

static void npm__lock_v1(void **state)
{
    static const struct sg_npm_file f[] = {
        F("package.json", "{\"name\":\"old\",\"version\":\"0.1.0\"}"),
        F("package-lock.json",
          "{\"name\":\"old\",\"version\":\"0.1.0\",\"lockfileVersion\":1,"
          "\"requires\":true,\"dependencies\":{"
          "\"a\":{\"version\":\"1.0.0\",\"requires\":{\"b\":\"^1\"},"
          "\"dependencies\":{\"b\":{\"version\":\"1.5.0\"}}},"
          "\"b\":{\"version\":\"2.0.0\"}}}"),
        F("node_modules/a/package.json", PJ("a", "1.0.0")),
        F("node_modules/a/node_modules/b/package.json", PJ("b", "1.5.0")),
        F("node_modules/b/package.json", PJ("b", "2.0.0")),
    };
    struct sg_sbom *s;

    (void)state;
    s = catalog(f, sizeof(f) / sizeof(f[0]), sbom_test_sg());
    /* v1 has no root entry: the app's names come from its package.json,
     * which lists none here */
    assert_string_equal(deps(find(s, "a", "1.0.0")), "b@1.5.0 ");
    assert_string_equal(deps(find(s, "old", "0.1.0")), "");
    assert_int_equal(s->n_pkgs, 4);
    sg_sbom_free(s);
}

/* No lock at all: edges from each package.json, resolved the same way
 * (what `npm ls` reads); the hidden lock is used when there is no other. */
static void npm__no_lock_and_hidden_lock(void **state)
{
    static const struct sg_npm_file f[] = {
        F("a/package.json", "{\"name\":\"a\",\"dependencies\":{\"x\":\"1\"}}"),
        F("a/node_modules/x/package.json",
          "{\"name\":\"x\",\"version\":\"1.0.0\",\"dependencies\":{\"y\":\"1\","
          "\"missing\":\"1\"}}"),
        F("a/node_modules/y/package.json", PJ("y", "1.0.0")),
        /* b: only a hidden lock, which says x needs z */
        F("b/package.json", "{\"name\":\"b\",\"version\":\"2.0.0\"}"),
        F("b/node_modules/.package-lock.json",
          "{\"name\":\"b\",\"lockfileVersion\":3,\"packages\":{"
          "\"node_modules/x\":{\"version\":\"1.0.0\",\"dependencies\":"
          "{\"z\":\"1\"}},\"node_modules/z\":{\"version\":\"3.0.0\"}}}"),
        F("b/node_modules/x/package.json",
          "{\"name\":\"x\",\"version\":\"1.0.0\",\"dependencies\":{\"y\":\"1\""
          "}}"),
        F("b/node_modules/z/package.json", PJ("z", "3.0.0")),
        /* c: a package.json alone is not an application */
        F("c/package.json", PJ("c", "1.0.0")),
    };
    struct sg_sbom *s;
    const struct sg_pkg *p;

    (void)state;
    s = catalog(f, sizeof(f) / sizeof(f[0]), sbom_test_sg());
    p = find(s, "a", NULL); /* no version: still the application */
    assert_non_null(p);
    assert_int_equal(p->purpose, SG_PURPOSE_APPLICATION);
    assert_string_equal(deps(p), "x@1.0.0 ");
    /* x@1.0.0 is one package (a and b install it): a's edge from its
     * package.json, b's from b's lock */
    assert_string_equal(deps(find(s, "x", "1.0.0")), "y@1.0.0 z@3.0.0 ");
    assert_null(find(s, "c", "1.0.0"));
    assert_int_equal(s->n_pkgs, 5);
    sg_sbom_free(s);
}

/* A lock with nothing installed: the lock's non-dev entries. */
static void npm__lock_only(void **state)
{
    static const struct sg_npm_file f[] = {
        F("src/package.json", "{\"name\":\"src\",\"version\":\"1.0.0\"}"),
        F("src/package-lock.json",
          "{\"lockfileVersion\":2,\"packages\":{"
          "\"\":{\"dependencies\":{\"a\":\"1\"},\"devDependencies\":{\"t\":"
          "\"1\",\"a\":\"1\"},\"peerDependencies\":{\"a\":\"1\"}},"
          "\"node_modules/a\":{\"version\":\"1.0.0\",\"license\":\"MIT\","
          "\"dependencies\":{\"@s/b\":\"1\"}},"
          "\"node_modules/@s/b\":{\"version\":\"1.1.0\"},"
          "\"node_modules/al\":{\"name\":\"real\",\"version\":\"2.0.0\"},"
          "\"node_modules/g\":{\"version\":\"git+ssh://x/y.git#abc\"},"
          "\"node_modules/t\":{\"version\":\"9.0.0\",\"dev\":true},"
          "\"packages/ws\":{\"version\":\"0.0.1\"}}}"),
    };
    struct sg_sbom *s;
    const struct sg_pkg *p;

    (void)state;
    s = catalog(f, sizeof(f) / sizeof(f[0]), sbom_test_sg());
    p = find(s, "a", "1.0.0");
    assert_non_null(p);
    assert_string_equal(p->found_by, "javascript-lock-cataloger");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->db_path, "src/package-lock.json");
    assert_string_equal(deps(p), "@s/b@1.1.0 ");
    assert_non_null(find(s, "@s/b", "1.1.0"));
    assert_non_null(find(s, "real", "2.0.0")); /* an alias: its own name */
    assert_null(find(s, "t", "9.0.0"));
    /* "a" in three kinds of dependencies: one edge */
    assert_string_equal(deps(find(s, "src", "1.0.0")), "a@1.0.0 ");
    assert_int_equal(s->n_pkgs, 4);
    sg_sbom_free(s);
}

static void npm__limits_and_bad_files(void **state)
{
    static const struct sg_npm_file f[] = {
        F("p/package.json", "{\"name\":\"p\",\"version\":\"1.0.0\","
                            "\"dependencies\":{\"ok\":\"1\",\"big\":\"1\"}}"),
        F("p/package-lock.json", "{\"lockfileVersion\":3,\"packages\":"),
        F("p/node_modules/ok/package.json", PJ("ok", "1.0.0")),
        F("p/node_modules/big/package.json",
          "{\"name\":\"big\",\"version\":\"1.0.0\",\"description\":\""
          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
          "\"}"),
        F("p/node_modules/deep/package.json",
          "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}"),
        F("p/node_modules/arr/package.json", "[\"name\"]"),
    };
    struct sg_ctx ctx = *sbom_test_sg();
    struct sg_sbom *s;

    (void)state;
    ctx.limits.pkg_meta_max = 100;
    ctx.limits.json_depth_max = 4;
    sbom_test_capture();
    s = catalog(f, sizeof(f) / sizeof(f[0]), &ctx);
    assert_string_equal(names(s), "ok@1.0.0 p@1.0.0 ");
    assert_string_equal(deps(find(s, "p", "1.0.0")), "ok@1.0.0 ");
    assert_non_null(strstr(sbom_test_log, "p/package-lock.json: "));
    assert_non_null(strstr(sbom_test_log,
                           "p/node_modules/big/package.json: larger than 100 "
                           "bytes (pkg-meta-max), not catalogued\n"));
    assert_non_null(strstr(sbom_test_log, "p/node_modules/deep/package.json"));
    assert_non_null(strstr(sbom_test_log,
                           "p/node_modules/arr/package.json: not a JSON "
                           "object, skipped\n"));
    /* four warnings: the lock, big, deep, arr */
    {
        size_t lines = 0;
        for (const char *c = sbom_test_log; *c; c++)
            lines += *c == '\n';
        assert_int_equal(lines, 4);
    }
    sg_sbom_free(s);
}

static void npm__lock_entries_bounded(void **state)
{
    static const struct sg_npm_file f[] = {
        F("package.json", "{\"name\":\"p\",\"version\":\"1\"}"),
        F("package-lock.json",
          "{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version"
          "\":\"1\"},\"node_modules/b\":{\"version\":\"1\"},\"node_modules/c\""
          ":{\"version\":\"1\"}}}"),
    };
    struct sg_ctx ctx = *sbom_test_sg();
    struct sg_sbom *s;

    (void)state;
    ctx.limits.db_records_max = 2;
    sbom_test_capture();
    s = catalog(f, sizeof(f) / sizeof(f[0]), &ctx);
    assert_string_equal(sbom_test_log,
                        "package-lock.json: more than 2 entries, skipped\n");
    /* no lock, nothing installed: the package.json is no application */
    assert_int_equal(s->n_pkgs, 0);
    sg_sbom_free(s);
}

/* Through the squash: an upgraded package appears once, at the new
 * version; an opaque node_modules hides the lower tree; a whiteout
 * removes one package. */
static char l0[] = "sha256:l0", l1[] = "sha256:l1";
static char *const diff_ids[] = { l0, l1 };

static void npm__squash_whiteouts(void **state)
{
    struct sg_layer_view v[2];
    struct sg_sbom *s = NULL;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], "app/package.json",
                   "{\"name\":\"app\",\"version\":\"1\"}");
    sbom_view_keep(&v[0], "app/node_modules/a/package.json", PJ("a", "1.0.0"));
    sbom_view_keep(&v[0], "app/node_modules/gone/package.json",
                   PJ("gone", "1.0.0"));
    sbom_view_keep(&v[0], "g/node_modules/old/package.json",
                   PJ("old", "1.0.0"));
    sbom_view_keep(&v[0], "g/node_modules/kept/package.json",
                   PJ("kept", "1.0.0"));
    sbom_view_keep(&v[1], "app/node_modules/a/package.json", PJ("a", "2.0.0"));
    assert_int_equal(sg_strv_push(&v[1].whiteouts, &v[1].n_whiteouts,
                                  "app/node_modules/gone", 21),
                     SG_OK);
    assert_int_equal(
        sg_strv_push(&v[1].opaque, &v[1].n_opaque, "g/node_modules", 14),
        SG_OK);
    sbom_view_keep(&v[1], "g/node_modules/kept/package.json",
                   PJ("kept", "1.0.0"));
    for (size_t i = 0; i < 2; i++)
        sg_layer_view_seal(&v[i]);
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    sbom_test_capture();
    assert_int_equal(sg_sbom__squash_catalog(s, v, 2, diff_ids,
                                             SG_SBOM_SQUASHED, sbom_test_sg()),
                     SG_OK);
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    assert_string_equal(names(s), "a@2.0.0 app@1 kept@1.0.0 ");
    assert_string_equal(find(s, "a", "2.0.0")->layer_diff_id, "sha256:l1");
    assert_string_equal(find(s, "kept", "1.0.0")->layer_diff_id, "sha256:l1");
    assert_string_equal(find(s, "app", "1")->layer_diff_id, "sha256:l0");
    /* no lock: the app's package.json lists no dependencies */
    assert_string_equal(edges(s), "");
    for (size_t i = 0; i < 2; i++)
        sg_layer_view_release(&v[i]);
    sg_sbom_free(s);
}

/* all-layers: what earlier layers had and the image no longer has is
 * reported once, deleted, credited to the newest layer that had it. */
static void npm__squash_all_layers(void **state)
{
    struct sg_layer_view v[3];
    struct sg_sbom *s = NULL;
    static char l2[] = "sha256:l2";
    char *const ids[] = { l0, l1, l2 };

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], "node_modules/a/package.json", PJ("a", "1.0.0"));
    sbom_view_keep(&v[0], "node_modules/b/package.json", PJ("b", "1.0.0"));
    sbom_view_keep(&v[0], "node_modules/c/package.json", PJ("c", "1.0.0"));
    sbom_view_keep(&v[1], "node_modules/a/package.json",
                   PJ("a", "1.0.0")); /* same */
    sbom_view_keep(&v[1], "node_modules/b/package.json",
                   PJ("b", "1.0.0")); /* same */
    sbom_view_keep(&v[2], "node_modules/a/package.json", PJ("a", "2.0.0"));
    assert_int_equal(
        sg_strv_push(&v[2].whiteouts, &v[2].n_whiteouts, "node_modules/b", 14),
        SG_OK);
    for (size_t i = 0; i < 3; i++)
        sg_layer_view_seal(&v[i]);
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__squash_catalog(s, v, 3, ids, SG_SBOM_ALL_LAYERS,
                                             sbom_test_sg()),
                     SG_OK);
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    assert_string_equal(names(s), "a@1.0.0 a@2.0.0 b@1.0.0 c@1.0.0 ");
    assert_true(find(s, "a", "1.0.0")->deleted);
    assert_string_equal(find(s, "a", "1.0.0")->layer_diff_id, "sha256:l1");
    assert_false(find(s, "a", "2.0.0")->deleted);
    assert_true(find(s, "b", "1.0.0")->deleted);
    assert_string_equal(find(s, "b", "1.0.0")->layer_diff_id, "sha256:l1");
    assert_false(find(s, "c", "1.0.0")->deleted);
    assert_string_equal(find(s, "c", "1.0.0")->layer_diff_id, "sha256:l0");
    for (size_t i = 0; i < 3; i++)
        sg_layer_view_release(&v[i]);
    sg_sbom_free(s);
}

/* finish: an npm depends entry names one exact version; a version that
 * is not there is no edge (never another version of the name). */
static void npm__finish_exact(void **state)
{
    struct sg_sbom *s = NULL;
    struct sg_pkg *p;
    static const char *const pk[][2] = {
        { "x", "1.0.0" }, { "ms", "2.0.0" }, { "ms", "2.1.3" }, { "@s/n", "1" }
    };

    (void)state;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(sg_sbom_add_pkg(s, &p), SG_OK);
        p->type = SG_PKG_NPM;
        p->name = sg_text_dup(pk[i][0]);
        p->version = sg_text_dup(pk[i][1]);
    }
    p = &s->pkgs[0];
    assert_int_equal(sg_strv_push(&p->depends, &p->n_depends, "ms@2.1.3", 8),
                     SG_OK);
    assert_int_equal(sg_strv_push(&p->depends, &p->n_depends, "ms@9", 4),
                     SG_OK);
    assert_int_equal(sg_strv_push(&p->depends, &p->n_depends, "ms", 2), SG_OK);
    assert_int_equal(sg_strv_push(&p->depends, &p->n_depends, "@s/n@1", 6),
                     SG_OK);
    assert_int_equal(sg_strv_push(&p->depends, &p->n_depends, "@s/n", 4),
                     SG_OK);
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    assert_string_equal(edges(s), "x@1.0.0->ms@2.1.3;x@1.0.0->@s/n@1;");
    sg_sbom_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npm__claims),
        cmocka_unit_test(npm__package_json_fields),
        cmocka_unit_test(npm__licences),
        cmocka_unit_test(npm__package_json_not_a_package),
        cmocka_unit_test(npm__project_with_lock),
        cmocka_unit_test(npm__order_does_not_matter),
        cmocka_unit_test(npm__lock_v1),
        cmocka_unit_test(npm__no_lock_and_hidden_lock),
        cmocka_unit_test(npm__lock_only),
        cmocka_unit_test(npm__limits_and_bad_files),
        cmocka_unit_test(npm__lock_entries_bounded),
        cmocka_unit_test(npm__squash_whiteouts),
        cmocka_unit_test(npm__squash_all_layers),
        cmocka_unit_test(npm__finish_exact),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

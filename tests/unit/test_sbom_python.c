/* Python cataloger (sbom/python.c): METADATA / PKG-INFO headers as
 * Python's email parser reads them (continuation lines, first header
 * wins, the body and malformed lines end the headers, CR/CRLF/LF),
 * licence precedence (License-Expression, License, classifiers), RECORD
 * rows, dpkg .list filtering, claims, and the squashed catalogue (deb
 * parent, upgrades and whiteouts, all-layers). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbom/sbom_core.h"
#include "sbom/text.h"
#include "sbom_test_util.h"
#include "sbom_view_util.h"

/* Parse text; returns s (1 package expected unless n_expect is 0). */
static struct sg_sbom *parse(const char *text, size_t n_expect)
{
    struct sg_sbom *s = NULL;

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__python_parse(s, text, strlen(text),
                                           "site/x.dist-info/METADATA",
                                           "sha256:l0", sbom_test_sg()),
                     SG_OK);
    assert_int_equal(s->n_pkgs, n_expect);
    return s;
}

static void python__metadata_fields(void **state)
{
    struct sg_sbom *s;
    const struct sg_pkg *p;

    (void)state;
    sbom_test_capture();
    s = parse("Metadata-Version: 2.1\n"
              "Name: PyYAML\n"
              "Version: 6.0\n"
              "Summary: YAML parser and emitter for Python\n"
              "Home-page: https://pyyaml.org/\n"
              "License: MIT\n"
              "Classifier: License :: OSI Approved :: GNU General Public "
              "License v3 (GPLv3)\n"
              "\n"
              "Name: body-not-header\n",
              1);
    p = &s->pkgs[0];
    assert_int_equal(p->type, SG_PKG_PYTHON);
    assert_string_equal(p->name, "PyYAML");
    assert_string_equal(p->version, "6.0");
    assert_string_equal(p->license, "MIT"); /* License beats classifiers */
    assert_string_equal(p->description, "YAML parser and emitter for Python");
    assert_string_equal(p->url, "https://pyyaml.org/");
    assert_string_equal(p->found_by, "python-installed-package-cataloger");
    assert_string_equal(p->db_path, "site/x.dist-info/METADATA");
    assert_string_equal(p->layer_diff_id, "sha256:l0");
    assert_int_equal(p->purpose, SG_PURPOSE_DEFAULT);
    assert_string_equal(sbom_test_log, "");
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    assert_string_equal(s->pkgs[0].purl, "pkg:pypi/pyyaml@6.0");
    sg_sbom_free(s);
}

static void python__continuation_case_first_wins_line_endings(void **state)
{
    struct sg_sbom *s;

    (void)state;
    /* continuation lines extend the value; keys are case-insensitive;
     * the first occurrence wins; CRLF and lone CR end lines */
    s = parse("name: Zope.Interface_x\r\nVERSION:\r\n  5.5.2\r\n"
              "Version: 9\rSummary: one\r\n two\r\n",
              1);
    assert_string_equal(s->pkgs[0].name, "Zope.Interface_x");
    assert_string_equal(s->pkgs[0].version, "5.5.2");
    assert_string_equal(s->pkgs[0].description, "one"); /* first line */
    assert_null(s->pkgs[0].url);
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    assert_string_equal(s->pkgs[0].purl, "pkg:pypi/zope-interface-x@5.5.2");
    sg_sbom_free(s);
}

static void python__project_url_homepage(void **state)
{
    struct sg_sbom *s;

    (void)state;
    s = parse("Name: a\nVersion: 1\nSummary:\n"
              "Project-URL: Source, https://src.example/a\n"
              "Project-URL: Home-Page , https://a.example/\n"
              "Project-URL: Homepage, https://second.example/\n",
              1);
    assert_null(s->pkgs[0].description); /* empty: none */
    assert_string_equal(s->pkgs[0].url, "https://a.example/");
    sg_sbom_free(s);
    /* Home-page wins */
    s = parse("Name: a\nVersion: 1\nProject-URL: Homepage, https://b/\n"
              "Home-page: https://c/\n",
              1);
    assert_string_equal(s->pkgs[0].url, "https://c/");
    sg_sbom_free(s);
}

static void python__license_precedence(void **state)
{
    static const struct {
        const char *text;
        const char *want; /* NULL: no licence */
    } cases[] = {
        /* License-Expression wins, normalised to canonical ids */
        { "License-Expression: apache-2.0 OR mit\nLicense: GPL\n"
          "Classifier: License :: OSI Approved :: MIT License\n",
          "Apache-2.0 OR MIT" },
        /* not SPDX: kept as declared (the writers make a LicenseRef) */
        { "License-Expression: My Own Licence\n", "My Own Licence" },
        /* empty expression falls through to License */
        { "License-Expression:\nLicense: BSD\n", "BSD" },
        /* UNKNOWN and empty License fall to one classifier */
        { "License: UNKNOWN\n"
          "Classifier: License :: OSI Approved :: MIT License\n",
          "MIT" },
        { "Classifier: Programming Language :: Python\n"
          "Classifier: License :: OSI Approved :: GNU Lesser General "
          "Public License v2 or later (LGPLv2+)\n",
          "LGPL-2.0-or-later" },
        /* a whole licence text pasted into License is not a name */
        { "License: Copyright (c) 2020 Someone\n"
          "        Permission is hereby granted, free of charge\n"
          "Classifier: License :: OSI Approved :: ISC License (ISCL)\n",
          "ISC" },
        /* two different licence classifiers: AND or OR is unknown */
        { "Classifier: License :: OSI Approved :: MIT License\n"
          "Classifier: License :: OSI Approved :: Python Software "
          "Foundation License\n",
          NULL },
        /* the same one twice is still one */
        { "Classifier: License :: OSI Approved :: MIT License\n"
          "Classifier: License :: OSI Approved :: MIT License\n",
          "MIT" },
        /* ambiguous classifiers map to nothing */
        { "Classifier: License :: OSI Approved :: BSD License\n"
          "Classifier: License :: OSI Approved :: Apache Software "
          "License\n",
          NULL },
        { "", NULL },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[1024];
        struct sg_sbom *s;
        snprintf(text, sizeof(text), "Name: x\nVersion: 1\n%s", cases[i].text);
        s = parse(text, 1);
        if (cases[i].want)
            assert_string_equal(s->pkgs[0].license, cases[i].want);
        else
            assert_null(s->pkgs[0].license);
        sg_sbom_free(s);
    }
}

static void python__malformed(void **state)
{
    struct sg_sbom *s;

    (void)state;
    sbom_test_capture();
    s = parse("Metadata-Version: 2.1\nVersion: 1\n", 0);
    sg_sbom_free(s);
    s = parse("Name: a\n", 0);
    sg_sbom_free(s);
    /* a non-header line ends the headers: email treats it as the body */
    s = parse("Name: a\nnot a header\nVersion: 1\n", 0);
    sg_sbom_free(s);
    s = parse("Name: a\x01\nVersion: 1\n", 0);
    sg_sbom_free(s);
    s = parse("Name: a\nVersion:   \n", 0);
    sg_sbom_free(s);
    s = parse("", 0);
    sg_sbom_free(s);
    assert_string_equal(sbom_test_log,
                        "site/x.dist-info/METADATA: no Name header, skipped\n"
                        "site/x.dist-info/METADATA: no Version header, "
                        "skipped\n"
                        "site/x.dist-info/METADATA: no Version header, "
                        "skipped\n"
                        "site/x.dist-info/METADATA: empty or bad Name, "
                        "skipped\n"
                        "site/x.dist-info/METADATA: empty or bad Version, "
                        "skipped\n"
                        "site/x.dist-info/METADATA: no Name header, skipped\n");
    /* a continuation before any header is ignored, as email does */
    s = parse(" stray\nName: a\nVersion: 1\n", 1);
    sg_sbom_free(s);
    /* NUL bytes in the headers do not end the parse early */
    {
        static const char nul[] = "Name: a\nX: \0\nVersion: 2\n";
        assert_int_equal(sg_sbom_create(&s), SG_OK);
        assert_int_equal(
            sg_sbom__python_parse(s, nul, sizeof(nul) - 1, NULL, NULL, NULL),
            SG_OK);
        assert_int_equal(s->n_pkgs, 1);
        assert_string_equal(s->pkgs[0].version, "2");
        sg_sbom_free(s);
    }
}

static void python__over_the_limit(void **state)
{
    struct sg_ctx ctx;
    struct sg_sbom *s = NULL;
    const char *t = "Name: a\nVersion: 1\n";

    (void)state;
    sbom_test_capture();
    ctx = *sbom_test_sg();
    ctx.limits.pkg_meta_max = 10;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__python_parse(s, t, strlen(t), "m", NULL, &ctx),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 0);
    assert_string_equal(sbom_test_log,
                        "m: larger than 10 bytes, not catalogued\n");
    sg_sbom_free(s);
    /* and the scanner keeps at most that much of a metadata file */
    assert_int_equal(sg_path_keep_max("a/b-1.dist-info/METADATA", &ctx.limits),
                     10);
    assert_int_equal(sg_path_keep_max("var/lib/dpkg/status", &ctx.limits),
                     ctx.limits.file_keep_max);
}

static void python__record(void **state)
{
    size_t n = 99;
    const char *rec = "pip/__init__.py,sha256=abc,357\n"
                      "\"pip/a,b.py\",sha256=def,12\r\n"
                      "\"pip/q\"\"uote.py\",,\n"
                      "pip-23.0.1.dist-info/RECORD,,\n"
                      ",,\n"
                      "\n"
                      "../../../bin/pip,sha256=x,1";

    (void)state;
    assert_int_equal(sg_sbom__python_record_parse(&n, rec, strlen(rec)), SG_OK);
    assert_int_equal(n, 5);
    assert_int_equal(sg_sbom__python_record_parse(&n, "", 0), SG_OK);
    assert_int_equal(n, 0);
    /* an unterminated quote ends the file; rows before it count */
    assert_int_equal(sg_sbom__python_record_parse(&n, "a,,\n\"b,,\n", 9),
                     SG_OK);
    assert_int_equal(n, 1);
}

static void python__claims_and_list_filter(void **state)
{
    char *out = NULL;
    const char *list = "/.\n/usr\n/usr/lib/python3/dist-packages\n"
                       "/usr/lib/python3/dist-packages/yaml/__init__.py\n"
                       "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info\n"
                       "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/"
                       "METADATA\n"
                       "/usr/lib/python3/dist-packages/six-1.16.0.egg-info";

    (void)state;
    assert_int_equal(sg_sbom__python_claims("a/b-1.dist-info/METADATA"),
                     SG_PY_META);
    assert_int_equal(sg_sbom__python_claims("a/b-1.dist-info/RECORD"),
                     SG_PY_META);
    assert_int_equal(sg_sbom__python_claims("a/b.egg-info/PKG-INFO"),
                     SG_PY_META);
    assert_int_equal(sg_sbom__python_claims("a/b-1.0.egg-info"), SG_PY_META);
    assert_int_equal(sg_sbom__python_claims("var/lib/dpkg/info/python3-yaml."
                                            "list"),
                     SG_PY_DPKG_LIST);
    assert_int_equal(sg_sbom__python_claims("METADATA"), 0);
    assert_int_equal(sg_sbom__python_claims("a/b/METADATA"), 0);
    assert_int_equal(sg_sbom__python_claims("a/b-1.dist-info/WHEEL"), 0);
    assert_int_equal(sg_sbom__python_claims("a/.egg-info"), 0);
    assert_int_equal(sg_sbom__python_claims("usr/share/info/x.list"), 0);
    assert_true(sg_path_claimed("a/b-1.dist-info/METADATA"));

    assert_int_equal(sg_sbom__python_list_filter(&out, list, strlen(list)),
                     SG_OK);
    assert_string_equal(out,
                        "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info\n"
                        "/usr/lib/python3/dist-packages/six-1.16.0.egg-info\n");
    free(out);
    assert_int_equal(sg_sbom__python_list_filter(&out, "/x\n", 3), SG_OK);
    assert_string_equal(out, "");
    free(out);
}

/* ---- the squashed catalogue (views built by hand, as scan.c would) ---- */

static char l0[] = "sha256:l0", l1[] = "sha256:l1", l2[] = "sha256:l2";
static char *const diff_ids[] = { l0, l1, l2 };

/* "name version layer [deleted] [<parent]" per package, in order */
static const char *pkgs(const struct sg_sbom *s)
{
    static char out[2048];

    out[0] = '\0';
    for (size_t i = 0; i < s->n_pkgs; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        snprintf(out + strlen(out), sizeof(out) - strlen(out),
                 "%s %s %s%s%s%s;", p->name, p->version,
                 p->layer_diff_id ? p->layer_diff_id : "-",
                 p->deleted ? " deleted" : "", p->parent ? " <" : "",
                 p->parent ? s->pkgs[p->parent - 1].name : "");
    }
    return out;
}

#define SITE     "usr/lib/python3/dist-packages/"
#define VENV     "opt/v/lib/python3.11/site-packages/"
#define MD(n, v) "Metadata-Version: 2.1\nName: " n "\nVersion: " v "\n"

static void python__squash(void **state)
{
    struct sg_layer_view v[3];
    struct sg_sbom *s;
    enum sg_sbom_scope scope[2] = { SG_SBOM_SQUASHED, SG_SBOM_ALL_LAYERS };

    (void)state;
    for (int k = 0; k < 2; k++) {
        memset(v, 0, sizeof(v));
        sbom_view_keep(&v[0], "var/lib/dpkg/status",
                       "Package: python3-yaml\nStatus: install ok installed\n"
                       "Version: 6.0-3\nArchitecture: amd64\n\n"
                       "Package: python3-six\nStatus: install ok installed\n"
                       "Version: 1.16.0-4\nArchitecture: all\n\n");
        sbom_view_keep(&v[0], "var/lib/dpkg/info/python3-yaml.list",
                       "/usr/lib/python3/dist-packages/yaml/__init__.py\n"
                       "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info\n");
        sbom_view_keep(&v[0], "var/lib/dpkg/info/python3-six.list",
                       "/usr/lib/python3/dist-packages/six-1.16.0.egg-info\n");
        sbom_view_keep(&v[0], SITE "PyYAML-6.0.dist-info/METADATA",
                       MD("PyYAML", "6.0"));
        sbom_view_keep(&v[0], SITE "six-1.16.0.egg-info/PKG-INFO",
                       MD("six", "1.16.0"));
        sbom_view_keep(&v[1], VENV "pip-23.0.1.dist-info/METADATA",
                       MD("pip", "23.0.1"));
        sbom_view_keep(&v[1], VENV "pip-23.0.1.dist-info/RECORD", "a,,\nb,,\n");
        sbom_view_keep(&v[1], VENV "attrs-22.2.0.dist-info/METADATA",
                       MD("attrs", "22.2.0"));
        sbom_view_keep(&v[1], VENV "old.egg-info", MD("old", "0.1"));
        /* upper layer: pip upgraded, attrs removed */
        sbom_view_push(&v[2].whiteouts, &v[2].n_whiteouts,
                       VENV "pip-23.0.1.dist-info");
        sbom_view_push(&v[2].whiteouts, &v[2].n_whiteouts,
                       VENV "attrs-22.2.0.dist-info");
        sbom_view_keep(&v[2], VENV "pip-23.3.dist-info/METADATA",
                       MD("pip", "23.3"));
        s = sbom_view_squash(v, 3, diff_ids, scope[k]);
        if (k == 0)
            assert_string_equal(pkgs(s), "python3-six 1.16.0-4 sha256:l0;"
                                         "python3-yaml 6.0-3 sha256:l0;"
                                         "PyYAML 6.0 sha256:l0 <python3-yaml;"
                                         "old 0.1 sha256:l1;pip 23.3 sha256:l2;"
                                         "six 1.16.0 sha256:l0 <python3-six;");
        else
            assert_string_equal(pkgs(s), "python3-six 1.16.0-4 sha256:l0;"
                                         "python3-yaml 6.0-3 sha256:l0;"
                                         "PyYAML 6.0 sha256:l0 <python3-yaml;"
                                         "attrs 22.2.0 sha256:l1 deleted;"
                                         "old 0.1 sha256:l1;"
                                         "pip 23.0.1 sha256:l1 deleted;"
                                         "pip 23.3 sha256:l2;"
                                         "six 1.16.0 sha256:l0 <python3-six;");
        /* the RECORD went with the old pip; deb CONTAINS dist */
        for (size_t i = 0; i < s->n_pkgs; i++)
            if (strcmp(s->pkgs[i].name, "pip") == 0)
                assert_int_equal(s->pkgs[i].n_props, 0);
        sg_sbom_free(s);
    }
}

static void python__opaque_site_packages(void **state)
{
    struct sg_layer_view v[2];
    struct sg_sbom *s;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], VENV "a-1.dist-info/METADATA", MD("a", "1"));
    sbom_view_keep(&v[0], VENV "b-1.egg-info", MD("b", "1"));
    sbom_view_keep(&v[0], SITE "c-1.dist-info/METADATA", MD("c", "1"));
    /* a new venv replaces the old one wholesale */
    assert_int_equal(sg_strv_push(&v[1].opaque, &v[1].n_opaque,
                                  "opt/v/lib/python3.11/site-packages",
                                  strlen("opt/v/lib/python3.11/"
                                         "site-packages")),
                     SG_OK);
    sbom_view_keep(&v[1], VENV "a-2.dist-info/METADATA", MD("a", "2"));
    s = sbom_view_squash(v, 2, diff_ids, SG_SBOM_SQUASHED);
    assert_string_equal(pkgs(s), "a 2 sha256:l1;c 1 sha256:l0;");
    sg_sbom_free(s);
}

static void python__credit_survives_unchanged_rewrites(void **state)
{
    struct sg_layer_view v[3];
    struct sg_sbom *s;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], VENV "a-1.dist-info/METADATA", MD("a", "1"));
    sbom_view_keep(&v[0], VENV "b-1.dist-info/METADATA", MD("b", "1"));
    sbom_view_keep(&v[1], VENV "a-1.dist-info/METADATA",
                   MD("a", "1")); /* same */
    sbom_view_keep(&v[1], VENV "b-1.dist-info/METADATA", MD("b", "1") "X: y\n");
    sbom_view_keep(&v[2], VENV "a-1.dist-info/METADATA",
                   MD("a", "1")); /* same */
    s = sbom_view_squash(v, 3, diff_ids, SG_SBOM_SQUASHED);
    assert_string_equal(pkgs(s), "a 1 sha256:l0;b 1 sha256:l1;");
    sg_sbom_free(s);

    /* deleted and reinstalled: the chain is broken */
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], VENV "a-1.dist-info/METADATA", MD("a", "1"));
    sbom_view_push(&v[1].whiteouts, &v[1].n_whiteouts, VENV "a-1.dist-info");
    sbom_view_keep(&v[2], VENV "a-1.dist-info/METADATA", MD("a", "1"));
    s = sbom_view_squash(v, 3, diff_ids, SG_SBOM_SQUASHED);
    assert_string_equal(pkgs(s), "a 1 sha256:l2;");
    sg_sbom_free(s);
}

static void python__record_prop_and_list_kept_small(void **state)
{
    struct sg_layer_view v[1];
    struct sg_sbom *s;
    const struct sg_kept *k;

    (void)state;
    memset(v, 0, sizeof(v));
    sbom_view_keep(&v[0], VENV "pip-23.3.dist-info/METADATA",
                   MD("pip", "23.3"));
    sbom_view_keep(&v[0], VENV "pip-23.3.dist-info/RECORD", "a,,\nb,,\nc,,\n");
    sbom_view_keep(&v[0], "var/lib/dpkg/info/x.list",
                   "/usr\n/usr/bin/x\n/y.egg-info\n");
    k = sg_layer_view_find(&v[0], "var/lib/dpkg/info/x.list");
    assert_non_null(k);
    assert_string_equal((const char *)k->data, "/y.egg-info\n");
    s = sbom_view_squash(v, 1, diff_ids, SG_SBOM_SQUASHED);
    assert_int_equal(s->n_pkgs, 1);
    assert_int_equal(s->pkgs[0].n_props, 1);
    assert_string_equal(s->pkgs[0].props[0].key, "sigil:python:recordFiles");
    assert_string_equal(s->pkgs[0].props[0].value, "3");
    assert_int_equal(s->pkgs[0].parent, 0);
    sg_sbom_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(python__metadata_fields),
        cmocka_unit_test(python__continuation_case_first_wins_line_endings),
        cmocka_unit_test(python__project_url_homepage),
        cmocka_unit_test(python__license_precedence),
        cmocka_unit_test(python__malformed),
        cmocka_unit_test(python__over_the_limit),
        cmocka_unit_test(python__record),
        cmocka_unit_test(python__claims_and_list_filter),
        cmocka_unit_test(python__squash),
        cmocka_unit_test(python__opaque_site_packages),
        cmocka_unit_test(python__credit_survives_unchanged_rewrites),
        cmocka_unit_test(python__record_prop_and_list_kept_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

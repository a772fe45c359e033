/* SPDX 2.3 writer: document fields, root package, licences, ids,
 * relationships, determinism, schema validity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "sbom_writer_fixture.h"

static json_t *pkg_named(json_t *doc, const char *name)
{
    return wf_named(doc, "packages", name);
}

static void spdx__document(void **state)
{
    struct sg_sbom *s = wf_build();
    struct sg_sbom_write_opts o = { 1700000000, 1, "9.9" };
    struct sg_buf a = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *const schemas[] = { "spdx", "spdx-2.3.1", NULL };
    json_t *doc, *p, *root, *ex;
    size_t i, n_dep = 0;
    const char *ns;

    (void)state;
    doc = wf_write_doc(&a, s, SG_SBOM_SPDX_JSON, &o);
    assert_string_equal(wf_sget(doc, "spdxVersion"), "SPDX-2.3");
    assert_string_equal(wf_sget(doc, "dataLicense"), "CC0-1.0");
    assert_string_equal(wf_sget(doc, "SPDXID"), "SPDXRef-DOCUMENT");
    assert_string_equal(wf_sget(doc, "name"), "registry.example/team/app:1.0");
    ns = wf_sget(doc, "documentNamespace");
    assert_non_null(strstr(ns, "https://sigil.dev/spdx/image/"
                               "registry.example-team-app-1.0/" WF_DIGEST "/"));
    assert_null(strchr(ns, '#'));
    p = json_object_get(doc, "creationInfo");
    assert_string_equal(wf_sget(p, "created"), "2023-11-14T22:13:20Z");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(p, "creators"), 1)),
        "Tool: sigil-9.9");

    root = json_array_get(json_object_get(doc, "packages"), 0);
    assert_string_equal(
        wf_sget(root, "SPDXID"),
        "SPDXRef-DocumentRoot-Image-registry.example-team-app-1.0");
    assert_string_equal(wf_sget(root, "versionInfo"), WF_DIGEST);
    assert_string_equal(
        wf_sget(json_array_get(json_object_get(root, "checksums"), 0),
                "checksumValue"),
        &WF_DIGEST[7]);
    assert_string_equal(
        wf_sget(json_array_get(json_object_get(root, "externalRefs"), 0),
                "referenceLocator"),
        "pkg:oci/app@" WF_DIGEST "?arch=amd64&repository_url=registry.example"
        "%2Fteam%2Fapp&tag=1.0");

    p = pkg_named(doc, "zlib1g");
    assert_string_equal(wf_sget(p, "supplier"),
                        "Person: Mark Brown (broonie@debian.org)");
    assert_string_equal(wf_sget(p, "licenseDeclared"),
                        "Zlib AND LicenseRef-public-domain");
    assert_true(json_is_false(json_object_get(p, "filesAnalyzed")));
    assert_string_equal(wf_sget(p, "comment"),
                        "layer: sha256:l0; path: /var/lib/dpkg/status");
    assert_string_equal(wf_sget(pkg_named(doc, "libc6"), "licenseDeclared"),
                        "GPL-2.0-or-later WITH GCC-exception-3.1");
    p = pkg_named(doc, "bash");
    assert_string_equal(wf_sget(p, "supplier"), "Organization: Red Hat, Inc.");
    assert_string_equal(wf_sget(p, "licenseDeclared"), "LicenseRef-GPLv2-");
    assert_string_equal(wf_sget(p, "summary"), "The GNU Bourne Again shell ?");
    assert_string_equal(wf_sget(p, "homepage"),
                        "https://www.gnu.org/software/bash");

    ex = json_object_get(doc, "hasExtractedLicensingInfos");
    assert_int_equal(json_array_size(ex), 2);
    assert_string_equal(wf_sget(json_array_get(ex, 0), "licenseId"),
                        "LicenseRef-public-domain");
    assert_string_equal(wf_sget(json_array_get(ex, 1), "licenseId"),
                        "LicenseRef-GPLv2-");
    assert_string_equal(wf_sget(json_array_get(ex, 1), "extractedText"),
                        "GPLv2+");

    json_array_foreach(json_object_get(doc, "relationships"), i, p)
    {
        if (strcmp(wf_sget(p, "relationshipType"), "DEPENDS_ON") == 0) {
            n_dep++;
            assert_string_equal(wf_sget(p, "spdxElementId"),
                                wf_sget(pkg_named(doc, "libc6"), "SPDXID"));
            assert_string_equal(wf_sget(p, "relatedSpdxElement"),
                                wf_sget(pkg_named(doc, "zlib1g"), "SPDXID"));
        }
    }
    assert_int_equal(n_dep, 1);
    assert_int_equal(json_array_size(json_object_get(doc, "relationships")),
                     1 + 3 + 1);

    /* The vendored schemas (testdata/spec) accept it. */
    wf_schema_check(&a, schemas);
    json_decref(doc);
    sg_buf_release(&a);
    sg_sbom_free(s);
}

static void spdx__random_namespace_without_determinism(void **state)
{
    struct sg_sbom *s = wf_build();
    struct sg_sbom_write_opts o = { 1700000000, 0, NULL };
    struct sg_buf a = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    assert_int_equal(sg_sbom_write(&a, s, SG_SBOM_SPDX_JSON, &o), SG_OK);
    assert_int_equal(sg_sbom_write(&b, s, SG_SBOM_SPDX_JSON, &o), SG_OK);
    assert_string_not_equal(a.data, b.data);
    sg_buf_release(&a);
    sg_buf_release(&b);
    sg_sbom_free(s);
}

static void spdx__format_names(void **state)
{
    enum sg_sbom_format f;

    (void)state;
    assert_int_equal(sg_sbom_format_parse(&f, "spdx-json"), SG_OK);
    assert_int_equal(f, SG_SBOM_SPDX_JSON);
    assert_int_equal(sg_sbom_format_parse(&f, "cyclonedx"), SG_OK);
    assert_int_equal(f, SG_SBOM_CYCLONEDX_JSON);
    assert_int_equal(sg_sbom_format_parse(&f, "table"), SG_OK);
    assert_int_equal(f, SG_SBOM_TABLE);
    assert_int_equal(sg_sbom_format_parse(&f, "xml"), SG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spdx__document),
        cmocka_unit_test(spdx__random_namespace_without_determinism),
        cmocka_unit_test(spdx__format_names),
    };
    return cmocka_run_group_tests_name("sbom_spdx", tests, NULL, NULL);
}

/* CycloneDX 1.6 writer: metadata, components, licences, dependencies,
 * serial number, schema validity; and the table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "sbom_writer_fixture.h"

static json_t *comp_named(json_t *doc, const char *name)
{
    return wf_named(doc, "components", name);
}

static void cdx__document(void **state)
{
    struct sg_sbom *s = wf_build();
    struct sg_sbom_write_opts o = { 1700000000, 1, "9.9" };
    struct sg_buf a = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *const schemas[] = { "cyclonedx", NULL };
    json_t *doc, *c, *m, *d;
    regex_t re;
    size_t i;

    (void)state;
    doc = wf_write_doc(&a, s, SG_SBOM_CYCLONEDX_JSON, &o);
    assert_string_equal(wf_sget(doc, "bomFormat"), "CycloneDX");
    assert_string_equal(wf_sget(doc, "specVersion"), "1.6");
    assert_int_equal(regcomp(&re,
                             "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-"
                             "[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    assert_int_equal(regexec(&re, wf_sget(doc, "serialNumber"), 0, NULL, 0), 0);
    regfree(&re);
    m = json_object_get(doc, "metadata");
    assert_string_equal(wf_sget(m, "timestamp"), "2023-11-14T22:13:20Z");
    c = json_object_get(m, "component");
    assert_string_equal(wf_sget(c, "type"), "container");
    assert_string_equal(wf_sget(c, "version"), WF_DIGEST);
    assert_string_equal(
        wf_sget(json_array_get(json_object_get(c, "hashes"), 0), "alg"),
        "SHA-256");

    c = comp_named(doc, "zlib1g");
    assert_string_equal(wf_sget(c, "type"), "library");
    assert_string_equal(wf_sget(json_object_get(c, "supplier"), "name"),
                        "Mark Brown");
    assert_string_equal(
        wf_sget(json_array_get(json_object_get(c, "licenses"), 0),
                "expression"),
        "Zlib AND LicenseRef-public-domain");
    c = comp_named(doc, "bash");
    assert_string_equal(
        wf_sget(
            json_object_get(json_array_get(json_object_get(c, "licenses"), 0),
                            "license"),
            "name"),
        "GPLv2+");
    c = comp_named(doc, "debian");
    assert_string_equal(wf_sget(c, "type"), "operating-system");
    assert_string_equal(wf_sget(c, "version"), "12");

    /* Every component has a dependencies entry; libc6 → zlib1g. */
    assert_int_equal(json_array_size(json_object_get(doc, "dependencies")),
                     3 + 1);
    json_array_foreach(json_object_get(doc, "dependencies"), i, d)
    {
        if (strcmp(wf_sget(d, "ref"),
                   wf_sget(comp_named(doc, "libc6"), "bom-ref")) == 0) {
            assert_int_equal(json_array_size(json_object_get(d, "dependsOn")),
                             1);
            assert_string_equal(json_string_value(json_array_get(
                                    json_object_get(d, "dependsOn"), 0)),
                                wf_sget(comp_named(doc, "zlib1g"), "bom-ref"));
        }
    }
    wf_schema_check(&a, schemas);
    json_decref(doc);
    sg_buf_release(&a);
    sg_sbom_free(s);
}

static void table__sorted_columns(void **state)
{
    struct sg_sbom *s = wf_build();
    struct sg_buf a = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    assert_int_equal(sg_sbom_write(&a, s, SG_SBOM_TABLE, NULL), SG_OK);
    assert_string_equal(a.data, "NAME    VERSION          TYPE\n"
                                "bash    5.1.8-6.el9      rpm\n"
                                "libc6   2.36-9+deb12u4   deb\n"
                                "zlib1g  1:1.2.13.dfsg-1  deb\n");
    sg_buf_release(&a);
    sg_sbom_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cdx__document),
        cmocka_unit_test(table__sorted_columns),
    };
    return cmocka_run_group_tests_name("sbom_cyclonedx", tests, NULL, NULL);
}

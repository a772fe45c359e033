/*
 * SBOM reader (sbom/sbomread.c) on the layouts syft and Trivy write
 * (shapes from the SPDX 2.3 and CycloneDX 1.6 specifications and syft's
 * and Trivy's JSON output; the Trivy documents in testdata/go/sboms/ are
 * real Trivy output), and the diff built on it (sbom/sbomdiff.c).
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
#include "sbom/sbom_purl.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char syft_spdx[] =
    "{\"spdxVersion\":\"SPDX-2.3\",\"dataLicense\":\"CC0-1.0\","
    "\"SPDXID\":\"SPDXRef-DOCUMENT\",\"name\":\"alpine\","
    "\"documentNamespace\":\"https://anchore.com/syft/image/alpine-1\","
    "\"creationInfo\":{\"created\":\"2026-01-01T00:00:00Z\","
    "\"creators\":[\"Organization: Anchore, Inc\",\"Tool: syft-1.51.0\"]},"
    "\"packages\":["
    "{\"name\":\"alpine\",\"SPDXID\":\"SPDXRef-DocumentRoot-Image-alpine\","
    "\"versionInfo\":\"sha256:" H64 "\",\"downloadLocation\":\"NOASSERTION\","
    "\"primaryPackagePurpose\":\"CONTAINER\",\"externalRefs\":[{"
    "\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\","
    "\"referenceLocator\":\"pkg:oci/alpine@sha256%3A" H64
    "?arch=amd64&tag=3.19\"}]},"
    "{\"name\":\"musl\",\"SPDXID\":\"SPDXRef-Package-apk-musl-1\","
    "\"versionInfo\":\"1.2.5-r0\",\"supplier\":\"Person: Natanael Copa "
    "(ncopa@alpinelinux.org)\",\"downloadLocation\":\"NOASSERTION\","
    "\"licenseConcluded\":\"NOASSERTION\",\"licenseDeclared\":\"MIT\","
    "\"externalRefs\":[{\"referenceCategory\":\"SECURITY\","
    "\"referenceType\":\"cpe23Type\",\"referenceLocator\":"
    "\"cpe:2.3:a:musl-libc:musl:1.2.5-r0:*:*:*:*:*:*:*\"},"
    "{\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\","
    "\"referenceLocator\":\"pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&"
    "upstream=musl&distro=alpine-3.20.0\"}]},"
    "{\"name\":\"busybox\",\"SPDXID\":\"SPDXRef-Package-apk-busybox-2\","
    "\"versionInfo\":\"1.36.1-r29\",\"downloadLocation\":\"NOASSERTION\","
    "\"licenseDeclared\":\"GPL-2.0-only\",\"externalRefs\":[{"
    "\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\","
    "\"referenceLocator\":\"pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&"
    "distro=alpine-3.20.0\"}]},"
    "{\"name\":\"github.com/x/y\",\"SPDXID\":\"SPDXRef-Package-go-y-3\","
    "\"versionInfo\":\"v1.0.0\",\"downloadLocation\":\"NOASSERTION\","
    "\"checksums\":[{\"algorithm\":\"SHA256\",\"checksumValue\":\"" H64
    "\"}],\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\","
    "\"referenceType\":\"purl\",\"referenceLocator\":"
    "\"pkg:golang/github.com/x/y@v1.0.0\"}]},"
    "{\"name\":\"stdlib\",\"SPDXID\":\"SPDXRef-Package-go-stdlib-4\","
    "\"versionInfo\":\"go1.22.3\",\"downloadLocation\":\"NOASSERTION\","
    "\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\","
    "\"referenceType\":\"purl\",\"referenceLocator\":"
    "\"pkg:golang/stdlib@1.22.3\"}]}],"
    "\"files\":[{\"SPDXID\":\"SPDXRef-File-x\",\"fileName\":\"bin/x\","
    "\"checksums\":[]}],"
    "\"relationships\":["
    "{\"spdxElementId\":\"SPDXRef-DOCUMENT\",\"relationshipType\":"
    "\"DESCRIBES\",\"relatedSpdxElement\":"
    "\"SPDXRef-DocumentRoot-Image-alpine\"},"
    "{\"spdxElementId\":\"SPDXRef-DocumentRoot-Image-alpine\","
    "\"relationshipType\":\"CONTAINS\",\"relatedSpdxElement\":"
    "\"SPDXRef-Package-apk-musl-1\"},"
    "{\"spdxElementId\":\"SPDXRef-Package-apk-musl-1\","
    "\"relationshipType\":\"DEPENDENCY_OF\",\"relatedSpdxElement\":"
    "\"SPDXRef-Package-apk-busybox-2\"},"
    "{\"spdxElementId\":\"SPDXRef-Package-apk-musl-1\","
    "\"relationshipType\":\"CONTAINS\",\"relatedSpdxElement\":"
    "\"SPDXRef-File-x\"},"
    "{\"spdxElementId\":\"SPDXRef-Package-apk-busybox-2\","
    "\"relationshipType\":\"OTHER\",\"relatedSpdxElement\":"
    "\"SPDXRef-Package-apk-musl-1\",\"comment\":\"evident-by\"}]}";

static const char syft_cdx[] =
    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
    "\"metadata\":{\"component\":{\"bom-ref\":\"root-1\",\"type\":"
    "\"container\",\"name\":\"alpine\",\"version\":\"sha256:" H64 "\"}},"
    "\"components\":["
    "{\"bom-ref\":\"pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&"
    "distro=alpine-3.20.0&package-id=aa\",\"type\":\"library\","
    "\"name\":\"musl\",\"version\":\"1.2.5-r0\",\"publisher\":"
    "\"Natanael Copa <ncopa@alpinelinux.org>\","
    "\"licenses\":[{\"license\":{\"id\":\"MIT\"}}],"
    "\"cpe\":\"cpe:2.3:a:musl-libc:musl:1.2.5-r0:*:*:*:*:*:*:*\","
    "\"purl\":\"pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&"
    "distro=alpine-3.20.0\",\"properties\":["
    "{\"name\":\"syft:package:foundBy\",\"value\":\"apk-db-cataloger\"},"
    "{\"name\":\"syft:location:0:layerID\",\"value\":\"sha256:l1\"},"
    "{\"name\":\"syft:location:0:path\",\"value\":"
    "\"/lib/apk/db/installed\"}]},"
    "{\"bom-ref\":\"bb\",\"type\":\"library\",\"name\":\"busybox\","
    "\"version\":\"1.36.1-r29\",\"licenses\":[{\"expression\":"
    "\"GPL-2.0-only OR MIT\"}],\"purl\":\"pkg:apk/alpine/busybox@"
    "1.36.1-r29?arch=x86_64&distro=alpine-3.20.0\"},"
    "{\"bom-ref\":\"go-y\",\"type\":\"library\",\"name\":\"github.com/x/y\","
    "\"version\":\"v1.0.0\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":"
    "\"" H64 "\"}],\"purl\":\"pkg:golang/github.com/x/y@v1.0.0\"},"
    "{\"bom-ref\":\"f1\",\"type\":\"file\",\"name\":\"/bin/x\"},"
    "{\"bom-ref\":\"npm-1\",\"type\":\"library\",\"name\":\"left-pad\","
    "\"version\":\"1.3.0\",\"purl\":\"pkg:npm/left-pad@1.3.0\"}],"
    "\"dependencies\":[{\"ref\":\"bb\",\"dependsOn\":[\"pkg:apk/alpine/"
    "musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.0&package-id=aa\"]},"
    "{\"ref\":\"root-1\",\"dependsOn\":[\"bb\",\"go-y\",\"f1\"]}]}";

static const struct sg_pkg *find(const struct sg_sbom *s, const char *name)
{
    for (size_t i = 0; i < s->n_pkgs; i++)
        if (strcmp(s->pkgs[i].name, name) == 0)
            return &s->pkgs[i];
    return NULL;
}

static size_t idx(const struct sg_sbom *s, const char *name)
{
    return (size_t)(find(s, name) - s->pkgs);
}

static int
has_rel(const struct sg_sbom *s, size_t from, size_t to, enum sg_rel_type t)
{
    for (size_t i = 0; i < s->n_rels; i++)
        if (s->rels[i].from == from && s->rels[i].to == to &&
            s->rels[i].type == t)
            return 1;
    return 0;
}

/* base64 of the 32 bytes 0x01 0x23 ... (H64) */
#define H1 "h1:ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8="

static void test_syft_spdx(void **state)
{
    struct sg_sbom *s;
    const struct sg_pkg *p;
    (void)state;

    assert_int_equal(sg_sbom_read(&s, syft_spdx, sizeof(syft_spdx) - 1), SG_OK);
    assert_int_equal(s->n_pkgs, 4);
    assert_string_equal(s->source.name, "alpine");
    assert_string_equal(s->source.digest, "sha256:" H64);
    assert_string_equal(s->source.arch, "amd64");
    assert_string_equal(s->source.tag, "3.19");
    assert_string_equal(s->distro.id, "alpine");
    assert_string_equal(s->distro.version_id, "3.20.0");

    p = find(s, "musl");
    assert_int_equal(p->type, SG_PKG_APK);
    assert_string_equal(p->version, "1.2.5-r0");
    assert_string_equal(p->arch, "x86_64");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->supplier, "Natanael Copa <ncopa@alpinelinux.org>");
    assert_string_equal(p->cpe, "cpe:2.3:a:musl-libc:musl:1.2.5-r0:*:*:*:*:"
                                "*:*:*");
    assert_string_equal(p->purl, "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&"
                                 "upstream=musl&distro=alpine-3.20.0");
    p = find(s, "github.com/x/y");
    assert_int_equal(p->type, SG_PKG_GO_MODULE);
    assert_string_equal(p->checksum, H1);
    p = find(s, "stdlib");
    assert_int_equal(p->type, SG_PKG_GO_STDLIB);
    assert_string_equal(p->version, "go1.22.3");

    /* DEPENDENCY_OF reversed; root CONTAINS; file edges and OTHER gone */
    assert_true(
        has_rel(s, idx(s, "busybox"), idx(s, "musl"), SG_REL_DEPENDS_ON));
    assert_true(has_rel(s, SIZE_MAX, idx(s, "musl"), SG_REL_CONTAINS));
    assert_int_equal(s->n_rels, 2);
    sg_sbom_free(s);
}

static void test_syft_cdx(void **state)
{
    struct sg_sbom *s;
    const struct sg_pkg *p;
    (void)state;

    assert_int_equal(sg_sbom_read(&s, syft_cdx, sizeof(syft_cdx) - 1), SG_OK);
    assert_int_equal(s->n_pkgs, 4);
    p = find(s, "musl");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->supplier, "Natanael Copa <ncopa@alpinelinux.org>");
    assert_string_equal(p->layer_diff_id, "sha256:l1");
    assert_string_equal(p->db_path, "/lib/apk/db/installed");
    assert_string_equal(p->found_by, "apk-db-cataloger");
    assert_int_equal(p->n_props, 0);
    assert_string_equal(find(s, "busybox")->license, "GPL-2.0-only OR MIT");
    assert_string_equal(find(s, "github.com/x/y")->checksum, H1);
    p = find(s, "left-pad");
    assert_int_equal(p->type, SG_PKG_NPM);
    assert_string_equal(p->purl, "pkg:npm/left-pad@1.3.0");
    assert_true(
        has_rel(s, idx(s, "busybox"), idx(s, "musl"), SG_REL_DEPENDS_ON));
    assert_true(has_rel(s, SIZE_MAX, idx(s, "busybox"), SG_REL_CONTAINS));
    assert_true(
        has_rel(s, SIZE_MAX, idx(s, "github.com/x/y"), SG_REL_CONTAINS));
    assert_int_equal(s->n_rels, 3);
    sg_sbom_free(s);
}

static struct sg_sbom *read_file(const char *name)
{
    char path[1024];
    struct sg_buf b = SG_BUF_INIT(64 << 20);
    struct sg_sbom *s = NULL;
    const char *src = getenv("SG_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/testdata/go/sboms/%s", src ? src : ".",
             name);
    assert_int_equal(sg_file_read(&b, path, 64 << 20), SG_OK);
    assert_int_equal(sg_sbom_read(&s, b.data, b.len), SG_OK);
    sg_buf_release(&b);
    return s;
}

/* Real Trivy output for the Go fixture image, both formats. */
static void test_trivy(void **state)
{
    struct sg_sbom *a = read_file("trivy.cdx.json");
    struct sg_sbom *b = read_file("trivy.spdx.json");
    struct sg_sbom_diff d;
    const struct sg_pkg *p;
    (void)state;

    p = find(a, "connectrpc.com/connect");
    assert_non_null(p);
    assert_int_equal(p->type, SG_PKG_GO_MODULE);
    assert_string_equal(p->version, "v1.15.0");
    assert_null(find(a, "usr/local/bin/buf")); /* application node */
    /* the app nodes are skipped: their edges hang off the image */
    assert_true(has_rel(a, SIZE_MAX, idx(a, "connectrpc.com/connect"),
                        SG_REL_CONTAINS));
    assert_non_null(find(b, "connectrpc.com/connect"));
    assert_null(find(b, "usr/local/bin/buf"));
    assert_int_equal(sg_sbom_diff(&d, a, b), SG_OK);
    assert_int_equal(d.n, 0);
    sg_sbom_diff_release(&d);
    sg_sbom_free(a);
    sg_sbom_free(b);
}

static void test_diff(void **state)
{
    struct sg_sbom *a, *b;
    struct sg_sbom_diff d;
    struct sg_buf out = SG_BUF_INIT(1 << 20);
    (void)state;

    assert_int_equal(sg_sbom_read(&a, syft_spdx, sizeof(syft_spdx) - 1), SG_OK);
    assert_int_equal(sg_sbom_read(&b, syft_cdx, sizeof(syft_cdx) - 1), SG_OK);
    assert_int_equal(sg_sbom_diff(&d, a, b), SG_OK);
    /* stdlib removed, left-pad added; the rest equal across formats */
    assert_int_equal(d.n, 2);
    assert_int_equal(d.v[0].kind, SG_CHANGE_REMOVED);
    assert_string_equal(d.v[0].type, "golang");
    assert_string_equal(d.v[0].name, "stdlib");
    assert_string_equal(d.v[0].old_version, "go1.22.3");
    assert_int_equal(d.v[1].kind, SG_CHANGE_ADDED);
    assert_string_equal(d.v[1].type, "npm");
    assert_string_equal(d.v[1].new_version, "1.3.0");
    assert_int_equal(sg_sbom_diff_write(&out, &d, 0), SG_OK);
    assert_non_null(strstr(out.data, "1 added, 1 removed, 0 changed\n"));
    sg_sbom_diff_release(&d);

    /* a version change with two versions on one side: added + removed */
    free(b->pkgs[0].version);
    b->pkgs[0].version = strdup("1.2.5-r1");
    assert_int_equal(sg_sbom_diff(&d, a, b), SG_OK);
    assert_int_equal(d.n, 3);
    assert_int_equal(d.v[0].kind, SG_CHANGE_CHANGED);
    assert_string_equal(d.v[0].name, "alpine/musl");
    assert_string_equal(d.v[0].arch, "x86_64");
    assert_string_equal(d.v[0].old_version, "1.2.5-r0");
    assert_string_equal(d.v[0].new_version, "1.2.5-r1");
    sg_sbom_diff_release(&d);
    sg_buf_release(&out);
    sg_sbom_free(a);
    sg_sbom_free(b);
}

static void test_errors(void **state)
{
    static const char *bad[] = {
        "[]",
        "{\"hello\":1}",
        "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":{}}",
        "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"name\":\"x\"}]}",
        /* fuzz find: an error after an element was mapped leaked */
        ("{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"a\","
         "\"name\":\"n\"},{\"name\":\"x\"}]}"),
        "{\"bomFormat\":\"CycloneDX\",\"components\":7}",
        "{\"bomFormat\":\"CycloneDX\",\"components\":[],\"dependencies\":1}",
        "{\"a\":1,\"a\":2}",
        "{\"spdxVersion\":",
    };
    struct sg_sbom *s;
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sg_sbom_read(&s, bad[i], strlen(bad[i])), SG_EPARSE);
        assert_null(s);
    }
    assert_int_equal(sg_sbom_read(&s, "{\"spdxVersion\":\"SPDX-3.0\"}", 26),
                     SG_EUNSUPPORTED);
}

/* The reader parses purls as written (no per-type case folding, so a
 * conversion does not rename packages) with the one purl parser. */
static void test_purl_split(void **state)
{
    struct sg_purl u;
    (void)state;

    assert_int_equal(sg_sbom__purl_parse(&u,
                                         "pkg:deb/Debian/LibC6@2.36-9"
                                         "%2Bdeb12u7?arch=amd64&distro="
                                         "debian-12#sub",
                                         SG_PURL_AS_WRITTEN),
                     SG_OK);
    assert_string_equal(u.type, "deb");
    assert_string_equal(u.ns, "Debian");
    assert_string_equal(u.name, "LibC6");
    assert_string_equal(u.version, "2.36-9+deb12u7");
    assert_string_equal(sg_sbom__purl_qual(&u, "arch"), "amd64");
    assert_string_equal(sg_sbom__purl_qual(&u, "distro"), "debian-12");
    assert_null(sg_sbom__purl_qual(&u, "epoch"));
    sg_sbom__purl_release(&u);
    assert_int_equal(sg_sbom__purl_parse(&u,
                                         "pkg:golang/github.com/a/b/v2@"
                                         "v2.0.0",
                                         SG_PURL_AS_WRITTEN),
                     SG_OK);
    assert_string_equal(u.ns, "github.com/a/b");
    assert_string_equal(u.name, "v2");
    sg_sbom__purl_release(&u);
    assert_int_equal(sg_sbom__purl_parse(&u, "pkg:rpm/fedora/x@1-2?epoch=1",
                                         SG_PURL_AS_WRITTEN),
                     SG_OK);
    assert_string_equal(sg_sbom__purl_qual(&u, "epoch"), "1");
    sg_sbom__purl_release(&u);
    assert_int_equal(sg_sbom__purl_parse(&u, "npm/x@1", SG_PURL_AS_WRITTEN),
                     SG_EPARSE);
    assert_int_equal(sg_sbom__purl_parse(&u, "pkg:nothing", 0), SG_EPARSE);
    assert_string_equal(sg_error_last(), "purl: type is required");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syft_spdx), cmocka_unit_test(test_syft_cdx),
        cmocka_unit_test(test_trivy),     cmocka_unit_test(test_diff),
        cmocka_unit_test(test_errors),    cmocka_unit_test(test_purl_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

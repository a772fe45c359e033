/* The Java archive cataloger (sbom/java.c): MANIFEST.MF continuation
 * lines, pom.properties syntax, file-name fallback, several poms in one
 * jar, nested jars and their CONTAINS edge through the squash, whiteouts,
 * and hostile zips (lying central directory, bombs, deep nesting, entry
 * counts, the archive-bytes-max buffer). Zips are written here by a small
 * stored/deflate writer so that every header field can be forged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include <zlib.h>

#include "sbom/sbom_core.h"
#include "sbom/text.h"
#include "sbom_test_util.h"

/* ------------------------------------------------------------------ */
/* A minimal zip writer                                                 */

struct zent {
    const char *name;
    const void *data;
    size_t len;
    int deflate;
    uint64_t claim; /* forged uncompressed size in both headers (0: real) */
};

static void put16(struct sg_buf *b, unsigned v)
{
    unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
    assert_int_equal(sg_buf_add(b, c, 2), SG_OK);
}

static void put32(struct sg_buf *b, uint32_t v)
{
    put16(b, v & 0xffff);
    put16(b, v >> 16);
}

static size_t
raw_deflate(unsigned char *out, size_t cap, const void *in, size_t len)
{
    z_stream z;

    memset(&z, 0, sizeof(z));
    assert_int_equal(
        deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    deflateEnd(&z);
    return z.total_out;
}

/* The zip of n entries into out (released first). */
static void zip(struct sg_buf *out, const struct zent *e, size_t n)
{
    struct sg_buf cd = SG_BUF_INIT(SG_BUF_NOLIMIT);
    uint32_t *offs = calloc(n + 1, sizeof(*offs));

    sg_buf_release(out);
    for (size_t i = 0; i < n; i++) {
        size_t cap = e[i].len + e[i].len / 100 + 64, clen;
        unsigned char *c = malloc(cap);
        uint32_t crc =
            (uint32_t)crc32(0, (const Bytef *)e[i].data, (uInt)e[i].len);
        uint64_t usize = e[i].claim ? e[i].claim : e[i].len;
        int zip64 = usize > 0xfffffffeu;
        if (e[i].deflate) {
            clen = raw_deflate(c, cap, e[i].data, e[i].len);
        } else {
            memcpy(c, e[i].data, e[i].len);
            clen = e[i].len;
        }
        offs[i] = (uint32_t)out->len;
        put32(out, 0x04034b50);
        put16(out, 20);
        put16(out, 0x0800);
        put16(out, e[i].deflate ? 8 : 0);
        put16(out, 0);
        put16(out, 0x21);
        put32(out, crc);
        put32(out, zip64 ? 0xffffffffu : (uint32_t)clen);
        put32(out, zip64 ? 0xffffffffu : (uint32_t)usize);
        put16(out, (unsigned)strlen(e[i].name));
        put16(out, zip64 ? 20 : 0);
        assert_int_equal(sg_buf_adds(out, e[i].name), SG_OK);
        if (zip64) { /* zip64 extra: uncompressed, compressed */
            put16(out, 1);
            put16(out, 16);
            put32(out, (uint32_t)usize);
            put32(out, (uint32_t)(usize >> 32));
            put32(out, (uint32_t)clen);
            put32(out, 0);
        }
        assert_int_equal(sg_buf_add(out, c, clen), SG_OK);
        /* central directory entry */
        put32(&cd, 0x02014b50);
        put16(&cd, 0x031e);
        put16(&cd, zip64 ? 45 : 20);
        put16(&cd, 0x0800);
        put16(&cd, e[i].deflate ? 8 : 0);
        put16(&cd, 0);
        put16(&cd, 0x21);
        put32(&cd, crc);
        put32(&cd, zip64 ? 0xffffffffu : (uint32_t)clen);
        put32(&cd, zip64 ? 0xffffffffu : (uint32_t)usize);
        put16(&cd, (unsigned)strlen(e[i].name));
        put16(&cd, zip64 ? 20 : 0);
        put16(&cd, 0);
        put16(&cd, 0);
        put16(&cd, 0);
        put32(&cd, 0100644u << 16);
        put32(&cd, offs[i]);
        assert_int_equal(sg_buf_adds(&cd, e[i].name), SG_OK);
        if (zip64) { /* zip64 extra: uncompressed, compressed */
            put16(&cd, 1);
            put16(&cd, 16);
            put32(&cd, (uint32_t)usize);
            put32(&cd, (uint32_t)(usize >> 32));
            put32(&cd, (uint32_t)clen);
            put32(&cd, 0);
        }
        free(c);
    }
    {
        uint32_t cdoff = (uint32_t)out->len;
        assert_int_equal(sg_buf_add(out, cd.data, cd.len), SG_OK);
        put32(out, 0x06054b50);
        put16(out, 0);
        put16(out, 0);
        put16(out, (unsigned)n);
        put16(out, (unsigned)n);
        put32(out, (uint32_t)cd.len);
        put32(out, cdoff);
        put16(out, 0);
    }
    sg_buf_release(&cd);
    free(offs);
}

#define ENT(name, text)                        \
    {                                          \
        (name), (text), sizeof(text) - 1, 0, 0 \
    }
#define POM(g, a, v)                                                        \
    ENT("META-INF/maven/" g "/" a "/pom.properties",                        \
        "#Generated by Maven\n#Thu Jan 01 00:00:00 UTC 1970\nartifactId=" a \
        "\ngroupId=" g "\nversion=" v "\n")

static struct sg_sbom *parse(const struct sg_buf *z, const char *path)
{
    struct sg_sbom *s = NULL;

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__java_parse(s, z->data, z->len, path, "sha256:l0",
                                         sbom_test_sg()),
                     SG_OK);
    return s;
}

static const char *prop(const struct sg_pkg *p, const char *key)
{
    for (size_t i = 0; i < p->n_props; i++)
        if (strcmp(p->props[i].key, key) == 0)
            return p->props[i].value;
    return NULL;
}

/* "group:name@version(found-by)" of every package, in order. */
static const char *pkgs(const struct sg_sbom *s)
{
    static char out[4096];

    out[0] = '\0';
    for (size_t i = 0; i < s->n_pkgs; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s:%s@%s(%s);",
                 p->group ? p->group : "", p->name,
                 p->version ? p->version : "", prop(p, "java:found-by"));
    }
    return out;
}

static const struct sg_pkg *find(const struct sg_sbom *s, const char *name)
{
    const struct sg_pkg *p = sbom_test_find(s, name);
    assert_non_null(p);
    return p;
}

/* ------------------------------------------------------------------ */
/* Parsers                                                              */

static void manifest__continuation_lines_are_joined(void **state)
{
    /* 72-byte lines: the title continues on two lines (CRLF), the
     * version is after it; a later section's attribute is not read. */
    const char mf[] =
        "Manifest-Version: 1.0\r\n"
        "Implementation-Title: Apache Commons Lang, a package of Java utili\r\n"
        " ty classes for the classes that are in java.lang's hierarchy, or \r\n"
        " are considered to be so standard\r\n"
        "implementation-version: 3.12.0  \r\n"
        "\r\n"
        "Name: org/x/\r\n"
        "Bundle-Version: 9\r\n";
    char *v = NULL;

    (void)state;
    assert_int_equal(sg_sbom__java_manifest_get(&v, mf, sizeof(mf) - 1,
                                                "Implementation-Title"),
                     SG_OK);
    assert_string_equal(v, "Apache Commons Lang, a package of Java utility "
                           "classes for the classes that are in java.lang's "
                           "hierarchy, or are considered to be so standard");
    free(v);
    assert_int_equal(sg_sbom__java_manifest_get(&v, mf, sizeof(mf) - 1,
                                                "Implementation-Version"),
                     SG_OK);
    assert_string_equal(v, "3.12.0");
    free(v);
    assert_int_equal(
        sg_sbom__java_manifest_get(&v, mf, sizeof(mf) - 1, "Bundle-Version"),
        SG_OK);
    assert_null(v);
    /* LF only, a prefix of another name does not match */
    assert_int_equal(sg_sbom__java_manifest_get(
                         &v, "Bundle-VersionX: 1\nBundle-Version: 2.0\n", 38,
                         "Bundle-Version"),
                     SG_OK);
    assert_string_equal(v, "2.0");
    free(v);
}

static void props__java_properties_syntax(void **state)
{
    const char p[] = "# comment\n"
                     "! also a comment\n"
                     "  groupId = org.example\n"
                     "artifactId:first\n"
                     "artifactId  second\n"
                     "version=1.0\\\n"
                     "    .2-\\u00e9\n"
                     "key\\=with\\:seps=v\n"
                     "empty=\n";
    char *v = NULL;

    (void)state;
    assert_int_equal(sg_sbom__java_props_get(&v, p, sizeof(p) - 1, "groupId"),
                     SG_OK);
    assert_string_equal(v, "org.example");
    free(v);
    assert_int_equal(
        sg_sbom__java_props_get(&v, p, sizeof(p) - 1, "artifactId"), SG_OK);
    assert_string_equal(v, "second"); /* the last one wins */
    free(v);
    assert_int_equal(sg_sbom__java_props_get(&v, p, sizeof(p) - 1, "version"),
                     SG_OK);
    assert_string_equal(v, "1.0.2-\xc3\xa9");
    free(v);
    assert_int_equal(
        sg_sbom__java_props_get(&v, p, sizeof(p) - 1, "key=with:seps"), SG_OK);
    assert_string_equal(v, "v");
    free(v);
    assert_int_equal(sg_sbom__java_props_get(&v, p, sizeof(p) - 1, "empty"),
                     SG_OK);
    assert_string_equal(v, "");
    free(v);
    assert_int_equal(sg_sbom__java_props_get(&v, p, sizeof(p) - 1, "comment"),
                     SG_OK);
    assert_null(v);
}

static void filename__name_and_version(void **state)
{
    static const char *const cases[][3] = {
        { "usr/share/java/commons-lang3-3.12.0.jar", "commons-lang3",
          "3.12.0" },
        { "guava-31.1-jre.JAR", "guava", "31.1-jre" },
        { "app/lib/slf4j-api.jar", "slf4j-api", NULL },
        { "x/log4j-1.2-api-2.17.1.war", "log4j", "1.2-api-2.17.1" },
        { "plugin.hpi", "plugin", NULL },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *n = NULL, *v = NULL;
        assert_int_equal(sg_sbom__java_filename(&n, &v, cases[i][0]), SG_OK);
        assert_string_equal(n, cases[i][1]);
        if (cases[i][2])
            assert_string_equal(v, cases[i][2]);
        else
            assert_null(v);
        free(n);
        free(v);
    }
    assert_true(sg_sbom__java_archive_name("a/b.Ear"));
    assert_true(sg_sbom__java_archive_name("b.jpi"));
    assert_false(sg_sbom__java_archive_name("a/.jar"));
    assert_false(sg_sbom__java_archive_name("a.jar/b.txt"));
    assert_false(sg_sbom__java_archive_name("a.zip"));
}

/* ------------------------------------------------------------------ */
/* Archives                                                             */

static void jar__every_pom_properties_is_a_package(void **state)
{
    /* A shaded jar: its own pom and a dependency's; the manifest's vendor
     * goes to the jar's own package (the one named like the file). */
    const struct zent e[] = {
        ENT("META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\nImplementation-Vendor: The Example "
            "Foundation\nImplementation-Version: 99\n"),
        POM("com.google.guava", "failureaccess", "1.0.1"),
        POM("org.example", "app", "2.3.4"),
        ENT("org/example/App.class", "\xca\xfe\xba\xbe"),
    };
    struct sg_buf z = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s;
    const struct sg_pkg *p;

    (void)state;
    sbom_test_capture();
    zip(&z, e, 4);
    s = parse(&z, "opt/app-2.3.4.jar");
    assert_string_equal(pkgs(s), "com.google.guava:failureaccess@1.0.1(pom."
                                 "properties);org.example:app@2.3.4(pom."
                                 "properties);");
    p = find(s, "app");
    assert_string_equal(p->supplier, "The Example Foundation");
    assert_string_equal(p->db_path, "opt/app-2.3.4.jar");
    assert_string_equal(p->layer_diff_id, "sha256:l0");
    assert_string_equal(p->found_by, "java-archive-cataloger");
    assert_int_equal(p->type, SG_PKG_JAVA);
    assert_null(find(s, "failureaccess")->supplier);
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    assert_string_equal(find(s, "app")->purl,
                        "pkg:maven/org.example/app@2.3.4");
    assert_string_equal(sbom_test_log, "");
    sg_sbom_free(s);
    sg_buf_release(&z);
}

static void jar__manifest_then_file_name(void **state)
{
    const struct zent bundle[] = {
        ENT("META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\nBundle-SymbolicName: org.example.lib;sing"
            "\n leton:=true\nBundle-Version: 5.6.7\nBundle-Vendor: Ex\n"),
    };
    const struct zent impl[] = {
        ENT("META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\nImplementation-Title: Lib\n"
            "Implementation-Version: 1.2\nBundle-Version: 7\n"
            "Implementation-Vendor-Id: org.ex\n"),
    };
    const struct zent bare[] = { ENT("a.txt", "x") };
    struct sg_buf z = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s;

    (void)state;
    sbom_test_capture();
    /* Bundle-Version beats the file name's version; the name is the
     * file's */
    zip(&z, bundle, 1);
    s = parse(&z, "lib/mylib-1.0.jar");
    assert_string_equal(pkgs(s), ":mylib@5.6.7(manifest);");
    assert_string_equal(s->pkgs[0].supplier, "Ex");
    sg_sbom_free(s);
    /* Implementation-Version first; Implementation-Vendor-Id → group */
    zip(&z, impl, 1);
    s = parse(&z, "lib/other.war");
    assert_string_equal(pkgs(s), "org.ex:other@1.2(manifest);");
    sg_sbom_free(s);
    /* no name in the file: the manifest's title */
    s = parse(&z, "lib/-9.jar");
    assert_string_equal(pkgs(s), "org.ex:Lib@1.2(manifest);");
    sg_sbom_free(s);
    /* nothing but the name */
    zip(&z, bare, 1);
    s = parse(&z, "lib/commons-io-2.11.0.jar");
    assert_string_equal(pkgs(s), ":commons-io@2.11.0(filename);");
    sg_sbom_free(s);
    assert_string_equal(sbom_test_log, "");
    sg_buf_release(&z);
}

static void jar__nested_jars_are_contained(void **state)
{
    const struct zent inner_e[] = { POM("org.slf4j", "slf4j-api", "2.0.9") };
    const struct zent plain_e[] = { ENT("x.class", "\xca\xfe") };
    struct sg_buf inner = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf plain = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf z = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s;
    const struct sg_pkg *app, *api, *pl;
    size_t n_contains = 0;

    (void)state;
    sbom_test_capture();
    zip(&inner, inner_e, 1);
    zip(&plain, plain_e, 1);
    {
        /* nested jars before the outer's own metadata: the order of a
         * zip is not to be relied on */
        const struct zent e[] = {
            { "BOOT-INF/lib/slf4j-api-2.0.9.jar", inner.data, inner.len, 0, 0 },
            { "BOOT-INF/lib/plain-1.1.jar", plain.data, plain.len, 1, 0 },
            POM("org.example", "boot", "1.0.0"),
        };
        zip(&z, e, 3);
    }
    s = parse(&z, "app/boot.jar");
    assert_int_equal(s->n_pkgs, 3);
    app = find(s, "boot");
    api = find(s, "slf4j-api");
    pl = find(s, "plain");
    assert_string_equal(pl->version, "1.1");
    assert_int_equal(api->parent, (size_t)(app - s->pkgs) + 1);
    assert_int_equal(pl->parent, (size_t)(app - s->pkgs) + 1);
    assert_int_equal(app->parent, 0);
    assert_string_equal(api->db_path, "app/boot.jar");
    assert_string_equal(prop(api, "java:virtual-path"),
                        "app/boot.jar:BOOT-INF/lib/slf4j-api-2.0.9.jar");
    assert_null(prop(app, "java:virtual-path"));
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    app = find(s, "boot");
    for (size_t i = 0; i < s->n_rels; i++) {
        const struct sg_rel *r = &s->rels[i];
        if (r->type == SG_REL_CONTAINS && r->from == (size_t)(app - s->pkgs)) {
            const char *to = s->pkgs[r->to].name;
            assert_true(strcmp(to, "slf4j-api") == 0 ||
                        strcmp(to, "plain") == 0);
            n_contains++;
        }
    }
    assert_int_equal(n_contains, 2);
    assert_string_equal(sbom_test_log, "");
    sg_sbom_free(s);
    sg_buf_release(&z);
    sg_buf_release(&inner);
    sg_buf_release(&plain);
}

/* A jar at app/lib.jar with a nested jar, in layer 0; layer 1 whites it
 * out (or not). The nested package's parent survives the squash. */
static void jar__squash_keeps_parents_and_honours_whiteouts(void **state)
{
    static char l0[] = "sha256:l0", l1[] = "sha256:l1";
    char *const ids[] = { l0, l1 };
    const struct zent inner_e[] = { POM("g", "inner", "1") };
    struct sg_buf inner = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf z = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    zip(&inner, inner_e, 1);
    {
        const struct zent e[] = {
            { "WEB-INF/lib/inner-1.jar", inner.data, inner.len, 0, 0 },
            POM("g", "outer", "2"),
        };
        zip(&z, e, 2);
    }
    for (int wh = 0; wh < 2; wh++) {
        struct sg_layer_view v[2];
        struct sg_sbom *s = NULL;
        memset(v, 0, sizeof(v));
        /* a Go-less layer-0 package first, so indexes shift in the move */
        assert_int_equal(sg_sbom_create(&v[0].go), SG_OK);
        assert_int_equal(sg_sbom__java_parse(v[0].go, z.data, z.len,
                                             "app/x.jar", l0, sbom_test_sg()),
                         SG_OK);
        assert_int_equal(sg_sbom__java_parse(v[0].go, z.data, z.len,
                                             "app/lib.jar", l0, sbom_test_sg()),
                         SG_OK);
        assert_int_equal(sg_layer_view_nondir(&v[0], "app/x.jar"), SG_OK);
        assert_int_equal(sg_layer_view_nondir(&v[0], "app/lib.jar"), SG_OK);
        if (wh)
            assert_int_equal(sg_strv_push(&v[1].whiteouts, &v[1].n_whiteouts,
                                          "app/x.jar", 9),
                             SG_OK);
        sg_layer_view_seal(&v[0]);
        sg_layer_view_seal(&v[1]);
        assert_int_equal(sg_sbom_create(&s), SG_OK);
        assert_int_equal(sg_sbom__squash_catalog(s, v, 2, ids, SG_SBOM_SQUASHED,
                                                 sbom_test_sg()),
                         SG_OK);
        assert_int_equal(sg_sbom_finish(s), SG_OK);
        assert_int_equal(s->n_pkgs, wh ? 2 : 4);
        for (size_t i = 0; i < s->n_pkgs; i++) {
            const struct sg_pkg *p = &s->pkgs[i];
            assert_string_equal(p->db_path, wh ? "app/lib.jar" : p->db_path);
            if (strcmp(p->name, "inner") == 0) {
                const struct sg_pkg *o = &s->pkgs[p->parent - 1];
                assert_string_equal(o->name, "outer");
                assert_string_equal(o->db_path, p->db_path);
            }
        }
        for (int k = 0; k < 2; k++)
            sg_layer_view_release(&v[k]);
        sg_sbom_free(s);
    }
    sg_buf_release(&z);
    sg_buf_release(&inner);
}

/* ------------------------------------------------------------------ */
/* Hostile archives                                                     */

static void hostile__lying_directory_and_bomb(void **state)
{
    static char zeros[2u << 20];
    struct sg_ctx ctx;
    struct sg_buf z = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s = NULL;

    (void)state;
    sbom_test_capture();
    ctx = *sbom_test_sg();
    ctx.limits.archive_max = 1u << 20;
    {
        /* a nested "jar" the directory says is 10 GiB; a deflated 2 MiB
         * of zeros (a few KiB in the zip) claiming 100 bytes: the reader
         * stops at the limit, whatever the directory says */
        const struct zent e[] = {
            POM("g", "app", "1"),
            { "BOOT-INF/lib/huge-1.jar", "PK", 2, 0, 10ull << 30 },
            { "BOOT-INF/lib/bomb-1.jar", zeros, sizeof(zeros), 1, 100 },
            POM("g", "after", "1"),
        };
        zip(&z, e, 4);
    }
    assert_true(z.len < 64 * 1024);
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(
        sg_sbom__java_parse(s, z.data, z.len, "app.jar", NULL, &ctx), SG_OK);
    /* both skipped with a warning; the entries around them are read */
    assert_string_equal(pkgs(s),
                        "g:app@1(pom.properties);g:after@1(pom.properties);");
    assert_non_null(strstr(sbom_test_log, "app.jar:BOOT-INF/lib/huge-1.jar: "
                                          "10737418240 bytes, over the "
                                          "1048576-byte limit, not read"));
    assert_non_null(strstr(sbom_test_log, "app.jar:BOOT-INF/lib/bomb-1.jar: "
                                          "over what is left of "
                                          "archive-bytes-max (1048576 "
                                          "uncompressed bytes for the whole "
                                          "archive), not read"));
    sg_sbom_free(s);
    sg_buf_release(&z);
}

static void hostile__deep_nesting_stops_at_four(void **state)
{
    struct sg_buf z = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf in = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s;
    char names[7][32];

    (void)state;
    sbom_test_capture();
    /* level 6 innermost ... level 0 outermost, each with its own pom */
    for (int lvl = 6; lvl >= 0; lvl--) {
        char pom[128], body[128];
        snprintf(names[lvl], sizeof(names[lvl]), "l%d-1.jar", lvl + 1);
        snprintf(pom, sizeof(pom), "META-INF/maven/g/l%d/pom.properties", lvl);
        snprintf(body, sizeof(body), "groupId=g\nartifactId=l%d\nversion=1\n",
                 lvl);
        {
            struct zent e[2] = {
                { pom, body, strlen(body), 0, 0 },
                { names[lvl], in.data, in.len, 0, 0 },
            };
            zip(&z, e, lvl == 6 ? 1 : 2);
        }
        sg_buf_release(&in);
        assert_int_equal(sg_buf_add(&in, z.data, z.len), SG_OK);
    }
    s = parse(&z, "deep.jar");
    /* levels 0..4 read, 5 and 6 not */
    assert_string_equal(pkgs(s), "g:l4@1(pom.properties);g:l3@1(pom."
                                 "properties);g:l2@1(pom.properties);g:l1@1("
                                 "pom.properties);g:l0@1(pom.properties);");
    for (size_t i = 0; i + 1 < s->n_pkgs; i++)
        assert_int_equal(s->pkgs[i].parent, i + 2);
    assert_non_null(strstr(sbom_test_log, ":l5-1.jar: archives nested over 4 "
                                          "deep, not read"));
    sg_sbom_free(s);
    sg_buf_release(&z);
    sg_buf_release(&in);
}

static void hostile__entries_garbage_and_buffer_limit(void **state)
{
    const struct zent e[] = { ENT("a", "1"), ENT("b", "2"), ENT("c", "3"),
                              POM("g", "a", "1") };
    struct sg_ctx ctx;
    struct sg_buf z = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s = NULL;
    struct sg_jar *j = NULL;

    (void)state;
    sbom_test_capture();
    ctx = *sbom_test_sg();
    ctx.limits.zip_entries_max = 3;
    zip(&z, e, 4);
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__java_parse(s, z.data, z.len, "a.jar", NULL, &ctx),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 0);
    assert_non_null(strstr(sbom_test_log, "a.jar: zip directory of over 3 "
                                          "entries (archive-entries-max), not "
                                          "read"));
    /* not a zip, a truncated one */
    sbom_test_capture();
    assert_int_equal(sg_sbom__java_parse(s, "hello", 5, "b.jar", NULL, &ctx),
                     SG_OK);
    assert_int_equal(sg_sbom__java_parse(s, z.data, z.len - 30, "c.jar", NULL,
                                         sbom_test_sg()),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 0);
    assert_non_null(strstr(sbom_test_log, "b.jar: not a readable zip"));
    assert_non_null(strstr(sbom_test_log, "c.jar: not a readable zip"));
    /* the scanner's buffer: a declared size over the limit is not
     * buffered, nor a file that grows past it */
    sbom_test_capture();
    ctx = *sbom_test_sg();
    ctx.limits.archive_max = 100;
    assert_int_equal(sg_sbom__jar_begin(&j, "x/big.jar", 101, &ctx), SG_OK);
    assert_null(j);
    assert_non_null(strstr(sbom_test_log, "x/big.jar: Java archive of 101 "
                                          "bytes, over archive-bytes-max "
                                          "(100), not catalogued"));
    assert_int_equal(sg_sbom__jar_begin(&j, "x/README", 1, &ctx), SG_OK);
    assert_null(j);
    assert_int_equal(sg_sbom__jar_begin(&j, "x/grow.jar", 0, &ctx), SG_OK);
    assert_non_null(j);
    assert_int_equal(sg_sbom__jar_feed(j, z.data, 60), SG_OK);
    assert_int_equal(sg_sbom__jar_feed(j, z.data + 60, 60), SG_OK);
    assert_int_equal(sg_sbom__jar_end(j, s, NULL), SG_OK);
    sg_sbom__jar_free(j);
    assert_int_equal(s->n_pkgs, 0);
    assert_non_null(strstr(sbom_test_log, "x/grow.jar: Java archive over "
                                          "archive-bytes-max (100), not "
                                          "catalogued"));
    /* and within the limit, the same feed/end catalogues */
    ctx.limits.archive_max = z.len;
    assert_int_equal(sg_sbom__jar_begin(&j, "ok.jar", z.len, &ctx), SG_OK);
    assert_int_equal(sg_sbom__jar_feed(j, z.data, 7), SG_OK);
    assert_int_equal(sg_sbom__jar_feed(j, z.data + 7, z.len - 7), SG_OK);
    assert_int_equal(sg_sbom__jar_end(j, s, "L"), SG_OK);
    sg_sbom__jar_free(j);
    assert_string_equal(pkgs(s), "g:a@1(pom.properties);");
    sg_sbom_free(s);
    sg_buf_release(&z);
}

/* A dir: source through sg_sbom_scan: jars found by the walker, and with
 * the Java cataloger deselected not even buffered (no warning about the
 * one over archive-bytes-max). */
static void scan__dir_source_and_cataloger_mask(void **state)
{
    const struct zent e[] = { POM("org.example", "lib", "4.5") };
    struct sg_buf z = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char dir[] = "/tmp/sg-jar-XXXXXX", path[64];
    struct sg_ctx ctx;
    struct sg_oci_registry_opts ro;
    struct sg_oci_store *st = NULL;
    FILE *f;

    (void)state;
    zip(&z, e, 1);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/lib.jar", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(z.data, 1, z.len, f), z.len);
    fclose(f);
    snprintf(path, sizeof(path), "%s/big.war", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 5; i++)
        assert_int_equal(fwrite(z.data, 1, z.len, f), z.len);
    fclose(f);
    ctx = *sbom_test_sg();
    ctx.limits.archive_max = z.len * 2;
    memset(&ro, 0, sizeof(ro));
    ro.ctx = &ctx;
    snprintf(path, sizeof(path), "dir:%s", dir);
    assert_int_equal(sg_oci_store_open(&st, path, &ro, 0), SG_OK);
    for (int pass = 0; pass < 2; pass++) {
        struct sg_sbom_opts o;
        struct sg_sbom *s = NULL;
        memset(&o, 0, sizeof(o));
        o.ctx = &ctx;
        o.catalogers = pass ? SG_CAT_DPKG | SG_CAT_GO : 0;
        sbom_test_capture();
        assert_int_equal(sg_sbom_scan(&s, st, NULL, &o), SG_OK);
        if (!pass) {
            assert_int_equal(s->n_pkgs, 1);
            assert_string_equal(s->pkgs[0].purl,
                                "pkg:maven/org.example/lib@4.5");
            assert_string_equal(s->pkgs[0].db_path, "lib.jar");
            assert_non_null(strstr(sbom_test_log, "big.war: Java archive of "));
        } else {
            assert_int_equal(s->n_pkgs, 0);
            assert_string_equal(sbom_test_log, "");
        }
        sg_sbom_free(s);
    }
    sg_oci_store_free(st);
    snprintf(path, sizeof(path), "%s/lib.jar", dir);
    assert_int_equal(unlink(path), 0);
    snprintf(path, sizeof(path), "%s/big.war", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    sg_buf_release(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(manifest__continuation_lines_are_joined),
        cmocka_unit_test(props__java_properties_syntax),
        cmocka_unit_test(filename__name_and_version),
        cmocka_unit_test(jar__every_pom_properties_is_a_package),
        cmocka_unit_test(jar__manifest_then_file_name),
        cmocka_unit_test(jar__nested_jars_are_contained),
        cmocka_unit_test(jar__squash_keeps_parents_and_honours_whiteouts),
        cmocka_unit_test(hostile__lying_directory_and_bomb),
        cmocka_unit_test(hostile__deep_nesting_stops_at_four),
        cmocka_unit_test(hostile__entries_garbage_and_buffer_limit),
        cmocka_unit_test(scan__dir_source_and_cataloger_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

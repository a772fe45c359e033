/* OCI layout store: write/read round trips, tags, referrers, atomicity,
 * concurrent writers, broken layouts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sigil/oci.h"

static char tmpl[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpl, sizeof(tmpl), "/tmp/sg-layout-XXXXXX");
    return mkdtemp(tmpl) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
    return system(cmd);
}

static struct sg_oci_store *open_w(const char *sub)
{
    char spec[256];
    struct sg_oci_store *s = NULL;

    snprintf(spec, sizeof(spec), "oci-dir:%s/%s", tmpl, sub);
    if (sg_oci_store_open(&s, spec, NULL, SG_OCI_OPEN_WRITE))
        fail_msg("open %s: %s", spec, sg_error_last());
    return s;
}

/* A small image: config + one layer; returns the manifest JSON. */
static char *
make_image(struct sg_oci_store *s, const char *layer_text, const char *subject)
{
    char *cfg_d = NULL, *lay_d = NULL, *out;
    const char *cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
    size_t n = 2048;

    assert_int_equal(sg_oci_store_put_blob_buf(s, cfg, strlen(cfg), &cfg_d),
                     SG_OK);
    assert_int_equal(
        sg_oci_store_put_blob_buf(s, layer_text, strlen(layer_text), &lay_d),
        SG_OK);
    out = malloc(n);
    assert_non_null(out);
    snprintf(out, n,
             "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{"
             "\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu},"
             "\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
             "\"size\":%zu}]%s%s%s}",
             SG_MT_OCI_MANIFEST, SG_MT_OCI_CONFIG, cfg_d, strlen(cfg),
             SG_MT_OCI_LAYER, lay_d, strlen(layer_text),
             subject ? ",\"subject\":{\"mediaType\":\"" SG_MT_OCI_MANIFEST
                       "\",\"size\":1,\"digest\":\""
                     : "",
             subject ? subject : "", subject ? "\"}" : "");
    free(cfg_d);
    free(lay_d);
    return out;
}

static size_t count_tags(struct sg_oci_store *s)
{
    char **tags = NULL;
    size_t n = 0;

    assert_int_equal(sg_oci_store_list_tags(s, &tags), SG_OK);
    while (tags[n])
        n++;
    sg_oci_strv_free(tags);
    return n;
}

static void layout__round_trip(void **state)
{
    struct sg_oci_store *s = open_w("rt"), *r = NULL;
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *m1 = make_image(s, "layer one", NULL);
    char *m2 = make_image(s, "layer two", NULL);
    char *d1 = NULL, *d2 = NULL, *got_d = NULL, *mt = NULL;
    char want[SG_DIGEST_STR_MAX], spec[256];
    char **tags = NULL;

    (void)state;
    assert_int_equal(sg_oci_store_put_manifest(s, "v1", SG_MT_OCI_MANIFEST, m1,
                                               strlen(m1), &d1),
                     SG_OK);
    assert_int_equal(sg_sha256_digest(want, m1, strlen(m1)), SG_OK);
    assert_string_equal(d1, want);
    assert_int_equal(sg_oci_store_put_manifest(s, "latest", SG_MT_OCI_MANIFEST,
                                               m1, strlen(m1), NULL),
                     SG_OK);
    /* retag latest → m2: the old holder of "latest" loses the tag */
    assert_int_equal(sg_oci_store_put_manifest(s, "latest", SG_MT_OCI_MANIFEST,
                                               m2, strlen(m2), &d2),
                     SG_OK);
    /* untagged puts add a descriptor once */
    assert_int_equal(sg_oci_store_put_manifest(s, NULL, SG_MT_OCI_MANIFEST, m2,
                                               strlen(m2), NULL),
                     SG_OK);
    assert_int_equal(sg_oci_store_put_manifest(s, NULL, SG_MT_OCI_MANIFEST, m2,
                                               strlen(m2), NULL),
                     SG_OK);
    assert_int_equal(sg_oci_store_list_tags(s, &tags), SG_OK);
    assert_string_equal(tags[0], "v1");
    assert_string_equal(tags[1], "latest");
    assert_null(tags[2]);
    sg_oci_strv_free(tags);

    /* read back through a read-only store with the tag in the spec */
    snprintf(spec, sizeof(spec), "oci-dir:%s/rt:latest", tmpl);
    assert_int_equal(sg_oci_store_open(&r, spec, NULL, 0), SG_OK);
    assert_int_equal(sg_oci_store_get_manifest(r, NULL, &body, &mt, &got_d),
                     SG_OK);
    assert_string_equal(got_d, d2);
    assert_string_equal(mt, SG_MT_OCI_MANIFEST);
    assert_int_equal(body.len, strlen(m2));
    assert_memory_equal(body.data, m2, body.len);
    free(got_d);
    free(mt);
    sg_buf_release(&body);
    assert_int_equal(sg_oci_store_get_manifest(r, d1, &body, NULL, &got_d),
                     SG_OK);
    assert_string_equal(got_d, d1);
    free(got_d);
    sg_buf_release(&body);
    assert_int_equal(sg_oci_store_get_manifest(r, "nope", &body, NULL, NULL),
                     SG_ENOTFOUND);
    assert_non_null(strstr(sg_error_last(), "tag 'nope' not found"));

    /* blobs: streamed back with digest check */
    {
        struct sg_oci_manifest *m = NULL;
        int ex = 0;
        assert_int_equal(sg_oci_manifest_parse(&m, m2, strlen(m2), NULL, NULL),
                         SG_OK);
        assert_int_equal(sg_oci_store_blob_exists(r, m->layers[0].digest, &ex),
                         SG_OK);
        assert_true(ex);
        assert_int_equal(
            sg_oci_store_get_blob_buf(r, &m->layers[0], &body, 1024), SG_OK);
        assert_string_equal(body.data, "layer two");
        sg_buf_release(&body);
        sg_oci_manifest_free(m);
    }

    /* delete drops it from index.json */
    assert_int_equal(sg_oci_store_delete_manifest(s, d1), SG_OK);
    assert_int_equal(count_tags(s), 1);
    assert_int_equal(sg_oci_store_delete_manifest(s, d1), SG_ENOTFOUND);

    sg_oci_store_free(r);
    sg_oci_store_free(s);
    free(m1);
    free(m2);
    free(d1);
    free(d2);
}

static sg_err bad_reader(void *p, size_t cap, size_t *n, void *payload)
{
    (void)payload;
    *n = cap < 5 ? cap : 5;
    memcpy(p, "xxxxx", *n);
    return SG_OK;
}

static int reader_calls;
static sg_err once_reader(void *p, size_t cap, size_t *n, void *payload)
{
    (void)payload;
    (void)cap;
    *n = reader_calls++ ? 0 : 5;
    memcpy(p, "xxxxx", 5);
    return SG_OK;
}

static void layout__blob_digest_checked_before_rename(void **state)
{
    struct sg_oci_store *s = open_w("bad");
    const char *d =
        "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    char path[256];
    int ex = 1;
    DIR *dir;
    struct dirent *e;
    int files = 0;

    (void)state;
    reader_calls = 0;
    assert_int_equal(
        sg_oci_store_put_blob(
            s, &(struct sg_oci_blob_src){ d, 5, once_reader, NULL }),
        SG_EDIGEST);
    assert_non_null(strstr(sg_error_last(), "content has digest sha256:"));
    assert_int_equal(
        sg_oci_store_put_blob(
            s, &(struct sg_oci_blob_src){ d, 3, bad_reader, NULL }),
        SG_EDIGEST);
    assert_non_null(strstr(sg_error_last(), "more bytes than its size 3"));
    reader_calls = 0;
    assert_int_equal(
        sg_oci_store_put_blob(
            s, &(struct sg_oci_blob_src){ d, 9, once_reader, NULL }),
        SG_EDIGEST);
    assert_non_null(strstr(sg_error_last(), "got 5 bytes, expected 9"));
    assert_int_equal(sg_oci_store_blob_exists(s, d, &ex), SG_OK);
    assert_false(ex);
    snprintf(path, sizeof(path), "%s/bad/blobs/sha256", tmpl);
    dir = opendir(path);
    assert_non_null(dir);
    while ((e = readdir(dir)))
        files += e->d_name[0] != '.' || strncmp(e->d_name, ".tmp", 4) == 0;
    closedir(dir);
    assert_int_equal(files, 0); /* no temp file left behind */
    {
        /* reading checks the same way, against the descriptor */
        struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT);
        struct sg_oci_descriptor desc = { 0 };
        char *good = NULL;

        assert_int_equal(sg_oci_store_put_blob_buf(s, "xxxxx", 5, &good),
                         SG_OK);
        desc.digest = good;
        desc.size = 9;
        assert_int_equal(sg_oci_store_get_blob_buf(s, &desc, &body, 64),
                         SG_EDIGEST);
        assert_non_null(
            strstr(sg_error_last(), "got 5 bytes, descriptor says 9"));
        desc.size = 5;
        assert_int_equal(sg_oci_store_get_blob_buf(s, &desc, &body, 64), SG_OK);
        assert_int_equal(body.len, 5);
        sg_buf_release(&body);
        free(good);
    }
    sg_oci_store_free(s);
}

static void layout__referrers(void **state)
{
    struct sg_oci_store *s = open_w("ref");
    struct sg_buf idx = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *img = make_image(s, "base", NULL);
    char *d_img = NULL, *d_sig = NULL;
    char *sig;
    struct sg_oci_manifest *m = NULL;

    (void)state;
    assert_int_equal(sg_oci_store_put_manifest(s, "latest", SG_MT_OCI_MANIFEST,
                                               img, strlen(img), &d_img),
                     SG_OK);
    sig = make_image(s, "sbom bytes", d_img);
    assert_int_equal(sg_oci_store_put_manifest(s, NULL, SG_MT_OCI_MANIFEST, sig,
                                               strlen(sig), &d_sig),
                     SG_OK);
    assert_int_equal(sg_oci_store_referrers(s, d_img, NULL, &idx), SG_OK);
    assert_int_equal(sg_oci_manifest_parse(&m, idx.data, idx.len, NULL, NULL),
                     SG_OK);
    assert_true(m->is_index);
    assert_int_equal(m->n_layers, 1);
    assert_string_equal(m->layers[0].digest, d_sig);
    assert_string_equal(m->layers[0].artifact_type, SG_MT_OCI_CONFIG);
    sg_oci_manifest_free(m);
    sg_buf_release(&idx);
    /* filter by artifact type */
    assert_int_equal(
        sg_oci_store_referrers(s, d_img, "application/x-none", &idx), SG_OK);
    assert_int_equal(sg_oci_manifest_parse(&m, idx.data, idx.len, NULL, NULL),
                     SG_OK);
    assert_int_equal(m->n_layers, 0);
    sg_oci_manifest_free(m);
    sg_buf_release(&idx);
    /* add_referrer is a no-op for layouts (they answer referrers) */
    {
        struct sg_oci_descriptor d = { 0 };
        char mt[] = SG_MT_OCI_MANIFEST;
        d.media_type = mt;
        d.digest = d_sig;
        d.size = strlen(sig);
        assert_int_equal(sg_oci_store_add_referrer(s, d_img, &d), SG_OK);
        assert_int_equal(count_tags(s), 1);
    }
    sg_oci_store_free(s);
    free(img);
    free(sig);
    free(d_img);
    free(d_sig);
}

static void layout__concurrent_writers_both_survive(void **state)
{
    struct sg_oci_store *s = open_w("conc");
    pid_t kids[2];
    int status;

    (void)state;
    sg_oci_store_free(s);
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            struct sg_oci_store *c = open_w("conc");
            for (int i = 0; i < 25; i++) {
                char text[32], tag[32];
                char *m;
                snprintf(text, sizeof(text), "p%d-%d", k, i);
                snprintf(tag, sizeof(tag), "t%d-%d", k, i);
                m = make_image(c, text, NULL);
                if (sg_oci_store_put_manifest(c, tag, SG_MT_OCI_MANIFEST, m,
                                              strlen(m), NULL))
                    _exit(1);
                free(m);
            }
            sg_oci_store_free(c);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    s = open_w("conc");
    assert_int_equal(count_tags(s), 50);
    sg_oci_store_free(s);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void expect_open_error(const char *sub, sg_err code, const char *msg)
{
    char spec[256];
    struct sg_oci_store *s = NULL;
    sg_err rc;

    snprintf(spec, sizeof(spec), "oci-dir:%s/%s", tmpl, sub);
    rc = sg_oci_store_open(&s, spec, NULL, 0);
    if (rc != code || !strstr(sg_error_last(), msg))
        fail_msg("%s: got %s '%s', want '%s'", sub, sg_err_name(rc),
                 sg_error_last(), msg);
    assert_null(s);
}

static void layout__broken_layouts(void **state)
{
    char p[256];

    (void)state;
    expect_open_error("missing", SG_ENOTFOUND, "no such OCI layout directory");
    snprintf(p, sizeof(p), "%s/empty", tmpl);
    mkdir(p, 0755);
    expect_open_error("empty", SG_EPARSE,
                      "not an OCI layout: missing oci-layout");
    snprintf(p, sizeof(p), "%s/empty/oci-layout", tmpl);
    write_file(p, "{\"imageLayoutVersion\":\"1.0.0\"}");
    expect_open_error("empty", SG_EPARSE,
                      "not an OCI layout: missing index.json");
    snprintf(p, sizeof(p), "%s/empty/index.json", tmpl);
    write_file(p, "{\"schemaVersion\":2,");
    expect_open_error("empty", SG_EPARSE, "invalid JSON");
    write_file(p, "{\"schemaVersion\":2}");
    expect_open_error("empty", SG_EPARSE, "no \"manifests\" array");
    snprintf(p, sizeof(p), "%s/empty/oci-layout", tmpl);
    write_file(p, "{}");
    expect_open_error("empty", SG_EPARSE, "has no imageLayoutVersion");
    /* writing into a non-empty non-layout directory is refused */
    {
        struct sg_oci_store *s = NULL;
        snprintf(p, sizeof(p), "oci-dir:%s/notlayout", tmpl);
        mkdir(p + 8, 0755);
        snprintf(p, sizeof(p), "%s/notlayout/file", tmpl);
        write_file(p, "x");
        snprintf(p, sizeof(p), "oci-dir:%s/notlayout", tmpl);
        assert_int_equal(sg_oci_store_open(&s, p, NULL, SG_OCI_OPEN_WRITE),
                         SG_EEXIST);
        assert_non_null(strstr(sg_error_last(), "is not an OCI layout"));
    }
}

static void image__resolve_demo(void **state)
{
    const char *src = getenv("SG_SOURCE_DIR");
    char spec[512];
    struct sg_oci_store *s = NULL;
    struct sg_oci_image *img = NULL;
    struct sg_oci_platform arm;
    char want[SG_DIGEST_STR_MAX];

    (void)state;
    snprintf(spec, sizeof(spec), "oci-dir:%s/testdata/images/demo",
             src ? src : SG_SOURCE_DIR);
    assert_int_equal(sg_oci_store_open(&s, spec, NULL, 0), SG_OK);
    /* local stores carry a synthetic reference */
    assert_string_equal(sg_oci_store_ref(s)->registry, "");
    assert_string_equal(sg_oci_store_ref(s)->repository, "demo");
    assert_string_equal(sg_oci_store_ref(s)->tag, "latest");
    assert_int_equal(sg_oci_image_resolve(&img, s, NULL, NULL), SG_OK);
    assert_int_equal(
        sg_sha256_digest(want, img->manifest_raw.data, img->manifest_raw.len),
        SG_OK);
    assert_string_equal(img->digest, want);
    assert_string_equal(img->manifest_digest, want);
    assert_string_equal(img->media_type, SG_MT_OCI_MANIFEST);
    assert_int_equal(img->manifest->n_layers, 2);
    assert_string_equal(img->config->os, "linux");
    assert_string_equal(img->config->architecture, "amd64");
    assert_int_equal(img->config->n_diff_ids, 2);
    assert_int_equal(
        sg_sha256_digest(want, img->config_raw.data, img->config_raw.len),
        SG_OK);
    assert_string_equal(img->manifest->config.digest, want);
    sg_oci_image_free(img);
    /* a single manifest is used whatever the platform asked for */
    assert_int_equal(sg_oci_platform_parse(&arm, "linux/arm64"), SG_OK);
    assert_int_equal(sg_oci_image_resolve(&img, s, "latest", &arm), SG_OK);
    sg_oci_image_free(img);
    sg_oci_platform_release(&arm);
    assert_int_equal(sg_oci_image_resolve(&img, s, "missing", NULL),
                     SG_ENOTFOUND);
    assert_null(img);
    sg_oci_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout__round_trip),
        cmocka_unit_test(layout__blob_digest_checked_before_rename),
        cmocka_unit_test(layout__referrers),
        cmocka_unit_test(layout__concurrent_writers_both_survive),
        cmocka_unit_test(layout__broken_layouts),
        cmocka_unit_test(image__resolve_demo),
    };

    return cmocka_run_group_tests_name("oci_layout", tests, setup, teardown);
}

/* The layer cache (sbom/layercache.c): a view with every field set comes
 * back equal, through the encoder and through the cache (memory and
 * disk); corrupt, truncated, bit-flipped and foreign entries are misses
 * with a warning; the size bound evicts the least recently used; several
 * threads on one layer scan it once; several processes fill one
 * directory at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbom/layercache_int.h"
#include "sbom/text.h"
#include "sbom_test_util.h"
#include "sbom_view_util.h"

#define BLOB_A \
    "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define BLOB_B \
    "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DIFF_A \
    "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define DIFF_B \
    "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static char *dup_(const char *s)
{
    char *d = sg_text_dup(s);
    assert_non_null(d);
    return d;
}

/* A package with every field of struct sg_pkg set (tag makes the values
 * of two packages differ). */
static void full_pkg(struct sg_sbom *s, const char *tag, size_t parent)
{
    struct sg_pkg *p;
    char b[128];

    assert_int_equal(sg_sbom_add_pkg(s, &p), SG_OK);
#define F(field, what)                          \
    snprintf(b, sizeof(b), "%s-%s", what, tag); \
    p->field = dup_(b)
    p->type = SG_PKG_JAVA;
    F(name, "name");
    F(version, "1.2.3");
    p->epoch = 7;
    p->has_epoch = 1;
    F(arch, "amd64");
    F(group, "org.example");
    F(source_name, "src");
    F(source_version, "srcver");
    F(supplier, "Someone <a@b>");
    F(license, "MIT OR Apache-2.0");
    p->installed_size = 123456789012ull;
    F(description, "a description\nwith two lines");
    F(url, "https://example.org");
    sbom_view_push(&p->depends, &p->n_depends, "libc6 (>= 2.36)");
    sbom_view_push(&p->depends, &p->n_depends, "zlib1g");
    sbom_view_push(&p->provides, &p->n_provides, "virtual-thing");
    F(layer_diff_id, "sha256:layer");
    F(db_path, "/app/lib/x.jar");
    F(purl, "pkg:maven/x");
    F(cpe, "cpe:2.3:a:x");
    F(found_by, "java-archive-cataloger");
    F(checksum, "h1:abc=");
    assert_int_equal(sg_sbom__go_prop_add(p, "vcs.revision", "abcdef", 6),
                     SG_OK);
    assert_int_equal(sg_sbom__go_prop_add(p, "GOOS", "linux", 5), SG_OK);
    p->deleted = 1;
    p->parent = parent;
    p->purpose = SG_PURPOSE_APPLICATION;
#undef F
}

static void
build_view(struct sg_layer_view *v, const struct sg_ctx *ctx, int variant)
{
    static const unsigned char bin[] = { 'a', 0, 'b', 0xff, '\n', 0 };
    const char *copyright =
        "Format: https://www.debian.org/doc/packaging-manuals/"
        "copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n";

    memset(v, 0, sizeof(*v));
    v->ctx = ctx;
    assert_int_equal(sg_layer_view_keep(v, "var/lib/dpkg/status", SG_KEPT_REG,
                                        "Package: a\n", 11, NULL),
                     SG_OK);
    assert_int_equal(sg_layer_view_keep(v, "etc/os-release", SG_KEPT_REG, bin,
                                        sizeof(bin), NULL),
                     SG_OK);
    /* Kept as its licence: a hit must not convert it a second time. */
    assert_int_equal(sg_layer_view_keep(v, "usr/share/doc/a/copyright",
                                        SG_KEPT_REG, copyright,
                                        strlen(copyright), NULL),
                     SG_OK);
    assert_int_equal(sg_layer_view_keep(v, "lib", SG_KEPT_SYMLINK, NULL, 0,
                                        variant ? "usr/lib2" : "usr/lib"),
                     SG_OK);
    assert_int_equal(sg_layer_view_keep(v, "empty", SG_KEPT_REG, "", 0, NULL),
                     SG_OK);
    sbom_view_push(&v->whiteouts, &v->n_whiteouts, "var/lib/apk");
    sbom_view_push(&v->whiteouts, &v->n_whiteouts, "usr/bin/gone");
    sbom_view_push(&v->opaque, &v->n_opaque, "opt/app");
    for (int i = 0; i < 300; i++) {
        char p[32];
        snprintf(p, sizeof(p), "usr/bin/f%d", i);
        assert_int_equal(sg_layer_view_nondir(v, p), SG_OK);
    }
    sg_layer_view_seal(v);
    assert_int_equal(sg_sbom_create(&v->go), SG_OK);
    full_pkg(v->go, "one", 0);
    full_pkg(v->go, "two", 1);
    v->go->pkgs[0].type = SG_PKG_GO_MODULE;
    v->go->pkgs[0].purpose = SG_PURPOSE_LIBRARY;
    assert_int_equal(sg_sbom_add_rel(v->go, 1, 0, SG_REL_DEPENDS_ON), SG_OK);
    assert_int_equal(sg_sbom_add_rel(v->go, SIZE_MAX, 1, SG_REL_CONTAINS),
                     SG_OK);
}

static void str_eq(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void pkg_eq(const struct sg_pkg *a, const struct sg_pkg *b)
{
    assert_int_equal(a->type, b->type);
    str_eq(a->name, b->name);
    str_eq(a->version, b->version);
    assert_int_equal(a->epoch, b->epoch);
    assert_int_equal(a->has_epoch, b->has_epoch);
    str_eq(a->arch, b->arch);
    str_eq(a->group, b->group);
    str_eq(a->source_name, b->source_name);
    str_eq(a->source_version, b->source_version);
    str_eq(a->supplier, b->supplier);
    str_eq(a->license, b->license);
    assert_int_equal(a->installed_size, b->installed_size);
    str_eq(a->description, b->description);
    str_eq(a->url, b->url);
    assert_int_equal(a->n_depends, b->n_depends);
    for (size_t i = 0; i < a->n_depends; i++)
        str_eq(a->depends[i], b->depends[i]);
    assert_int_equal(a->n_provides, b->n_provides);
    for (size_t i = 0; i < a->n_provides; i++)
        str_eq(a->provides[i], b->provides[i]);
    str_eq(a->layer_diff_id, b->layer_diff_id);
    str_eq(a->db_path, b->db_path);
    str_eq(a->purl, b->purl);
    str_eq(a->cpe, b->cpe);
    str_eq(a->found_by, b->found_by);
    str_eq(a->checksum, b->checksum);
    assert_int_equal(a->n_props, b->n_props);
    for (size_t i = 0; i < a->n_props; i++) {
        str_eq(a->props[i].key, b->props[i].key);
        str_eq(a->props[i].value, b->props[i].value);
    }
    assert_int_equal(a->deleted, b->deleted);
    assert_int_equal(a->parent, b->parent);
    assert_int_equal(a->purpose, b->purpose);
}

static void view_eq(const struct sg_layer_view *a,
                    const struct sg_layer_view *b)
{
    assert_int_equal(a->n_kept, b->n_kept);
    for (size_t i = 0; i < a->n_kept; i++) {
        const struct sg_kept *x = &a->kept[i];
        const struct sg_kept *y = sg_layer_view_find(b, x->path);
        assert_non_null(y);
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->len, y->len);
        if (x->kind == SG_KEPT_REG) {
            assert_memory_equal(x->data, y->data, x->len + 1);
        }
        str_eq(x->target, y->target);
    }
    assert_int_equal(a->n_whiteouts, b->n_whiteouts);
    for (size_t i = 0; i < a->n_whiteouts; i++)
        str_eq(a->whiteouts[i], b->whiteouts[i]);
    assert_int_equal(a->n_opaque, b->n_opaque);
    for (size_t i = 0; i < a->n_opaque; i++)
        str_eq(a->opaque[i], b->opaque[i]);
    assert_int_equal(a->n_nondir, b->n_nondir);
    assert_memory_equal(a->nondir, b->nondir, a->n_nondir * sizeof(*a->nondir));
    assert_int_equal(!a->go, !b->go);
    if (a->go) {
        assert_int_equal(a->go->n_pkgs, b->go->n_pkgs);
        for (size_t i = 0; i < a->go->n_pkgs; i++)
            pkg_eq(&a->go->pkgs[i], &b->go->pkgs[i]);
        assert_int_equal(a->go->n_rels, b->go->n_rels);
        for (size_t i = 0; i < a->go->n_rels; i++) {
            assert_int_equal(a->go->rels[i].from, b->go->rels[i].from);
            assert_int_equal(a->go->rels[i].to, b->go->rels[i].to);
            assert_int_equal(a->go->rels[i].type, b->go->rels[i].type);
        }
    }
}

static void test_encode_round_trip(void **state)
{
    struct sg_layer_view v, w;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char w0[] = "first warning", w1[] = "second";
    char *warn[] = { w0, w1 };
    char **wv = NULL;
    size_t nw = 0;
    uint64_t charged = 0;
    const struct sg_kept *k;
    (void)state;

    build_view(&v, sbom_test_sg(), 0);
    /* the copyright file was kept as its licence, not its text */
    k = sg_layer_view_find(&v, "usr/share/doc/a/copyright");
    assert_non_null(k);
    assert_string_equal((const char *)k->data, "GPL-2.0-or-later");
    assert_int_equal(
        sg_layer_cache__encode(&b, BLOB_A, DIFF_A, &v, 4242, warn, 2), SG_OK);
    memset(&w, 0, sizeof(w));
    w.ctx = sbom_test_sg();
    assert_int_equal(sg_layer_cache__decode(&w, &charged, &wv, &nw, b.data,
                                            b.len, BLOB_A, DIFF_A),
                     SG_OK);
    assert_int_equal(charged, 4242);
    assert_int_equal(nw, 2);
    assert_string_equal(wv[0], "first warning");
    assert_string_equal(wv[1], "second");
    view_eq(&v, &w);
    /* and the same bytes again: the encoding is deterministic */
    {
        struct sg_buf b2 = SG_BUF_INIT(SG_BUF_NOLIMIT);
        assert_int_equal(
            sg_layer_cache__encode(&b2, BLOB_A, DIFF_A, &w, 4242, wv, nw),
            SG_OK);
        assert_int_equal(b.len, b2.len);
        assert_memory_equal(b.data, b2.data, b.len);
        sg_buf_release(&b2);
    }
    sg_strv_free_n(wv, nw);
    sg_layer_view_release(&w);
    sg_layer_view_release(&v);
    sg_buf_release(&b);
}

/* Every byte flipped, and every truncation, is refused (never a crash). */
static void test_decode_rejects_damage(void **state)
{
    struct sg_layer_view v;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    unsigned char *copy;
    (void)state;

    build_view(&v, NULL, 0);
    assert_int_equal(sg_layer_cache__encode(&b, BLOB_A, DIFF_A, &v, 1, NULL, 0),
                     SG_OK);
    sg_layer_view_release(&v);
    copy = malloc(b.len);
    assert_non_null(copy);
    for (size_t i = 0; i < b.len; i += (i < 200 ? 1 : 7)) {
        struct sg_layer_view w;
        char **wv;
        size_t nw;
        uint64_t ch;
        memcpy(copy, b.data, b.len);
        copy[i] ^= 0x10;
        memset(&w, 0, sizeof(w));
        assert_int_not_equal(sg_layer_cache__decode(&w, &ch, &wv, &nw, copy,
                                                    b.len, BLOB_A, DIFF_A),
                             SG_OK);
        sg_layer_view_release(&w);
        memset(&w, 0, sizeof(w));
        assert_int_not_equal(sg_layer_cache__decode(&w, &ch, &wv, &nw, b.data,
                                                    i, BLOB_A, DIFF_A),
                             SG_OK);
        sg_layer_view_release(&w);
    }
    /* another layer's (valid) entry */
    {
        struct sg_layer_view w;
        char **wv;
        size_t nw;
        uint64_t ch;
        memset(&w, 0, sizeof(w));
        assert_int_equal(sg_layer_cache__decode(&w, &ch, &wv, &nw, b.data,
                                                b.len, BLOB_B, DIFF_A),
                         SG_EPARSE);
        assert_non_null(strstr(sg_error_last(), "another layer"));
        memset(&w, 0, sizeof(w));
        assert_int_equal(sg_layer_cache__decode(&w, &ch, &wv, &nw, b.data,
                                                b.len, BLOB_A, DIFF_B),
                         SG_EPARSE);
        sg_layer_view_release(&w);
    }
    free(copy);
    sg_buf_release(&b);
}

static char *mkdtemp_(void)
{
    char tmpl[] = "/tmp/sg-lc-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return dup_(d);
}

static void rm_rf(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[4096];

    if (!d)
        return;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static size_t count_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    assert_non_null(d);
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name), s = strlen(suffix);
        if (l > s && strcmp(de->d_name + l - s, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* The one entry file in dir (path into out). */
static void only_entry(char *out, size_t cap, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)))
        if (strlen(de->d_name) == 64 + 6 &&
            strcmp(de->d_name + 64, ".layer") == 0) {
            snprintf(out, cap, "%s/%s", dir, de->d_name);
            n++;
        }
    closedir(d);
    assert_int_equal(n, 1);
}

/* Scan "layer" blob through the cache c: on a miss, fill the view with
 * build_view() and store it. Returns 1 on a hit. */
static int scan(struct sg_layer_cache *c,
                const char *blob,
                const char *diff,
                struct sg_layer_view *v,
                _Atomic uint64_t *budget,
                int variant)
{
    struct sg_layer_cache_fill *f = NULL;
    int hit = -1;

    memset(v, 0, sizeof(*v));
    v->ctx = sbom_test_sg();
    v->kept_total = budget;
    assert_int_equal(sg_layer_cache__begin(c, blob, diff, v, &f, &hit), SG_OK);
    if (hit) {
        assert_null(f);
        return 1;
    }
    assert_non_null(f);
    {
        const struct sg_ctx *rec = v->ctx;
        build_view(v, rec, variant);
        v->kept_total = budget;
        assert_int_equal(sg_layer_view_budget(v, 1000, "x"), SG_OK);
        sg_warn(v->ctx, "%s: a warning of the scan", blob);
    }
    sg_layer_cache__end(f, v, 1);
    assert_ptr_equal(v->ctx, sbom_test_sg());
    return 0;
}

static void test_cache_hit_memory_and_disk(void **state)
{
    char *dir = mkdtemp_();
    struct sg_layer_cache_opts o = { .dir = dir, .ctx = sbom_test_sg() };
    struct sg_layer_cache *c = NULL, *c2 = NULL;
    struct sg_layer_view cold, warm;
    _Atomic uint64_t budget = 0;
    struct stat st;
    (void)state;

    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    sbom_test_capture();
    assert_int_equal(scan(c, BLOB_A, DIFF_A, &cold, &budget, 0), 0);
    assert_non_null(strstr(sbom_test_log, "a warning of the scan"));
    assert_int_equal(atomic_load(&budget), 1000);
    assert_int_equal(count_files(dir, ".layer"), 1);
    {
        char p[4096];
        only_entry(p, sizeof(p), dir);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    /* memory tier */
    sbom_test_capture();
    assert_int_equal(scan(c, BLOB_A, DIFF_A, &warm, &budget, 0), 1);
    view_eq(&cold, &warm);
    /* the warning is given again, and the kept bytes charged again */
    assert_non_null(strstr(sbom_test_log, "a warning of the scan"));
    assert_int_equal(atomic_load(&budget), 2000);
    sg_layer_view_release(&warm);
    /* disk tier: another cache object (another process) */
    assert_int_equal(sg_layer_cache_open(&c2, &o), SG_OK);
    sbom_test_capture();
    assert_int_equal(scan(c2, BLOB_A, DIFF_A, &warm, &budget, 0), 1);
    view_eq(&cold, &warm);
    assert_null(strstr(sbom_test_log, "again"));
    sg_layer_view_release(&warm);
    /* the same blob under another diff_id is another entry */
    assert_int_equal(scan(c2, BLOB_A, DIFF_B, &warm, &budget, 0), 0);
    sg_layer_view_release(&warm);
    sg_layer_view_release(&cold);
    sg_layer_cache_free(c);
    sg_layer_cache_free(c2);
    rm_rf(dir);
    free(dir);
}

/* The budget still applies on a hit. */
static void test_hit_charges_budget(void **state)
{
    struct sg_layer_cache_opts o = { .ctx = sbom_test_sg() };
    struct sg_layer_cache *c = NULL;
    struct sg_layer_view v;
    struct sg_ctx small;
    struct sg_layer_cache_fill *f = NULL;
    _Atomic uint64_t budget = 0;
    int hit = 0;
    (void)state;

    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    assert_int_equal(scan(c, BLOB_A, DIFF_A, &v, &budget, 0), 0);
    sg_layer_view_release(&v);
    small = *sbom_test_sg();
    small.limits.kept_bytes_max = 1500;
    budget = 1000; /* another layer of the image kept 1000 bytes */
    memset(&v, 0, sizeof(v));
    v.ctx = &small;
    v.kept_total = &budget;
    assert_int_equal(sg_layer_cache__begin(c, BLOB_A, DIFF_A, &v, &f, &hit),
                     SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "kept in memory"));
    assert_int_equal(v.n_kept, 0);
    sg_layer_view_release(&v);
    sg_layer_cache_free(c);
}

enum damage {
    D_REMOVE,
    D_TRUNCATE,
    D_FLIP,
    D_MAGIC,
    D_FOREIGN,
    D_EMPTY
};

static void damage_one(enum damage d)
{
    char *dir = mkdtemp_();
    struct sg_layer_cache_opts o = { .dir = dir, .ctx = sbom_test_sg() };
    struct sg_layer_cache *c = NULL;
    struct sg_layer_view v;
    _Atomic uint64_t budget = 0;
    char pa[4096], pb[4096];
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    /* B's entry first, then A's (each in its own cache object so the
     * memory tier does not answer) */
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    assert_int_equal(scan(c, BLOB_B, DIFF_B, &v, &budget, 1), 0);
    sg_layer_view_release(&v);
    only_entry(pb, sizeof(pb), dir);
    {
        /* move B aside so that A's file is the only one */
        char aside[4200];
        snprintf(aside, sizeof(aside), "%s.aside", pb);
        assert_int_equal(rename(pb, aside), 0);
        assert_int_equal(scan(c, BLOB_A, DIFF_A, &v, &budget, 0), 0);
        sg_layer_view_release(&v);
        only_entry(pa, sizeof(pa), dir);
        assert_int_equal(rename(aside, pb), 0);
    }
    sg_layer_cache_free(c);
    assert_int_equal(sg_file_read(&b, pa, 1u << 24), SG_OK);
    switch (d) {
    case D_REMOVE:
        assert_int_equal(unlink(pa), 0);
        break;
    case D_TRUNCATE:
        assert_int_equal(truncate(pa, (off_t)(b.len / 2)), 0);
        break;
    case D_EMPTY:
        assert_int_equal(truncate(pa, 0), 0);
        break;
    case D_FLIP:
    case D_MAGIC:
        b.data[d == D_MAGIC ? 1 : b.len - 20] ^= 0x01;
        assert_int_equal(sg_file_write_atomic(pa, b.data, b.len, 0600), SG_OK);
        break;
    case D_FOREIGN:
        assert_int_equal(rename(pb, pa), 0);
        break;
    }
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    sbom_test_capture();
    /* a miss: the layer is scanned (build_view) and stored again */
    assert_int_equal(scan(c, BLOB_A, DIFF_A, &v, &budget, 0), 0);
    if (d == D_REMOVE)
        assert_null(strstr(sbom_test_log, "layer cache"));
    else
        assert_non_null(strstr(sbom_test_log, "scanning the layer again"));
    if (d == D_FOREIGN)
        assert_non_null(strstr(sbom_test_log, "another layer"));
    if (d == D_FLIP)
        assert_non_null(strstr(sbom_test_log, "digest mismatch"));
    if (d == D_TRUNCATE)
        assert_non_null(strstr(sbom_test_log, "truncated"));
    sg_layer_view_release(&v);
    sg_layer_cache_free(c);
    /* and now it hits, from disk */
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    sbom_test_capture();
    assert_int_equal(scan(c, BLOB_A, DIFF_A, &v, &budget, 0), 1);
    assert_null(strstr(sbom_test_log, "layer cache"));
    sg_layer_view_release(&v);
    sg_layer_cache_free(c);
    sg_buf_release(&b);
    rm_rf(dir);
    free(dir);
}

static void test_bad_entries(void **state)
{
    (void)state;
    damage_one(D_REMOVE);
    damage_one(D_TRUNCATE);
    damage_one(D_EMPTY);
    damage_one(D_FLIP);
    damage_one(D_MAGIC);
    damage_one(D_FOREIGN);
}

static void
set_mtime(const char *dir, const char *blob, const char *diff, time_t t)
{
    /* find the entry through the list (its header names the blob) */
    struct sg_layer_cache_opts o = { .dir = dir };
    struct sg_layer_cache *c = NULL;
    struct sg_layer_cache_entry *v = NULL;
    size_t n = 0;
    int found = 0;

    (void)diff;
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    assert_int_equal(sg_layer_cache_list(&v, &n, c), SG_OK);
    for (size_t i = 0; i < n; i++) {
        if (v[i].blob && strcmp(v[i].blob, blob) == 0) {
            char p[4096];
            struct timespec ts[2] = { { t, 0 }, { t, 0 } };
            snprintf(p, sizeof(p), "%s/%s", dir, v[i].file);
            assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
            found = 1;
        }
    }
    assert_true(found);
    sg_layer_cache_list_free(v, n);
    sg_layer_cache_free(c);
}

static int listed(const char *dir, const char *blob)
{
    struct sg_layer_cache_opts o = { .dir = dir };
    struct sg_layer_cache *c = NULL;
    struct sg_layer_cache_entry *v = NULL;
    size_t n = 0;
    int found = 0;

    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    assert_int_equal(sg_layer_cache_list(&v, &n, c), SG_OK);
    for (size_t i = 0; i < n; i++)
        found |= v[i].blob && strcmp(v[i].blob, blob) == 0;
    sg_layer_cache_list_free(v, n);
    sg_layer_cache_free(c);
    return found;
}

static void blob_name(char *out, size_t cap, int i)
{
    snprintf(out, cap, "sha256:%064d", i);
}

static void test_eviction_lru(void **state)
{
    char *dir = mkdtemp_();
    struct sg_layer_cache_opts o = { .dir = dir, .ctx = sbom_test_sg() };
    struct sg_layer_cache *c = NULL;
    struct sg_layer_view v;
    _Atomic uint64_t budget = 0;
    struct sg_layer_cache_entry *l = NULL;
    size_t n = 0, removed = 0;
    uint64_t one, freed = 0;
    char b[80];
    (void)state;

    /* one entry's size */
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    blob_name(b, sizeof(b), 1);
    assert_int_equal(scan(c, b, NULL, &v, &budget, 0), 0);
    sg_layer_view_release(&v);
    assert_int_equal(sg_layer_cache_list(&l, &n, c), SG_OK);
    assert_int_equal(n, 1);
    one = l[0].size;
    sg_layer_cache_list_free(l, n);
    sg_layer_cache_free(c);

    /* room for three entries and a half */
    o.max_bytes = one * 3 + one / 2;
    blob_name(b, sizeof(b), 1);
    set_mtime(dir, b, NULL, 1000);
    for (int i = 2; i <= 3; i++) {
        assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
        blob_name(b, sizeof(b), i);
        assert_int_equal(scan(c, b, NULL, &v, &budget, 0), 0);
        sg_layer_view_release(&v);
        sg_layer_cache_free(c);
        set_mtime(dir, b, NULL, 1000 + i);
    }
    /* entry 1 (oldest) is used again: now 2 is the least recent */
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    blob_name(b, sizeof(b), 1);
    assert_int_equal(scan(c, b, NULL, &v, &budget, 0), 1);
    sg_layer_view_release(&v);
    blob_name(b, sizeof(b), 4);
    assert_int_equal(scan(c, b, NULL, &v, &budget, 0), 0);
    sg_layer_view_release(&v);
    sg_layer_cache_free(c);
    assert_int_equal(count_files(dir, ".layer"), 3);
    blob_name(b, sizeof(b), 2);
    assert_false(listed(dir, b));
    for (int i = 1; i <= 4; i++) {
        if (i == 2)
            continue;
        blob_name(b, sizeof(b), i);
        assert_true(listed(dir, b));
    }
    /* prune to one entry's worth, then clean */
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    assert_int_equal(sg_layer_cache_prune(c, one, &removed, &freed), SG_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(freed, 2 * one);
    assert_int_equal(count_files(dir, ".layer"), 1);
    blob_name(b, sizeof(b), 4); /* the most recent one stays */
    sg_layer_cache_free(c);
    assert_true(listed(dir, b));
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    assert_int_equal(sg_layer_cache_prune(c, 0, &removed, NULL), SG_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(count_files(dir, ".layer"), 0);
    sg_layer_cache_free(c);
    rm_rf(dir);
    free(dir);
}

/* Threads scanning the same layer: one scans, the others wait and hit. */
struct th_arg {
    struct sg_layer_cache *c;
    _Atomic int *misses;
    _Atomic uint64_t *budget;
};

static void *th_main(void *p)
{
    struct th_arg *a = p;
    struct sg_layer_view v;
    struct sg_layer_cache_fill *f = NULL;
    int hit = 0;

    memset(&v, 0, sizeof(v));
    v.kept_total = a->budget;
    if (sg_layer_cache__begin(a->c, BLOB_A, DIFF_A, &v, &f, &hit) != SG_OK)
        abort();
    if (!hit) {
        atomic_fetch_add(a->misses, 1);
        usleep(100000); /* the others arrive meanwhile and must wait */
        build_view(&v, v.ctx, 0);
        sg_layer_cache__end(f, &v, 1);
    } else if (v.n_kept != 5) {
        abort();
    }
    sg_layer_view_release(&v);
    return NULL;
}

static void test_singleflight_threads(void **state)
{
    struct sg_layer_cache_opts o = { 0 }; /* memory only (--no-cache) */
    struct sg_layer_cache *c = NULL;
    pthread_t th[8];
    struct th_arg a;
    _Atomic int misses = 0;
    _Atomic uint64_t budget = 0;
    (void)state;

    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    a.c = c;
    a.misses = &misses;
    a.budget = &budget;
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&th[i], NULL, th_main, &a), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&misses), 1);
    sg_layer_cache_free(c);
}

/* A failed scan stores nothing and lets the next one scan. */
static void test_failed_scan_not_stored(void **state)
{
    char *dir = mkdtemp_();
    struct sg_layer_cache_opts o = { .dir = dir };
    struct sg_layer_cache *c = NULL;
    struct sg_layer_view v;
    struct sg_layer_cache_fill *f = NULL;
    int hit = 0;
    (void)state;

    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    memset(&v, 0, sizeof(v));
    assert_int_equal(sg_layer_cache__begin(c, BLOB_A, DIFF_A, &v, &f, &hit),
                     SG_OK);
    assert_false(hit);
    sg_layer_cache__end(f, &v, 0);
    assert_int_equal(count_files(dir, ".layer"), 0);
    f = NULL;
    assert_int_equal(sg_layer_cache__begin(c, BLOB_A, DIFF_A, &v, &f, &hit),
                     SG_OK);
    assert_false(hit);
    assert_non_null(f);
    sg_layer_cache__end(f, &v, 0);
    sg_layer_cache_free(c);
    rm_rf(dir);
    free(dir);
}

/* Processes filling one directory at once: every entry ends whole, no
 * temp file is left, and each layer reads back. */
static void test_concurrent_processes(void **state)
{
    char *dir = mkdtemp_();
    pid_t pids[4];
    (void)state;

    for (int p = 0; p < 4; p++) {
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0) {
            struct sg_layer_cache_opts o = { .dir = dir };
            struct sg_layer_cache *c = NULL;
            int bad = 0;
            if (sg_layer_cache_open(&c, &o) != SG_OK)
                _exit(2);
            for (int i = 0; i < 30; i++) {
                struct sg_layer_view v;
                struct sg_layer_cache_fill *f = NULL;
                int hit = 0;
                char b[80];
                blob_name(b, sizeof(b), (i * 7 + p) % 30);
                memset(&v, 0, sizeof(v));
                if (sg_layer_cache__begin(c, b, NULL, &v, &f, &hit) != SG_OK)
                    _exit(3);
                if (!hit) {
                    build_view(&v, v.ctx, 0);
                    sg_layer_cache__end(f, &v, 1);
                } else if (v.n_kept != 5 || !v.go || v.go->n_pkgs != 2) {
                    bad = 1;
                }
                sg_layer_view_release(&v);
            }
            sg_layer_cache_free(c);
            _exit(bad);
        }
    }
    for (int p = 0; p < 4; p++) {
        int st = 0;
        assert_int_equal(waitpid(pids[p], &st, 0), pids[p]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    assert_int_equal(count_files(dir, ".layer"), 30);
    assert_int_equal(count_files(dir, ".tmp"), 0);
    {
        struct sg_layer_cache_opts o = { .dir = dir, .ctx = sbom_test_sg() };
        struct sg_layer_cache *c = NULL;
        _Atomic uint64_t budget = 0;
        assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
        sbom_test_capture();
        for (int i = 0; i < 30; i++) {
            struct sg_layer_view v;
            char b[80];
            blob_name(b, sizeof(b), i);
            assert_int_equal(scan(c, b, NULL, &v, &budget, 0), 1);
            sg_layer_view_release(&v);
        }
        assert_null(strstr(sbom_test_log, "layer cache"));
        sg_layer_cache_free(c);
    }
    rm_rf(dir);
    free(dir);
}

/* A directory that cannot be made: a warning, memory only. */
static void test_unusable_dir(void **state)
{
    struct sg_layer_cache_opts o = { .dir = "/proc/no/such/dir",
                                     .ctx = sbom_test_sg() };
    struct sg_layer_cache *c = NULL;
    struct sg_layer_view v;
    _Atomic uint64_t budget = 0;
    (void)state;

    sbom_test_capture();
    assert_int_equal(sg_layer_cache_open(&c, &o), SG_OK);
    assert_non_null(strstr(sbom_test_log, "not cached on disk"));
    assert_int_equal(scan(c, BLOB_A, DIFF_A, &v, &budget, 0), 0);
    sg_layer_view_release(&v);
    assert_int_equal(scan(c, BLOB_A, DIFF_A, &v, &budget, 0), 1);
    sg_layer_view_release(&v);
    sg_layer_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_round_trip),
        cmocka_unit_test(test_decode_rejects_damage),
        cmocka_unit_test(test_cache_hit_memory_and_disk),
        cmocka_unit_test(test_hit_charges_budget),
        cmocka_unit_test(test_bad_entries),
        cmocka_unit_test(test_eviction_lru),
        cmocka_unit_test(test_singleflight_threads),
        cmocka_unit_test(test_failed_scan_not_stored),
        cmocka_unit_test(test_concurrent_processes),
        cmocka_unit_test(test_unusable_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

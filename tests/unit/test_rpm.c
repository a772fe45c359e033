/* rpm: the header blob parser on hand-made blobs, and the three database
 * readers on real databases ($SG_FIXTURES/rpm, built by
 * testdata/fixtures/rpm.sh with rpmbuild/rpm/db5.3_load) compared with
 * `rpm -qa` on the same database, then on truncated and corrupted
 * copies of each. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "sbom/sbom_int.h"
#include "sbom/sbom_purl.h"

/* ------------------------------------------------------------------ */
/* Warnings captured from the library                                   */

static char warnings[16384];

/* The tests' ctx: default limits, log_hook (set up in main). */
static struct sg_ctx tctx;

static void log_hook(enum sg_log_level level, const char *msg, void *payload)
{
    size_t n = strlen(warnings);

    (void)payload;
    if (level > SG_LOG_WARN)
        return;
    snprintf(warnings + n, sizeof(warnings) - n, "%s\n", msg);
}

/* ------------------------------------------------------------------ */
/* Hand-made header blobs                                              */

struct hb {
    unsigned char idx[16 * 64];
    unsigned char data[4096];
    uint32_t il, dl;
};

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Append an entry whose data are the n bytes at d, aligned to `align`. */
static void hb_add(struct hb *h,
                   uint32_t tag,
                   uint32_t type,
                   uint32_t count,
                   const void *d,
                   uint32_t n,
                   uint32_t align)
{
    while (h->dl % align)
        h->data[h->dl++] = 0;
    put32(h->idx + 16 * h->il, tag);
    put32(h->idx + 16 * h->il + 4, type);
    put32(h->idx + 16 * h->il + 8, h->dl);
    put32(h->idx + 16 * h->il + 12, count);
    memcpy(h->data + h->dl, d, n);
    h->dl += n;
    h->il++;
}

static void hb_str(struct hb *h, uint32_t tag, const char *s)
{
    hb_add(h, tag, 6, 1, s, (uint32_t)strlen(s) + 1, 1);
}

static size_t hb_blob(unsigned char *out, const struct hb *h)
{
    put32(out, h->il);
    put32(out + 4, h->dl);
    memcpy(out + 8, h->idx, 16u * h->il);
    memcpy(out + 8 + 16u * h->il, h->data, h->dl);
    return 8 + 16u * h->il + h->dl;
}

static void hb_basic(struct hb *h, const char *name)
{
    static const unsigned char epoch[4] = { 0, 0, 0, 7 };
    static const char reqs[] = "rpmlib(CompressedFileNames)\0/bin/sh\0"
                               "libc.so.6\0/bin/sh";

    memset(h, 0, sizeof(*h));
    hb_str(h, 1000, name);
    hb_str(h, 1001, "1.0");
    hb_str(h, 1002, "3.el9");
    hb_add(h, 1003, 4, 1, epoch, 4, 4);
    hb_str(h, 1022, "x86_64");
    hb_add(h, 1049, 8, 4, reqs, sizeof(reqs), 1);
}

static sg_err parse_hb(const struct hb *h, struct sg_pkg *p, int *skipped)
{
    unsigned char blob[8 + sizeof(h->idx) + sizeof(h->data)];
    size_t n = hb_blob(blob, h);

    return sg_sbom__rpm_header_parse(p, skipped, blob, n);
}

static void expect_bad(const struct hb *h, const char *msg_part)
{
    struct sg_pkg p;
    int skipped;

    assert_int_not_equal(parse_hb(h, &p, &skipped), SG_OK);
    if (!strstr(sg_error_last(), msg_part))
        fail_msg("error \"%s\" lacks \"%s\"", sg_error_last(), msg_part);
    assert_null(p.name);
    sg_error_clear();
}

static void rpmhdr__fields_and_validation(void **state)
{
    struct hb h;
    struct sg_pkg p;
    int skipped;
    unsigned char blob[64];

    (void)state;
    hb_basic(&h, "foo");
    assert_int_equal(parse_hb(&h, &p, &skipped), SG_OK);
    assert_int_equal(skipped, 0);
    assert_int_equal(p.type, SG_PKG_RPM);
    assert_string_equal(p.name, "foo");
    assert_string_equal(p.version, "1.0-3.el9");
    assert_true(p.has_epoch);
    assert_int_equal(p.epoch, 7);
    assert_string_equal(p.arch, "x86_64");
    assert_null(p.license);
    assert_int_equal(p.n_depends, 2); /* rpmlib() dropped, /bin/sh once */
    assert_string_equal(p.depends[0], "/bin/sh");
    assert_string_equal(p.depends[1], "libc.so.6");
    sg_pkg_release(&p);

    hb_basic(&h, "gpg-pubkey");
    assert_int_equal(parse_hb(&h, &p, &skipped), SG_OK);
    assert_int_equal(skipped, 1);
    assert_null(p.name);

    /* data of two entries overlap */
    hb_basic(&h, "foo");
    put32(h.idx + 16 * 1 + 8, 0); /* VERSION points at NAME's bytes */
    expect_bad(&h, "overlap");
    /* offset beyond the data */
    hb_basic(&h, "foo");
    put32(h.idx + 16 * 2 + 8, h.dl + 5);
    expect_bad(&h, "out of range");
    /* misaligned INT32 */
    hb_basic(&h, "foo");
    put32(h.idx + 16 * 3 + 8, 1);
    expect_bad(&h, "misaligned");
    /* string without its NUL inside the data */
    hb_basic(&h, "foo");
    h.data[h.dl - 1] = 'x';
    expect_bad(&h, "past the end");
    /* bad type, zero count, STRING with count 2 */
    hb_basic(&h, "foo");
    put32(h.idx + 16 * 0 + 4, 10);
    expect_bad(&h, "bad type");
    hb_basic(&h, "foo");
    put32(h.idx + 16 * 0 + 12, 0);
    expect_bad(&h, "out of range");
    hb_basic(&h, "foo");
    put32(h.idx + 16 * 0 + 12, 2);
    expect_bad(&h, "past the end");
    /* no NAME / no RELEASE */
    memset(&h, 0, sizeof(h));
    hb_str(&h, 1001, "1");
    expect_bad(&h, "no NAME");
    memset(&h, 0, sizeof(h));
    hb_str(&h, 1000, "x");
    hb_str(&h, 1001, "1");
    expect_bad(&h, "no VERSION or RELEASE");

    /* absurd counts and sizes that do not add up */
    put32(blob, 0x10000);
    put32(blob + 4, 16);
    assert_int_equal(sg_sbom__rpm_header_parse(&p, &skipped, blob, 64),
                     SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "absurd index count"));
    put32(blob, 1);
    put32(blob + 4, 0x20000000);
    assert_int_equal(sg_sbom__rpm_header_parse(&p, &skipped, blob, 64),
                     SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "absurd data size"));
    put32(blob + 4, 100);
    assert_int_equal(sg_sbom__rpm_header_parse(&p, &skipped, blob, 64),
                     SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "blob has 64"));
    assert_int_equal(sg_sbom__rpm_header_parse(&p, &skipped, blob, 5),
                     SG_EPARSE);
    sg_error_clear();
}

static void rpmhdr__region_trailer_is_checked(void **state)
{
    struct hb h;
    struct sg_pkg p;
    int skipped;
    unsigned char trailer[16];

    (void)state;
    memset(&h, 0, sizeof(h));
    put32(trailer, 63);
    put32(trailer + 4, 7);
    put32(trailer + 8, (uint32_t) - (4 * 16)); /* region covers 4 entries */
    put32(trailer + 12, 16);
    hb_add(&h, 63, 7, 16, trailer, 16, 1);
    hb_str(&h, 1000, "reg");
    hb_str(&h, 1001, "2");
    hb_str(&h, 1002, "1");
    assert_int_equal(parse_hb(&h, &p, &skipped), SG_OK);
    assert_string_equal(p.version, "2-1");
    assert_false(p.has_epoch);
    sg_pkg_release(&p);
    put32(h.data + 8, (uint32_t) - (9 * 16)); /* more entries than exist */
    expect_bad(&h, "region trailer");
}

/* ------------------------------------------------------------------ */
/* Real databases                                                       */

struct fixture {
    const char *dir, *file;
    enum sg_rpmdb_kind kind;
};

static const struct fixture fixtures[] = {
    { "sqlite", "rpmdb.sqlite", SG_RPMDB_SQLITE },
    { "bdb", "Packages", SG_RPMDB_BDB },
    { "ndb", "Packages.db", SG_RPMDB_NDB },
};

static void
fixture_path(char *out, size_t cap, const struct fixture *f, const char *file)
{
    const char *root = getenv("SG_FIXTURES");

    if (!root || !*root)
        fail_msg("SG_FIXTURES is not set: run testdata/make-fixtures.sh "
                 "(scripts/test.sh does) before ctest");
    snprintf(out, cap, "%s/rpm/%s/%s", root, f->dir, file);
}

static void load(struct sg_buf *b, const struct fixture *f, const char *file)
{
    char path[4096];

    fixture_path(path, sizeof(path), f, file);
    if (sg_file_read(b, path, 64u * 1024u * 1024u) != SG_OK)
        fail_msg("%s -- run testdata/make-fixtures.sh (scripts/test.sh "
                 "does) to build the rpm fixtures",
                 sg_error_last());
}

static size_t find_opt(const void *hay, size_t n, const char *needle, size_t nl)
{
    const unsigned char *h = hay;

    for (size_t i = 0; i + nl <= n; i++)
        if (memcmp(h + i, needle, nl) == 0)
            return i;
    return SIZE_MAX;
}

static size_t find(const void *hay, size_t n, const char *needle, size_t nl)
{
    size_t i = find_opt(hay, n, needle, nl);

    if (i == SIZE_MAX)
        fail_msg("\"%.*s\" not found", (int)nl, needle);
    return i;
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lines in rpm's --qf layout for every package:
 * NAME|EPOCHNUM|VERSION|RELEASE|ARCH|LICENSE|VENDOR|SOURCERPM|EPOCH|SIZE */
static char **pkg_lines(const struct sg_sbom *s)
{
    char **v = calloc(s->n_pkgs + 1, sizeof(*v));

    assert_non_null(v);
    for (size_t i = 0; i < s->n_pkgs; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        const char *dash = strrchr(p->version, '-');
        char epoch[32];
        struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

        assert_non_null(dash);
        if (p->has_epoch)
            snprintf(epoch, sizeof(epoch), "%lu", p->epoch);
        else
            snprintf(epoch, sizeof(epoch), "(none)");
        assert_int_equal(
            sg_buf_addf(&b, "%s|%lu|%.*s|%s|%s|%s|%s|%s|%s|%llu", p->name,
                        p->has_epoch ? p->epoch : 0ul, (int)(dash - p->version),
                        p->version, dash + 1, p->arch ? p->arch : "(none)",
                        p->license ? p->license : "(none)",
                        p->supplier ? p->supplier : "(none)",
                        p->source_name ? p->source_name : "(none)", epoch,
                        (unsigned long long)p->installed_size),
            SG_OK);
        assert_int_equal(sg_buf_take(&v[i], NULL, &b), SG_OK);
    }
    qsort(v, s->n_pkgs, sizeof(*v), line_cmp);
    return v;
}

static void free_lines(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static const struct sg_pkg *by_name(const struct sg_sbom *s, const char *n)
{
    for (size_t i = 0; i < s->n_pkgs; i++)
        if (strcmp(s->pkgs[i].name, n) == 0)
            return &s->pkgs[i];
    fail_msg("package %s not found", n);
    return NULL;
}

static int has(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

static void check_fixture(const struct fixture *f)
{
    struct sg_buf db = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf exp = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf purl = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s = NULL;
    char **got, *line, *save = NULL;
    size_t n_exp = 0, n_pubkeys = 0;
    const struct sg_pkg *p;
    char *want[64];

    load(&db, f, f->file);
    load(&exp, f, "expected.txt");
    for (line = strtok_r(exp.data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "gpg-pubkey|", 11) == 0) {
            n_pubkeys++; /* rpm lists it; an SBOM must not */
            continue;
        }
        assert_true(n_exp < 64);
        want[n_exp++] = line;
    }
    qsort(want, n_exp, sizeof(*want), line_cmp);
    assert_int_equal(n_exp, 4);
    assert_int_equal(n_pubkeys, 1);

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    warnings[0] = '\0';
    if (sg_sbom__rpmdb_parse(s, f->kind, db.data, db.len, f->file,
                             "sha256:layer", &tctx) != SG_OK)
        fail_msg("%s: %s", f->file, sg_error_last());
    assert_string_equal(warnings, "");
    got = pkg_lines(s);
    assert_int_equal(s->n_pkgs, n_exp);
    for (size_t i = 0; i < n_exp; i++)
        assert_string_equal(got[i], want[i]);
    free_lines(got);

    /* fields rpm -qa was not asked for */
    p = by_name(s, "beta");
    assert_true(has(p->depends, p->n_depends, "alpha-api"));
    assert_true(has(p->depends, p->n_depends, "/bin/sh"));
    for (size_t i = 0; i < p->n_depends; i++)
        assert_null(strstr(p->depends[i], "rpmlib("));
    assert_true(has(p->provides, p->n_provides, "beta"));
    assert_true(has(p->provides, p->n_provides, "beta(x86-64)"));
    assert_string_equal(p->url, "https://example.org/beta");
    assert_string_equal(p->description, "Beta test package");
    assert_string_equal(p->found_by, "rpm-db-cataloger");
    assert_string_equal(p->db_path, f->file);
    assert_string_equal(p->layer_diff_id, "sha256:layer");
    assert_int_equal(sg_sbom_purl(&purl, p, NULL), SG_OK);
    assert_string_equal(purl.data, "pkg:rpm/sigil/beta@0.9-1.el9?arch=x86_64&"
                                   "epoch=2&upstream=beta-0.9-1.el9.src.rpm");
    p = by_name(s, "alpha");
    assert_true(has(p->provides, p->n_provides, "alpha-api"));
    p = by_name(s, "gamma");
    assert_string_equal(p->description, "Gamma \xe2\x80\x93 \xc3\xbcn\xc3"
                                        "\xaf"
                                        "code summary");
    assert_true(has(p->depends, p->n_depends, "beta"));
    p = by_name(s, "delta-big");
    assert_int_equal(p->n_provides, 151);

    sg_sbom_free(s);
    sg_buf_release(&db);
    sg_buf_release(&exp);
    sg_buf_release(&purl);
}

static void rpmdb__sqlite_matches_rpm_qa(void **state)
{
    (void)state;
    check_fixture(&fixtures[0]);
}

static void rpmdb__bdb_matches_rpm_qa(void **state)
{
    (void)state;
    check_fixture(&fixtures[1]);
}

static void rpmdb__ndb_matches_rpm_qa(void **state)
{
    (void)state;
    check_fixture(&fixtures[2]);
}

/* Parse a damaged copy: either a clean error with a message, or success
 * with at most the real packages; never a crash (ASan builds check the
 * memory side). Returns the package count, or -1 on error. */
static long
parse_damaged(const struct fixture *f, const unsigned char *d, size_t len)
{
    struct sg_sbom *s = NULL;
    sg_err rc;
    long n;

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    rc = sg_sbom__rpmdb_parse(s, f->kind, d, len, f->file, NULL, &tctx);
    if (rc) {
        assert_true(strlen(sg_error_last()) > 0);
        assert_int_equal(s->n_pkgs, 0);
        n = -1;
    } else {
        assert_true(s->n_pkgs <= 4);
        for (size_t i = 0; i < s->n_pkgs; i++)
            assert_non_null(s->pkgs[i].name);
        n = (long)s->n_pkgs;
    }
    sg_sbom_free(s);
    sg_error_clear();
    return n;
}

/* Berkeley DB with 8 KiB pages keeps these headers on the hash page
 * (H_KEYDATA values); with 4 KiB pages they go off-page. Both seeds were
 * written by db5.3_load and read back by rpm's bdb_ro. */
static void rpmdb__bdb_on_page_and_off_page_values(void **state)
{
    const char *src = getenv("SG_SOURCE_DIR");
    const char *seeds[] = { "small-4096.db", "small-8192.db" };

    (void)state;
    assert_non_null(src);
    for (size_t i = 0; i < 2; i++) {
        char path[4096];
        struct sg_buf db = SG_BUF_INIT(SG_BUF_NOLIMIT);
        struct sg_sbom *s = NULL;
        char **got;

        snprintf(path, sizeof(path), "%s/testdata/fuzz/rpmdb_bdb/%s", src,
                 seeds[i]);
        if (sg_file_read(&db, path, 1u << 20) != SG_OK)
            fail_msg("%s", sg_error_last());
        assert_int_equal(sg_sbom_create(&s), SG_OK);
        warnings[0] = '\0';
        assert_int_equal(sg_sbom__rpmdb_parse(s, SG_RPMDB_BDB, db.data, db.len,
                                              "Packages", NULL, &tctx),
                         SG_OK);
        assert_string_equal(warnings, "");
        got = pkg_lines(s);
        assert_int_equal(s->n_pkgs, 3);
        assert_string_equal(got[0], "alpha|0|1.2.3|4.fc40|noarch|MIT and "
                                    "ASL 2.0|Fedora Project|"
                                    "alpha-1.2.3-4.fc40.src.rpm|(none)|0");
        assert_true(strncmp(got[1], "beta|2|0.9|1.el9|x86_64|", 24) == 0);
        assert_true(strncmp(got[2], "gamma|0|3.0~rc1|0.2|x86_64|", 27) == 0);
        free_lines(got);
        sg_sbom_free(s);
        sg_buf_release(&db);
    }
}

static void sw(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        unsigned char t = p[i];

        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Rewrite a little-endian Berkeley DB hash file as a big-endian host
 * would have written it (s390x/ppc64 images): every integer of the
 * metadata page, page headers, item offsets, off-page references and the
 * native-endian rpm keys. */
static void bdb_to_big_endian(unsigned char *d, size_t len)
{
    size_t ps = 4096;

    for (size_t o = 0; o < 56; o += 4)
        if (o != 24) /* encrypt_alg, type, metaflags, unused: bytes */
            sw(d + o, 4);
    for (size_t o = 72; o < 96 + 32 * 4; o += 4)
        sw(d + o, 4);
    for (size_t pg = 1; pg < len / ps; pg++) {
        unsigned char *p = d + pg * ps;
        unsigned n = le16(p + 20);

        if (p[25] == 13 || p[25] == 2) {
            for (unsigned i = 0; i < n; i++) {
                unsigned off = le16(p + 26 + 2 * i);
                unsigned end = i ? le16(p + 26 + 2 * (i - 1)) : 4096u;

                if (p[off] == 1 && i % 2 == 0 && end - off == 5)
                    sw(p + off + 1, 4);
                if (p[off] == 3) {
                    sw(p + off + 4, 4);
                    sw(p + off + 8, 4);
                }
                sw(p + 26 + 2 * i, 2);
            }
        }
        for (size_t o = 0; o < 20; o += 4)
            sw(p + o, 4);
        sw(p + 20, 2);
        sw(p + 22, 2);
    }
}

static void rpmdb__bdb_big_endian(void **state)
{
    struct sg_buf db = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s = NULL, *be = NULL;
    unsigned char *copy;
    char **a, **b;

    (void)state;
    load(&db, &fixtures[1], "Packages");
    copy = malloc(db.len);
    assert_non_null(copy);
    memcpy(copy, db.data, db.len);
    bdb_to_big_endian(copy, db.len);
    assert_int_equal(copy[12], 0x00);
    assert_int_equal(copy[15], 0x61); /* magic now reads 00 06 15 61 */
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom_create(&be), SG_OK);
    assert_int_equal(sg_sbom__rpmdb_parse(s, SG_RPMDB_BDB, db.data, db.len,
                                          "Packages", NULL, &tctx),
                     SG_OK);
    warnings[0] = '\0';
    if (sg_sbom__rpmdb_parse(be, SG_RPMDB_BDB, copy, db.len, "Packages", NULL,
                             &tctx) != SG_OK)
        fail_msg("%s", sg_error_last());
    assert_string_equal(warnings, "");
    assert_int_equal(be->n_pkgs, 4);
    a = pkg_lines(s);
    b = pkg_lines(be);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(a[i], b[i]);
    free_lines(a);
    free_lines(b);
    sg_sbom_free(s);
    sg_sbom_free(be);
    free(copy);
    sg_buf_release(&db);
}

static void rpmdb__damaged_copies_never_crash(void **state)
{
    uint32_t seed = 12345;

    (void)state;
    for (size_t k = 0; k < 3; k++) {
        const struct fixture *f = &fixtures[k];
        struct sg_buf db = SG_BUF_INIT(SG_BUF_NOLIMIT);
        unsigned char *copy;
        const size_t cuts[] = { 0,   1,    15,   31,   99,   100,
                                511, 4096, 4097, 8191, 20000 };

        load(&db, f, f->file);
        copy = malloc(db.len);
        assert_non_null(copy);
        for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
            if (cuts[i] < db.len)
                (void)parse_damaged(f, (const unsigned char *)db.data, cuts[i]);
        for (size_t i = 1; i <= 16; i++)
            (void)parse_damaged(f, (const unsigned char *)db.data,
                                db.len * i / 17);
        for (int round = 0; round < 150; round++) {
            memcpy(copy, db.data, db.len);
            for (int j = 0; j < 1 + round % 8; j++) {
                seed = seed * 1103515245u + 12345u;
                copy[(seed >> 8) % db.len] ^= (unsigned char)(1u << (seed % 8));
            }
            (void)parse_damaged(f, copy, db.len);
        }
        free(copy);
        sg_buf_release(&db);
    }
}

static void rpmdb__bad_records_are_skipped_and_named(void **state)
{
    struct sg_buf db = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sbom *s = NULL;
    unsigned char *copy, head[24];
    size_t off;

    (void)state;
    /* NDB: one flipped byte inside alpha's blob breaks its Adler-32 */
    load(&db, &fixtures[2], "Packages.db");
    copy = malloc(db.len);
    assert_non_null(copy);
    memcpy(copy, db.data, db.len);
    off = find(copy, db.len, "alpha-1.2.3-4", 13);
    copy[off] ^= 0x20;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    warnings[0] = '\0';
    assert_int_equal(sg_sbom__rpmdb_parse(s, SG_RPMDB_NDB, copy, db.len,
                                          "var/lib/rpm/Packages.db", NULL,
                                          &tctx),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 3);
    assert_non_null(strstr(warnings, "var/lib/rpm/Packages.db: package 1 "
                                     "skipped: blob checksum mismatch"));
    sg_sbom_free(s);
    free(copy);
    sg_buf_release(&db);

    /* BDB: break delta-big's overflow chain (the only big blob) */
    load(&db, &fixtures[1], "Packages");
    copy = malloc(db.len);
    assert_non_null(copy);
    memcpy(copy, db.data, db.len);
    for (size_t pg = 1; pg < db.len / 4096; pg++)
        if (copy[pg * 4096 + 25] == 7 &&
            find_opt(copy + pg * 4096, 4096, "delta-virtual-77", 16) !=
                SIZE_MAX) {
            copy[pg * 4096 + 25] = 5; /* no longer an overflow page */
            break;
        }
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    warnings[0] = '\0';
    assert_int_equal(sg_sbom__rpmdb_parse(s, SG_RPMDB_BDB, copy, db.len,
                                          "var/lib/rpm/Packages", NULL, &tctx),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 3);
    assert_non_null(strstr(warnings, "var/lib/rpm/Packages: record 4 "
                                     "skipped: page "));
    sg_sbom_free(s);
    free(copy);
    sg_buf_release(&db);

    /* SQLite: gamma's header blob damaged in place. Its first 24 bytes
     * are found through the NDB copy of the same blob. */
    load(&db, &fixtures[2], "Packages.db");
    off = find(db.data, db.len, "gamma-3.0~rc1", 13);
    while (off > 0 && memcmp(db.data + off, "BlbS", 4) != 0)
        off--;
    memcpy(head, db.data + off + 16, sizeof(head));
    sg_buf_release(&db);
    load(&db, &fixtures[0], "rpmdb.sqlite");
    copy = malloc(db.len);
    assert_non_null(copy);
    memcpy(copy, db.data, db.len);
    off = find(copy, db.len, (const char *)head, sizeof(head));
    copy[off + 8 + 16 + 8] = 0x7f; /* entry 1's offset: far out of range */
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    warnings[0] = '\0';
    assert_int_equal(sg_sbom__rpmdb_parse(s, SG_RPMDB_SQLITE, copy, db.len,
                                          "rpmdb.sqlite", NULL, &tctx),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 3);
    assert_non_null(strstr(warnings, "rpmdb.sqlite: record "));
    assert_non_null(strstr(warnings, "out of range"));
    for (size_t i = 0; i < s->n_pkgs; i++)
        assert_string_not_equal(s->pkgs[i].name, "gamma");
    sg_sbom_free(s);
    free(copy);
    sg_buf_release(&db);
}

static void rpmdb__unusable_databases_fail_clearly(void **state)
{
    static const unsigned char junk[8192] = { 1, 2, 3 };
    struct sg_sbom *s = NULL;
    struct {
        enum sg_rpmdb_kind kind;
        const char *msg;
    } cases[] = {
        { SG_RPMDB_SQLITE, "x: not an SQLite 3 database" },
        { SG_RPMDB_BDB, "x: not a Berkeley DB hash database" },
        { SG_RPMDB_NDB, "x: not an rpm NDB database" },
    };

    (void)state;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sg_sbom__rpmdb_parse(s, cases[i].kind, junk,
                                              sizeof(junk), "x", NULL, &tctx),
                         SG_EPARSE);
        assert_string_equal(sg_error_last(), cases[i].msg);
        assert_int_equal(s->n_pkgs, 0);
    }
    sg_sbom_free(s);
    sg_error_clear();
}

static void put32le(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* An NDB file written from the format (rpmpkg.c) holding n copies of a
 * hand-made header; *len_out bytes, malloc'd. */
static unsigned char *make_ndb(size_t n, size_t *len_out)
{
    unsigned char blob[8 + 16 * 64 + 4096], *f;
    struct hb h;
    size_t bl, blkcnt, len, off;

    hb_basic(&h, "many");
    bl = hb_blob(blob, &h);
    blkcnt = (16 + bl + 12 + 15) / 16;
    len = 4096 + n * blkcnt * 16;
    f = calloc(1, len);
    assert_non_null(f);
    memcpy(f, "RpmP", 4);
    put32le(f + 12, 1); /* one slot page */
    for (size_t s = 2; s < 256; s++)
        memcpy(f + 16 * s, "Slot", 4);
    off = 4096;
    for (size_t i = 0; i < n; i++) {
        unsigned char *b = f + off, *t;

        put32le(f + 16 * (2 + i) + 4, (uint32_t)(i + 1));
        put32le(f + 16 * (2 + i) + 8, (uint32_t)(off / 16));
        put32le(f + 16 * (2 + i) + 12, (uint32_t)blkcnt);
        memcpy(b, "BlbS", 4);
        put32le(b + 4, (uint32_t)(i + 1));
        put32le(b + 12, (uint32_t)bl);
        memcpy(b + 16, blob, bl);
        t = b + blkcnt * 16 - 12;
        put32le(t, (uint32_t)adler32_z(1ul, b, (size_t)(t - b)));
        put32le(t + 4, (uint32_t)bl);
        memcpy(t + 8, "BlbE", 4);
        off += blkcnt * 16;
    }
    *len_out = len;
    return f;
}

static void rpmdb__record_limit_applies(void **state)
{
    struct sg_sbom *s = NULL;
    struct sg_ctx small = tctx;
    size_t len;
    unsigned char *ndb = make_ndb(40, &len);

    (void)state;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__rpmdb_parse(s, SG_RPMDB_NDB, ndb, len,
                                          "Packages.db", NULL, &tctx),
                     SG_OK);
    assert_int_equal(s->n_pkgs, 40);
    assert_string_equal(s->pkgs[39].name, "many");
    sg_sbom_free(s);

    small.limits.db_records_max = 16;
    assert_int_equal(sg_sbom_create(&s), SG_OK);
    assert_int_equal(sg_sbom__rpmdb_parse(s, SG_RPMDB_NDB, ndb, len,
                                          "Packages.db", NULL, &small),
                     SG_ELIMIT);
    assert_string_equal(sg_error_last(),
                        "Packages.db: more than 16 package records");
    assert_int_equal(s->n_pkgs, 0);
    sg_sbom_free(s);
    free(ndb);
    sg_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rpmhdr__fields_and_validation),
        cmocka_unit_test(rpmhdr__region_trailer_is_checked),
        cmocka_unit_test(rpmdb__bdb_on_page_and_off_page_values),
        cmocka_unit_test(rpmdb__unusable_databases_fail_clearly),
        cmocka_unit_test(rpmdb__record_limit_applies),
    };
    /* These read the databases testdata/fixtures/rpm.sh builds. */
    const struct CMUnitTest fixture_tests[] = {
        cmocka_unit_test(rpmdb__sqlite_matches_rpm_qa),
        cmocka_unit_test(rpmdb__bdb_matches_rpm_qa),
        cmocka_unit_test(rpmdb__ndb_matches_rpm_qa),
        cmocka_unit_test(rpmdb__bdb_big_endian),
        cmocka_unit_test(rpmdb__damaged_copies_never_crash),
        cmocka_unit_test(rpmdb__bad_records_are_skipped_and_named),
    };
    const char *root = getenv("SG_FIXTURES");
    char probe[4096];
    int rc;

    sg_ctx_init(&tctx);
    tctx.log = log_hook;
    rc = cmocka_run_group_tests_name("rpm", tests, NULL, NULL);
    snprintf(probe, sizeof(probe), "%s/rpm/ndb/Packages.db", root ? root : "");
    if (!root || access(probe, R_OK) != 0) {
        /* CTest reports exit 77 as skipped (tests/CMakeLists.txt) */
        fprintf(stderr,
                "SKIP: %s missing: the rpm database tests need the "
                "fixtures (sh testdata/make-fixtures.sh build/dev/fixtures; "
                "scripts/test.sh does it)\n",
                probe);
        return rc ? rc : 77;
    }
    return rc | cmocka_run_group_tests_name("rpm-fixtures", fixture_tests, NULL,
                                            NULL);
}

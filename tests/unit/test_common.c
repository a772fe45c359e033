/* Unit tests for common/: buffer caps, reader bounds, base64, digests,
 * hex, checked arithmetic, JSON limits, atomic file writes, the byte ring. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <pthread.h>

#include "sigil/common.h"

static void buf__cap_is_enforced_and_releases(void **state)
{
    struct sg_buf b = SG_BUF_INIT(8);

    (void)state;
    assert_int_equal(sg_buf_adds(&b, "12345678"), SG_OK);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(sg_buf_addc(&b, 'x'), SG_ELIMIT);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_non_null(strstr(sg_error_last(), "limit"));
    sg_buf_release(&b);
}

static void array__grow_doubles_and_catches_overflow(void **state)
{
    uint64_t *v = NULL;
    size_t cap = 0;
    (void)state;

    assert_int_equal(sg_array_grow(&v, &cap, 0, sizeof(*v), 4), SG_OK);
    assert_non_null(v);
    assert_int_equal(cap, 4);
    v[3] = 42;
    assert_int_equal(sg_array_grow(&v, &cap, 3, sizeof(*v), 4), SG_OK);
    assert_int_equal(cap, 4); /* room left: unchanged */
    assert_int_equal(sg_array_grow(&v, &cap, 4, sizeof(*v), 4), SG_OK);
    assert_int_equal(cap, 8);
    assert_int_equal(v[3], 42); /* contents kept */
    cap = SIZE_MAX / 2;         /* pretend: doubling would overflow */
    assert_int_equal(sg_array_grow(&v, &cap, cap, sizeof(*v), 4), SG_ENOMEM);
    assert_int_equal(cap, SIZE_MAX / 2);
    assert_int_equal(v[3], 42); /* nothing changed */
    free(v);
}

static void buf__addf_and_take(void **state)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *s = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(sg_buf_addf(&b, "%s-%d", "abc", 42), SG_OK);
    assert_int_equal(sg_buf_take(&s, &n, &b), SG_OK);
    assert_string_equal(s, "abc-42");
    assert_int_equal(n, 6);
    assert_int_equal(b.len, 0);
    free(s);
    /* take of an empty buffer gives a freeable "" */
    assert_int_equal(sg_buf_take(&s, NULL, &b), SG_OK);
    assert_string_equal(s, "");
    free(s);
}

static void rd__short_reads_fail_without_moving(void **state)
{
    const unsigned char d[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
    struct sg_rd rd;
    uint32_t v32;
    uint16_t v16;
    uint64_t v64;

    (void)state;
    sg_rd_init(&rd, d, sizeof(d));
    assert_int_equal(sg_rd_u32be(&rd, &v32), SG_OK);
    assert_int_equal(v32, 0x12345678u);
    assert_int_equal(sg_rd_u16be(&rd, &v16), SG_EPARSE);
    assert_int_equal(sg_rd_left(&rd), 1);
    sg_rd_init(&rd, d, sizeof(d));
    assert_int_equal(sg_rd_u32le(&rd, &v32), SG_OK);
    assert_int_equal(v32, 0x78563412u);
    assert_int_equal(sg_rd_u64le(&rd, &v64), SG_EPARSE);
}

static void rd__every_width_and_byte_order(void **state)
{
    const unsigned char d[] = {
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08
    };
    struct sg_rd rd;
    uint16_t v16 = 7;
    uint32_t v32;
    uint64_t v64;

    (void)state;
    sg_rd_init(&rd, d, sizeof(d));
    assert_int_equal(sg_rd_u16be(&rd, &v16), SG_OK);
    assert_int_equal(v16, 0x0102);
    assert_int_equal(sg_rd_u16le(&rd, &v16), SG_OK);
    assert_int_equal(v16, 0x0403);
    assert_int_equal(sg_rd_u32be(&rd, &v32), SG_OK);
    assert_int_equal(v32, 0x05060708u);
    assert_int_equal(sg_rd_u16le(&rd, &v16), SG_EPARSE);
    assert_int_equal(v16, 0x0403); /* untouched on failure */
    sg_rd_init(&rd, d, sizeof(d));
    assert_int_equal(sg_rd_u64be(&rd, &v64), SG_OK);
    assert_true(v64 == 0x0102030405060708ull);
    sg_rd_init(&rd, d, sizeof(d));
    assert_int_equal(sg_rd_u64le(&rd, &v64), SG_OK);
    assert_true(v64 == 0x0807060504030201ull);
    assert_int_equal(sg_rd_left(&rd), 0);
}

static void rd__uvarint(void **state)
{
    const unsigned char ok[] = { 0xac, 0x02 };
    const unsigned char bad[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0x7f };
    struct sg_rd rd;
    uint64_t v;

    (void)state;
    sg_rd_init(&rd, ok, sizeof(ok));
    assert_int_equal(sg_rd_uvarint(&rd, &v), SG_OK);
    assert_int_equal(v, 300);
    sg_rd_init(&rd, bad, sizeof(bad));
    assert_int_equal(sg_rd_uvarint(&rd, &v), SG_EPARSE);
    sg_rd_init(&rd, ok, 1);
    assert_int_equal(sg_rd_uvarint(&rd, &v), SG_EPARSE);
}

static void size__overflow_is_caught(void **state)
{
    size_t s;

    (void)state;
    assert_int_equal(sg_add_size(&s, SIZE_MAX, 1), SG_ELIMIT);
    assert_int_equal(sg_mul_size(&s, SIZE_MAX / 2, 3), SG_ELIMIT);
    assert_int_equal(sg_mul_size(&s, 1000, 1000), SG_OK);
    assert_int_equal(s, 1000000);
}

/* The one hex codec: both cases in, lower case out, exact length. */
static void hex__decode_encode_and_rejects(void **state)
{
    unsigned char raw[4];
    char txt[9];

    (void)state;
    assert_int_equal(sg_hex_digit('0'), 0);
    assert_int_equal(sg_hex_digit('F'), 15);
    assert_int_equal(sg_hex_digit('a'), 10);
    assert_int_equal(sg_hex_digit('g'), -1);
    assert_int_equal(sg_hex_digit('/'), -1);
    assert_int_equal(sg_hex_decode(raw, 4, "00fFa5C3", 8), SG_OK);
    assert_int_equal(raw[0], 0x00);
    assert_int_equal(raw[1], 0xff);
    assert_int_equal(raw[2], 0xa5);
    assert_int_equal(raw[3], 0xc3);
    sg_hex_encode(txt, raw, 4);
    assert_string_equal(txt, "00ffa5c3");
    assert_int_equal(sg_hex_decode(raw, 4, "00ffa5c", 7), SG_EPARSE);
    assert_string_equal(sg_error_last(), "hex: 7 digits, expected 8");
    assert_int_equal(sg_hex_decode(raw, 4, "00ffa5c3ff", 10), SG_EPARSE);
    assert_int_equal(sg_hex_decode(raw, 4, "00ffa5cg", 8), SG_EPARSE);
    assert_string_equal(sg_error_last(), "hex: bad digit at offset 7");
    assert_int_equal(sg_hex_decode(raw, 0, "", 0), SG_OK);
    sg_hex_encode(txt, raw, 0);
    assert_string_equal(txt, "");
}

static void base64__round_trip_and_strictness(void **state)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *vec[][2] = { { "", "" },
                             { "f", "Zg==" },
                             { "fo", "Zm8=" },
                             { "foo", "Zm9v" },
                             { "foob", "Zm9vYg==" },
                             { "fooba", "Zm9vYmE=" },
                             { "foobar", "Zm9vYmFy" } };

    (void)state;
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        sg_buf_reset(&b);
        assert_int_equal(sg_base64_encode(&b, vec[i][0], strlen(vec[i][0])),
                         SG_OK);
        assert_string_equal(b.data, vec[i][1]);
        sg_buf_reset(&b);
        assert_int_equal(sg_base64_decode(&b, vec[i][1], strlen(vec[i][1])),
                         SG_OK);
        assert_int_equal(b.len, strlen(vec[i][0]));
        assert_memory_equal(b.data, vec[i][0], b.len);
    }
    assert_int_equal(sg_base64_decode(&b, "Zm9", 3), SG_EPARSE);
    assert_int_equal(sg_base64_decode(&b, "Zm=v", 4), SG_EPARSE);
    assert_int_equal(sg_base64_decode(&b, "Zh==", 4), SG_EPARSE);
    assert_int_equal(sg_base64_decode(&b, "Zm9v!", 5), SG_EPARSE);
    sg_buf_reset(&b);
    assert_int_equal(sg_base64_decode(&b, "Zm9v\nYmFy\n", 10), SG_OK);
    assert_string_equal(b.data, "foobar");
    sg_buf_release(&b);
}

static void digest__sha256_and_validation(void **state)
{
    char d[SG_DIGEST_STR_MAX];

    (void)state;
    assert_int_equal(sg_sha256_digest(d, "{}", 2), SG_OK);
    assert_string_equal(d, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe"
                           "77e8310c060f61caaff8a");
    assert_true(sg_digest_valid(d));
    assert_false(sg_digest_valid("sha256:44136FA355b3678a1146ad16f7e8649e94fb"
                                 "4fc21fe77e8310c060f61caaff8a"));
    assert_false(sg_digest_valid("sha256:abc"));
    assert_false(sg_digest_valid("md5:d41d8cd98f00b204e9800998ecf8427e"));
    assert_false(sg_digest_valid(NULL));
}

static void json__limits(void **state)
{
    struct json_t *j = NULL;
    char deep[200];

    (void)state;
    assert_int_equal(sg_json_parse(&j, "{\"a\":1,\"a\":2}", 13, 0, 0, "t"),
                     SG_EPARSE);
    assert_null(j);
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    assert_int_equal(sg_json_parse(&j, deep, 200, 0, 10, "t"), SG_ELIMIT);
    assert_int_equal(sg_json_parse(&j, "[1,2]", 5, 4, 0, "t"), SG_ELIMIT);
    assert_int_equal(sg_json_parse(&j, "{\"a\":\"[[[[\"}", 12, 0, 2, "t"),
                     SG_OK);
    json_decref(j);
}

static void file__atomic_write_and_bounded_read(void **state)
{
    char dir[] = "/tmp/sg_test_XXXXXX";
    char path[256];
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a/b", dir);
    assert_int_equal(sg_mkdir_p(path, 0755), SG_OK);
    snprintf(path, sizeof(path), "%s/a/b/f", dir);
    assert_int_equal(sg_file_write_atomic(path, "hello", 5, 0600), SG_OK);
    assert_int_equal(sg_file_read(&b, path, 100), SG_OK);
    assert_string_equal(b.data, "hello");
    sg_buf_release(&b);
    assert_int_equal(sg_file_read(&b, path, 4), SG_ELIMIT);
    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_equal(sg_file_read(&b, path, 4), SG_ENOTFOUND);
    /* sg_write_all: every byte, or an error naming the file */
    {
        int fd;

        snprintf(path, sizeof(path), "%s/w", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(sg_write_all(fd, "abc", 3, path), SG_OK);
        assert_int_equal(sg_write_all(fd, "de", 2, path), SG_OK);
        close(fd);
        assert_int_equal(sg_file_read(&b, path, 100), SG_OK);
        assert_string_equal(b.data, "abcde");
        sg_buf_release(&b);
        assert_int_not_equal(sg_write_all(fd, "x", 1, "closed-file"), SG_OK);
        assert_non_null(strstr(sg_error_last(), "closed-file"));
        /* sg_read_some: what one read gives, 0 at the end */
        {
            char got[8];
            size_t n = 99;

            fd = open(path, O_RDONLY);
            assert_true(fd >= 0);
            assert_int_equal(sg_read_some(fd, got, 3, &n, path), SG_OK);
            assert_int_equal(n, 3);
            assert_memory_equal(got, "abc", 3);
            assert_int_equal(sg_read_some(fd, got, sizeof(got), &n, path),
                             SG_OK);
            assert_int_equal(n, 2);
            assert_memory_equal(got, "de", 2);
            assert_int_equal(sg_read_some(fd, got, sizeof(got), &n, path),
                             SG_OK);
            assert_int_equal(n, 0);
            close(fd);
            assert_int_not_equal(sg_read_some(fd, got, 1, &n, "gone-file"),
                                 SG_OK);
            assert_non_null(strstr(sg_error_last(), "gone-file"));
        }
    }
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    assert_int_equal(system(path), 0);
}

/* ------------------------------------------------------------------ */
/* sg_ring                                                              */

#define RING_N 100003u /* bytes sent through a 61-byte ring: many wraps */

static unsigned char ring_byte(size_t i)
{
    return (unsigned char)(i * 7u + (i >> 8));
}

struct ring_producer {
    struct sg_ring *ring;
    size_t total;        /* bytes to write, pattern ring_byte */
    sg_err fail;         /* close with this error after writing */
    sg_err write_rc;     /* what the last sg_ring_write returned */
    char write_msg[128]; /* and its message */
};

static void *ring_producer_main(void *arg)
{
    static const size_t sizes[] = { 1, 3, 17, 64, 250, 5, 1000, 2 };
    struct ring_producer *pp = arg;
    unsigned char chunk[1000];
    size_t done = 0, k = 0;
    sg_err rc = SG_OK;

    while (!rc && done < pp->total) {
        size_t n = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];
        if (n > pp->total - done)
            n = pp->total - done;
        for (size_t i = 0; i < n; i++)
            chunk[i] = ring_byte(done + i);
        rc = sg_ring_write(chunk, n, pp->ring);
        done += n;
    }
    pp->write_rc = rc;
    snprintf(pp->write_msg, sizeof(pp->write_msg), "%s", sg_error_last());
    if (!rc && pp->fail)
        rc = sg_error_set(pp->fail, "blob sha256:ab: content has digest x");
    sg_ring_close(pp->ring, rc);
    return NULL;
}

static void ring__odd_chunks_round_trip(void **state)
{
    static const size_t caps[] = { 5, 13, 97, 1, 61 };
    struct sg_ring r;
    struct ring_producer pp = { &r, RING_N, SG_OK, SG_OK, "" };
    unsigned char *got = malloc(RING_N + 100);
    size_t len = 0, n = 1, k = 0;
    pthread_t th;
    int refused = -1;

    (void)state;
    assert_non_null(got);
    assert_int_equal(sg_ring_init(&r, 61), SG_OK);
    assert_int_equal(pthread_create(&th, NULL, ring_producer_main, &pp), 0);
    while (n) {
        size_t cap = caps[k++ % (sizeof(caps) / sizeof(caps[0]))];
        assert_true(len + cap <= RING_N + 100);
        assert_int_equal(sg_ring_read(got + len, cap, &n, &r), SG_OK);
        assert_true(n <= cap);
        len += n;
    }
    /* the end is sticky */
    assert_int_equal(sg_ring_read(got, 10, &n, &r), SG_OK);
    assert_int_equal(n, 0);
    sg_ring_abort(&r);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(pp.write_rc, SG_OK);
    assert_int_equal(len, RING_N);
    for (size_t i = 0; i < RING_N; i++)
        if (got[i] != ring_byte(i))
            fail_msg("byte %zu differs", i);
    assert_int_equal(sg_ring_status(&r, &refused), SG_OK);
    assert_int_equal(refused, 0);
    sg_ring_release(&r);
    sg_ring_release(&r); /* idempotent */
    free(got);
}

static void ring__writer_error_reaches_reader(void **state)
{
    struct sg_ring r;
    struct ring_producer pp = { &r, 300, SG_EDIGEST, SG_OK, "" };
    unsigned char got[64];
    size_t len = 0, n = 1;
    pthread_t th;
    sg_err rc = SG_OK;
    int refused = -1;

    (void)state;
    assert_int_equal(sg_ring_init(&r, 64), SG_OK);
    assert_int_equal(pthread_create(&th, NULL, ring_producer_main, &pp), 0);
    /* every byte first, then the error instead of the end */
    while (!rc) {
        rc = sg_ring_read(got, sizeof(got), &n, &r);
        if (!rc) {
            assert_true(n > 0);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(got[i], ring_byte(len + i));
            len += n;
        }
    }
    assert_int_equal(len, 300);
    assert_int_equal(rc, SG_EDIGEST);
    assert_int_equal(n, 0);
    assert_string_equal(sg_error_last(),
                        "blob sha256:ab: content has digest x");
    sg_error_clear();
    /* and again: an error is never turned into an end */
    assert_int_equal(sg_ring_read(got, sizeof(got), &n, &r), SG_EDIGEST);
    sg_ring_abort(&r);
    assert_int_equal(pthread_join(th, NULL), 0);
    sg_error_clear();
    assert_int_equal(sg_ring_status(&r, &refused), SG_EDIGEST);
    assert_int_equal(refused, 0);
    assert_string_equal(sg_error_last(),
                        "blob sha256:ab: content has digest x");
    sg_ring_release(&r);
}

static void ring__abort_unblocks_full_writer(void **state)
{
    struct sg_ring r;
    struct ring_producer pp = { &r, 5000, SG_OK, SG_OK, "" };
    unsigned char got[4];
    size_t n = 0;
    pthread_t th;
    int blocked = 0, refused = -1;

    (void)state;
    assert_int_equal(sg_ring_init(&r, 16), SG_OK);
    assert_int_equal(pthread_create(&th, NULL, ring_producer_main, &pp), 0);
    assert_int_equal(sg_ring_read(got, sizeof(got), &n, &r), SG_OK);
    assert_true(n > 0);
    assert_int_equal(got[0], ring_byte(0));
    /* wait (up to 5 s) until the writer sleeps; it stays asleep until
     * half the ring is free, so the 4 bytes read do not wake it */
    for (int i = 0; i < 5000 && !blocked; i++) {
        pthread_mutex_lock(&r.mu);
        blocked = r.writer_waiting;
        pthread_mutex_unlock(&r.mu);
        if (!blocked)
            usleep(1000);
    }
    assert_true(blocked);
    sg_ring_abort(&r);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(pp.write_rc, SG_EINTERNAL);
    assert_string_equal(pp.write_msg, "the reader stopped early");
    assert_int_equal(sg_ring_status(&r, &refused), SG_EINTERNAL);
    assert_int_equal(refused, 1);
    sg_ring_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf__cap_is_enforced_and_releases),
        cmocka_unit_test(buf__addf_and_take),
        cmocka_unit_test(array__grow_doubles_and_catches_overflow),
        cmocka_unit_test(rd__short_reads_fail_without_moving),
        cmocka_unit_test(rd__every_width_and_byte_order),
        cmocka_unit_test(rd__uvarint),
        cmocka_unit_test(size__overflow_is_caught),
        cmocka_unit_test(hex__decode_encode_and_rejects),
        cmocka_unit_test(base64__round_trip_and_strictness),
        cmocka_unit_test(digest__sha256_and_validation),
        cmocka_unit_test(json__limits),
        cmocka_unit_test(file__atomic_write_and_bounded_read),
        cmocka_unit_test(ring__odd_chunks_round_trip),
        cmocka_unit_test(ring__writer_error_reaches_reader),
        cmocka_unit_test(ring__abort_unblocks_full_writer),
    };
    return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}

/* Unit tests for common/: buffer caps, reader bounds, base64, digests,
 * checked arithmetic, JSON limits, atomic file writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

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
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    assert_int_equal(system(path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf__cap_is_enforced_and_releases),
        cmocka_unit_test(buf__addf_and_take),
        cmocka_unit_test(rd__short_reads_fail_without_moving),
        cmocka_unit_test(rd__uvarint),
        cmocka_unit_test(size__overflow_is_caught),
        cmocka_unit_test(base64__round_trip_and_strictness),
        cmocka_unit_test(digest__sha256_and_validation),
        cmocka_unit_test(json__limits),
        cmocka_unit_test(file__atomic_write_and_bounded_read),
    };
    return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}

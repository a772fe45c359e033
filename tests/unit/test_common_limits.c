/* The named limits (common/limits.c) and per-ctx logging: sg_limits_set
 * parses N[K|M|G] with overflow checks, the one name table lists every
 * limit, and sg_log reaches only the hook of the ctx it is given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sigil/common.h"

static void limits__set_parses_suffixes(void **state)
{
    struct sg_limits l;

    (void)state;
    sg_limits_init(&l);
    assert_int_equal(l.manifest_max, SG_LIMIT_MANIFEST_MAX);
    assert_int_equal(sg_limits_set(&l, "manifest-max", "100"), SG_OK);
    assert_int_equal(l.manifest_max, 100);
    assert_int_equal(sg_limits_set(&l, "config-max", "2k"), SG_OK);
    assert_int_equal(l.config_blob_max, 2048);
    assert_int_equal(sg_limits_set(&l, "layer-bytes-max", "3G"), SG_OK);
    assert_true(l.layer_bytes_max == 3ull << 30);
    assert_int_equal(sg_limits_set(&l, "kept-bytes-max", "5M"), SG_OK);
    assert_true(l.kept_bytes_max == 5ull << 20);
    /* the other fields are untouched */
    assert_int_equal(l.descriptors_max, SG_LIMIT_DESCRIPTORS_MAX);
}

static void limits__set_rejects_bad_values(void **state)
{
    static const char *const bad[] = { "",    "0",   "-1", "12Q",
                                       "1KK", " 1",  "1 ", "99999999999999999G",
                                       "K",   "0x10" };
    struct sg_limits l, before;

    (void)state;
    sg_limits_init(&l);
    before = l;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sg_limits_set(&l, "tags-max", bad[i]), SG_EPARSE);
        assert_non_null(strstr(sg_error_last(), "limit tags-max"));
    }
    assert_int_equal(sg_limits_set(&l, "no-such-max", "1"), SG_ENOTFOUND);
    assert_string_equal(sg_error_last(), "unknown limit 'no-such-max'");
    assert_memory_equal(&l, &before, sizeof(l));
}

static void limits__name_table_lists_all(void **state)
{
    const char *help = NULL, *name;
    size_t n = 0;
    struct sg_limits l;

    (void)state;
    sg_limits_init(&l);
    for (; (name = sg_limits_name(n, &help)) != NULL; n++) {
        assert_non_null(help);
        assert_true(help[0] != '\0');
        /* every listed name is settable */
        assert_int_equal(sg_limits_set(&l, name, "7"), SG_OK);
    }
    assert_int_equal(n, 19);
    assert_string_equal(sg_limits_name(0, NULL), "manifest-max");
    assert_string_equal(sg_limits_name(15, NULL), "header-max");
    /* every field was set: the table covers the whole struct */
    assert_int_equal(l.manifest_max, 7);
    assert_int_equal(l.header_max, 7);
    assert_int_equal(l.zip_entries_max, 7);
    assert_true(l.ratio_max == 7 && l.image_bytes_max == 7);
}

struct captured {
    char msg[256];
    int calls;
};

static void capture(enum sg_log_level level, const char *msg, void *payload)
{
    struct captured *c = payload;
    (void)level;
    snprintf(c->msg, sizeof(c->msg), "%s", msg);
    c->calls++;
}

static void log__goes_to_the_ctx_hook(void **state)
{
    struct sg_ctx a, b;
    struct captured ca = { "", 0 }, cb = { "", 0 };

    (void)state;
    sg_ctx_init(&a);
    sg_ctx_init(&b);
    a.log = capture;
    a.payload = &ca;
    b.log = capture;
    b.payload = &cb;
    sg_warn(&a, "to %s %d", "a", 1);
    sg_info(&b, "to %s", "b");
    sg_debug(NULL, "nowhere"); /* NULL ctx: no hook, no crash */
    assert_string_equal(ca.msg, "to a 1");
    assert_string_equal(cb.msg, "to b");
    assert_int_equal(ca.calls, 1);
    assert_int_equal(cb.calls, 1);
    /* NULL means the immutable defaults */
    assert_int_equal(sg_ctx_limits(NULL)->manifest_max, SG_LIMIT_MANIFEST_MAX);
    assert_null(sg_ctx_get(NULL)->log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limits__set_parses_suffixes),
        cmocka_unit_test(limits__set_rejects_bad_values),
        cmocka_unit_test(limits__name_table_lists_all),
        cmocka_unit_test(log__goes_to_the_ctx_hook),
    };

    return cmocka_run_group_tests_name("common_limits", tests, NULL, NULL);
}

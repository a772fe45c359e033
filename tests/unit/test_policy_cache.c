/*
 * The verdict cache (server/cache.c): TTL expiry on an injected clock,
 * the entry bound (least recently used goes first), failures kept only
 * for their own TTL and errors never, and singleflight: N threads asking
 * for one key run one computation (a counting fake verifier) and all get
 * its value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <pthread.h>

#include "server/policy_int.h"

static int64_t fake_now;

static int64_t fake_clock(void *arg)
{
    (void)arg;
    return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

struct fake {
    int calls; /* atomic */
    enum sg_vc_status status;
    const char *text;
    int sleep_ms;
};

static sg_err fake_verify(struct sg_vc_val *out, void *arg)
{
    struct fake *f = arg;

    __atomic_add_fetch(&f->calls, 1, __ATOMIC_SEQ_CST);
    if (f->sleep_ms) {
        struct timespec ts = { 0, f->sleep_ms * 1000000L };
        nanosleep(&ts, NULL);
    }
    out->status = f->status;
    out->text = f->text ? strdup(f->text) : NULL;
    return SG_OK;
}

static void get(struct sg_vcache *c,
                const char *key,
                struct fake *f,
                int64_t ttl_fail,
                int want_hit,
                enum sg_vc_status want)
{
    struct sg_vc_val v;
    int hit = -1;

    assert_int_equal(
        sg_vcache_get(c, key, 1000, ttl_fail, 0, fake_verify, f, &v, &hit),
        SG_OK);
    assert_int_equal(hit, want_hit);
    assert_int_equal(v.status, want);
    if (f->text)
        assert_string_equal(v.text, f->text);
    sg_vc_val_release(&v);
}

static void cache__ttl_expiry(void **state)
{
    struct sg_vcache *c;
    struct fake f = { 0, SG_VC_PASS, NULL, 0 };

    (void)state;
    fake_now = 1000;
    assert_int_equal(sg_vcache_create(&c, 10, fake_clock, NULL), SG_OK);
    get(c, "0|r@sha256:a|0,", &f, 0, 0, SG_VC_PASS);
    get(c, "0|r@sha256:a|0,", &f, 0, 1, SG_VC_PASS);
    assert_int_equal(f.calls, 1);
    fake_now += 999;
    get(c, "0|r@sha256:a|0,", &f, 0, 1, SG_VC_PASS);
    fake_now += 1; /* ttl 1000 ms reached */
    get(c, "0|r@sha256:a|0,", &f, 0, 0, SG_VC_PASS);
    assert_int_equal(f.calls, 2);
    /* Another policy generation is another key: a miss. */
    get(c, "1|r@sha256:a|0,", &f, 0, 0, SG_VC_PASS);
    assert_int_equal(f.calls, 3);
    assert_int_equal(sg_vcache_size(c), 2);
    sg_vcache_free(c);
}

static void cache__failures(void **state)
{
    struct sg_vcache *c;
    struct fake deny = { 0, SG_VC_DENY, "policy p: no signatures found", 0 };
    struct fake err = { 0, SG_VC_ERROR_DENY, "HTTP 503", 0 };

    (void)state;
    fake_now = 0;
    assert_int_equal(sg_vcache_create(&c, 10, fake_clock, NULL), SG_OK);
    /* Not kept by default (ttl_fail 0). */
    get(c, "k", &deny, 0, 0, SG_VC_DENY);
    get(c, "k", &deny, 0, 0, SG_VC_DENY);
    assert_int_equal(deny.calls, 2);
    assert_int_equal(sg_vcache_size(c), 0);
    /* Kept briefly when asked. */
    get(c, "k2", &deny, 50, 0, SG_VC_DENY);
    get(c, "k2", &deny, 50, 1, SG_VC_DENY);
    fake_now += 50;
    get(c, "k2", &deny, 50, 0, SG_VC_DENY);
    assert_int_equal(deny.calls, 4);
    /* Errors never. */
    get(c, "k3", &err, 50, 0, SG_VC_ERROR_DENY);
    get(c, "k3", &err, 50, 0, SG_VC_ERROR_DENY);
    assert_int_equal(err.calls, 2);
    sg_vcache_free(c);
}

static void cache__size_bound_lru(void **state)
{
    struct sg_vcache *c;
    struct fake f = { 0, SG_VC_PASS, NULL, 0 };
    char key[32];

    (void)state;
    fake_now = 0;
    assert_int_equal(sg_vcache_create(&c, 3, fake_clock, NULL), SG_OK);
    get(c, "a", &f, 0, 0, SG_VC_PASS);
    get(c, "b", &f, 0, 0, SG_VC_PASS);
    get(c, "c", &f, 0, 0, SG_VC_PASS);
    get(c, "a", &f, 0, 1, SG_VC_PASS); /* a is now the most recent */
    get(c, "d", &f, 0, 0, SG_VC_PASS); /* evicts b */
    assert_int_equal(sg_vcache_size(c), 3);
    get(c, "a", &f, 0, 1, SG_VC_PASS);
    get(c, "c", &f, 0, 1, SG_VC_PASS);
    get(c, "d", &f, 0, 1, SG_VC_PASS);
    get(c, "b", &f, 0, 0, SG_VC_PASS);
    assert_int_equal(f.calls, 5);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        get(c, key, &f, 0, 0, SG_VC_PASS);
    }
    assert_int_equal(sg_vcache_size(c), 3);
    sg_vcache_free(c);
}

#define N_THREADS 8

struct job {
    struct sg_vcache *c;
    struct fake *f;
    int hit;
    sg_err rc;
    struct sg_vc_val v;
    int64_t deadline;
    pthread_barrier_t *start; /* may be NULL */
    char msg[256];
};

static void *worker(void *arg)
{
    struct job *j = arg;

    if (j->start)
        pthread_barrier_wait(j->start);
    j->rc = sg_vcache_get(j->c, "0|reg/app@sha256:x|0,", 1000, 0, j->deadline,
                          fake_verify, j->f, &j->v, &j->hit);
    snprintf(j->msg, sizeof(j->msg), "%s", j->rc ? sg_error_last() : "");
    return NULL;
}

static void cache__singleflight(void **state)
{
    struct sg_vcache *c;
    /* Slow, and a failure (not cached): only sharing gives one call. */
    struct fake f = { 0, SG_VC_DENY, "policy p: no", 300 };
    struct job jobs[N_THREADS];
    pthread_t th[N_THREADS];
    int computed = 0, shared = 0;
    pthread_barrier_t start;

    (void)state;
    fake_now = 0;
    assert_int_equal(sg_vcache_create(&c, 10, fake_clock, NULL), SG_OK);
    assert_int_equal(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    memset(jobs, 0, sizeof(jobs));
    for (int i = 0; i < N_THREADS; i++) {
        jobs[i].start = &start;
        jobs[i].c = c;
        jobs[i].f = &f;
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    assert_int_equal(f.calls, 1);
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(jobs[i].rc, SG_OK);
        assert_int_equal(jobs[i].v.status, SG_VC_DENY);
        assert_string_equal(jobs[i].v.text, "policy p: no");
        computed += jobs[i].hit == 0;
        shared += jobs[i].hit == 2;
        sg_vc_val_release(&jobs[i].v);
    }
    assert_int_equal(computed, 1);
    assert_int_equal(shared, N_THREADS - 1);
    assert_int_equal(sg_vcache_size(c), 0);
    sg_vcache_free(c);
}

static void cache__waiter_deadline(void **state)
{
    struct sg_vcache *c;
    struct fake f = { 0, SG_VC_PASS, NULL, 300 };
    struct job a, b;
    pthread_t ta, tb;
    struct timespec ts = { 0, 50 * 1000000L };

    (void)state;
    assert_int_equal(sg_vcache_create(&c, 10, NULL, NULL), SG_OK);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.c = b.c = c;
    a.f = b.f = &f;
    assert_int_equal(pthread_create(&ta, NULL, worker, &a), 0);
    nanosleep(&ts, NULL); /* a computes */
    b.deadline = sg_oci_now_ms() + 50;
    assert_int_equal(pthread_create(&tb, NULL, worker, &b), 0);
    pthread_join(tb, NULL);
    assert_int_equal(b.rc, SG_ENET);
    assert_non_null(strstr(b.msg, "did not finish in time"));
    pthread_join(ta, NULL);
    assert_int_equal(a.rc, SG_OK);
    assert_int_equal(f.calls, 1);
    sg_vc_val_release(&a.v);
    sg_vcache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cache__ttl_expiry),
        cmocka_unit_test(cache__failures),
        cmocka_unit_test(cache__size_bound_lru),
        cmocka_unit_test(cache__singleflight),
        cmocka_unit_test(cache__waiter_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

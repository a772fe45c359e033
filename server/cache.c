/*
 * The verdict cache (and the tag -> digest cache, the same structure):
 * a hash table of string keys with an LRU list, bounded in entries, each
 * value kept for a TTL (failures for their own, usually zero, TTL).
 * Singleflight: the first caller of a missing key computes it without
 * the lock held; later callers of that key wait on the entry's condition
 * variable (up to their deadline) and share the result.
 *
 * An entry is freed when it is out of the table (evicted, expired, or
 * not to be kept), no longer being computed, and no waiter holds it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy_int.h"

struct vc_ent {
    char *key;
    uint64_t hash;
    struct vc_ent *hnext;       /* bucket chain */
    struct vc_ent *prev, *next; /* LRU, most recent first */
    int in_table;
    int inflight;
    int waiters;
    sg_err err; /* the computation's error (nothing cached) */
    char errmsg[256];
    struct sg_vc_val val;
    int64_t expires;
    pthread_cond_t cv;
};

struct sg_vcache {
    pthread_mutex_t mu;
    struct vc_ent **buckets;
    size_t n_buckets; /* power of two */
    size_t n, cap;
    struct vc_ent *head, *tail;
    sg_vc_clock_fn clock;
    void *clock_arg;
};

void sg_vc_val_release(struct sg_vc_val *v)
{
    if (!v)
        return;
    free(v->text);
    v->text = NULL;
}

static int64_t default_clock(void *arg)
{
    (void)arg;
    return sg_oci_now_ms();
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

sg_err sg_vcache_create(struct sg_vcache **out,
                        size_t cap,
                        sg_vc_clock_fn clock,
                        void *clock_arg)
{
    struct sg_vcache *c;
    size_t nb = 16;

    *out = NULL;
    if (!cap)
        cap = 1;
    while (nb < cap && nb < ((size_t)1 << 24))
        nb <<= 1;
    c = calloc(1, sizeof(*c));
    if (!c)
        return sg_error_oom();
    c->buckets = calloc(nb, sizeof(*c->buckets));
    if (!c->buckets) {
        free(c);
        return sg_error_oom();
    }
    pthread_mutex_init(&c->mu, NULL);
    c->n_buckets = nb;
    c->cap = cap;
    c->clock = clock ? clock : default_clock;
    c->clock_arg = clock_arg;
    *out = c;
    return SG_OK;
}

static void ent_free(struct vc_ent *e)
{
    free(e->key);
    sg_vc_val_release(&e->val);
    pthread_cond_destroy(&e->cv);
    free(e);
}

static void maybe_free(struct vc_ent *e)
{
    if (!e->in_table && !e->inflight && !e->waiters)
        ent_free(e);
}

static void lru_unlink(struct sg_vcache *c, struct vc_ent *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_front(struct sg_vcache *c, struct vc_ent *e)
{
    e->next = c->head;
    e->prev = NULL;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

/* Take e out of the table and the LRU list (freed once unused). */
static void unlink_ent(struct sg_vcache *c, struct vc_ent *e)
{
    struct vc_ent **pp = &c->buckets[e->hash & (c->n_buckets - 1)];

    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == e) {
            *pp = e->hnext;
            break;
        }
    }
    lru_unlink(c, e);
    e->in_table = 0;
    c->n--;
}

static struct vc_ent *find(struct sg_vcache *c, const char *key, uint64_t h)
{
    struct vc_ent *e = c->buckets[h & (c->n_buckets - 1)];

    for (; e; e = e->hnext) {
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

static void evict(struct sg_vcache *c)
{
    struct vc_ent *e = c->tail;

    while (c->n > c->cap && e) {
        struct vc_ent *prev = e->prev;
        if (!e->inflight) {
            unlink_ent(c, e);
            maybe_free(e);
        }
        e = prev;
    }
}

static sg_err copy_val(struct sg_vc_val *out, const struct vc_ent *e)
{
    out->status = e->val.status;
    out->text = NULL;
    if (e->val.text && !(out->text = strdup(e->val.text)))
        return sg_error_oom();
    return SG_OK;
}

/* Wait for e's computation until deadline_ms (sg_oci_now_ms clock). */
static int wait_ent(struct sg_vcache *c, struct vc_ent *e, int64_t deadline)
{
    while (e->inflight) {
        struct timespec ts;
        int64_t left;

        if (!deadline) {
            pthread_cond_wait(&e->cv, &c->mu);
            continue;
        }
        left = deadline - sg_oci_now_ms();
        if (left <= 0)
            return 0;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += left / 1000;
        ts.tv_nsec += (left % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&e->cv, &c->mu, &ts);
    }
    return 1;
}

sg_err sg_vcache_get(struct sg_vcache *c,
                     const char *key,
                     int64_t ttl_ok,
                     int64_t ttl_fail,
                     int64_t deadline_ms,
                     sg_vc_compute_fn fn,
                     void *arg,
                     struct sg_vc_val *out,
                     int *hit)
{
    uint64_t h = hash_str(key);
    struct vc_ent *e;
    struct sg_vc_val v = { SG_VC_ERROR_DENY, NULL };
    sg_err rc;
    int64_t now, ttl;

    SG_ASSERT_ARG(c && key && fn && out && hit);
    memset(out, 0, sizeof(*out));
    *hit = 0;
    pthread_mutex_lock(&c->mu);
    now = c->clock(c->clock_arg);
    e = find(c, key, h);
    if (e && !e->inflight && now < e->expires) {
        lru_unlink(c, e);
        lru_front(c, e);
        rc = copy_val(out, e);
        *hit = 1;
        pthread_mutex_unlock(&c->mu);
        return rc;
    }
    if (e && e->inflight) {
        int done;
        e->waiters++;
        done = wait_ent(c, e, deadline_ms);
        e->waiters--;
        if (!done)
            rc = sg_error_set(SG_ENET, "verification did not finish in time");
        else if (e->err)
            rc = sg_error_set(e->err, "%s", e->errmsg);
        else
            rc = copy_val(out, e);
        *hit = 2;
        maybe_free(e);
        pthread_mutex_unlock(&c->mu);
        return rc;
    }
    if (e) { /* expired */
        unlink_ent(c, e);
        maybe_free(e);
    }
    e = calloc(1, sizeof(*e));
    if (!e || !(e->key = strdup(key))) {
        free(e);
        pthread_mutex_unlock(&c->mu);
        return sg_error_oom();
    }
    pthread_cond_init(&e->cv, NULL);
    e->hash = h;
    e->inflight = 1;
    e->in_table = 1;
    e->hnext = c->buckets[h & (c->n_buckets - 1)];
    c->buckets[h & (c->n_buckets - 1)] = e;
    lru_front(c, e);
    c->n++;
    pthread_mutex_unlock(&c->mu);

    rc = fn(&v, arg);

    pthread_mutex_lock(&c->mu);
    e->inflight = 0;
    e->err = rc;
    if (rc) {
        snprintf(e->errmsg, sizeof(e->errmsg), "%s", sg_error_last());
        sg_vc_val_release(&v);
        ttl = 0;
    } else {
        e->val = v;
        /* Errors (registry, time-out) are never kept. */
        ttl = v.status == SG_VC_PASS         ? ttl_ok
              : v.status == SG_VC_ERROR_DENY ? 0
                                             : ttl_fail;
        rc = copy_val(out, e);
    }
    e->expires = c->clock(c->clock_arg) + ttl;
    pthread_cond_broadcast(&e->cv);
    if (ttl <= 0 && e->in_table)
        unlink_ent(c, e);
    evict(c);
    maybe_free(e);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

size_t sg_vcache_size(struct sg_vcache *c)
{
    size_t n;

    pthread_mutex_lock(&c->mu);
    n = c->n;
    pthread_mutex_unlock(&c->mu);
    return n;
}

void sg_vcache_free(struct sg_vcache *c)
{
    if (!c)
        return;
    while (c->head) {
        struct vc_ent *e = c->head;
        unlink_ent(c, e);
        maybe_free(e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

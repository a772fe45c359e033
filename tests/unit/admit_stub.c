/*
 * The canned policy engine for the server's tests (admit_stub.h has the
 * rules). Thread-safe like the real one: the server calls it from its
 * worker threads.
 */
#include "admit_stub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admit.h"

struct sg_admit_policies {
    atomic_int refs;
    uint64_t generation;
    size_t count;
    int warn;
};

struct sg_admit_engine {
    pthread_mutex_t mu;
    struct sg_admit_policies *p;
    enum sg_admit_no_match no_match;
};

static atomic_uint_fast64_t calls;

uint64_t admit_stub_calls(void)
{
    return (uint64_t)atomic_load(&calls);
}

sg_err sg_admit_policies_load(struct sg_admit_policies **out,
                              const char *path,
                              const struct sg_admit_roots *roots,
                              uint64_t generation,
                              const struct sg_ctx *ctx)
{
    struct sg_buf b = SG_BUF_INIT(1024 * 1024);
    struct sg_admit_policies *p = NULL;
    const char *s;
    sg_err rc;

    (void)ctx;
    (void)roots;
    *out = NULL;
    rc = sg_file_read(&b, path, 1024 * 1024);
    if (rc)
        goto done;
    if (strstr(b.data, "INVALID")) {
        rc = sg_error_set(SG_EPARSE, "%s: stub: invalid policy", path);
        goto done;
    }
    p = calloc(1, sizeof(*p));
    if (!p) {
        rc = sg_error_oom();
        goto done;
    }
    atomic_init(&p->refs, 1);
    p->generation = generation;
    p->warn = strstr(b.data, "mode: warn") != NULL;
    for (s = b.data; (s = strstr(s, "kind: ClusterImagePolicy")); s++)
        p->count++;
    *out = p;
done:
    sg_buf_release(&b);
    return rc;
}

struct sg_admit_policies *sg_admit_policies_ref(struct sg_admit_policies *p)
{
    if (p)
        atomic_fetch_add(&p->refs, 1);
    return p;
}

void sg_admit_policies_unref(struct sg_admit_policies *p)
{
    if (p && atomic_fetch_sub(&p->refs, 1) == 1)
        free(p);
}

size_t sg_admit_policies_count(const struct sg_admit_policies *p)
{
    return p ? p->count : 0;
}

uint64_t sg_admit_policies_generation(const struct sg_admit_policies *p)
{
    return p ? p->generation : 0;
}

sg_err sg_admit_engine_create(struct sg_admit_engine **out,
                              const struct sg_admit_engine_opts *o)
{
    struct sg_admit_engine *e = calloc(1, sizeof(*e));

    *out = NULL;
    if (!e)
        return sg_error_oom();
    pthread_mutex_init(&e->mu, NULL);
    e->no_match = o->no_match;
    *out = e;
    return SG_OK;
}

void sg_admit_engine_free(struct sg_admit_engine *e)
{
    if (!e)
        return;
    sg_admit_policies_unref(e->p);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

void sg_admit_engine_set_policies(struct sg_admit_engine *e,
                                  struct sg_admit_policies *p)
{
    struct sg_admit_policies *old;

    pthread_mutex_lock(&e->mu);
    old = e->p;
    e->p = sg_admit_policies_ref(p);
    pthread_mutex_unlock(&e->mu);
    sg_admit_policies_unref(old);
}

void sg_admit_result_release(struct sg_admit_result *r)
{
    if (!r)
        return;
    free(r->reason);
    free(r->digest);
    free(r->normalized);
    memset(r, 0, sizeof(*r));
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

sg_err sg_admit_image(struct sg_admit_result *out,
                      struct sg_admit_engine *e,
                      const char *image,
                      const struct sg_admit_object *obj,
                      int64_t deadline_ms)
{
    char digest[SG_DIGEST_STR_MAX];
    int warn;
    sg_err rc;

    (void)obj;
    memset(out, 0, sizeof(*out));
    atomic_fetch_add(&calls, 1);
    pthread_mutex_lock(&e->mu);
    warn = e->p && e->p->warn;
    pthread_mutex_unlock(&e->mu);
    if (strstr(image, "error"))
        return sg_error_set(SG_ENET, "stub: registry unreachable");
    if (strstr(image, "slow")) {
        int64_t left = deadline_ms - sg_oci_now_ms();
        sleep_ms(left < 1500 ? (left > 0 ? left : 0) : 1500);
        if (sg_oci_now_ms() >= deadline_ms) {
            out->verdict = SG_ADMIT_DENY;
            out->reason = strdup("verification did not finish in time");
            return out->reason ? SG_OK : sg_error_oom();
        }
    }
    out->normalized = strdup(image);
    if (!out->normalized)
        return sg_error_oom();
    if (strstr(image, "unsigned")) {
        out->verdict = warn ? SG_ADMIT_WARN : SG_ADMIT_DENY;
        out->reason = strdup("no valid signature");
        return out->reason ? SG_OK : sg_error_oom();
    }
    rc = sg_sha256_digest(digest, image, strlen(image));
    if (rc)
        return rc;
    out->verdict = SG_ADMIT_ALLOW;
    out->digest = strdup(digest);
    return out->digest ? SG_OK : sg_error_oom();
}

void sg_admit_engine_stats(const struct sg_admit_engine *e,
                           struct sg_admit_stats *out)
{
    (void)e;
    memset(out, 0, sizeof(*out));
    out->verifications = admit_stub_calls();
    out->cache_misses = out->verifications;
}

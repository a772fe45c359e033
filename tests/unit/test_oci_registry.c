/* The registry client's decisions, driven without a network: a scripted
 * transport (struct sg_oci__http_ops) answers each exchange from a list
 * of canned steps and keeps a fake monotonic clock, so retries,
 * Retry-After, auth rounds, redirects, Range resume, digests and the
 * deadline are checked exactly (requests sent, headers, waits, errors). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci/oci_int.h"
#include "oci/registry_int.h"

/* Steps are written { status, { headers }, body } with the rest zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define T0 1000000 /* fake clock at the start, ms */

/* One canned exchange. */
struct step {
    long status;
    const char *hdrs[6]; /* "Name: value" */
    const char *body;    /* NULL: empty */
    size_t body_len;     /* 0: strlen(body) */
    size_t cut;          /* >0: deliver this many bytes, then a reset */
    int neterr;          /* a transport failure before any answer */
    int64_t takes_ms;    /* fake time the exchange takes */
};

struct script {
    const struct step *steps;
    size_t n, next;
    int64_t now;
    unsigned sleeps, slept_ms;
    char log[16][600]; /* "METHOD URL|Header|Header..." per request */
    size_t nlog;
};

static char *hdrval(const char *line, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) != 0 || line[n] != ':')
        return NULL;
    line += n + 1;
    while (*line == ' ')
        line++;
    return strdup(line);
}

static sg_err
s_perform(void *ctx, const struct sg_http_req *req, struct sg_http_resp *resp)
{
    struct script *sc = ctx;
    const struct step *st;
    char *e;
    size_t len;
    sg_err rc;

    sg_http_resp_init(resp);
    if (sc->nlog < 16) {
        char *l = sc->log[sc->nlog++];
        snprintf(l, sizeof(sc->log[0]), "%s %s", req->method, req->url);
        for (const char *const *h = req->headers; h && *h; h++)
            snprintf(l + strlen(l), sizeof(sc->log[0]) - strlen(l), "|%s", *h);
    }
    if (sc->next >= sc->n)
        return sg_error_set(SG_EINTERNAL, "script: unexpected %s %s",
                            req->method, req->url);
    st = &sc->steps[sc->next++];
    if (req->timeout_ms && st->takes_ms >= req->timeout_ms) {
        sc->now += req->timeout_ms;
        resp->transient = 1;
        return sg_error_set(SG_ENET, "Operation timed out");
    }
    sc->now += st->takes_ms;
    if (st->neterr) {
        resp->transient = 1;
        return sg_error_set(SG_ENET, "Connection reset by peer");
    }
    resp->status = st->status;
    for (size_t i = 0; i < 6 && st->hdrs[i]; i++) {
        const char *h = st->hdrs[i];
        if ((e = hdrval(h, "Content-Type")))
            resp->content_type = e;
        else if ((e = hdrval(h, "Docker-Content-Digest")))
            resp->docker_digest = e;
        else if ((e = hdrval(h, "Location")))
            resp->location = e;
        else if ((e = hdrval(h, "WWW-Authenticate")))
            resp->www_auth = e;
        else if ((e = hdrval(h, "Content-Range")))
            resp->content_range = e;
        else if ((e = hdrval(h, "Link")))
            resp->link = e;
        else if ((e = hdrval(h, "Retry-After"))) {
            resp->has_retry_after = 1;
            resp->retry_after_s = strtoull(e, NULL, 10);
            free(e);
        } else if ((e = hdrval(h, "Content-Length"))) {
            resp->has_length = 1;
            resp->content_length = strtoull(e, NULL, 10);
            free(e);
        }
    }
    if (!st->body || strcmp(req->method, "HEAD") == 0)
        return SG_OK;
    len = st->body_len ? st->body_len : strlen(st->body);
    rc = sg_http_deliver(req, resp, st->body, st->cut ? st->cut : len);
    if (rc)
        return rc;
    if (st->cut) {
        resp->transient = 1;
        return sg_error_set(SG_ENET, "transfer closed with %zu bytes left",
                            len - st->cut);
    }
    return SG_OK;
}

static int64_t s_now(void *ctx)
{
    return ((struct script *)ctx)->now;
}

static void s_sleep(void *ctx, unsigned ms)
{
    struct script *sc = ctx;
    sc->sleeps++;
    sc->slept_ms += ms;
    sc->now += ms;
}

static const struct sg_oci__http_ops scripted = { s_perform, s_now, s_sleep,
                                                  NULL };

static sg_err
creds_user(struct sg_oci_credentials *out, const char *host, void *payload)
{
    (void)host;
    (void)payload;
    out->username = strdup("user");
    out->password = strdup("pass");
    return out->username && out->password ? SG_OK : sg_error_oom();
}

/* A registry store "registry.test/repo" on the script. */
static struct sg_oci_store *open_on(struct script *sc,
                                    struct sg_oci_registry_opts *opts,
                                    const struct step *steps,
                                    size_t n)
{
    struct sg_oci_store *s = NULL;

    memset(sc, 0, sizeof(*sc));
    sc->steps = steps;
    sc->n = n;
    sc->now = T0;
    assert_int_equal(sg_oci_store_open(&s, "registry.test/repo:v1", opts, 0),
                     SG_OK);
    sg_oci__registry_set_http(s, &scripted, sc);
    return s;
}

static const char MANIFEST[] =
    "{\"schemaVersion\":2,\"mediaType\":"
    "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
    "\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
    "\"digest\":\"sha256:"
    "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\","
    "\"size\":2},\"layers\":[]}";

#define CT_MANIFEST "Content-Type: application/vnd.oci.image.manifest.v1+json"
#define PING_OK                         \
    {                                   \
        200, { NULL }, NULL, 0, 0, 0, 0 \
    }

static char *get_manifest(struct sg_oci_store *s, const char *ref, sg_err *rc)
{
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *mt = NULL, *dg = NULL;

    *rc = sg_oci_store_get_manifest(s, ref, &body, &mt, &dg);
    free(mt);
    sg_buf_release(&body);
    return dg;
}

static char *manifest_digest(void)
{
    char d[SG_DIGEST_STR_MAX];
    assert_int_equal(sg_sha256_digest(d, MANIFEST, strlen(MANIFEST)), SG_OK);
    return strdup(d);
}

/* GET manifest "v1" on a fresh store over `steps`; checks the digest
 * on success and frees everything. Returns the call's result. */
static sg_err manifest_on(struct script *sc,
                          struct sg_oci_registry_opts *opts,
                          const struct step *steps,
                          size_t n)
{
    struct sg_oci_store *s = open_on(sc, opts, steps, n);
    char *want = manifest_digest(), *dg;
    sg_err rc;

    dg = get_manifest(s, "v1", &rc);
    if (rc)
        assert_null(dg);
    else
        assert_string_equal(dg, want);
    free(dg);
    free(want);
    sg_oci_store_free(s);
    return rc;
}

static struct sg_oci_registry_opts with_user(void)
{
    struct sg_oci_registry_opts o;

    memset(&o, 0, sizeof(o));
    o.get_credentials = creds_user;
    return o;
}

/* ------------------------------------------------------------------ */

static void retry__5xx_with_retry_after(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 503,
          { "Retry-After: 2", "Content-Type: application/json" },
          "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"busy\"}]}" },
        { 200, { CT_MANIFEST }, MANIFEST },
    };
    struct script sc;

    (void)state;
    assert_int_equal(manifest_on(&sc, NULL, steps, 3), SG_OK);
    assert_int_equal(sc.nlog, 3);
    assert_string_equal(sc.log[0], "GET https://registry.test/v2/");
    assert_non_null(
        strstr(sc.log[1], "GET https://registry.test/v2/repo/manifests/v1|"));
    assert_int_equal(sc.sleeps, 1);
    assert_int_equal(sc.slept_ms, 2000); /* Retry-After, not backoff */
}

static void retry__gives_up_after_max_retries(void **state)
{
    const struct step busy = { 502, { NULL }, "bad gateway" };
    const struct step steps[] = { PING_OK, busy, busy, busy, busy };
    struct sg_oci_registry_opts opts;
    struct script sc;

    (void)state;
    memset(&opts, 0, sizeof(opts));
    opts.max_retries = 2;
    assert_int_equal(manifest_on(&sc, &opts, steps, 5), SG_EHTTP);
    assert_string_equal(sg_error_last(),
                        "manifest: registry.test answered HTTP 502: "
                        "bad gateway");
    assert_int_equal(sc.nlog, 4); /* ping + first try + 2 retries */
    assert_int_equal(sc.sleeps, 2);
    assert_int_equal(sc.slept_ms, 250 + 500); /* exponential backoff */
}

static void retry__transport_reset_then_ok(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 0, { NULL }, NULL, 0, 0, 1, 0 },
        { 200, { CT_MANIFEST }, MANIFEST },
    };
    struct script sc;

    (void)state;
    assert_int_equal(manifest_on(&sc, NULL, steps, 3), SG_OK);
    assert_int_equal(sc.sleeps, 1);
}

static void auth__401_token_then_bearer(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 401,
          { "WWW-Authenticate: Bearer realm=\"https://auth.test/token\","
            "service=\"reg\",scope=\"repository:repo:pull\"" },
          "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}" },
        { 200, { "Content-Type: application/json" }, "{\"token\":\"T0K3N\"}" },
        { 200, { CT_MANIFEST }, MANIFEST },
    };
    struct script sc;

    (void)state;
    assert_int_equal(manifest_on(&sc, NULL, steps, 4), SG_OK);
    assert_int_equal(sc.nlog, 4);
    assert_null(strstr(sc.log[1], "Authorization"));
    assert_string_equal(sc.log[2], "GET https://auth.test/token?service=reg"
                                   "&scope=repository%3Arepo%3Apull");
    assert_non_null(strstr(sc.log[3], "|Authorization: Bearer T0K3N"));
}

static void auth__basic_from_ping(void **state)
{
    const struct step steps[] = {
        { 401, { "WWW-Authenticate: Basic realm=\"r\"" }, NULL },
        { 200, { CT_MANIFEST }, MANIFEST },
    };
    struct sg_oci_registry_opts opts = with_user();
    struct script sc;

    (void)state;
    assert_int_equal(manifest_on(&sc, &opts, steps, 2), SG_OK);
    /* base64("user:pass") */
    assert_non_null(strstr(sc.log[1], "|Authorization: Basic dXNlcjpwYXNz"));
}

static void auth__basic_refused_is_final(void **state)
{
    const struct step no = { 401,
                             { "WWW-Authenticate: Basic realm=\"r\"" },
                             NULL };
    const struct step steps[] = { no, no, no, no };
    struct sg_oci_registry_opts opts = with_user();
    struct script sc;

    (void)state;
    assert_int_equal(manifest_on(&sc, &opts, steps, 4), SG_EAUTH);
    assert_string_equal(sg_error_last(), "authentication failed for "
                                         "registry.test: credentials refused");
    assert_int_equal(sc.nlog, 2); /* no loop */
}

/* A blob of `n` bytes and its descriptor. */
struct blob {
    char *data;
    size_t n;
    char digest[SG_DIGEST_STR_MAX];
    char mt[32];
    struct sg_oci_descriptor d;
};

static void blob_make(struct blob *b, size_t n)
{
    b->data = malloc(n);
    assert_non_null(b->data);
    for (size_t i = 0; i < n; i++)
        b->data[i] = (char)('a' + (i * 7) % 26);
    b->n = n;
    snprintf(b->mt, sizeof(b->mt), "application/octet-stream");
    assert_int_equal(sg_sha256_digest(b->digest, b->data, n), SG_OK);
    memset(&b->d, 0, sizeof(b->d));
    b->d.media_type = b->mt;
    b->d.digest = b->digest;
    b->d.size = n;
}

static sg_err collect(const void *p, size_t n, void *payload)
{
    return sg_buf_add(payload, p, n);
}

/* get_blob of `b` on a fresh store over `steps`, into *got. */
static sg_err blob_on(struct script *sc,
                      struct sg_oci_registry_opts *opts,
                      const struct step *steps,
                      size_t n,
                      const struct blob *b,
                      struct sg_buf *got)
{
    struct sg_oci_store *s = open_on(sc, opts, steps, n);
    sg_err rc = sg_oci_store_get_blob(s, &b->d, collect, got);

    sg_oci_store_free(s);
    return rc;
}

static void redirect__other_host_gets_no_authorization(void **state)
{
    struct blob b;
    struct step steps[4] = {
        { 401, { "WWW-Authenticate: Basic realm=\"r\"" }, NULL },
        { 307, { "Location: https://cdn.test/x/blob?sig=1" }, NULL },
        { 200, { NULL }, NULL },
    };
    struct sg_oci_registry_opts opts;
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct script sc;

    (void)state;
    blob_make(&b, 5000);
    steps[2].body = b.data;
    steps[2].body_len = b.n;
    memset(&opts, 0, sizeof(opts));
    opts.get_credentials = creds_user;
    assert_int_equal(blob_on(&sc, &opts, steps, 3, &b, &got), SG_OK);
    assert_int_equal(got.len, b.n);
    assert_memory_equal(got.data, b.data, b.n);
    assert_non_null(strstr(sc.log[1], "|Authorization: Basic "));
    assert_string_equal(sc.log[2], "GET https://cdn.test/x/blob?sig=1");
    sg_buf_release(&got);
    free(b.data);
}

static void redirect__https_to_http_refused(void **state)
{
    struct blob b;
    const struct step steps[] = {
        PING_OK,
        { 302, { "Location: http://cdn.test/x/blob" }, NULL },
    };
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct script sc;

    (void)state;
    blob_make(&b, 100);
    assert_int_equal(blob_on(&sc, NULL, steps, 2, &b, &got), SG_EHTTP);
    assert_non_null(strstr(sg_error_last(), "registry.test: refusing "
                                            "redirect to "
                                            "'http://cdn.test/x/blob'"));
    assert_int_equal(sc.nlog, 2); /* never contacted */
    assert_int_equal(got.len, 0);
    sg_buf_release(&got);
    free(b.data);
}

static void resume__range_after_truncated_body(void **state)
{
    struct blob b;
    char cr[80];
    struct step steps[3] = {
        PING_OK,
        { 200, { NULL }, NULL, 0, 3000 },
        { 206, { cr }, NULL },
    };
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct script sc;

    (void)state;
    blob_make(&b, 10000);
    steps[1].body = b.data;
    steps[1].body_len = b.n;
    snprintf(cr, sizeof(cr), "Content-Range: bytes 3000-9999/10000");
    steps[2].body = b.data + 3000;
    steps[2].body_len = b.n - 3000;
    assert_int_equal(blob_on(&sc, NULL, steps, 3, &b, &got), SG_OK);
    assert_int_equal(got.len, b.n);
    assert_memory_equal(got.data, b.data, b.n);
    assert_non_null(strstr(sc.log[2], "|Range: bytes=3000-"));
    /* little progress: the resume used up a retry (with a wait) */
    assert_int_equal(sc.sleeps, 1);
    sg_buf_release(&got);
    free(b.data);
}

static void resume__big_progress_resumes_at_once(void **state)
{
    struct blob b;
    size_t cut = 1200000;
    struct step steps[3] = {
        PING_OK,
        { 200, { NULL }, NULL, 0, 0 },
        { 206, { "Content-Range: bytes 1200000-1499999/1500000" }, NULL },
    };
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct script sc;

    (void)state;
    blob_make(&b, 1500000);
    steps[1].body = b.data;
    steps[1].body_len = b.n;
    steps[1].cut = cut;
    steps[2].body = b.data + cut;
    steps[2].body_len = b.n - cut;
    assert_int_equal(blob_on(&sc, NULL, steps, 3, &b, &got), SG_OK);
    assert_int_equal(got.len, b.n);
    assert_non_null(strstr(sc.log[2], "|Range: bytes=1200000-"));
    assert_int_equal(sc.sleeps, 0);
    sg_buf_release(&got);
    free(b.data);
}

static void resume__digest_checked_across_resume(void **state)
{
    struct blob b;
    char *evil;
    struct step steps[3] = {
        PING_OK,
        { 200, { NULL }, NULL, 0, 3000 },
        { 206, { "Content-Range: bytes 3000-9999/10000" }, NULL },
    };
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct script sc;

    (void)state;
    blob_make(&b, 10000);
    evil = malloc(b.n);
    assert_non_null(evil);
    memcpy(evil, b.data, b.n);
    evil[5000] ^= 1; /* the resumed part differs */
    steps[1].body = b.data;
    steps[1].body_len = b.n;
    steps[2].body = evil + 3000;
    steps[2].body_len = b.n - 3000;
    assert_int_equal(blob_on(&sc, NULL, steps, 3, &b, &got), SG_EDIGEST);
    assert_non_null(strstr(sg_error_last(), b.digest));
    sg_buf_release(&got);
    free(evil);
    free(b.data);
}

static void status__404_manifest_unknown(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 404,
          { "Content-Type: application/json" },
          "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}" },
    };
    struct script sc;

    (void)state;
    assert_int_equal(manifest_on(&sc, NULL, steps, 2), SG_ENOTFOUND);
    assert_string_equal(sg_error_last(), "manifest unknown: repo:v1");
}

static void limit__manifest_over_the_limit(void **state)
{
    size_t n = SG_LIMIT_MANIFEST_MAX + 10; /* NULL opts: default limits */
    struct step steps[2] = { PING_OK, { 200, { CT_MANIFEST }, NULL } };
    struct script sc;
    char *big = malloc(n);

    (void)state;
    assert_non_null(big);
    memset(big, ' ', n);
    steps[1].body = big;
    steps[1].body_len = n;
    assert_int_equal(manifest_on(&sc, NULL, steps, 2), SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "manifest larger than"));
    assert_non_null(strstr(sg_error_last(), "(repo:v1)"));
    free(big);
}

/* verify resolves IMAGE:tag through head_manifest: the digest must come
 * from the bytes, not from a Docker-Content-Digest that lies. */
static void head__tag_digest_comes_from_the_body(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 200, { CT_MANIFEST }, MANIFEST },
    };
    struct script sc;
    struct sg_oci_store *s = open_on(&sc, NULL, steps, 2);
    char *want = manifest_digest(), *dg = NULL;

    (void)state;
    assert_int_equal(sg_oci_store_head_manifest(s, "v1", NULL, &dg, NULL),
                     SG_OK);
    assert_string_equal(dg, want);
    assert_non_null(strstr(sc.log[1], "GET "));
    free(dg);
    free(want);
    sg_oci_store_free(s);
}

static void head__lying_digest_is_not_believed(void **state)
{
    const char *liar = "Docker-Content-Digest: sha256:"
                       "0000000000000000000000000000000000000000000000000000"
                       "000000000000";
    const struct step steps[] = {
        PING_OK,
        { 200, { CT_MANIFEST, liar, "Content-Length: 311" }, MANIFEST },
    };
    struct script sc;
    struct sg_oci_store *s = open_on(&sc, NULL, steps, 2);
    char *dg = NULL;

    (void)state;
    assert_int_equal(sg_oci_store_head_manifest(s, "v1", NULL, &dg, NULL),
                     SG_EDIGEST);
    assert_null(dg);
    assert_non_null(strstr(sg_error_last(), "store says sha256:0000"));
    /* a HEAD would have been answered with the lie: none was sent */
    assert_null(strstr(sc.log[1], "HEAD "));
    sg_oci_store_free(s);
}

static void head__digest_ref_uses_head(void **state)
{
    char *want = manifest_digest();
    char dh[200], *dg = NULL;
    const struct step steps[] = {
        PING_OK,
        { 200, { CT_MANIFEST, dh, "Content-Length: 311" }, NULL },
    };
    struct script sc;
    struct sg_oci_store *s;
    uint64_t size = 0;

    (void)state;
    snprintf(dh, sizeof(dh), "Docker-Content-Digest: %s", want);
    s = open_on(&sc, NULL, steps, 2);
    assert_int_equal(sg_oci_store_head_manifest(s, want, NULL, &dg, &size),
                     SG_OK);
    assert_string_equal(dg, want);
    assert_int_equal(size, 311);
    assert_non_null(strstr(sc.log[1], "HEAD "));
    free(dg);
    free(want);
    sg_oci_store_free(s);
}

static struct sg_oci_registry_opts deadline_opts(int64_t ms)
{
    struct sg_oci_registry_opts o;

    memset(&o, 0, sizeof(o));
    o.timeout_ms = ms;
    o.deadline_ms = T0 + ms;
    return o;
}

static void deadline__stalled_blob(void **state)
{
    struct blob b;
    struct step steps[2] = { PING_OK, { 200, { NULL }, NULL, 0, 0, 0, 60000 } };
    struct sg_oci_registry_opts opts = deadline_opts(5000);
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char want[300];
    struct script sc;

    (void)state;
    blob_make(&b, 4000);
    steps[1].body = b.data;
    assert_int_equal(blob_on(&sc, &opts, steps, 2, &b, &got), SG_ENET);
    snprintf(want, sizeof(want),
             "timed out after 5s fetching blob %s from registry.test/repo",
             b.digest);
    assert_string_equal(sg_error_last(), want);
    assert_int_equal(sc.now, T0 + 5000); /* not a moment more */
    sg_buf_release(&got);
    free(b.data);
}

/* A trickle: every exchange (the Range resumes too) gets a little and
 * stalls; resumes must not extend the deadline. */
static void deadline__resumes_do_not_extend_it(void **state)
{
    struct blob b;
    struct step steps[8];
    struct sg_oci_registry_opts opts = deadline_opts(180000);
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct script sc;
    sg_err rc;

    (void)state;
    blob_make(&b, 2u << 20);
    memset(steps, 0, sizeof(steps));
    steps[0].status = 200;
    for (size_t i = 1; i < 8; i++) {
        steps[i].status = i == 1 ? 200 : 206;
        steps[i].hdrs[0] =
            i == 1 ? NULL : "Content-Range: bytes 0-2097151/2097152";
        steps[i].body = b.data;
        steps[i].body_len = b.n;
        steps[i].cut = 1024;
        steps[i].takes_ms = 70000; /* 1 KiB, then a stall detected */
    }
    rc = blob_on(&sc, &opts, steps, 8, &b, &got);
    assert_int_equal(rc, SG_ENET);
    assert_non_null(strstr(sg_error_last(), "timed out after 3m0s fetching "
                                            "blob sha256:"));
    assert_true(sc.now <= T0 + 180000);
    assert_int_equal(sc.next, 4); /* 70 s + 70 s + the rest of 180 s */
    sg_buf_release(&got);
    free(b.data);
}

static void deadline__retry_wait_past_it_gives_up(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 429, { "Retry-After: 9" }, NULL },
    };
    struct sg_oci_registry_opts opts = deadline_opts(5000);
    struct script sc;

    (void)state;
    assert_int_equal(manifest_on(&sc, &opts, steps, 2), SG_ENET);
    assert_string_equal(sg_error_last(), "timed out after 5s fetching "
                                         "manifest v1 from "
                                         "registry.test/repo");
    assert_int_equal(sc.sleeps, 0);
}

/* ------------------------------------------------------------------ */
/* The decision function alone                                          */

static void next_action__table(void **state)
{
    struct sg_reg_state st;
    struct sg_http_resp r;
    char loc[] = "https://x/";

    (void)state;
    memset(&st, 0, sizeof(st));
    st.max_retries = 2;
    st.retry = st.follow = st.same_host = 1;
    sg_http_resp_init(&r);

    r.status = 200;
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_DONE);
    r.status = 503;
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_RETRY);
    st.attempt = 2;
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_DONE);
    st.attempt = 0;
    st.retry = 0; /* not idempotent */
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_DONE);
    st.retry = 1;
    st.now_ms = 10;
    st.deadline_ms = 10;
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_TIMEOUT);
    st.deadline_ms = 0;

    r.status = 307;
    r.location = loc;
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_REDIRECT);
    st.follow = 0;
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_DONE);
    r.location = NULL;

    r.status = 401;
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_REAUTH);
    st.same_host = 0; /* another host's 401 is its answer */
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_DONE);
    st.same_host = 1;
    st.streamed = 1; /* a streamed body cannot be sent again */
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_DONE);
    st.streamed = 0;
    st.auth_rounds = 2;
    assert_int_equal(sg_reg_next_action(&st, SG_OK, &r), SG_REG_DONE);

    r.status = 0;
    r.transient = 1;
    assert_int_equal(sg_reg_next_action(&st, SG_ENET, &r), SG_REG_RETRY);
    st.progress = SG_REG_PROGRESS_MIN;
    st.attempt = 2;
    assert_int_equal(sg_reg_next_action(&st, SG_ENET, &r), SG_REG_RESUME);
    st.progress = 10;
    assert_int_equal(sg_reg_next_action(&st, SG_ENET, &r), SG_REG_FAIL);
    r.transient = 0;
    st.attempt = 0;
    assert_int_equal(sg_reg_next_action(&st, SG_ENET, &r), SG_REG_FAIL);
    assert_int_equal(sg_reg_next_action(&st, SG_EDIGEST, &r), SG_REG_FAIL);
}

static void duration__go_style(void **state)
{
    char b[48];

    (void)state;
    sg_reg_fmt_duration(b, sizeof(b), 180000);
    assert_string_equal(b, "3m0s");
    sg_reg_fmt_duration(b, sizeof(b), 5000);
    assert_string_equal(b, "5s");
    sg_reg_fmt_duration(b, sizeof(b), 3600000 + 30 * 60000);
    assert_string_equal(b, "1h30m0s");
    sg_reg_fmt_duration(b, sizeof(b), 1500);
    assert_string_equal(b, "1.5s");
    sg_reg_fmt_duration(b, sizeof(b), 250);
    assert_string_equal(b, "250ms");
}

/* ------------------------------------------------------------------ */
/* Referrers: a fallback tag holding a manifest is ignored with a warning */

static char warned[512];

static void log_hook(enum sg_log_level level, const char *msg, void *payload)
{
    (void)payload;
    if (level == SG_LOG_WARN)
        snprintf(warned, sizeof(warned), "%s", msg);
}

static void referrers__fallback_tag_with_a_manifest_is_ignored(void **state)
{
    const char *subject = "sha256:"
                          "1111111111111111111111111111111111111111111111111111"
                          "111111111111";
    const struct step steps[] = {
        PING_OK,
        { 404, { NULL }, NULL },            /* no referrers API */
        { 200, { CT_MANIFEST }, MANIFEST }, /* the sha256-<hex> tag */
    };
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct script sc;
    struct sg_ctx ctx;
    struct sg_oci_registry_opts opts;
    struct sg_oci_store *s;

    (void)state;
    sg_ctx_init(&ctx);
    ctx.log = log_hook;
    memset(&opts, 0, sizeof(opts));
    opts.ctx = &ctx;
    s = open_on(&sc, &opts, steps, 3);
    warned[0] = '\0';
    assert_int_equal(sg_oci_store_referrers(s, subject, NULL, &out), SG_OK);
    assert_non_null(strstr(out.data, "\"manifests\":[]"));
    assert_non_null(strstr(sc.log[2], "/v2/repo/manifests/sha256-1111"));
    assert_non_null(strstr(warned, "sha256-1111"));
    assert_non_null(strstr(warned, "not an index"));
    sg_buf_release(&out);
    sg_oci_store_free(s);
}

/* ------------------------------------------------------------------ */
/* Tag listing: Link paging, bounds, the tag grammar                    */

#define CT_JSON "Content-Type: application/json"

/* List the tags of registry.test/repo over `steps` (opts may be NULL). */
static sg_err list_on(struct script *sc,
                      struct sg_oci_registry_opts *opts,
                      const struct step *steps,
                      size_t n,
                      char ***tags)
{
    struct sg_oci_store *s = open_on(sc, opts, steps, n);
    sg_err rc = sg_oci_store_list_tags(s, tags);

    sg_oci_store_free(s);
    return rc;
}

static void tags__link_pages_followed(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 200,
          { CT_JSON, "Link: </v2/repo/tags/list?n=2&last=b>; rel=\"next\"" },
          "{\"name\":\"repo\",\"tags\":[\"a\",\"b\"]}" },
        { 200,
          { CT_JSON, "Link: </v2/repo/tags/list?n=2&last=d>; rel=\"next\"" },
          "{\"name\":\"repo\",\"tags\":[\"c\",\"d\"]}" },
        { 200, { CT_JSON }, "{\"name\":\"repo\",\"tags\":[\"v1.0_x-y\"]}" },
    };
    struct script sc;
    char **tags = NULL;

    (void)state;
    assert_int_equal(list_on(&sc, NULL, steps, 4, &tags), SG_OK);
    assert_int_equal(sc.nlog, 4);
    assert_non_null(strstr(
        sc.log[1], "GET https://registry.test/v2/repo/tags/list?n=1000"));
    assert_non_null(strstr(
        sc.log[2], "GET https://registry.test/v2/repo/tags/list?n=2&last=b"));
    assert_non_null(strstr(
        sc.log[3], "GET https://registry.test/v2/repo/tags/list?n=2&last=d"));
    assert_string_equal(tags[0], "a");
    assert_string_equal(tags[1], "b");
    assert_string_equal(tags[2], "c");
    assert_string_equal(tags[3], "d");
    assert_string_equal(tags[4], "v1.0_x-y");
    assert_null(tags[5]);
    sg_oci_strv_free(tags);
}

static void tags__null_list_is_empty(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 200, { CT_JSON }, "{\"name\":\"repo\",\"tags\":null}" },
    };
    struct script sc;
    char **tags = NULL;

    (void)state;
    assert_int_equal(list_on(&sc, NULL, steps, 2, &tags), SG_OK);
    assert_non_null(tags);
    assert_null(tags[0]);
    sg_oci_strv_free(tags);
}

static void tags__next_page_on_another_host_refused(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 200,
          { CT_JSON,
            "Link: <https://evil.test/v2/repo/tags/list?last=a>; rel=\"next\"" },
          "{\"tags\":[\"a\"]}" },
    };
    struct script sc;
    char **tags = NULL;

    (void)state;
    assert_int_equal(list_on(&sc, NULL, steps, 2, &tags), SG_EHTTP);
    assert_null(tags);
    assert_string_equal(sg_error_last(), "tag list: next page on another host");
    assert_int_equal(sc.nlog, 2); /* evil.test never asked */
}

static void tags__more_than_tags_max_refused(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 200,
          { CT_JSON, "Link: </v2/repo/tags/list?last=b>; rel=\"next\"" },
          "{\"tags\":[\"a\",\"b\"]}" },
        { 200, { CT_JSON }, "{\"tags\":[\"c\",\"d\"]}" },
    };
    struct sg_ctx ctx;
    struct sg_oci_registry_opts opts;
    struct script sc;
    char **tags = NULL;

    (void)state;
    sg_ctx_init(&ctx);
    ctx.limits.tags_max = 3;
    memset(&opts, 0, sizeof(opts));
    opts.ctx = &ctx;
    assert_int_equal(list_on(&sc, &opts, steps, 3, &tags), SG_ELIMIT);
    assert_null(tags);
    assert_string_equal(sg_error_last(), "tag list: more than 3 tags");
}

static void tags__outside_the_grammar_refused(void **state)
{
    static const char *const bad[] = {
        "{\"tags\":[\"ok\",\"a\\nb\"]}", /* a newline */
        "{\"tags\":[\"team/app\"]}",     /* a '/' */
        "{\"tags\":[\".hidden\"]}",      /* a leading '.' */
        "{\"tags\":[\"\"]}",             /* empty */
        "{\"tags\":[\"v1\\u0000x\"]}",   /* a NUL inside */
        "{\"tags\":[1]}",                /* not a string */
    };
    static const char *const why[] = {
        "tag list: a tag: invalid character '?' in tag",
        "tag list: a tag: invalid character '/' in tag",
        "tag list: a tag: tag must start with a letter, digit or '_'",
        "tag list: a tag: empty tag after ':'",
        "tag list: invalid JSON", /* jansson refuses \u0000 */
        "tag list: tags[0] not a string",
    };
    char long_tag[160 + 16];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct step steps[] = { PING_OK, { 200, { CT_JSON }, bad[i] } };
        struct script sc;
        char **tags = NULL;

        assert_int_equal(list_on(&sc, NULL, steps, 2, &tags), SG_EPARSE);
        assert_null(tags);
        assert_memory_equal(sg_error_last(), why[i], strlen(why[i]));
    }
    /* 129 characters: one over the spec's 128 */
    snprintf(long_tag, sizeof(long_tag), "{\"tags\":[\"%0129d\"]}", 0);
    {
        const struct step steps[] = { PING_OK, { 200, { CT_JSON }, long_tag } };
        struct script sc;
        char **tags = NULL;

        assert_int_equal(list_on(&sc, NULL, steps, 2, &tags), SG_EPARSE);
        assert_string_equal(sg_error_last(),
                            "tag list: a tag: tag longer than 128 characters");
    }
}

static void tags__unknown_repository(void **state)
{
    const struct step steps[] = {
        PING_OK,
        { 404,
          { CT_JSON },
          "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"x\"}]}" },
    };
    struct script sc;
    char **tags = NULL;

    (void)state;
    assert_int_equal(list_on(&sc, NULL, steps, 2, &tags), SG_ENOTFOUND);
    assert_string_equal(sg_error_last(), "repository unknown: repo");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retry__5xx_with_retry_after),
        cmocka_unit_test(retry__gives_up_after_max_retries),
        cmocka_unit_test(retry__transport_reset_then_ok),
        cmocka_unit_test(auth__401_token_then_bearer),
        cmocka_unit_test(auth__basic_from_ping),
        cmocka_unit_test(auth__basic_refused_is_final),
        cmocka_unit_test(redirect__other_host_gets_no_authorization),
        cmocka_unit_test(redirect__https_to_http_refused),
        cmocka_unit_test(resume__range_after_truncated_body),
        cmocka_unit_test(resume__big_progress_resumes_at_once),
        cmocka_unit_test(resume__digest_checked_across_resume),
        cmocka_unit_test(status__404_manifest_unknown),
        cmocka_unit_test(limit__manifest_over_the_limit),
        cmocka_unit_test(head__tag_digest_comes_from_the_body),
        cmocka_unit_test(head__lying_digest_is_not_believed),
        cmocka_unit_test(head__digest_ref_uses_head),
        cmocka_unit_test(deadline__stalled_blob),
        cmocka_unit_test(deadline__resumes_do_not_extend_it),
        cmocka_unit_test(deadline__retry_wait_past_it_gives_up),
        cmocka_unit_test(next_action__table),
        cmocka_unit_test(duration__go_style),
        cmocka_unit_test(referrers__fallback_tag_with_a_manifest_is_ignored),
        cmocka_unit_test(tags__link_pages_followed),
        cmocka_unit_test(tags__null_list_is_empty),
        cmocka_unit_test(tags__next_page_on_another_host_refused),
        cmocka_unit_test(tags__more_than_tags_max_refused),
        cmocka_unit_test(tags__outside_the_grammar_refused),
        cmocka_unit_test(tags__unknown_repository),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The policy engine end to end (server/engine.c) on an in-memory store
 * handed to it through the store-opener seam: images signed with a test
 * key are allowed, unsigned ones denied with the reason, warn mode warns,
 * no-match follows its option, two matching policies must both pass,
 * static fail denies, attestations with a jq policy pass or fail on the
 * predicate, registry errors and time-outs never allow, and verdicts are
 * cached per policy generation. Keyless authorities: a real cosign keyless
 * .sig (testdata/keyless-image/cosign-09) and a real v0.3 keyless
 * attestation bundle (dsse-03) against the vendored public-good root (by
 * trustRootRef) and the built-in one: exact and regexp identities
 * (unanchored, as cosign's), one of several identities, wrong subject or
 * issuer with the verify core's reason, each failing identity numbered,
 * source[].oci read from that repository.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "server/policy_int.h"
#define SIGIL_TEST_BUNDLE_REFERRER
#include "sign_memstore.h"
#include "sigil/verify.h"

static struct sg_sign_key *key;
static struct sg_oci_store *mem;
static struct sg_oci_store_ops borrow_ops;
static int opens;         /* atomic */
static int open_sleep_ms; /* a slow registry */
static char last_repo[256];
static char d_signed[SG_DIGEST_STR_MAX], d_unsigned[SG_DIGEST_STR_MAX],
    d_good[SG_DIGEST_STR_MAX], d_bad[SG_DIGEST_STR_MAX],
    d_two[SG_DIGEST_STR_MAX];

/* The seam: a store borrowing the shared memstore (freeing it leaves the
 * memstore alone). */
static sg_err open_mem(struct sg_oci_store **out,
                       const char *repo,
                       const struct sg_oci_registry_opts *o,
                       void *arg)
{
    struct sg_oci_store *s = calloc(1, sizeof(*s));

    (void)o;
    (void)arg;
    __atomic_add_fetch(&opens, 1, __ATOMIC_SEQ_CST);
    if (open_sleep_ms) {
        struct timespec ts = { 0, open_sleep_ms * 1000000L };
        nanosleep(&ts, NULL);
    }
    snprintf(last_repo, sizeof(last_repo), "%s", repo);
    s->ops = &borrow_ops;
    s->kind = SG_OCI_STORE_OCI_DIR;
    sg_ctx_init(&s->ctx);
    s->impl = mem->impl;
    s->default_ref = strdup("latest");
    *out = s;
    return SG_OK;
}

/* An image manifest under `tag`; its digest in d. */
static void add_image(const char *tag, char d[SG_DIGEST_STR_MAX])
{
    char m[512];
    struct memstore *ms = memstore_of(mem);

    snprintf(m, sizeof(m),
             "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci."
             "image.manifest.v1+json\",\"config\":{\"mediaType\":\"application"
             "/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"%s\"},"
             "\"layers\":[],\"annotations\":{\"t\":\"%s\"}}",
             SG_EMPTY_JSON_DIGEST, tag);
    assert_int_equal(sg_sha256_digest(d, m, strlen(m)), SG_OK);
    mem_add(ms->manifests, &ms->n_manifests, d, m, strlen(m),
            "application/vnd.oci.image.manifest.v1+json");
    memstore_set_tag(mem, tag, d);
}

static void attest(const char *digest, const char *predicate)
{
    struct sg_attest_statement_opts o;

    memset(&o, 0, sizeof(o));
    o.type = "https://example.com/provenance/v1";
    o.subject_name = "reg.io/att";
    o.digest = digest;
    assert_int_equal(
        sg_attest_image(mem, &o, predicate, strlen(predicate), key), SG_OK);
}

static int setup(void **state)
{
    static const struct sg_sign_image_opts so = { NULL, 0, "reg.io/app" };

    (void)state;
    if (sg_sign_key_generate(&key))
        return -1;
    mem = memstore_new();
    borrow_ops = *mem->ops;
    borrow_ops.free = NULL;
    add_image("signed", d_signed);
    add_image("unsigned", d_unsigned);
    add_image("good", d_good);
    add_image("bad", d_bad);
    add_image("t1", d_two);
    if (sg_sign_image(mem, d_signed, key, &so) ||
        sg_sign_image(mem, d_two, key, &so) ||
        sg_sign_image(mem, d_good, key, &so))
        return -1;
    attest(d_good, "{\"builder\":{\"id\":\"good\"}}");
    attest(d_bad, "{\"builder\":{\"id\":\"evil\"}}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sg_sign_key_free(key);
    sg_oci_store_free(mem);
    return 0;
}

/* The policies, with the test key's PEM indented into each key.data. */
static struct sg_admit_policies *policies(uint64_t gen)
{
    static const char *const tmpl[] = {
        /* 0 */ "signed",  "enforce", "reg.io/app*",
        /* 1 */ "warnpol", "warn",    "reg.io/warn/**",
        /* 2 */ "two-a",   "enforce", "reg.io/two:*",
        /* 3 */ "att-jq",  "enforce", "reg.io/att:*",
    };
    struct sg_buf pem = SG_BUF_INIT(1 << 16);
    struct sg_buf y = SG_BUF_INIT(1 << 20);
    struct sg_buf ind = SG_BUF_INIT(1 << 16);
    struct sg_admit_policies *p;
    size_t docs = 0;

    assert_int_equal(sg_sign_key_public_pem(&pem, key), SG_OK);
    for (const char *l = pem.data; *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        assert_int_equal(sg_buf_addf(&ind, "        %.*s\n", (int)n, l), SG_OK);
        l += n + (nl ? 1 : 0);
    }
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(
            sg_buf_addf(&y,
                        "---\napiVersion: policy.sigstore.dev/v1beta1\n"
                        "kind: ClusterImagePolicy\nmetadata: {name: %s}\n"
                        "spec:\n  mode: %s\n  images: [{glob: \"%s\"}]\n"
                        "  authorities:\n  - name: k\n    key:\n"
                        "      data: |\n%s",
                        tmpl[3 * i], tmpl[3 * i + 1], tmpl[3 * i + 2],
                        ind.data),
            SG_OK);
        if (i == 3)
            assert_int_equal(
                sg_buf_adds(&y, "    attestations:\n    - name: prov\n"
                                "      predicateType: "
                                "https://example.com/provenance/v1\n"
                                "      policy:\n        type: jq\n"
                                "        data: '.predicate.builder.id == "
                                "\"good\"'\n"),
                SG_OK);
    }
    assert_int_equal(
        sg_buf_adds(&y,
                    "---\napiVersion: policy.sigstore.dev/v1beta1\n"
                    "kind: ClusterImagePolicy\nmetadata: {name: two-b}\n"
                    "spec:\n  images: [{glob: \"reg.io/tw*:*\"}]\n"
                    "  authorities:\n  - name: s\n    static: {action: fail, "
                    "message: two-b says no}\n"
                    "---\napiVersion: policy.sigstore.dev/v1beta1\n"
                    "kind: ClusterImagePolicy\nmetadata: {name: blocked}\n"
                    "spec:\n  images: [{glob: \"reg.io/blocked/**\"}]\n"
                    "  authorities:\n  - static: {action: fail}\n"
                    "---\napiVersion: policy.sigstore.dev/v1beta1\n"
                    "kind: ClusterImagePolicy\nmetadata: {name: open}\n"
                    "spec:\n  images: [{glob: \"reg.io/open/*\"}]\n"
                    "  match: [{resource: pods, version: v1}]\n"
                    "  authorities:\n  - static: {action: pass}\n"),
        SG_OK);
    assert_int_equal(sg_pa_new(&p, gen), SG_OK);
    if (sg_pa_parse(p, y.data, y.len, "test", &docs, NULL) != SG_OK)
        fail_msg("policies: %s", sg_error_last());
    assert_int_equal(sg_admit_policies_count(p), 7);
    sg_buf_release(&pem);
    sg_buf_release(&y);
    sg_buf_release(&ind);
    return p;
}

static struct sg_admit_engine *engine(enum sg_admit_no_match nm)
{
    struct sg_admit_engine_opts o;
    struct sg_admit_engine_seams seams;
    struct sg_admit_engine *e;
    struct sg_admit_policies *p = policies(1);

    memset(&o, 0, sizeof(o));
    memset(&seams, 0, sizeof(seams));
    o.no_match = nm;
    seams.open_store = open_mem;
    assert_int_equal(sg_admit_engine_create_seams(&e, &o, &seams), SG_OK);
    sg_admit_engine_set_policies(e, p);
    sg_admit_policies_unref(p);
    return e;
}

/* Decide image; check the verdict and that the reason contains want
 * (NULL: no reason). */
static void decide(struct sg_admit_engine *e,
                   const char *image,
                   enum sg_admit_verdict want,
                   const char *want_reason,
                   int want_cached)
{
    struct sg_admit_result r;

    assert_int_equal(sg_admit_image(&r, e, image, NULL, 0), SG_OK);
    if (r.verdict != want ||
        (want_reason && (!r.reason || !strstr(r.reason, want_reason))) ||
        (!want_reason && r.reason) ||
        (want_cached >= 0 && r.from_cache != want_cached))
        fail_msg("%s: verdict %d (want %d), reason \"%s\" (want \"%s\"), "
                 "cached %d",
                 image, (int)r.verdict, (int)want,
                 r.reason ? r.reason : "(none)",
                 want_reason ? want_reason : "(none)", r.from_cache);
    if (r.reason)
        assert_null(strchr(r.reason, '\n'));
    sg_admit_result_release(&r);
}

static void engine__signed_unsigned_and_cache(void **state)
{
    struct sg_admit_engine *e = engine(SG_ADMIT_NO_MATCH_DENY);
    struct sg_admit_result r;
    struct sg_admit_stats st;
    char ref[256];

    (void)state;
    opens = 0;
    assert_int_equal(sg_admit_image(&r, e, "reg.io/app:signed", NULL, 0),
                     SG_OK);
    assert_int_equal(r.verdict, SG_ADMIT_ALLOW);
    assert_null(r.reason);
    assert_string_equal(r.digest, d_signed);
    assert_string_equal(r.normalized, "reg.io/app:signed");
    assert_int_equal(r.from_cache, 0);
    assert_string_equal(last_repo, "reg.io/app");
    sg_admit_result_release(&r);
    /* Again: tag and verdict from the caches, no store opened. */
    opens = 0;
    decide(e, "reg.io/app:signed", SG_ADMIT_ALLOW, NULL, 1);
    assert_int_equal(opens, 0);
    /* By digest. */
    snprintf(ref, sizeof(ref), "reg.io/app@%s", d_signed);
    decide(e, ref, SG_ADMIT_ALLOW, NULL, 1);
    /* Unsigned: denied, naming policy and authority. */
    decide(e, "reg.io/app:unsigned", SG_ADMIT_DENY,
           "policy signed: "
           "authority k: ",
           0);
    /* Failures are not cached. */
    decide(e, "reg.io/app:unsigned", SG_ADMIT_DENY, "policy signed", 0);
    sg_admit_engine_stats(e, &st);
    assert_int_equal(st.cache_hits, 2);
    assert_int_equal(st.cache_misses, 3);
    assert_int_equal(st.verifications, 3);
    assert_int_equal(st.registry_errors, 0);
    /* A new policy generation: the verdict is computed again. */
    {
        struct sg_admit_policies *p = policies(2);
        sg_admit_engine_set_policies(e, p);
        sg_admit_policies_unref(p);
    }
    decide(e, "reg.io/app:signed", SG_ADMIT_ALLOW, NULL, 0);
    sg_admit_engine_free(e);
}

static void engine__modes_static_two_policies(void **state)
{
    struct sg_admit_engine *e = engine(SG_ADMIT_NO_MATCH_DENY);

    (void)state;
    /* Warn mode: allowed with the reason. */
    decide(e, "reg.io/warn/app:unsigned", SG_ADMIT_WARN, "policy warnpol", 0);
    decide(e, "reg.io/warn/app:signed", SG_ADMIT_ALLOW, NULL, 0);
    /* Two policies match; two-a passes, two-b (static fail) denies. */
    decide(e, "reg.io/two:t1", SG_ADMIT_DENY,
           "policy two-b: authority s: static action fail: two-b says no", 0);
    {
        struct sg_admit_result r;
        assert_int_equal(sg_admit_image(&r, e, "reg.io/two:t1", NULL, 0),
                         SG_OK);
        assert_null(strstr(r.reason, "two-a"));
        sg_admit_result_release(&r);
    }
    decide(e, "reg.io/blocked/x:signed", SG_ADMIT_DENY,
           "policy blocked: authority authority-0: static action fail", 0);
    /* No match: deny by default, with the normalized name. */
    decide(e, "nginx", SG_ADMIT_DENY,
           "no ClusterImagePolicy matches index.docker.io/library/nginx:latest",
           0);
    decide(e, "reg.io/app/../x", SG_ADMIT_DENY, "invalid image reference", 0);
    sg_admit_engine_free(e);
    e = engine(SG_ADMIT_NO_MATCH_ALLOW);
    decide(e, "other.io/x:1", SG_ADMIT_ALLOW, NULL, 0);
    sg_admit_engine_free(e);
    e = engine(SG_ADMIT_NO_MATCH_WARN);
    decide(e, "other.io/x:1", SG_ADMIT_WARN, "no ClusterImagePolicy matches",
           0);
    sg_admit_engine_free(e);
}

static void engine__attestation_jq(void **state)
{
    struct sg_admit_engine *e = engine(SG_ADMIT_NO_MATCH_DENY);

    (void)state;
    decide(e, "reg.io/att:good", SG_ADMIT_ALLOW, NULL, 0);
    decide(e, "reg.io/att:bad", SG_ADMIT_DENY,
           "attestation prov: jq policy did not evaluate to true", 0);
    /* No attestation at all. */
    decide(e, "reg.io/att:signed", SG_ADMIT_DENY, "policy att-jq", 0);
    sg_admit_engine_free(e);
}

static void engine__spec_match(void **state)
{
    struct sg_admit_engine *e = engine(SG_ADMIT_NO_MATCH_DENY);
    struct sg_admit_object pod = { "", "v1", "pods", "ns", NULL, NULL, 0 };
    struct sg_admit_object dep = { "apps", "v1", "deployments", "ns", NULL,
                                   NULL,   0 };
    struct sg_admit_result r;

    (void)state;
    assert_int_equal(sg_admit_image(&r, e, "reg.io/open/x:unsigned", &pod, 0),
                     SG_OK);
    assert_int_equal(r.verdict, SG_ADMIT_ALLOW);
    sg_admit_result_release(&r);
    /* The policy selects pods only: for a Deployment nothing matches. */
    assert_int_equal(sg_admit_image(&r, e, "reg.io/open/x:unsigned", &dep, 0),
                     SG_OK);
    assert_int_equal(r.verdict, SG_ADMIT_DENY);
    assert_non_null(strstr(r.reason, "no ClusterImagePolicy matches"));
    sg_admit_result_release(&r);
    sg_admit_engine_free(e);
}

static void engine__errors_never_allow(void **state)
{
    struct sg_admit_engine *e = engine(SG_ADMIT_NO_MATCH_ALLOW);
    struct sg_admit_result r;
    struct sg_admit_stats st;

    (void)state;
    memstore_of(mem)->fail_gets = 1;
    decide(e, "reg.io/app:signed", SG_ADMIT_DENY,
           "cannot resolve tag signed: GET manifest signed: HTTP 503", 0);
    decide(e, "reg.io/warn/app:signed", SG_ADMIT_WARN,
           "cannot resolve tag signed", 0);
    memstore_of(mem)->fail_gets = 0;
    /* The error was not cached. */
    decide(e, "reg.io/app:signed", SG_ADMIT_ALLOW, NULL, 0);
    sg_admit_engine_stats(e, &st);
    assert_int_equal(st.registry_errors, 2);
    /* Past the deadline. */
    assert_int_equal(
        sg_admit_image(&r, e, "reg.io/app:unsigned", NULL, sg_oci_now_ms() - 1),
        SG_OK);
    assert_int_equal(r.verdict, SG_ADMIT_DENY);
    assert_string_equal(r.reason, "verification did not finish in time");
    sg_admit_result_release(&r);
    /* No policies loaded at all: nothing matches (no-match allow here). */
    sg_admit_engine_set_policies(e, NULL);
    decide(e, "reg.io/app:unsigned", SG_ADMIT_ALLOW, NULL, 0);
    sg_admit_engine_free(e);
}

static int64_t fake_now;

static int64_t fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

/* Tag -> digest is cached for tag_ttl_ms, verdicts for cache_ttl_ms, on
 * the engine's clock: a re-pointed tag is seen once its TTL is over. */
static void engine__tag_and_verdict_ttl(void **state)
{
    struct sg_admit_engine_opts o;
    struct sg_admit_engine_seams seams;
    struct sg_admit_engine *e;
    struct sg_admit_policies *p = policies(1);
    struct sg_admit_result r;

    (void)state;
    memset(&o, 0, sizeof(o));
    memset(&seams, 0, sizeof(seams));
    o.tag_ttl_ms = 1000;
    o.cache_ttl_ms = 5000;
    seams.open_store = open_mem;
    seams.clock = fake_clock;
    fake_now = 0;
    assert_int_equal(sg_admit_engine_create_seams(&e, &o, &seams), SG_OK);
    sg_admit_engine_set_policies(e, p);
    sg_admit_policies_unref(p);
    memstore_set_tag(mem, "moving", d_signed);
    opens = 0;
    decide(e, "reg.io/app:moving", SG_ADMIT_ALLOW, NULL, 0);
    assert_int_equal(opens, 2);
    /* Re-pointed to an unsigned image: the cached tag still holds. */
    memstore_set_tag(mem, "moving", d_unsigned);
    fake_now = 999;
    decide(e, "reg.io/app:moving", SG_ADMIT_ALLOW, NULL, 1);
    assert_int_equal(opens, 2);
    fake_now = 1000;
    assert_int_equal(sg_admit_image(&r, e, "reg.io/app:moving", NULL, 0),
                     SG_OK);
    assert_int_equal(r.verdict, SG_ADMIT_DENY);
    assert_string_equal(r.digest, d_unsigned);
    sg_admit_result_release(&r);
    /* The signed digest's verdict expires after cache_ttl_ms. */
    memstore_set_tag(mem, "moving", d_signed);
    fake_now = 2500;
    decide(e, "reg.io/app:moving", SG_ADMIT_ALLOW, NULL, 1);
    fake_now = 5000;
    decide(e, "reg.io/app:moving", SG_ADMIT_ALLOW, NULL, 0);
    memstore_set_tag(mem, "moving", NULL);
    sg_admit_engine_free(e);
}

#define N_THREADS 8

struct job {
    struct sg_admit_engine *e;
    pthread_barrier_t *start;
    struct sg_admit_result r;
    sg_err rc;
};

static void *worker(void *arg)
{
    struct job *j = arg;

    pthread_barrier_wait(j->start);
    j->rc = sg_admit_image(&j->r, j->e, "reg.io/app:unsigned", NULL, 0);
    return NULL;
}

/* Eight reviews of one unsigned image at once, on a slow registry: one
 * tag resolution, one verification (failures are not cached, so only
 * the singleflight can make it one), eight denials with the reason. */
static void engine__singleflight(void **state)
{
    struct sg_admit_engine *e = engine(SG_ADMIT_NO_MATCH_DENY);
    struct job jobs[N_THREADS];
    pthread_t th[N_THREADS];
    pthread_barrier_t start;
    struct sg_admit_stats st;

    (void)state;
    opens = 0;
    open_sleep_ms = 300;
    assert_int_equal(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    memset(jobs, 0, sizeof(jobs));
    for (int i = 0; i < N_THREADS; i++) {
        jobs[i].e = e;
        jobs[i].start = &start;
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    open_sleep_ms = 0;
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(jobs[i].rc, SG_OK);
        assert_int_equal(jobs[i].r.verdict, SG_ADMIT_DENY);
        assert_non_null(strstr(jobs[i].r.reason, "policy signed"));
        assert_string_equal(jobs[i].r.digest, d_unsigned);
        sg_admit_result_release(&jobs[i].r);
    }
    sg_admit_engine_stats(e, &st);
    assert_int_equal(st.verifications, 1);
    assert_int_equal(opens, 2); /* the tag, then the verification */
    sg_admit_engine_free(e);
}

/* ------------------------------------------------------------------ */
/* Keyless                                                              */

#define PROD_ROOT \
    SG_TESTDATA_DIR "/sigstore-conformance/trusted_root.production.json"
#define C09_HEX \
    "31dc72a13a0c34b40eb95419d2b2fd67320c856baf3b72da518023ee8d370aee"
#define C09_ID "philipp.belitz@securesystems.de"
#define D3_HEX \
    "732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
#define GH_OAUTH  "https://github.com/login/oauth"
#define BUNDLE_MT "application/vnd.dev.sigstore.bundle.v0.3+json"

static char *put_file(const char *rel, int manifest, const char *tag)
{
    struct sg_buf b = SG_BUF_INIT(1u << 20), path = SG_BUF_INIT(4096);
    char *d = NULL;

    assert_int_equal(
        sg_buf_addf(&path, "%s/keyless-image/%s", SG_TESTDATA_DIR, rel), SG_OK);
    assert_int_equal(sg_file_read(&b, path.data, 1u << 20), SG_OK);
    if (manifest)
        assert_int_equal(sg_oci_store_put_manifest(mem, tag, SG_MT_OCI_MANIFEST,
                                                   b.data, b.len, &d),
                         SG_OK);
    else
        assert_int_equal(sg_oci_store_put_blob_buf(mem, b.data, b.len, &d),
                         SG_OK);
    sg_buf_release(&b);
    sg_buf_release(&path);
    return d;
}

/* cosign-09's .sig under sha256-<hex>.sig (its image is not stored: the
 * verify core reads signatures only) and dsse-03 as a referrer (fallback
 * tag index) of its subject, as test_verify_keyless.c stores it. */
static void add_keyless_fixtures(void)
{
    struct sg_buf b = SG_BUF_INIT(1u << 20);

    free(put_file("cosign-09/payload.json", 0, NULL));
    free(put_file("cosign-09/sig-config.json", 0, NULL));
    free(put_file("cosign-09/sig-manifest.json", 1, "sha256-" C09_HEX ".sig"));
    assert_int_equal(sg_file_read(&b,
                                  SG_TESTDATA_DIR
                                  "/keyless-image/dsse-03/bundle.sigstore.json",
                                  1u << 20),
                     SG_OK);
    memstore_put_bundle_referrer(mem, b.data, b.len, "sha256-" D3_HEX, NULL);
    sg_buf_release(&b);
}

/* One keyless policy document for the images of reg.io/kl/NAME/. */
static void kl_doc(struct sg_buf *y,
                   const char *name,
                   const char *mode,
                   const char *authority)
{
    assert_int_equal(
        sg_buf_addf(
            y,
            "---\napiVersion: policy.sigstore.dev/v1beta1\n"
            "kind: ClusterImagePolicy\nmetadata: {name: %s}\n"
            "spec:\n  mode: %s\n  images: [{glob: \"reg.io/kl/%s/**\"}]\n"
            "  authorities:\n  - name: ci\n%s",
            name, mode, name, authority),
        SG_OK);
}

static struct sg_admit_engine *keyless_engine(void)
{
    static const struct sg_server_trust_root named[] = { { "prod",
                                                           PROD_ROOT } };
    const struct sg_admit_roots roots = { NULL, named, 1 };
    struct sg_buf y = SG_BUF_INIT(1 << 20);
    struct sg_admit_engine_opts o;
    struct sg_admit_engine_seams seams;
    struct sg_admit_engine *e;
    struct sg_admit_policies *p;
    size_t docs = 0;

    kl_doc(&y, "exact", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: '" GH_OAUTH "', subject: '" C09_ID "'}\n");
    /* unanchored, as cosign's: a part of the SAN matches */
    kl_doc(&y, "regexp", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuerRegExp: 'github\\.com/login', "
           "subjectRegExp: 'securesystems\\.de'}\n");
    kl_doc(&y, "anchored", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: '" GH_OAUTH
           "', subjectRegExp: '^securesystems'}\n");
    kl_doc(&y, "subject", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: '" GH_OAUTH "', subject: someone@example.com}\n");
    kl_doc(&y, "issuer", "warn",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: 'https://accounts.google.com', subject: '" C09_ID
           "'}\n");
    kl_doc(&y, "second", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: '" GH_OAUTH "', subject: a@example.com}\n"
           "      - {issuer: '" GH_OAUTH "', subject: '" C09_ID "'}\n");
    kl_doc(&y, "none", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: '" GH_OAUTH "', subject: a@example.com}\n"
           "      - {issuer: '" GH_OAUTH "', subject: b@example.com}\n");
    kl_doc(&y, "src", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: '" GH_OAUTH "', subject: '" C09_ID "'}\n"
           "    source: [{oci: 'sigs.example/keyless/signatures'}]\n");
    kl_doc(&y, "att", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: '" GH_OAUTH
           "', subjectRegExp: '@soyland\\.com$'}\n"
           "    attestations: [{name: custom, predicateType: custom}]\n");
    kl_doc(&y, "attwrong", "enforce",
           "    keyless:\n      trustRootRef: prod\n      identities:\n"
           "      - {issuer: '" GH_OAUTH "', subject: '" C09_ID "'}\n"
           "    attestations: [{name: custom, predicateType: custom}]\n");
    /* no trustRootRef: the built-in root (a newer snapshot of the same
     * public-good instance) */
    kl_doc(&y, "builtin", "enforce",
           "    keyless:\n      identities:\n"
           "      - {issuer: '" GH_OAUTH "', subject: '" C09_ID "'}\n");
    assert_int_equal(sg_pa_new(&p, 9), SG_OK);
    assert_int_equal(sg_pa_roots_load(p, &roots), SG_OK);
    if (sg_pa_parse(p, y.data, y.len, "test", &docs, NULL) != SG_OK)
        fail_msg("keyless policies: %s", sg_error_last());
    memset(&o, 0, sizeof(o));
    memset(&seams, 0, sizeof(seams));
    seams.open_store = open_mem;
    assert_int_equal(sg_admit_engine_create_seams(&e, &o, &seams), SG_OK);
    sg_admit_engine_set_policies(e, p);
    sg_admit_policies_unref(p);
    sg_buf_release(&y);
    return e;
}

static void engine__keyless(void **state)
{
    struct sg_admit_engine *e;
    struct sg_admit_result r;
    char ref[256];

    (void)state;
    add_keyless_fixtures();
    e = keyless_engine();
#define KL(repo) "reg.io/kl/" repo "/app@sha256:" C09_HEX
    decide(e, KL("exact"), SG_ADMIT_ALLOW, NULL, 0);
    assert_string_equal(last_repo, "reg.io/kl/exact/app");
    decide(e, KL("regexp"), SG_ADMIT_ALLOW, NULL, 0);
    decide(e, KL("anchored"), SG_ADMIT_DENY,
           "policy anchored: authority ci: keyless: certificate identity "
           "philipp.belitz@securesystems.de does not match the expected "
           "regexp ^securesystems",
           0);
    decide(e, KL("subject"), SG_ADMIT_DENY,
           "policy subject: authority ci: keyless: certificate identity "
           "philipp.belitz@securesystems.de does not match the expected "
           "identity someone@example.com",
           0);
    decide(e, KL("issuer"), SG_ADMIT_WARN,
           "policy issuer: authority ci: keyless: certificate OIDC issuer "
           "https://github.com/login/oauth does not match the expected OIDC "
           "issuer https://accounts.google.com",
           0);
    decide(e, KL("second"), SG_ADMIT_ALLOW, NULL, 0);
    decide(e, KL("none"), SG_ADMIT_DENY,
           "authority ci: identity 1: keyless: certificate identity "
           "philipp.belitz@securesystems.de does not match the expected "
           "identity a@example.com; identity 2: keyless: certificate "
           "identity philipp.belitz@securesystems.de does not match the "
           "expected identity b@example.com",
           0);
    decide(e, KL("builtin"), SG_ADMIT_ALLOW, NULL, 0);
    /* source[].oci: the signatures are read from that repository */
    decide(e, KL("src"), SG_ADMIT_ALLOW, NULL, 0);
    assert_string_equal(last_repo, "sigs.example/keyless/signatures");
    /* a key-signed image never passes a keyless authority */
    snprintf(ref, sizeof(ref), "reg.io/kl/exact/app@%s", d_signed);
    assert_int_equal(sg_admit_image(&r, e, ref, NULL, 0), SG_OK);
    assert_int_equal(r.verdict, SG_ADMIT_DENY);
    assert_non_null(strstr(r.reason, "policy exact: authority ci: "));
    sg_admit_result_release(&r);
    /* keyless attestations */
    decide(e, "reg.io/kl/att/app@sha256:" D3_HEX, SG_ADMIT_ALLOW, NULL, 0);
    decide(e, "reg.io/kl/attwrong/app@sha256:" D3_HEX, SG_ADMIT_DENY,
           "policy attwrong: authority ci: attestation custom: keyless: "
           "certificate identity cody@soyland.com does not match",
           0);
#undef KL
    sg_admit_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(engine__signed_unsigned_and_cache),
        cmocka_unit_test(engine__modes_static_two_policies),
        cmocka_unit_test(engine__attestation_jq),
        cmocka_unit_test(engine__spec_match),
        cmocka_unit_test(engine__errors_never_allow),
        cmocka_unit_test(engine__singleflight),
        cmocka_unit_test(engine__tag_and_verdict_ttl),
        cmocka_unit_test(engine__keyless),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

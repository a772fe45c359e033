/*
 * The policy engine: decides one image against the ClusterImagePolicy
 * set in force. Every policy whose globs (and spec.match) select the
 * image must pass; within a policy one passing authority suffices; an
 * image no policy selects follows no_match. A key authority passes when
 * sigil's verify core verifies a signature (or, with attestations, every
 * listed attestation, and its jq policy) with the key; a keyless one the
 * same way in the verify core's keyless mode (what `sigil verify
 * --certificate-identity ...` runs), once per identity until one passes,
 * against the trusted root its trustRootRef names (the bytes loaded with
 * the policy generation); a static one by its action. source[].oci
 * reads the signatures from those repositories instead of the image's
 * (any may pass). Errors never allow in enforce mode.
 *
 * Tags are resolved to digests through the tag cache (tag_ttl); verdicts
 * are cached per (policy generation, repository@digest, policies
 * selected), with singleflight (server/cache.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "sigil/verify.h"

#define REASON_MAX 2048

struct sg_admit_engine {
    struct sg_oci_registry_opts reg;
    struct sg_ctx ctx;
    int has_ctx;
    enum sg_admit_no_match no_match;
    int64_t cache_ttl_ms, fail_cache_ttl_ms, tag_ttl_ms;
    pthread_mutex_t mu; /* guards pol */
    struct sg_admit_policies *pol;
    struct sg_vcache *verdicts, *tags;
    struct sg_admit_engine_seams seams;
    uint64_t hits, misses, registry_errors, verifications; /* atomic */
};

static void count(uint64_t *c)
{
    __atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

static sg_err default_open(struct sg_oci_store **out,
                           const char *repo,
                           const struct sg_oci_registry_opts *o,
                           void *arg)
{
    struct sg_buf spec = SG_BUF_INIT(8192);
    sg_err rc;

    (void)arg;
    rc = sg_buf_addf(&spec, "registry:%s", repo);
    if (!rc)
        rc = sg_oci_store_open(out, spec.data, o, 0);
    sg_buf_release(&spec);
    return rc;
}

sg_err sg_admit_engine_create_seams(struct sg_admit_engine **out,
                                    const struct sg_admit_engine_opts *o,
                                    const struct sg_admit_engine_seams *seams)
{
    struct sg_admit_engine *e;
    sg_err rc;

    SG_ASSERT_ARG(out && o);
    *out = NULL;
    e = calloc(1, sizeof(*e));
    if (!e)
        return sg_error_oom();
    pthread_mutex_init(&e->mu, NULL);
    if (o->registry)
        e->reg = *o->registry;
    if (o->ctx) {
        e->ctx = *o->ctx;
        e->has_ctx = 1;
    } else {
        sg_ctx_init(&e->ctx);
    }
    e->reg.ctx = &e->ctx;
    e->no_match = o->no_match;
    e->cache_ttl_ms = o->cache_ttl_ms > 0 ? o->cache_ttl_ms : 10 * 60 * 1000;
    e->fail_cache_ttl_ms = o->fail_cache_ttl_ms > 0 ? o->fail_cache_ttl_ms : 0;
    e->tag_ttl_ms = o->tag_ttl_ms > 0 ? o->tag_ttl_ms : 30 * 1000;
    if (seams)
        e->seams = *seams;
    if (!e->seams.open_store)
        e->seams.open_store = default_open;
    rc = sg_vcache_create(&e->verdicts, o->cache_size ? o->cache_size : 10000,
                          e->seams.clock, e->seams.clock_arg);
    if (!rc)
        rc = sg_vcache_create(&e->tags, o->cache_size ? o->cache_size : 10000,
                              e->seams.clock, e->seams.clock_arg);
    if (rc)
        goto fail;
    *out = e;
    return SG_OK;
fail:
    sg_admit_engine_free(e);
    return rc;
}

sg_err sg_admit_engine_create(struct sg_admit_engine **out,
                              const struct sg_admit_engine_opts *o)
{
    return sg_admit_engine_create_seams(out, o, NULL);
}

void sg_admit_engine_free(struct sg_admit_engine *e)
{
    if (!e)
        return;
    sg_admit_policies_unref(e->pol);
    sg_vcache_free(e->verdicts);
    sg_vcache_free(e->tags);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

void sg_admit_engine_set_policies(struct sg_admit_engine *e,
                                  struct sg_admit_policies *p)
{
    struct sg_admit_policies *old;

    sg_admit_policies_ref(p);
    pthread_mutex_lock(&e->mu);
    old = e->pol;
    e->pol = p;
    pthread_mutex_unlock(&e->mu);
    sg_admit_policies_unref(old);
}

void sg_admit_engine_stats(const struct sg_admit_engine *e,
                           struct sg_admit_stats *out)
{
    out->cache_hits = __atomic_load_n(&e->hits, __ATOMIC_RELAXED);
    out->cache_misses = __atomic_load_n(&e->misses, __ATOMIC_RELAXED);
    out->registry_errors =
        __atomic_load_n(&e->registry_errors, __ATOMIC_RELAXED);
    out->verifications = __atomic_load_n(&e->verifications, __ATOMIC_RELAXED);
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

/* Transport-class errors: the registry did not answer as it should. */
static int is_registry_error(sg_err rc)
{
    return rc == SG_ENET || rc == SG_EHTTP || rc == SG_EAUTH ||
           rc == SG_ENOTFOUND || rc == SG_EDIGEST || rc == SG_ELIMIT;
}

/* Append pre, s escaped, post to a bounded reason (truncation is fine:
 * it is a message). */
static void
addr(struct sg_buf *b, const char *pre, const char *s, const char *post)
{
    char esc[512];

    if (sg_buf_adds(b, pre) ||
        sg_buf_adds(b, sg_escape(esc, sizeof(esc), s ? s : "")) ||
        sg_buf_adds(b, post))
        sg_error_clear();
}

/* ------------------------------------------------------------------ */
/* One verification                                                     */

struct eval {
    struct sg_admit_engine *e;
    struct sg_admit_policies *pol;
    const size_t *idx; /* selected policies */
    size_t n_idx;
    const char *repo;   /* registry/repository */
    const char *digest; /* sha256:... */
    struct sg_oci_registry_opts reg;
    struct sg_oci_store *store;
    int registry_error;
};

/* The store signatures are read from: the image's own repository
 * (src NULL, opened once per evaluation), or a source[].oci repository
 * (opened for the check; *tmp is freed by the caller). */
static sg_err eval_store(struct eval *ev,
                         const char *src,
                         struct sg_oci_store **out,
                         struct sg_oci_store **tmp)
{
    sg_err rc = SG_OK;

    *tmp = NULL;
    if (src) {
        rc = ev->e->seams.open_store(tmp, src, &ev->reg, ev->e->seams.open_arg);
        *out = *tmp;
        return rc;
    }
    if (!ev->store)
        rc = ev->e->seams.open_store(&ev->store, ev->repo, &ev->reg,
                                     ev->e->seams.open_arg);
    *out = ev->store;
    return rc;
}

/* The first failing item's reason, else the error. */
static void
verify_reason(struct sg_buf *why, sg_err rc, const struct sg_verify_result *r)
{
    for (size_t i = 0; i < r->n_items; i++) {
        if (!r->items[i].ok && r->items[i].reason) {
            addr(why, "", r->items[i].reason, "");
            return;
        }
    }
    if (rc == SG_EVERIFY && !r->n_items)
        addr(why, "", "no signatures found", "");
    else
        addr(why, "", sg_error_last(), "");
}

/* What one check is made with: the authority's key, or (keyless) one of
 * its identities against its trusted root. */
static void with_identity(struct sg_keyless_policy *kp,
                          const struct sg_pa_authority *a,
                          size_t i)
{
    memset(kp, 0, sizeof(*kp));
    kp->trusted_root_data = a->root->data;
    kp->trusted_root_len = a->root->len;
    kp->id.identity = a->ids[i].subject;
    kp->id.identity_regexp = a->ids[i].subject_re;
    kp->id.issuer = a->ids[i].issuer;
    kp->id.issuer_regexp = a->ids[i].issuer_re;
}

static int check_signature(struct eval *ev,
                           const struct sg_pa_authority *a,
                           struct sg_oci_store *s,
                           const struct sg_keyless_policy *kp,
                           struct sg_buf *why)
{
    struct sg_verify_result r;
    struct sg_verify_opts vo;
    sg_err rc;
    int ok;

    memset(&r, 0, sizeof(r));
    memset(&vo, 0, sizeof(vo));
    vo.ctx = &ev->e->ctx;
    vo.keyless = kp;
    rc = sg_verify_image(&r, s, ev->digest, kp ? NULL : a->key, &vo);
    ok = rc == SG_OK;
    if (!ok) {
        if (is_registry_error(rc))
            ev->registry_error = 1;
        verify_reason(why, rc, &r);
    }
    sg_verify_result_release(&r);
    return ok;
}

static int check_attestation(struct eval *ev,
                             const struct sg_pa_authority *a,
                             const struct sg_pa_attestation *att,
                             struct sg_oci_store *s,
                             const struct sg_keyless_policy *kp,
                             struct sg_buf *why)
{
    struct sg_attest_result r;
    struct sg_attest_check c;
    char first[512] = "";
    sg_err rc;
    int ok = 0;

    memset(&r, 0, sizeof(r));
    memset(&c, 0, sizeof(c));
    c.key = kp ? NULL : a->key;
    c.keyless = kp;
    c.digest = ev->digest;
    c.type = att->predicate_type;
    c.ctx = &ev->e->ctx;
    rc = sg_verify_image_attestations(&r, s, &c);
    if (rc != SG_OK) {
        if (is_registry_error(rc))
            ev->registry_error = 1;
        addr(why, "attestation ", att->name, ": ");
        for (size_t i = 0; i < r.n_items; i++) {
            if (!r.items[i].ok && r.items[i].reason) {
                addr(why, "", r.items[i].reason, "");
                goto done;
            }
        }
        addr(why, "", sg_error_last(), "");
        goto done;
    }
    if (!att->jq) {
        ok = 1;
        goto done;
    }
    /* The jq program runs over each verified statement; one that
     * evaluates to true satisfies the attestation. The first failure's
     * reason is the one given. */
    for (size_t i = 0; !ok && i < r.n_items; i++) {
        int pass = 0;
        if (!r.items[i].ok || !r.items[i].statement)
            continue;
        rc = sg_pa_jq_eval(&pass, att->jq, r.items[i].statement,
                           r.items[i].statement_len);
        if (pass)
            ok = 1;
        else if (!first[0])
            snprintf(first, sizeof(first), "%s",
                     rc ? sg_error_last() : "jq policy failed");
    }
    if (!ok) {
        addr(why, "attestation ", att->name, ": ");
        addr(why, "", first[0] ? first : "no verified statement", "");
    }
done:
    sg_attest_result_release(&r);
    return ok;
}

/* The signature (att NULL) or one attestation, from every source until
 * one passes, with the key or with each keyless identity until one
 * passes. With several identities or sources each failure is named
 * ("identity 2: ...", "source REPO: ..."). */
static int check_one(struct eval *ev,
                     const struct sg_pa_authority *a,
                     const struct sg_pa_attestation *att,
                     struct sg_buf *why)
{
    size_t n_src = a->n_sources ? a->n_sources : 1;
    size_t n_id = a->kind == SG_PA_AUTH_KEYLESS ? a->n_ids : 1;
    int ok = 0;

    for (size_t i = 0; !ok && i < n_src; i++) {
        const char *src = a->n_sources ? a->sources[i] : NULL;
        struct sg_oci_store *s = NULL, *tmp = NULL;

        if (src)
            addr(why, i ? "; source " : "source ", src, ": ");
        if (eval_store(ev, src, &s, &tmp) != SG_OK) {
            ev->registry_error = 1;
            addr(why, "", sg_error_last(), "");
            sg_oci_store_free(tmp);
            continue;
        }
        for (size_t j = 0; !ok && j < n_id; j++) {
            struct sg_keyless_policy kp, *kpp = NULL;

            if (a->kind == SG_PA_AUTH_KEYLESS) {
                with_identity(&kp, a, j);
                kpp = &kp;
                if (n_id > 1) {
                    char pre[48];
                    snprintf(pre, sizeof(pre),
                             "%sidentity %zu: ", j ? "; " : "", j + 1);
                    addr(why, pre, "", "");
                }
            }
            ok = att ? check_attestation(ev, a, att, s, kpp, why)
                     : check_signature(ev, a, s, kpp, why);
        }
        sg_oci_store_free(tmp);
    }
    return ok;
}

static int check_authority(struct eval *ev,
                           const struct sg_pa_authority *a,
                           struct sg_buf *why)
{
    if (a->kind == SG_PA_AUTH_STATIC) {
        if (a->static_pass)
            return 1;
        addr(why, "", "static action fail", "");
        if (a->static_message)
            addr(why, ": ", a->static_message, "");
        return 0;
    }
    if (!a->n_att)
        return check_one(ev, a, NULL, why);
    for (size_t i = 0; i < a->n_att; i++) {
        if (!check_one(ev, a, &a->att[i], why))
            return 0;
    }
    return 1;
}

static sg_err evaluate(struct sg_vc_val *out, void *arg)
{
    struct eval *ev = arg;
    struct sg_buf deny = SG_BUF_INIT(REASON_MAX);
    struct sg_buf warn = SG_BUF_INIT(REASON_MAX);
    struct sg_buf why = SG_BUF_INIT(REASON_MAX / 2);
    sg_err rc = SG_OK;

    count(&ev->e->verifications);
    for (size_t i = 0; i < ev->n_idx; i++) {
        const struct sg_pa_policy *p = &ev->pol->v[ev->idx[i]];
        struct sg_buf *to = p->warn ? &warn : &deny;
        int pass = 0;

        sg_buf_reset(&why);
        for (size_t j = 0; !pass && j < p->n_auth; j++) {
            if (why.len)
                addr(&why, "; ", "", "");
            addr(&why, "authority ", p->auth[j].name, ": ");
            pass = check_authority(ev, &p->auth[j], &why);
        }
        if (pass)
            continue;
        if (to->len)
            addr(to, "; ", "", "");
        addr(to, "policy ", p->name, ": ");
        if (sg_buf_add(to, why.data, why.len)) /* already escaped */
            sg_error_clear();
    }
    if (ev->registry_error)
        count(&ev->e->registry_errors);
    if (deny.len) {
        out->status = ev->registry_error ? SG_VC_ERROR_DENY : SG_VC_DENY;
        rc = sg_buf_take(&out->text, NULL, &deny);
    } else if (warn.len) {
        out->status = SG_VC_WARN;
        rc = sg_buf_take(&out->text, NULL, &warn);
    } else {
        out->status = SG_VC_PASS;
    }
    sg_buf_release(&deny);
    sg_buf_release(&warn);
    sg_buf_release(&why);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Tag resolution                                                       */

struct resolve {
    struct sg_admit_engine *e;
    const char *repo, *tag;
    struct sg_oci_registry_opts reg;
};

static sg_err resolve_tag(struct sg_vc_val *out, void *arg)
{
    struct resolve *r = arg;
    struct sg_oci_store *s = NULL;
    char *digest = NULL;
    sg_err rc;

    rc = r->e->seams.open_store(&s, r->repo, &r->reg, r->e->seams.open_arg);
    if (!rc)
        rc = sg_oci_store_head_manifest(s, r->tag, NULL, &digest, NULL);
    sg_oci_store_free(s);
    if (rc) {
        char esc[512];
        struct sg_buf b = SG_BUF_INIT(1024);
        count(&r->e->registry_errors);
        out->status = SG_VC_ERROR_DENY;
        if (sg_buf_addf(&b, "cannot resolve tag %s: %s", r->tag,
                        sg_escape(esc, sizeof(esc), sg_error_last())))
            sg_error_clear();
        return sg_buf_take(&out->text, NULL, &b);
    }
    out->status = SG_VC_PASS;
    out->text = digest;
    return SG_OK;
}

/* ------------------------------------------------------------------ */

static sg_err
finish(struct sg_admit_result *out, enum sg_admit_verdict v, const char *reason)
{
    out->verdict = v;
    if (reason && !(out->reason = strdup(reason)))
        return sg_error_oom();
    return SG_OK;
}

sg_err sg_admit_image(struct sg_admit_result *out,
                      struct sg_admit_engine *e,
                      const char *image,
                      const struct sg_admit_object *obj,
                      int64_t deadline_ms)
{
    struct sg_admit_policies *pol;
    struct sg_oci_ref ref;
    struct sg_buf repo = SG_BUF_INIT(4096);
    struct sg_buf key = SG_BUF_INIT(16384);
    struct sg_buf msg = SG_BUF_INIT(REASON_MAX);
    struct sg_vc_val val = { SG_VC_PASS, NULL };
    size_t *idx = NULL, n_idx = 0;
    int all_warn = 1, hit = 0;
    char esc[512];
    sg_err rc;

    SG_ASSERT_ARG(out && e && image);
    memset(out, 0, sizeof(*out));
    memset(&ref, 0, sizeof(ref));
    pthread_mutex_lock(&e->mu);
    pol = sg_admit_policies_ref(e->pol);
    pthread_mutex_unlock(&e->mu);

    if (sg_oci_ref_parse(&ref, image) != SG_OK) {
        if (sg_buf_addf(&msg, "invalid image reference %s: %s",
                        sg_escape(esc, sizeof(esc), image), sg_error_last()))
            sg_error_clear();
        rc = finish(out, SG_ADMIT_DENY, msg.data);
        goto done;
    }
    {
        struct sg_buf n = SG_BUF_INIT(8192);
        rc = sg_pa_ref_name(&n, &ref);
        if (!rc)
            rc = sg_buf_take(&out->normalized, NULL, &n);
        sg_buf_release(&n);
        if (rc)
            goto done;
    }
    /* The policies that select this image (and object). */
    if (pol && pol->n && !(idx = calloc(pol->n, sizeof(*idx)))) {
        rc = sg_error_oom();
        goto done;
    }
    for (size_t i = 0; pol && i < pol->n; i++) {
        const struct sg_pa_policy *p = &pol->v[i];
        int m = 0;
        if (!sg_pa_match_object(p, obj))
            continue;
        for (size_t g = 0; !m && g < p->n_globs; g++) {
            m = sg_pa_glob_match_str(p->globs[g], out->normalized) ||
                (strcmp(out->normalized, image) != 0 &&
                 sg_pa_glob_match_str(p->globs[g], image));
        }
        if (m) {
            idx[n_idx++] = i;
            all_warn = all_warn && p->warn;
        }
    }
    if (!n_idx) {
        if (sg_buf_addf(&msg, "no ClusterImagePolicy matches %s",
                        sg_escape(esc, sizeof(esc), out->normalized)))
            sg_error_clear();
        rc = finish(out,
                    e->no_match == SG_ADMIT_NO_MATCH_ALLOW  ? SG_ADMIT_ALLOW
                    : e->no_match == SG_ADMIT_NO_MATCH_WARN ? SG_ADMIT_WARN
                                                            : SG_ADMIT_DENY,
                    e->no_match == SG_ADMIT_NO_MATCH_ALLOW ? NULL : msg.data);
        goto done;
    }
    if ((rc = sg_oci_ref_repo_name(&repo, &ref)))
        goto done;
    if (deadline_ms && sg_oci_now_ms() >= deadline_ms) {
        rc = finish(out, all_warn ? SG_ADMIT_WARN : SG_ADMIT_DENY,
                    "verification did not finish in time");
        goto done;
    }
    /* The digest: from the reference, or the tag through the tag cache. */
    if (ref.digest) {
        if (!(out->digest = strdup(ref.digest))) {
            rc = sg_error_oom();
            goto done;
        }
    } else {
        struct resolve r = { e, repo.data, ref.tag ? ref.tag : "latest",
                             e->reg };
        struct sg_vc_val tv = { SG_VC_PASS, NULL };
        r.reg.deadline_ms = deadline_ms;
        if ((rc = sg_buf_addf(&key, "%s:%s", repo.data, r.tag)))
            goto done;
        rc = sg_vcache_get(e->tags, key.data, e->tag_ttl_ms, 0, deadline_ms,
                           resolve_tag, &r, &tv, &hit);
        if (rc == SG_ENET) { /* waited past the deadline */
            rc = finish(out, all_warn ? SG_ADMIT_WARN : SG_ADMIT_DENY,
                        "verification did not finish in time");
            goto done;
        }
        if (rc)
            goto done;
        if (tv.status != SG_VC_PASS) {
            rc = finish(out, all_warn ? SG_ADMIT_WARN : SG_ADMIT_DENY, tv.text);
            sg_vc_val_release(&tv);
            goto done;
        }
        out->digest = tv.text;
        if (!sg_digest_valid(out->digest)) {
            rc = finish(out, all_warn ? SG_ADMIT_WARN : SG_ADMIT_DENY,
                        "registry gave an invalid digest");
            goto done;
        }
    }
    /* The verdict: (generation, repository@digest, selected policies). */
    sg_buf_reset(&key);
    rc = sg_buf_addf(&key, "%llu|%s@%s|", (unsigned long long)pol->generation,
                     repo.data, out->digest);
    for (size_t i = 0; !rc && i < n_idx; i++)
        rc = sg_buf_addf(&key, "%zu,", idx[i]);
    if (rc)
        goto done;
    {
        struct eval ev;
        memset(&ev, 0, sizeof(ev));
        ev.e = e;
        ev.pol = pol;
        ev.idx = idx;
        ev.n_idx = n_idx;
        ev.repo = repo.data;
        ev.digest = out->digest;
        ev.reg = e->reg;
        ev.reg.deadline_ms = deadline_ms;
        rc = sg_vcache_get(e->verdicts, key.data, e->cache_ttl_ms,
                           e->fail_cache_ttl_ms, deadline_ms, evaluate, &ev,
                           &val, &hit);
        sg_oci_store_free(ev.store);
    }
    if (rc == SG_ENET) {
        rc = finish(out, all_warn ? SG_ADMIT_WARN : SG_ADMIT_DENY,
                    "verification did not finish in time");
        goto done;
    }
    if (rc)
        goto done;
    count(hit == 1 ? &e->hits : &e->misses);
    out->from_cache = hit != 0;
    if (val.status != SG_VC_PASS && deadline_ms &&
        sg_oci_now_ms() >= deadline_ms && hit != 1) {
        rc = finish(out, all_warn ? SG_ADMIT_WARN : SG_ADMIT_DENY,
                    "verification did not finish in time");
        goto done;
    }
    switch (val.status) {
    case SG_VC_PASS:
        rc = finish(out, SG_ADMIT_ALLOW, NULL);
        break;
    case SG_VC_WARN:
        rc = finish(out, SG_ADMIT_WARN, val.text);
        break;
    default:
        rc = finish(out, SG_ADMIT_DENY, val.text);
        break;
    }
done:
    sg_vc_val_release(&val);
    sg_oci_ref_release(&ref);
    sg_buf_release(&repo);
    sg_buf_release(&key);
    sg_buf_release(&msg);
    free(idx);
    sg_admit_policies_unref(pol);
    if (rc) {
        /* Misuse or out of memory: the caller denies. */
        sg_admit_result_release(out);
        out->verdict = SG_ADMIT_DENY;
    }
    return rc;
}

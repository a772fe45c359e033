/*
 * The verify core: one checking path for cosign image signatures and
 * in-toto attestations (see verify_int.h for the steps). Everything read
 * from the store is untrusted; every string from it that reaches a
 * message is escaped; only items that passed keep their payload; the
 * bytes fetched and the candidates looked at are bounded per run.
 *
 * Where candidates live (cosign-format.md §2.4, §2.6, §3.4, §3.6):
 *   signatures:   referrers (v3 bundles, DSSE with the cosign sign
 *                 predicate), then the layers of sha256-<hex>.sig
 *                 (simple-signing payloads);
 *   attestations: the layers of sha256-<hex>.att (DSSE envelopes), then
 *                 referrers (bundles with any other predicate).
 * A referrer bundle's kind is read from its signed statement; the
 * referrer manifest's annotations (dev.sigstore.bundle.predicateType)
 * are unsigned and ignored.
 */
#include "verify_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

enum sg_v_class sg_v_classify(sg_err rc)
{
    if (rc == SG_ENET || rc == SG_EHTTP || rc == SG_EIO || rc == SG_EAUTH)
        return SG_V_TRANSPORT;
    if (rc == SG_ENOMEM || rc == SG_EINVAL || rc == SG_EINTERNAL)
        return SG_V_FATAL;
    return SG_V_VERDICT;
}

/* ------------------------------------------------------------------ */
/* Context and results                                                  */

static void item_release(struct sg_v_item *it)
{
    free(it->reason);
    free(it->source);
    free(it->predicate_type);
    free(it->payload);
    free(it->envelope);
    free(it->keyless);
    memset(it, 0, sizeof(*it));
}

void sg_v_result_release(struct sg_v_result *r)
{
    for (size_t i = 0; i < r->n_items; i++)
        item_release(&r->items[i]);
    free(r->items);
    memset(r, 0, sizeof(*r));
}

void sg_v_ctx_init(struct sg_v_ctx *c,
                   enum sg_v_kind kind,
                   struct sg_oci_store *s,
                   const char *digest,
                   const struct sg_sign_key *key)
{
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->s = s;
    c->digest = digest;
    c->key = key;
    c->ctx = s ? sg_oci_store_ctx(s) : NULL;
    c->work_bytes_max = SG_V_WORK_BYTES_MAX;
    c->candidates_max = SG_V_CANDIDATES_MAX;
}

void sg_v_ctx_release(struct sg_v_ctx *c)
{
    sg_v_result_release(&c->res);
}

/* What one candidate produced; moved into the item only when it passed. */
struct outcome {
    char *predicate_type;
    char *payload;
    size_t payload_len;
    char *envelope;
    size_t envelope_len;
    char *keyless; /* sg_v_keyless_check's facts */
};

static void outcome_release(struct outcome *o)
{
    free(o->predicate_type);
    free(o->payload);
    free(o->envelope);
    free(o->keyless);
    memset(o, 0, sizeof(*o));
}

static char *dupn(const void *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static char *escaped_dup(const char *s)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *out = NULL;

    if (sg_escape_buf(&b, s, strlen(s)) || sg_buf_take(&out, NULL, &b))
        return NULL;
    return out;
}

/* Record a candidate: ok when reason is NULL. */
static sg_err record(struct sg_v_ctx *c,
                     const char *source,
                     const char *reason,
                     struct outcome *o)
{
    struct sg_v_item *p;

    p = realloc(c->res.items, (c->res.n_items + 1) * sizeof(*p));
    if (!p)
        return sg_error_oom();
    c->res.items = p;
    p = &c->res.items[c->res.n_items++];
    memset(p, 0, sizeof(*p));
    p->ok = reason == NULL;
    p->source = escaped_dup(source);
    p->reason = reason ? escaped_dup(reason) : NULL;
    if (!p->source || (reason && !p->reason))
        return sg_error_oom();
    if (p->ok && o) {
        p->predicate_type = o->predicate_type;
        p->payload = o->payload;
        p->payload_len = o->payload_len;
        p->envelope = o->envelope;
        p->envelope_len = o->envelope_len;
        p->keyless = o->keyless;
        memset(o, 0, sizeof(*o));
    } else if (o && o->predicate_type) {
        p->predicate_type = o->predicate_type; /* small, kept for -v */
        o->predicate_type = NULL;
    }
    return SG_OK;
}

static void note_io(struct sg_v_ctx *c, sg_err rc, const char *what)
{
    char tmp[sizeof(c->io_msg)];

    if (c->io_rc)
        return;
    c->io_rc = rc;
    snprintf(tmp, sizeof(tmp), "%s: %s", what, sg_error_last());
    sg_escape(c->io_msg, sizeof(c->io_msg), tmp);
}

/* Settle the outcome rc of one candidate (message in sg_error_last()):
 * verdicts are recorded, transport errors remembered and recorded,
 * fatal errors returned (they stop the run). */
static sg_err
settle(struct sg_v_ctx *c, const char *source, sg_err rc, struct outcome *o)
{
    char reason[640];

    switch (sg_v_classify(rc)) {
    case SG_V_FATAL:
        return rc;
    case SG_V_TRANSPORT:
        note_io(c, rc, source);
        break;
    case SG_V_VERDICT:
        break;
    }
    if (rc == SG_OK)
        return record(c, source, NULL, o);
    snprintf(reason, sizeof(reason), "%s", sg_error_last());
    if (!reason[0])
        snprintf(reason, sizeof(reason), "%s", sg_err_name(rc));
    return record(c, source, reason, o);
}

/* ------------------------------------------------------------------ */
/* The work budget                                                      */

static sg_err charge(struct sg_v_ctx *c, uint64_t n)
{
    if (n > c->work_bytes_max - c->work_bytes)
        return sg_error_set(SG_ELIMIT,
                            "verification stopped: the signatures and "
                            "attestations of %s exceed the work limit of "
                            "%llu bytes",
                            c->digest, (unsigned long long)c->work_bytes_max);
    c->work_bytes += n;
    return SG_OK;
}

static sg_err next_candidate(struct sg_v_ctx *c)
{
    if (c->candidates >= c->candidates_max)
        return sg_error_set(SG_ELIMIT,
                            "verification stopped: %s has more than %zu "
                            "signature/attestation candidates",
                            c->digest, c->candidates_max);
    c->candidates++;
    return SG_OK;
}

static sg_err fetch_blob(struct sg_v_ctx *c,
                         const struct sg_oci_descriptor *d,
                         struct sg_buf *out,
                         size_t max,
                         int *over)
{
    sg_err rc = charge(c, d->size);

    if (rc) {
        *over = 1;
        return rc;
    }
    return sg_oci_store_get_blob_buf(c->s, d, out, max);
}

static sg_err fetch_manifest(struct sg_v_ctx *c,
                             const char *ref,
                             struct sg_buf *body,
                             char **mt,
                             int *over)
{
    sg_err rc = sg_oci_store_get_manifest(c->s, ref, body, mt, NULL);

    if (!rc && (rc = charge(c, body->len)) != SG_OK)
        *over = 1;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Claims                                                               */

/* 1 when some subject naming the digest carries every -a pair. */
static int subject_has_annotations(const struct sg_v_ctx *c,
                                   const unsigned char *st,
                                   size_t len)
{
    const char *hex = strchr(c->digest, ':') + 1;
    json_t *root = NULL, *subjects, *sub;
    size_t i;
    int ok = 0;

    if (sg_json_parse(&root, st, len, 0, 0, "statement") != SG_OK)
        return 0;
    subjects = json_object_get(root, "subject");
    json_array_foreach(subjects, i, sub)
    {
        json_t *ann = json_object_get(sub, "annotations");
        const char *sha = json_string_value(
            json_object_get(json_object_get(sub, "digest"), "sha256"));
        int all = 1;

        if (!sha || strcmp(sha, hex) != 0)
            continue;
        for (size_t k = 0; all && k < c->n_annotations; k++) {
            json_t *v = json_object_get(ann, c->annotations[k].key);
            all = json_is_string(v) &&
                  strcmp(json_string_value(v), c->annotations[k].value) == 0;
        }
        if (all)
            ok = 1;
    }
    json_decref(root);
    return ok;
}

sg_err sg_v_check_statement(const struct sg_v_ctx *c,
                            const unsigned char *st,
                            size_t len,
                            char **predicate_type,
                            int *other_kind)
{
    struct sg_intoto_statement *s = NULL;
    char e1[200], e2[200];
    int is_sign;
    sg_err rc;

    *other_kind = 0;
    rc = sg_intoto_statement_parse(&s, st, len, c->ctx);
    if (rc)
        return rc;
    if (predicate_type) {
        free(*predicate_type);
        *predicate_type = dupn(s->predicate_type, strlen(s->predicate_type));
        if (!*predicate_type) {
            rc = sg_error_oom();
            goto done;
        }
    }
    is_sign = strcmp(s->predicate_type, SG_V_COSIGN_SIGN_PREDICATE) == 0;
    if (c->kind == SG_V_SIGNATURE && !is_sign) {
        *other_kind = 1;
        rc = sg_error_set(SG_EVERIFY,
                          "statement has predicate type %s: an attestation, "
                          "not an image signature",
                          sg_escape(e1, sizeof(e1), s->predicate_type));
        goto done;
    }
    if (c->kind == SG_V_ATTESTATION && is_sign) {
        *other_kind = 1;
        rc = sg_error_set(
            SG_EVERIFY,
            "statement has predicate type " SG_V_COSIGN_SIGN_PREDICATE
            ": a cosign image signature, not an attestation");
        goto done;
    }
    if (!sg_intoto_statement_has_digest(s, c->digest)) {
        rc = sg_error_set(
            SG_EVERIFY, "statement subject %s%s does not match %s",
            s->subjects[0].sha256 ? "sha256:" : "(no sha256)",
            sg_escape(e1, sizeof(e1),
                      s->subjects[0].sha256 ? s->subjects[0].sha256 : ""),
            c->digest);
        goto done;
    }
    if (c->kind == SG_V_ATTESTATION && c->predicate_uri &&
        strcmp(s->predicate_type, c->predicate_uri) != 0) {
        rc =
            sg_error_set(SG_EVERIFY, "predicate type is %s, not %s (--type %s)",
                         sg_escape(e1, sizeof(e1), s->predicate_type),
                         c->predicate_uri, sg_escape(e2, sizeof(e2), c->type));
        goto done;
    }
    if (c->kind == SG_V_SIGNATURE && c->n_annotations &&
        !subject_has_annotations(c, st, len)) {
        /* cosign's message names the first pair. */
        rc = sg_error_set(SG_EVERIFY,
                          "required annotation %s=%s is not in the statement",
                          sg_escape(e1, sizeof(e1), c->annotations[0].key),
                          sg_escape(e2, sizeof(e2), c->annotations[0].value));
        if (c->n_annotations > 1)
            rc = sg_error_set(
                SG_EVERIFY,
                "required annotations (%s=%s, ...) are not all "
                "on the statement subject naming %s",
                sg_escape(e1, sizeof(e1), c->annotations[0].key),
                sg_escape(e2, sizeof(e2), c->annotations[0].value), c->digest);
    }
done:
    sg_intoto_statement_free(s);
    return rc;
}

/* Keyless mode (no key): a candidate signed with a key is not checked. */
static sg_err key_signed_in_keyless_mode(void)
{
    return sg_error_set(SG_EVERIFY,
                        "signed with a key, not a certificate: not checked in "
                        "keyless mode (verify it with --key)");
}

/* ------------------------------------------------------------------ */
/* DSSE: .att layers and bundles of both kinds                          */

/* What cosign v3 prints for a verified signature bundle: a synthesized
 * simple-signing payload. */
static sg_err bundle_payload(struct outcome *o, const struct sg_v_ctx *c)
{
    const char *ref = c->docker_reference ? c->docker_reference : "";
    json_t *j =
        json_pack("{s:{s:{s:s},s:{s:s},s:s},s:n}", "critical", "identity",
                  "docker-reference", ref, "image", "docker-manifest-digest",
                  c->digest, "type", SG_V_COSIGN_SIGN_PREDICATE, "optional");
    char *s;

    if (!j)
        return sg_error_oom();
    s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s)
        return sg_error_oom();
    free(o->payload);
    o->payload = s;
    o->payload_len = strlen(s);
    return SG_OK;
}

/* Check a parsed envelope e. b: the bundle holding it (NULL for a .att
 * layer); layer: the .att layer (NULL for bundles) and raw its bytes as
 * stored (what cosign timestamps; NULL otherwise). *skip is set when
 * the statement says it is of the other kind and `mixed` (referrers hold
 * both kinds: not a candidate there). */
static sg_err check_dsse(struct sg_v_ctx *c,
                         const struct sg_dsse_envelope *e,
                         const struct sg_v_bundle *b,
                         const struct sg_oci_descriptor *layer,
                         const struct sg_buf *raw,
                         int mixed,
                         struct outcome *o,
                         int *skip)
{
    struct sg_intoto_statement *peek = NULL;
    char esc[200];
    int other = 0, keyless;
    sg_err rc;

    *skip = 0;
    if (c->kind == SG_V_ATTESTATION) {
        free(o->payload);
        o->payload = dupn(e->payload, e->payload_len);
        o->payload_len = e->payload_len;
        if (!o->payload)
            return sg_error_oom();
    }
    if (strcmp(e->payload_type, SG_INTOTO_PAYLOAD_TYPE) != 0) {
        if (c->kind == SG_V_SIGNATURE)
            return sg_error_set(SG_EVERIFY,
                                "envelope payloadType %s is not in-toto",
                                sg_escape(esc, sizeof(esc), e->payload_type));
        if (!(c->flags & SG_ATTEST_ALLOW_LEGACY_PAYLOAD_TYPE))
            return sg_error_set(SG_EVERIFY,
                                "payloadType is \"%s\", not \"%s\": an early "
                                "cosign format that current cosign rejects "
                                "(--allow-legacy-payload-type accepts it)",
                                sg_escape(esc, sizeof(esc), e->payload_type),
                                SG_INTOTO_PAYLOAD_TYPE);
    }
    /* The kind, from the statement (the signed bytes): a referrer of the
     * other kind is not a candidate at all. Skipping never passes. */
    if (mixed && sg_intoto_statement_parse(&peek, e->payload, e->payload_len,
                                           c->ctx) == SG_OK) {
        int is_sign =
            strcmp(peek->predicate_type, SG_V_COSIGN_SIGN_PREDICATE) == 0;
        *skip = (c->kind == SG_V_SIGNATURE) != is_sign;
        sg_intoto_statement_free(peek);
        if (*skip)
            return SG_OK;
    }
    sg_error_clear();
    keyless = (b && b->material != SG_V_MATERIAL_PUBLIC_KEY) ||
              (layer && sg_oci_descriptor_annotation(layer, SG_V_ANNOT_CERT));
    if (keyless)
        rc = sg_v_keyless_check(c, b, layer, e,
                                raw ? (const void *)raw->data : e->payload,
                                raw ? raw->len : e->payload_len, &o->keyless);
    else if (!c->key)
        return key_signed_in_keyless_mode();
    else
        rc = sg_dsse_envelope_verify(e, c->key);
    if (rc) {
        if (b && !keyless)
            rc = sg_error_prefix(rc, "bundle signature does not verify with "
                                     "the given key");
        return rc;
    }
    rc = sg_v_check_statement(c, e->payload, e->payload_len, &o->predicate_type,
                              &other);
    if (rc == SG_EPARSE)
        return sg_error_prefix(SG_EVERIFY, "signature ok but");
    if (rc)
        return rc;
    if (c->kind == SG_V_SIGNATURE)
        return bundle_payload(o, c);
    return SG_OK;
}

sg_err sg_v_check_envelope(struct sg_v_ctx *c,
                           const void *env,
                           size_t len,
                           struct sg_v_item *it)
{
    struct sg_dsse_envelope *e = NULL;
    struct outcome o;
    int skip;
    sg_err rc;

    memset(&o, 0, sizeof(o));
    if (it) {
        size_t keep = len < SG_ATTEST_ENVELOPE_MAX ? len : 0;

        free(it->envelope);
        it->envelope = dupn(env, keep);
        it->envelope_len = keep;
        if (!it->envelope)
            return sg_error_oom();
    }
    rc = sg_dsse_envelope_parse(&e, env, len, 0);
    if (!rc)
        rc = check_dsse(c, e, NULL, NULL, NULL, 0, &o, &skip);
    if (it) {
        free(it->payload);
        free(it->predicate_type);
        it->payload = o.payload;
        it->payload_len = o.payload_len;
        it->predicate_type = o.predicate_type;
        o.payload = o.predicate_type = NULL;
    }
    outcome_release(&o);
    sg_dsse_envelope_free(e);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Legacy tags: sha256-<hex>.sig and .att                               */

static sg_err check_sig_layer(struct sg_v_ctx *c,
                              const struct sg_oci_descriptor *d,
                              struct outcome *o,
                              int *over)
{
    struct sg_buf payload = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  sig = SG_BUF_INIT(64 * 1024);
    const char *b64 = sg_oci_descriptor_annotation(d, SG_ANNOT_COSIGN_SIG);
    char esc[200];
    sg_err rc;

    if (strcmp(d->media_type, SG_MT_SIMPLESIGNING) != 0) {
        rc = sg_error_set(SG_EVERIFY,
                          "media type %s is not a cosign simple-signing "
                          "payload",
                          sg_escape(esc, sizeof(esc), d->media_type));
        goto done;
    }
    if (!sg_oci_descriptor_annotation(d, SG_V_ANNOT_CERT) &&
        (!b64 || !b64[0])) {
        rc = sg_error_set(SG_EVERIFY, "layer has no signature annotation");
        goto done;
    }
    rc =
        fetch_blob(c, d, &payload, sg_ctx_limits(c->ctx)->small_blob_max, over);
    if (rc) {
        if (!*over)
            rc = sg_error_prefix(rc, "payload blob");
        goto done;
    }
    if (sg_oci_descriptor_annotation(d, SG_V_ANNOT_CERT)) {
        rc = sg_v_keyless_check(c, NULL, d, NULL, payload.data, payload.len,
                                &o->keyless);
    } else if (!c->key) {
        rc = key_signed_in_keyless_mode();
    } else if (sg_base64_decode(&sig, b64, strlen(b64)) != SG_OK) {
        rc = sg_error_set(SG_EVERIFY,
                          "signature annotation is not valid base64");
    } else {
        rc = sg_sign_key_verify(c->key, payload.data, payload.len, sig.data,
                                sig.len);
    }
    if (!rc) {
        struct sg_verify_opts vo;

        memset(&vo, 0, sizeof(vo));
        vo.annotations = c->annotations;
        vo.n_annotations = c->n_annotations;
        rc = sg_verify_claims(payload.data, payload.len, c->digest, &vo);
    }
    if (!rc) {
        o->payload_len = payload.len;
        rc = sg_buf_take(&o->payload, NULL, &payload);
    }
done:
    sg_buf_release(&payload);
    sg_buf_release(&sig);
    return rc;
}

static sg_err check_att_layer(struct sg_v_ctx *c,
                              const struct sg_oci_descriptor *d,
                              struct outcome *o,
                              int *over)
{
    struct sg_buf blob = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_dsse_envelope *e = NULL;
    int skip;
    sg_err rc;

    rc = fetch_blob(c, d, &blob, SG_ATTEST_ENVELOPE_MAX, over);
    if (rc) {
        if (!*over)
            rc = sg_error_prefix(rc, "layer %s", d->digest);
        goto done;
    }
    rc = sg_dsse_envelope_parse(&e, blob.data, blob.len, 0);
    if (!rc)
        rc = check_dsse(c, e, NULL, d, &blob, 0, o, &skip);
    if (!rc) {
        o->envelope_len = blob.len;
        rc = sg_buf_take(&o->envelope, NULL, &blob);
    }
done:
    sg_dsse_envelope_free(e);
    sg_buf_release(&blob);
    return rc;
}

static sg_err check_tag(struct sg_v_ctx *c)
{
    const int sig = c->kind == SG_V_SIGNATURE;
    struct sg_buf tag = SG_BUF_INIT(256),
                  body = SG_BUF_INIT(sg_ctx_limits(c->ctx)->manifest_max),
                  src = SG_BUF_INIT(512);
    struct sg_oci_manifest *m = NULL;
    struct outcome o;
    char *mt = NULL, esc[200];
    int over = 0;
    sg_err rc;

    memset(&o, 0, sizeof(o));
    rc = sg_sign_tag_for(&tag, c->digest, sig ? "sig" : "att");
    if (rc)
        return rc;
    rc = fetch_manifest(c, tag.data, &body, &mt, &over);
    if (rc == SG_ENOTFOUND) {
        sg_debug(c->ctx, "no %s", tag.data);
        sg_error_clear();
        rc = SG_OK;
        goto done;
    }
    if (rc && !over) {
        if (sg_v_classify(rc) == SG_V_TRANSPORT || rc == SG_EUNSUPPORTED) {
            note_io(c, rc, tag.data);
            rc = SG_OK;
        } else if (sg_v_classify(rc) == SG_V_VERDICT) {
            rc = settle(c, tag.data, rc, NULL);
        }
        goto done;
    }
    if (!rc)
        rc = sg_oci_manifest_parse(&m, body.data, body.len, mt, c->ctx);
    if (!rc && m->is_index)
        rc = sg_error_set(SG_EPARSE, "an index, not a signature manifest");
    if (rc) {
        if (!over && sg_v_classify(rc) == SG_V_VERDICT)
            rc = settle(c, tag.data,
                        sg_error_prefix(rc, "malformed %s manifest",
                                        sig ? "signature" : "attestation"),
                        NULL);
        goto done;
    }
    for (size_t i = 0; !rc && i < m->n_layers; i++) {
        const struct sg_oci_descriptor *d = &m->layers[i];

        if (!sig && strcmp(d->media_type, SG_MT_DSSE_ENVELOPE) != 0) {
            sg_debug(c->ctx, "%s layer %zu: media type %s skipped", tag.data, i,
                     sg_escape(esc, sizeof(esc), d->media_type));
            continue;
        }
        rc = next_candidate(c);
        if (rc)
            break;
        sg_buf_reset(&src);
        rc = sg_buf_addf(&src, "%s layer %zu", tag.data, i);
        if (rc)
            break;
        rc = sig ? check_sig_layer(c, d, &o, &over)
                 : check_att_layer(c, d, &o, &over);
        if (!over)
            rc = settle(c, src.data, rc, &o);
        outcome_release(&o);
    }
done:
    outcome_release(&o);
    sg_oci_manifest_free(m);
    free(mt);
    sg_buf_release(&tag);
    sg_buf_release(&body);
    sg_buf_release(&src);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Referrers: Sigstore bundles                                          */

static int is_bundle_mt(const char *mt)
{
    return mt && strncmp(mt, SG_V_BUNDLE_MT_PREFIX,
                         strlen(SG_V_BUNDLE_MT_PREFIX)) == 0;
}

/* One referrer. *skip: not a candidate (not a bundle manifest, a
 * message-signature bundle, or a statement of the other kind). */
static sg_err check_referrer(struct sg_v_ctx *c,
                             const struct sg_oci_descriptor *d,
                             struct outcome *o,
                             int *over,
                             int *skip)
{
    struct sg_buf body = SG_BUF_INIT(sg_ctx_limits(c->ctx)->manifest_max),
                  blob = SG_BUF_INIT(SG_V_BUNDLE_MAX);
    struct sg_oci_manifest *m = NULL;
    struct sg_v_bundle b;
    char *mt = NULL;
    sg_err rc;

    memset(&b, 0, sizeof(b));
    *skip = 0;
    rc = fetch_manifest(c, d->digest, &body, &mt, over);
    if (!rc)
        rc = sg_oci_manifest_parse(&m, body.data, body.len, mt, c->ctx);
    if (rc)
        goto done;
    if (m->is_index || m->n_layers != 1 ||
        !is_bundle_mt(m->layers[0].media_type)) {
        *skip = 1;
        goto done;
    }
    rc = fetch_blob(c, &m->layers[0], &blob, SG_V_BUNDLE_MAX, over);
    if (rc) {
        if (!*over)
            rc = sg_error_prefix(rc, "bundle blob");
        goto done;
    }
    rc = sg_v_bundle_parse(&b, blob.data, blob.len, 0);
    sg_buf_release(&blob); /* the parsed form is all that is needed */
    if (rc)
        goto done;
    if (b.content != SG_V_CONTENT_DSSE) {
        /* A blob's message signature: neither an image signature nor an
         * attestation (cosign v3 signs images with DSSE). */
        *skip = 1;
        goto done;
    }
    rc = check_dsse(c, b.env, &b, NULL, NULL, 1, o, skip);
    if (!rc && !*skip && c->kind == SG_V_ATTESTATION) {
        o->envelope = json_dumps(b.dsse, JSON_COMPACT);
        o->envelope_len = o->envelope ? strlen(o->envelope) : 0;
        if (!o->envelope)
            rc = sg_error_oom();
    }
done:
    sg_v_bundle_release(&b);
    sg_oci_manifest_free(m);
    free(mt);
    sg_buf_release(&body);
    sg_buf_release(&blob);
    return rc;
}

static sg_err check_referrers(struct sg_v_ctx *c)
{
    struct sg_buf idx = SG_BUF_INIT(sg_ctx_limits(c->ctx)->manifest_max),
                  src = SG_BUF_INIT(512);
    struct sg_oci_manifest *index = NULL;
    struct outcome o;
    int over = 0, skip;
    sg_err rc;

    memset(&o, 0, sizeof(o));
    rc = sg_oci_store_referrers(c->s, c->digest, NULL, &idx);
    if (rc == SG_ENOTFOUND || rc == SG_EUNSUPPORTED) {
        sg_debug(c->ctx, "no referrers for %s: %s", c->digest, sg_error_last());
        sg_error_clear();
        rc = SG_OK;
        goto done;
    }
    if (rc && sg_v_classify(rc) == SG_V_TRANSPORT) {
        note_io(c, rc, "referrers");
        rc = SG_OK;
        goto done;
    }
    if (!rc && !idx.len)
        goto done;
    /* A referrers answer (or a fallback tag someone else wrote) that is
     * not an index lists no candidates: warn and look elsewhere. Ignoring
     * it can hide a signature, never make one pass. */
    if (!rc)
        rc = sg_oci_manifest_parse(&index, idx.data, idx.len, SG_MT_OCI_INDEX,
                                   c->ctx);
    if (!rc && !index->is_index)
        rc = sg_error_set(SG_EPARSE, "a manifest, not an index");
    if (rc) {
        char esc[sizeof(c->io_msg)];

        if (sg_v_classify(rc) == SG_V_FATAL)
            goto done;
        sg_warn(c->ctx, "referrers of %s: not an image index, ignored: %s",
                c->digest, sg_escape(esc, sizeof(esc), sg_error_last()));
        sg_error_clear();
        rc = SG_OK;
        goto done;
    }
    for (size_t i = 0; !rc && i < index->n_layers; i++) {
        const struct sg_oci_descriptor *d = &index->layers[i];

        if (d->artifact_type && !is_bundle_mt(d->artifact_type))
            continue;
        rc = next_candidate(c);
        if (rc)
            break;
        sg_buf_reset(&src);
        rc = sg_buf_addf(&src, "referrer %s", d->digest);
        if (rc)
            break;
        rc = check_referrer(c, d, &o, &over, &skip);
        if (!over && skip && !rc)
            sg_debug(c->ctx, "referrer %s: not a %s", d->digest,
                     c->kind == SG_V_SIGNATURE ? "signature bundle"
                                               : "attestation bundle");
        else if (!over)
            rc = settle(c, src.data, rc, &o);
        outcome_release(&o);
    }
done:
    outcome_release(&o);
    sg_oci_manifest_free(index);
    sg_buf_release(&idx);
    sg_buf_release(&src);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The run                                                              */

sg_err sg_v_run(struct sg_v_ctx *c)
{
    const int sig = c->kind == SG_V_SIGNATURE;
    sg_err rc;

    SG_ASSERT_ARG(c && c->s && c->digest && (!c->key != !c->keyless));
    if (!sg_digest_valid(c->digest))
        return sg_error_set(SG_EINVAL, "verify: not a digest: %s", c->digest);
    /* cosign's order: verify looks at referrers first, verify-attestation
     * at the .att tag first (the order of the printed items). */
    rc = sig ? check_referrers(c) : check_tag(c);
    if (!rc)
        rc = sig ? check_tag(c) : check_referrers(c);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->res.n_items; i++) {
        if (c->res.items[i].ok)
            return SG_OK;
    }
    if (c->io_rc)
        return sg_error_set(c->io_rc, "%s", c->io_msg);
    if (!c->res.n_items)
        return sg_error_set(SG_EVERIFY, "no %s found for %s",
                            sig ? "signatures" : "attestations", c->digest);
    if (sig)
        return sg_error_set(SG_EVERIFY,
                            "no valid signatures for %s (%zu checked)",
                            c->digest, c->res.n_items);
    return sg_error_set(SG_EVERIFY, "none of the %zu attestation%s passed",
                        c->res.n_items, c->res.n_items == 1 ? "" : "s");
}

/* ------------------------------------------------------------------ */
/* The public models                                                    */

/* An array of n zeroed public items of `size` bytes (at least one, so
 * an empty result is not confused with an allocation failure). */
static sg_err export_items(void **items, size_t n, size_t size)
{
    *items = calloc(n ? n : 1, size);
    return *items ? SG_OK : sg_error_oom();
}

sg_err sg_v_export_signatures(struct sg_v_ctx *c, struct sg_verify_result *out)
{
    struct sg_verify_item *v;
    void *p;

    memset(out, 0, sizeof(*out));
    if (export_items(&p, c->res.n_items, sizeof(*v)))
        return SG_ENOMEM;
    out->items = v = p;
    out->n_items = c->res.n_items;
    for (size_t i = 0; i < c->res.n_items; i++) {
        struct sg_v_item *it = &c->res.items[i];

        v[i] =
            (struct sg_verify_item){ it->ok,          it->reason, it->payload,
                                     it->payload_len, it->source, it->keyless };
        it->reason = it->source = it->payload = it->keyless = NULL;
    }
    return SG_OK;
}

sg_err sg_v_export_attestations(struct sg_v_ctx *c,
                                struct sg_attest_result *out)
{
    struct sg_attest_item *a;
    void *p;

    memset(out, 0, sizeof(*out));
    if (export_items(&p, c->res.n_items, sizeof(*a)))
        return SG_ENOMEM;
    out->items = a = p;
    out->n_items = c->res.n_items;
    for (size_t i = 0; i < c->res.n_items; i++) {
        struct sg_v_item *it = &c->res.items[i];

        a[i] = (struct sg_attest_item){ it->ok,       it->reason,
                                        it->source,   it->predicate_type,
                                        it->payload,  it->payload_len,
                                        it->envelope, it->envelope_len,
                                        it->keyless };
        memset(it, 0, sizeof(*it));
    }
    return SG_OK;
}

/*
 * verify-attestation: checking DSSE/in-toto attestations on images and
 * blobs (cosign-format.md §3.4, §3.6). Everything read here is
 * untrusted: envelopes are size-capped and strictly parsed, the
 * signature is checked over PAE with the envelope's own payloadType, and
 * the statement must parse, name the image digest and carry the wanted
 * predicate type. Fails closed: only SG_OK means verified.
 */
#include "sigil/verify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define BUNDLE_MT_PREFIX      "application/vnd.dev.sigstore.bundle"
#define COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"
#define ANNOT_CERT            "dev.sigstore.cosign/certificate"

static void item_release(struct sg_attest_item *it)
{
    free(it->reason);
    free(it->source);
    free(it->predicate_type);
    free(it->statement);
    free(it->envelope);
    memset(it, 0, sizeof(*it));
}

void sg_attest_result_release(struct sg_attest_result *r)
{
    for (size_t i = 0; i < r->n_items; i++)
        item_release(&r->items[i]);
    free(r->items);
    memset(r, 0, sizeof(*r));
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

/* The checks after the envelope was parsed (shared by .att layers and
 * bundles). `keyless` says the signer used a certificate. */
static sg_err check_envelope(struct sg_attest_item *item,
                             const struct sg_dsse_envelope *e,
                             const struct sg_attest_check *c,
                             int keyless)
{
    struct sg_intoto_statement *st = NULL;
    const char *want = c->type ? sg_attest_predicate_uri(c->type) : NULL;
    sg_err rc;

    if (item) {
        free(item->statement);
        item->statement = dupn(e->payload, e->payload_len);
        item->statement_len = e->payload_len;
        if (!item->statement)
            return sg_error_oom();
    }
    if (strcmp(e->payload_type, SG_INTOTO_PAYLOAD_TYPE) != 0 &&
        !(c->flags & SG_ATTEST_ALLOW_LEGACY_PAYLOAD_TYPE))
        return sg_error_set(SG_EVERIFY,
                            "payloadType is \"%s\", not \"%s\": an early "
                            "cosign format that current cosign rejects "
                            "(--allow-legacy-payload-type accepts it)",
                            e->payload_type, SG_INTOTO_PAYLOAD_TYPE);
    rc = sg_dsse_envelope_verify(e, c->key);
    if (rc) {
        if (keyless)
            return sg_error_set(SG_EVERIFY,
                                "signed with a certificate (keyless); not "
                                "checkable with a key, and the key does "
                                "not verify it");
        return rc;
    }
    rc = sg_intoto_statement_parse(&st, e->payload, e->payload_len);
    if (rc)
        return sg_error_prefix(SG_EVERIFY, "signature ok but");
    if (item) {
        free(item->predicate_type);
        item->predicate_type =
            dupn(st->predicate_type, strlen(st->predicate_type));
        if (!item->predicate_type) {
            sg_intoto_statement_free(st);
            return sg_error_oom();
        }
    }
    if (!sg_intoto_statement_has_digest(st, c->digest)) {
        rc = sg_error_set(
            SG_EVERIFY, "statement subject %s%s does not match %s",
            st->subjects[0].sha256 ? "sha256:" : "(no sha256)",
            st->subjects[0].sha256 ? st->subjects[0].sha256 : "", c->digest);
    } else if (want && strcmp(st->predicate_type, want) != 0) {
        rc =
            sg_error_set(SG_EVERIFY, "predicate type is %s, not %s (--type %s)",
                         st->predicate_type, want, c->type);
    }
    sg_intoto_statement_free(st);
    return rc;
}

static sg_err verify_bytes(struct sg_attest_item *item,
                           const void *env,
                           size_t len,
                           const struct sg_attest_check *c,
                           int keyless)
{
    struct sg_dsse_envelope *e = NULL;
    sg_err rc;

    if (item) {
        free(item->envelope);
        item->envelope = dupn(env, len < SG_ATTEST_ENVELOPE_MAX ? len : 0);
        item->envelope_len = len < SG_ATTEST_ENVELOPE_MAX ? len : 0;
        if (!item->envelope)
            return sg_error_oom();
    }
    rc = sg_dsse_envelope_parse(&e, env, len, 0);
    if (!rc)
        rc = check_envelope(item, e, c, keyless);
    sg_dsse_envelope_free(e);
    return rc;
}

sg_err sg_verify_attestation_envelope(struct sg_attest_item *item,
                                      const void *env,
                                      size_t len,
                                      const struct sg_attest_check *c)
{
    SG_ASSERT_ARG(c && c->key && c->digest);
    return verify_bytes(item, env, len, c, 0);
}

/* ------------------------------------------------------------------ */
/* Images                                                               */

/* Errors that mean "could not look", not "looked and it is bad". */
static int is_transport_error(sg_err rc)
{
    return rc == SG_ENET || rc == SG_EHTTP || rc == SG_EAUTH || rc == SG_EIO ||
           rc == SG_ENOMEM || rc == SG_EINTERNAL || rc == SG_EINVAL;
}

static sg_err add_item(struct sg_attest_result *r,
                       struct sg_attest_item **out,
                       const char *src)
{
    struct sg_attest_item *p;

    p = realloc(r->items, (r->n_items + 1) * sizeof(*p));
    if (!p)
        return sg_error_oom();
    r->items = p;
    p = &r->items[r->n_items++];
    memset(p, 0, sizeof(*p));
    p->source = dupn(src, strlen(src));
    if (!p->source)
        return sg_error_oom();
    *out = p;
    return SG_OK;
}

/* Record the outcome rc of one candidate. Transport errors propagate. */
static sg_err settle(struct sg_attest_item *it, sg_err rc)
{
    if (rc == SG_ENOMEM || rc == SG_EINTERNAL || rc == SG_EINVAL)
        return rc;
    if (rc == SG_OK) {
        it->ok = 1;
        return SG_OK;
    }
    it->reason = dupn(sg_error_last(), strlen(sg_error_last()));
    return it->reason ? SG_OK : sg_error_oom();
}

static sg_err read_att(struct sg_attest_result *r,
                       struct sg_oci_store *s,
                       const struct sg_attest_check *c)
{
    struct sg_buf tag = SG_BUF_INIT(256);
    struct sg_buf body = SG_BUF_INIT(sg_limits_default()->manifest_max);
    struct sg_buf blob = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_oci_manifest *m = NULL;
    struct sg_attest_item *it;
    char *mt = NULL, src[320];
    sg_err rc;

    rc = sg_sign_tag_for(&tag, c->digest, "att");
    if (!rc)
        rc = sg_oci_store_get_manifest(s, tag.data, &body, &mt, NULL);
    if (rc == SG_ENOTFOUND) {
        sg_debug("no %s", tag.data);
        rc = SG_OK;
        goto done;
    }
    if (!rc)
        rc = sg_oci_manifest_parse(&m, body.data, body.len, mt);
    if (!rc && m->is_index)
        rc = sg_error_set(SG_EPARSE, "%s: an index, not a manifest", tag.data);
    if (rc) {
        rc = sg_error_prefix(rc, "%s", tag.data);
        goto done;
    }
    for (size_t i = 0; i < m->n_layers; i++) {
        const struct sg_oci_descriptor *d = &m->layers[i];
        int keyless = sg_oci_descriptor_annotation(d, ANNOT_CERT) != NULL;

        if (strcmp(d->media_type, SG_MT_DSSE_ENVELOPE) != 0) {
            sg_debug("%s layer %zu: media type %s skipped", tag.data, i,
                     d->media_type);
            continue;
        }
        snprintf(src, sizeof(src), "%s layer %zu", tag.data, i);
        rc = add_item(r, &it, src);
        if (rc)
            goto done;
        sg_buf_reset(&blob);
        rc = sg_oci_store_get_blob_buf(s, d, &blob, SG_ATTEST_ENVELOPE_MAX);
        if (rc && is_transport_error(rc))
            goto done;
        if (!rc)
            rc = verify_bytes(it, blob.data, blob.len, c, keyless);
        else
            rc = sg_error_prefix(rc, "layer %s", d->digest);
        rc = settle(it, rc);
        if (rc)
            goto done;
    }
done:
    sg_oci_manifest_free(m);
    free(mt);
    sg_buf_release(&tag);
    sg_buf_release(&body);
    sg_buf_release(&blob);
    return rc;
}

/* A Sigstore bundle (JSON) holding a DSSE envelope. */
static sg_err check_bundle(struct sg_attest_item *it,
                           const void *data,
                           size_t len,
                           const struct sg_attest_check *c)
{
    json_t *root = NULL;
    const json_t *mt, *vm, *env;
    struct sg_dsse_envelope *e = NULL;
    const char *v;
    int keyless;
    char *txt;
    sg_err rc;

    rc = sg_json_parse(&root, data, len, SG_ATTEST_ENVELOPE_MAX, 0, "bundle");
    if (rc)
        return rc;
    mt = json_object_get(root, "mediaType");
    v = json_is_string(mt) ? json_string_value(mt) : "";
    /* v0.1 and v0.2 bundles are not read by cosign either. */
    if (strcmp(v, "application/vnd.dev.sigstore.bundle.v0.3+json") != 0 &&
        strncmp(v, "application/vnd.dev.sigstore.bundle+json;version=0.", 51) !=
            0) {
        rc = sg_error_set(SG_EVERIFY,
                          "bundle media type \"%s\" is not "
                          "v0.3 or later",
                          v);
        goto done;
    }
    if (strncmp(v, "application/vnd.dev.sigstore.bundle+json;version=0.", 51) ==
            0 &&
        (v[51] < '3' || v[51] > '9')) {
        rc = sg_error_set(SG_EVERIFY,
                          "bundle media type \"%s\" is older "
                          "than v0.3",
                          v);
        goto done;
    }
    env = json_object_get(root, "dsseEnvelope");
    if (!json_is_object(env)) {
        rc = sg_error_set(SG_EVERIFY, "bundle has no dsseEnvelope (a "
                                      "message signature, not an "
                                      "attestation)");
        goto done;
    }
    vm = json_object_get(root, "verificationMaterial");
    keyless =
        json_is_object(vm) && (json_object_get(vm, "certificate") ||
                               json_object_get(vm, "x509CertificateChain"));
    txt = json_dumps(env, JSON_COMPACT);
    if (!txt) {
        rc = sg_error_oom();
        goto done;
    }
    free(it->envelope);
    it->envelope = txt;
    it->envelope_len = strlen(txt);
    rc = sg_dsse_envelope_from_json(&e, env);
    if (!rc)
        rc = check_envelope(it, e, c, keyless);
done:
    sg_dsse_envelope_free(e);
    json_decref(root);
    return rc;
}

static sg_err read_referrers(struct sg_attest_result *r,
                             struct sg_oci_store *s,
                             const struct sg_attest_check *c)
{
    struct sg_buf idx = SG_BUF_INIT(sg_limits_default()->manifest_max);
    struct sg_buf body = SG_BUF_INIT(sg_limits_default()->manifest_max);
    struct sg_buf blob = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_oci_manifest *index = NULL, *m = NULL;
    struct sg_attest_item *it;
    char *mt = NULL, src[320];
    const char *pt;
    sg_err rc;

    rc = sg_oci_store_referrers(s, c->digest, NULL, &idx);
    if (rc == SG_ENOTFOUND || rc == SG_EUNSUPPORTED) {
        sg_debug("no referrers for %s: %s", c->digest, sg_error_last());
        rc = SG_OK;
        goto done;
    }
    if (!rc)
        rc = sg_oci_manifest_parse(&index, idx.data, idx.len, SG_MT_OCI_INDEX);
    if (rc) {
        rc = sg_error_prefix(rc, "referrers of %s", c->digest);
        goto done;
    }
    for (size_t i = 0; i < index->n_layers; i++) {
        const struct sg_oci_descriptor *d = &index->layers[i];

        if (d->artifact_type && strncmp(d->artifact_type, BUNDLE_MT_PREFIX,
                                        strlen(BUNDLE_MT_PREFIX)) != 0)
            continue;
        sg_buf_reset(&body);
        free(mt);
        mt = NULL;
        sg_oci_manifest_free(m);
        m = NULL;
        rc = sg_oci_store_get_manifest(s, d->digest, &body, &mt, NULL);
        if (rc && is_transport_error(rc))
            goto done;
        if (!rc)
            rc = sg_oci_manifest_parse(&m, body.data, body.len, mt);
        if (rc || m->is_index || m->n_layers != 1 ||
            strncmp(m->layers[0].media_type, BUNDLE_MT_PREFIX,
                    strlen(BUNDLE_MT_PREFIX)) != 0) {
            sg_debug("referrer %s: not a Sigstore bundle", d->digest);
            rc = SG_OK;
            continue;
        }
        pt = sg_oci_manifest_annotation(m, "dev.sigstore.bundle.predicateType");
        if (pt && strcmp(pt, COSIGN_SIGN_PREDICATE) == 0) {
            sg_debug("referrer %s: an image signature bundle", d->digest);
            continue;
        }
        snprintf(src, sizeof(src), "referrer %s", d->digest);
        rc = add_item(r, &it, src);
        if (rc)
            goto done;
        sg_buf_reset(&blob);
        rc = sg_oci_store_get_blob_buf(s, &m->layers[0], &blob,
                                       SG_ATTEST_ENVELOPE_MAX);
        if (rc && is_transport_error(rc))
            goto done;
        if (!rc)
            rc = check_bundle(it, blob.data, blob.len, c);
        rc = settle(it, rc);
        if (rc)
            goto done;
    }
done:
    sg_oci_manifest_free(index);
    sg_oci_manifest_free(m);
    free(mt);
    sg_buf_release(&idx);
    sg_buf_release(&body);
    sg_buf_release(&blob);
    return rc;
}

sg_err sg_verify_image_attestations(struct sg_attest_result *out,
                                    struct sg_oci_store *s,
                                    const struct sg_attest_check *c)
{
    size_t n_ok = 0;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    SG_ASSERT_ARG(s && c && c->key && c->digest);
    rc = read_att(out, s, c);
    if (!rc)
        rc = read_referrers(out, s, c);
    if (rc)
        return rc;
    for (size_t i = 0; i < out->n_items; i++)
        n_ok += out->items[i].ok ? 1 : 0;
    if (n_ok)
        return SG_OK;
    if (!out->n_items)
        return sg_error_set(SG_EVERIFY, "no attestations found for %s",
                            c->digest);
    return sg_error_set(SG_EVERIFY, "none of the %zu attestation%s passed",
                        out->n_items, out->n_items == 1 ? "" : "s");
}

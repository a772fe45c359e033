/*
 * DSSE (Dead Simple Signing Envelope) as cosign uses it for attestations
 * (cosign-format.md §3.1): the pre-authentication encoding (PAE), the
 * exact bytes a signature covers, and the envelope JSON
 *   {"payloadType":T,"payload":base64(body),"signatures":[{"keyid","sig"}]}
 * Envelopes are untrusted: parsed as JSON (never by byte layout or key
 * order), size-capped, every member type-checked, base64 strict.
 */
#include "sign_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

sg_err sg_sign_dsse_pae(struct sg_buf *out,
                        const char *type,
                        const void *body,
                        size_t len)
{
    size_t tlen = 0;
    sg_err rc;

    while (type[tlen])
        tlen++;
    rc = sg_buf_addf(out, "DSSEv1 %zu %s %zu ", tlen, type, len);
    if (!rc)
        rc = sg_buf_add(out, body, len);
    return rc;
}

void sg_dsse_envelope_free(struct sg_dsse_envelope *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_sigs; i++) {
        free(e->sigs[i].keyid);
        free(e->sigs[i].sig);
    }
    free(e->sigs);
    free(e->payload_type);
    free(e->payload);
    free(e);
}

/* A required string member of obj, or SG_EPARSE naming it. */
static sg_err get_string(const json_t **out,
                         const json_t *obj,
                         const char *key,
                         const char *where)
{
    const json_t *v = json_object_get(obj, key);

    if (!v)
        return sg_error_set(SG_EPARSE, "%s: missing \"%s\"", where, key);
    if (!json_is_string(v))
        return sg_error_set(SG_EPARSE, "%s: \"%s\" is not a string", where,
                            key);
    *out = v;
    return SG_OK;
}

char *sg_sign__json_strdup(const json_t *v)
{
    size_t n = json_string_length(v);
    char *s = malloc(n + 1);

    if (s) {
        memcpy(s, json_string_value(v), n);
        s[n] = '\0';
    }
    return s;
}

static sg_err dup_string(char **out, const json_t *v)
{
    *out = sg_sign__json_strdup(v);
    return *out ? SG_OK : sg_error_oom();
}

static sg_err decode_b64(unsigned char **out,
                         size_t *len_out,
                         const json_t *v,
                         const char *what)
{
    struct sg_buf b = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    char *p = NULL;
    sg_err rc;

    rc = sg_base64_decode(&b, json_string_value(v), json_string_length(v));
    if (rc) {
        sg_buf_release(&b);
        return sg_error_prefix(SG_EPARSE, "envelope: %s", what);
    }
    rc = sg_buf_take(&p, len_out, &b);
    *out = (unsigned char *)p;
    return rc;
}

sg_err sg_dsse_envelope_from_json(struct sg_dsse_envelope **out,
                                  const struct json_t *obj)
{
    struct sg_dsse_envelope *e = NULL;
    const json_t *ptype, *payload, *sigs, *sig, *keyid;
    char where[48];
    sg_err rc;

    *out = NULL;
    if (!json_is_object(obj))
        return sg_error_set(SG_EPARSE, "envelope: not a JSON object");
    rc = get_string(&ptype, obj, "payloadType", "envelope");
    if (!rc)
        rc = get_string(&payload, obj, "payload", "envelope");
    if (rc)
        return rc;
    if (json_string_length(ptype) == 0)
        return sg_error_set(SG_EPARSE, "envelope: empty payloadType");
    if (strlen(json_string_value(ptype)) != json_string_length(ptype))
        return sg_error_set(SG_EPARSE, "envelope: NUL in payloadType");
    sigs = json_object_get(obj, "signatures");
    if (!json_is_array(sigs) || json_array_size(sigs) == 0)
        return sg_error_set(
            SG_EPARSE, "envelope: \"signatures\" is not a non-empty array");
    if (json_array_size(sigs) > SG_DSSE_SIGNATURES_MAX)
        return sg_error_set(SG_ELIMIT, "envelope: %zu signatures, limit is %u",
                            json_array_size(sigs), SG_DSSE_SIGNATURES_MAX);

    e = calloc(1, sizeof(*e));
    if (e)
        e->sigs = calloc(json_array_size(sigs), sizeof(*e->sigs));
    if (!e || !e->sigs) {
        rc = sg_error_oom();
        goto done;
    }
    rc = dup_string(&e->payload_type, ptype);
    if (!rc)
        rc = decode_b64(&e->payload, &e->payload_len, payload,
                        "payload is not valid base64");
    for (size_t i = 0; !rc && i < json_array_size(sigs); i++) {
        snprintf(where, sizeof(where), "envelope: signatures[%zu]", i);
        sig = json_array_get(sigs, i);
        if (!json_is_object(sig)) {
            rc = sg_error_set(SG_EPARSE, "%s: not an object", where);
            break;
        }
        e->n_sigs = i + 1;
        keyid = json_object_get(sig, "keyid");
        if (keyid && !json_is_string(keyid)) {
            rc =
                sg_error_set(SG_EPARSE, "%s: \"keyid\" is not a string", where);
            break;
        }
        if (keyid && (rc = dup_string(&e->sigs[i].keyid, keyid)))
            break;
        rc = get_string(&payload, sig, "sig", where);
        if (!rc && json_string_length(payload) == 0)
            rc = sg_error_set(SG_EPARSE, "%s: empty \"sig\"", where);
        if (!rc)
            rc = decode_b64(&e->sigs[i].sig, &e->sigs[i].sig_len, payload,
                            "sig is not valid base64");
    }
    if (rc)
        goto done;
    *out = e;
    e = NULL;
done:
    sg_dsse_envelope_free(e);
    return rc;
}

sg_err sg_dsse_envelope_parse(struct sg_dsse_envelope **out,
                              const void *data,
                              size_t len,
                              size_t max_len)
{
    json_t *root = NULL;
    sg_err rc;

    *out = NULL;
    if (!max_len)
        max_len = SG_ATTEST_ENVELOPE_MAX;
    rc = sg_json_parse(&root, data, len, max_len, 0, "envelope");
    if (rc)
        return rc;
    rc = sg_dsse_envelope_from_json(out, root);
    json_decref(root);
    return rc;
}

sg_err sg_dsse_envelope_verify(const struct sg_dsse_envelope *e,
                               const struct sg_sign_key *k)
{
    struct sg_buf pae = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    rc = sg_sign_dsse_pae(&pae, e->payload_type, e->payload, e->payload_len);
    if (rc)
        return rc;
    rc = SG_EVERIFY;
    for (size_t i = 0; i < e->n_sigs; i++) {
        if (sg_sign_key_verify(k, pae.data, pae.len, e->sigs[i].sig,
                               e->sigs[i].sig_len) == SG_OK) {
            rc = SG_OK;
            break;
        }
    }
    sg_buf_release(&pae);
    if (rc)
        return sg_error_set(SG_EVERIFY,
                            "no DSSE signature verifies over PAE with this "
                            "key (%zu signature%s checked)",
                            e->n_sigs, e->n_sigs == 1 ? "" : "s");
    sg_error_clear();
    return SG_OK;
}

sg_err sg_sign__jansson_str(
    struct sg_buf *out, const char *v, size_t len, sg_err bad, const char *what)
{
    json_t *s = json_stringn(v, len);
    sg_err rc;

    if (!s)
        return sg_error_set(bad, "%s is not valid UTF-8", what);
    rc = sg_json_dump_buf(out, s, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(s);
    return rc;
}

sg_err sg_dsse_envelope_sign(struct sg_buf *out,
                             const char *payload_type,
                             const void *payload,
                             size_t len,
                             const struct sg_sign_key *k)
{
    struct sg_buf pae = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf sig = SG_BUF_INIT(64 * 1024);
    struct sg_buf b64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf sig64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *type = NULL, *env = NULL;
    sg_err rc;

    rc = sg_sign_dsse_pae(&pae, payload_type, payload, len);
    if (!rc)
        rc = sg_sign_key_sign(&sig, k, pae.data, pae.len);
    if (!rc)
        rc = sg_base64_encode(&b64, payload, len);
    if (!rc)
        rc = sg_base64_encode(&sig64, sig.data, sig.len);
    if (rc)
        goto done;
    type = json_stringn(payload_type, strlen(payload_type));
    if (!type) {
        rc = sg_error_set(SG_EINVAL, "string is not valid UTF-8");
        goto done;
    }
    /* The cosign v2 layout, keys in this order, compact. */
    env = json_pack("{s:O,s:s%,s:[{s:s,s:s%}]}", "payloadType", type, "payload",
                    b64.data, b64.len, "signatures", "keyid", "", "sig",
                    sig64.data, sig64.len);
    rc = sg_json_dump_buf(out, env, 0);
done:
    json_decref(type);
    json_decref(env);
    sg_buf_release(&pae);
    sg_buf_release(&sig);
    sg_buf_release(&b64);
    sg_buf_release(&sig64);
    return rc;
}

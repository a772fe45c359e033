/*
 * in-toto Statements as `cosign attest` writes them (cosign-format.md
 * §3.2): the --type names and their predicate type URIs, building a
 * statement around a predicate file, parsing untrusted statements, and
 * storing a signed attestation under sha256-<hex>.att (§3.3).
 */
#include "sign_int.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum pred_kind {
    PRED_OBJECT, /* the file is one JSON object, embedded as is */
    PRED_STRING, /* the file is embedded as a JSON string ("spdx") */
    PRED_CUSTOM  /* {"Data": file as string, "Timestamp": RFC 3339} */
};

/* cosign:cmd/cosign/cli/options/predicate.go PredicateTypeMap. */
static const struct pred_type {
    const char *name;
    const char *uri;
    enum pred_kind kind;
} pred_types[] = {
    { "custom", "https://cosign.sigstore.dev/attestation/v1", PRED_CUSTOM },
    { "slsaprovenance", "https://slsa.dev/provenance/v0.2", PRED_OBJECT },
    { "slsaprovenance02", "https://slsa.dev/provenance/v0.2", PRED_OBJECT },
    { "slsaprovenance1", "https://slsa.dev/provenance/v1", PRED_OBJECT },
    { "spdx", "https://spdx.dev/Document", PRED_STRING },
    { "spdxjson", "https://spdx.dev/Document", PRED_OBJECT },
    { "cyclonedx", "https://cyclonedx.org/bom", PRED_OBJECT },
    { "link", "https://in-toto.io/Link/v1", PRED_OBJECT },
    { "vuln", "https://cosign.sigstore.dev/attestation/vuln/v1", PRED_OBJECT },
    { "openvex", "https://openvex.dev/ns", PRED_OBJECT },
};

#define N_PRED_TYPES (sizeof(pred_types) / sizeof(pred_types[0]))

static const struct pred_type *find_type(const char *name)
{
    for (size_t i = 0; i < N_PRED_TYPES; i++)
        if (strcmp(pred_types[i].name, name) == 0)
            return &pred_types[i];
    return NULL;
}

const char *sg_attest_predicate_uri(const char *type)
{
    const struct pred_type *t = find_type(type);

    return t ? t->uri : type;
}

/* RFC 3986 absolute URI shape: scheme ":" rest, no spaces/controls. */
static int is_uri(const char *s)
{
    size_t i = 0;

    if (!isalpha((unsigned char)s[0]))
        return 0;
    while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
           s[i] == '.')
        i++;
    if (s[i] != ':' || s[i + 1] == '\0')
        return 0;
    for (; s[i]; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

int sg_attest_type_valid(const char *type)
{
    return type && (find_type(type) || is_uri(type));
}

static sg_err add_json_string(struct sg_buf *out, const char *v, size_t len)
{
    return sg_sign__jansson_str(out, v, len, SG_EPARSE, "text");
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The predicate as cosign embeds it for this kind. */
static sg_err add_predicate(struct sg_buf *out,
                            enum pred_kind kind,
                            const char *p,
                            size_t len,
                            long long ts)
{
    json_t *root = NULL, *data;
    char when[32];
    time_t t;
    struct tm tm;
    sg_err rc;

    switch (kind) {
    case PRED_OBJECT:
        rc = sg_json_parse(&root, p, len, SG_ATTEST_ENVELOPE_MAX, 0,
                           "predicate");
        if (rc)
            return rc;
        if (!json_is_object(root)) {
            json_decref(root);
            return sg_error_set(SG_EPARSE,
                                "predicate: must be a JSON object for "
                                "this --type");
        }
        json_decref(root);
        while (len && is_space(p[0])) {
            p++;
            len--;
        }
        while (len && is_space(p[len - 1]))
            len--;
        return sg_buf_add(out, p, len);
    case PRED_STRING:
        rc = add_json_string(out, p, len);
        return rc ? sg_error_prefix(rc, "predicate") : SG_OK;
    case PRED_CUSTOM:
        t = (time_t)ts;
        if (!gmtime_r(&t, &tm) ||
            !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
            return sg_error_set(SG_EINVAL, "timestamp out of range");
        data = json_stringn(p, len);
        if (!data)
            return sg_error_set(SG_EPARSE,
                                "predicate: text is not valid UTF-8");
        root = json_pack("{s:o,s:s}", "Data", data, "Timestamp", when);
        rc = sg_json_dump_buf(out, root, 0);
        json_decref(root);
        return rc;
    }
    return sg_error_set(SG_EINTERNAL, "unknown predicate kind");
}

sg_err sg_attest_statement_build(struct sg_buf *out,
                                 const struct sg_attest_statement_opts *o,
                                 const void *predicate,
                                 size_t len)
{
    const struct pred_type *t;
    enum pred_kind kind = PRED_OBJECT;
    const char *uri;
    sg_err rc;

    SG_ASSERT_ARG(o && o->type && o->digest);
    if (!sg_attest_type_valid(o->type))
        return sg_error_set(SG_EINVAL,
                            "unknown predicate type \"%s\" (a cosign type "
                            "name or a URI)",
                            o->type);
    if (strncmp(o->digest, "sha256:", 7) != 0 || !sg_digest_valid(o->digest))
        return sg_error_set(SG_EINVAL, "subject digest \"%s\" is not sha256",
                            o->digest);
    if (o->n_annotations && o->version != 1)
        return sg_error_set(SG_EINVAL, "annotations need Statement v1 "
                                       "(v0.1 subjects have none)");
    for (size_t i = 0; i < o->n_annotations; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->annotations[i].key, o->annotations[j].key) == 0)
                return sg_error_set(SG_EINVAL,
                                    "annotation \"%s\" given "
                                    "twice",
                                    o->annotations[i].key);
    t = find_type(o->type);
    if (t)
        kind = t->kind;
    uri = t ? t->uri : o->type;

    rc = sg_buf_adds(out, "{\"_type\":\"");
    if (!rc)
        rc = sg_buf_adds(out, o->version == 1 ? SG_INTOTO_STATEMENT_V1
                                              : SG_INTOTO_STATEMENT_V01);
    if (!rc)
        rc = sg_buf_adds(out, "\",\"subject\":[{");
    if (!rc && o->subject_name) {
        rc = sg_buf_adds(out, "\"name\":");
        if (!rc)
            rc = add_json_string(out, o->subject_name, strlen(o->subject_name));
        if (!rc)
            rc = sg_buf_addc(out, ',');
    }
    if (!rc)
        rc = sg_buf_addf(out, "\"digest\":{\"sha256\":\"%s\"}", o->digest + 7);
    for (size_t i = 0; !rc && i < o->n_annotations; i++) {
        rc = sg_buf_adds(out, i ? "," : ",\"annotations\":{");
        if (!rc)
            rc = add_json_string(out, o->annotations[i].key,
                                 strlen(o->annotations[i].key));
        if (!rc)
            rc = sg_buf_addc(out, ':');
        if (!rc)
            rc = add_json_string(out, o->annotations[i].value,
                                 strlen(o->annotations[i].value));
    }
    if (!rc && o->n_annotations)
        rc = sg_buf_addc(out, '}');
    if (!rc)
        rc = sg_buf_adds(out, "}],");
    if (!rc)
        rc = sg_buf_adds(out, "\"predicateType\":");
    if (!rc)
        rc = add_json_string(out, uri, strlen(uri));
    if (!rc)
        rc = sg_buf_adds(out, ",\"predicate\":");
    if (!rc)
        rc = add_predicate(out, kind, predicate, len, o->timestamp);
    if (!rc)
        rc = sg_buf_addc(out, '}');
    return rc;
}

void sg_intoto_statement_free(struct sg_intoto_statement *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n_subjects; i++) {
        free(st->subjects[i].name);
        free(st->subjects[i].sha256);
    }
    free(st->subjects);
    free(st->type);
    free(st->predicate_type);
    free(st);
}

static int is_hex64(const char *s, size_t n)
{
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static sg_err
parse_subject(struct sg_intoto_subject *sub, const json_t *v, size_t i)
{
    /* json_object_get of a non-object is NULL: the checks below decide */
    const json_t *name = json_object_get(v, "name");
    const json_t *digest = json_object_get(v, "digest");
    const json_t *sha = json_object_get(digest, "sha256");
    const char *why = NULL;

    if (!json_is_object(v))
        why = "not an object";
    else if (name && !json_is_string(name))
        why = "name is not a string";
    else if (!json_is_object(digest))
        why = "no digest object";
    else if (sha &&
             (!json_is_string(sha) ||
              !is_hex64(json_string_value(sha), json_string_length(sha))))
        why = "digest sha256 is not 64 lower-case hex digits";
    if (why)
        return sg_error_set(SG_EPARSE, "statement: subject[%zu]: %s", i, why);
    if (name && !(sub->name = sg_sign__json_strdup(name)))
        return sg_error_oom();
    if (sha && !(sub->sha256 = sg_sign__json_strdup(sha)))
        return sg_error_oom();
    return SG_OK;
}

sg_err sg_intoto_statement_parse(struct sg_intoto_statement **out,
                                 const void *data,
                                 size_t len,
                                 const struct sg_ctx *ctx)
{
    struct sg_intoto_statement *st = NULL;
    json_t *root = NULL;
    const json_t *type, *subj, *ptype, *pred;
    sg_err rc;

    *out = NULL;
    rc =
        sg_json_parse(&root, data, len, SG_ATTEST_ENVELOPE_MAX, 0, "statement");
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        rc = sg_error_set(SG_EPARSE, "statement: not a JSON object");
        goto done;
    }
    type = json_object_get(root, "_type");
    if (!json_is_string(type) ||
        (strcmp(json_string_value(type), SG_INTOTO_STATEMENT_V01) != 0 &&
         strcmp(json_string_value(type), SG_INTOTO_STATEMENT_V1) != 0)) {
        rc = sg_error_set(SG_EPARSE, "statement: _type is not %s or %s",
                          SG_INTOTO_STATEMENT_V01, SG_INTOTO_STATEMENT_V1);
        goto done;
    }
    ptype = json_object_get(root, "predicateType");
    if (!json_is_string(ptype) || json_string_length(ptype) == 0 ||
        strlen(json_string_value(ptype)) != json_string_length(ptype)) {
        rc = sg_error_set(SG_EPARSE, "statement: predicateType is missing "
                                     "or not a string");
        goto done;
    }
    pred = json_object_get(root, "predicate");
    if (!pred) {
        rc = sg_error_set(SG_EPARSE, "statement: no predicate");
        goto done;
    }
    subj = json_object_get(root, "subject");
    if (!json_is_array(subj) || json_array_size(subj) == 0) {
        rc = sg_error_set(SG_EPARSE, "statement: subject is not a non-empty "
                                     "array");
        goto done;
    }
    if (json_array_size(subj) > sg_ctx_limits(ctx)->descriptors_max) {
        rc = sg_error_set(SG_ELIMIT, "statement: %zu subjects, limit is %zu",
                          json_array_size(subj),
                          sg_ctx_limits(ctx)->descriptors_max);
        goto done;
    }
    st = calloc(1, sizeof(*st));
    if (st)
        st->subjects = calloc(json_array_size(subj), sizeof(*st->subjects));
    if (!st || !st->subjects || !(st->type = sg_sign__json_strdup(type)) ||
        !(st->predicate_type = sg_sign__json_strdup(ptype))) {
        rc = sg_error_oom();
        goto done;
    }
    for (size_t i = 0; !rc && i < json_array_size(subj); i++) {
        st->n_subjects = i + 1;
        rc = parse_subject(&st->subjects[i], json_array_get(subj, i), i);
    }
    if (rc)
        goto done;
    *out = st;
    st = NULL;
done:
    sg_intoto_statement_free(st);
    json_decref(root);
    return rc;
}

int sg_intoto_statement_has_digest(const struct sg_intoto_statement *st,
                                   const char *digest)
{
    if (!digest || strncmp(digest, "sha256:", 7) != 0)
        return 0;
    for (size_t i = 0; i < st->n_subjects; i++)
        if (st->subjects[i].sha256 &&
            strcmp(st->subjects[i].sha256, digest + 7) == 0)
            return 1;
    return 0;
}

sg_err sg_attest_image(struct sg_oci_store *s,
                       const struct sg_attest_statement_opts *o,
                       const void *predicate,
                       size_t len,
                       const struct sg_sign_key *k)
{
    struct sg_buf st = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_buf env = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sign_annotation ann[2];
    sg_err rc;

    rc = sg_attest_statement_build(&st, o, predicate, len);
    if (!rc)
        rc = sg_dsse_envelope_sign(&env, SG_INTOTO_PAYLOAD_TYPE, st.data,
                                   st.len, k);
    if (!rc) {
        ann[0].key = SG_ANNOT_PREDICATE_TYPE;
        ann[0].value = sg_attest_predicate_uri(o->type);
        ann[1].key = SG_ANNOT_COSIGN_SIG;
        ann[1].value = "";
        rc = sg_sign_append_layer(s, o->digest, "att", env.data, env.len,
                                  SG_MT_DSSE_ENVELOPE, ann, 2);
    }
    sg_buf_release(&st);
    sg_buf_release(&env);
    return rc;
}

sg_err sg_attach_sbom(struct sg_oci_store *s,
                      const char *digest,
                      const void *sbom,
                      size_t len,
                      const char *media_type)
{
    struct sg_buf tag = SG_BUF_INIT(256);
    struct sg_buf cfg = SG_BUF_INIT(4096);
    struct sg_buf man = SG_BUF_INIT(8192);
    char *layer_digest = NULL, *cfg_digest = NULL;
    const char *ids[1];
    json_t *mj = NULL;
    sg_err rc;

    SG_ASSERT_ARG(s && digest && media_type);
    rc = sg_sign_tag_for(&tag, digest, "sbom");
    if (!rc)
        rc = sg_oci_store_put_blob_buf(s, sbom, len, &layer_digest);
    if (!rc) {
        ids[0] = layer_digest;
        rc = sg_sign__sig_config(&cfg, ids, 1, NULL);
    }
    if (!rc)
        rc = sg_oci_store_put_blob_buf(s, cfg.data, cfg.len, &cfg_digest);
    if (!rc) {
        /* cosign's `attach sbom` manifest: one layer, the SBOM itself. */
        mj = json_pack("{s:i,s:s,s:{s:s,s:I,s:s},s:[{s:s,s:I,s:s}]}",
                       "schemaVersion", 2, "mediaType", SG_MT_OCI_MANIFEST,
                       "config", "mediaType", SG_MT_OCI_CONFIG, "size",
                       (json_int_t)cfg.len, "digest", cfg_digest, "layers",
                       "mediaType", media_type, "size", (json_int_t)len,
                       "digest", layer_digest);
        rc = sg_json_dump_buf(&man, mj, 0);
    }
    if (!rc)
        rc = sg_oci_store_put_manifest(s, tag.data, SG_MT_OCI_MANIFEST,
                                       man.data, man.len, NULL);
    json_decref(mj);
    free(layer_digest);
    free(cfg_digest);
    sg_buf_release(&tag);
    sg_buf_release(&cfg);
    sg_buf_release(&man);
    return rc;
}

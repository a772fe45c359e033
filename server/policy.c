/*
 * ClusterImagePolicy loading: sigstore policy-controller's CRD
 * (policy.sigstore.dev/v1alpha1 and v1beta1, the field names of
 * pkg/apis/policy/v1beta1/clusterimagepolicy_types.go) read from YAML or
 * JSON with libyaml's document API. Untrusted input: files, documents,
 * nesting, nodes (aliases included), list entries and scalars are bounded.
 * Each document is first turned into a jansson tree, then walked with the
 * list of fields each object may carry; unknown fields are warned about
 * once per load, what sigil cannot do is refused by name.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <yaml.h>

#include "policy_int.h"
#include "sigil/verify.h"

/* ------------------------------------------------------------------ */
/* YAML -> JSON tree                                                    */

struct conv {
    yaml_document_t *doc;
    size_t nodes;
    const char *what;
};

static sg_err
conv_node(json_t **out, struct conv *c, yaml_node_t *n, size_t depth)
{
    json_t *v = NULL;
    sg_err rc = SG_OK;

    *out = NULL;
    if (!n)
        return sg_error_set(SG_EPARSE, "%s: broken YAML node", c->what);
    if (depth > SG_PA_DEPTH_MAX)
        return sg_error_set(SG_ELIMIT, "%s: nested deeper than %u", c->what,
                            SG_PA_DEPTH_MAX);
    if (++c->nodes > SG_PA_NODES_MAX)
        return sg_error_set(SG_ELIMIT, "%s: more than %u YAML nodes", c->what,
                            SG_PA_NODES_MAX);
    switch (n->type) {
    case YAML_SCALAR_NODE:
        if (n->data.scalar.length > SG_PA_SCALAR_MAX)
            return sg_error_set(SG_ELIMIT, "%s: a value longer than %u bytes",
                                c->what, SG_PA_SCALAR_MAX);
        /* Every scalar is kept as a string: the fields read are strings. */
        v = json_stringn((const char *)n->data.scalar.value,
                         n->data.scalar.length);
        if (!v)
            return sg_error_set(SG_EPARSE, "%s: a value is not UTF-8", c->what);
        break;
    case YAML_SEQUENCE_NODE: {
        yaml_node_item_t *it = n->data.sequence.items.start;
        v = json_array();
        if (!v)
            return sg_error_oom();
        for (; !rc && it < n->data.sequence.items.top; it++) {
            json_t *e = NULL;
            if (json_array_size(v) >= SG_PA_ITEMS_MAX) {
                rc = sg_error_set(SG_ELIMIT, "%s: a list longer than %u",
                                  c->what, SG_PA_ITEMS_MAX);
                break;
            }
            rc = conv_node(&e, c, yaml_document_get_node(c->doc, *it),
                           depth + 1);
            if (!rc && json_array_append_new(v, e))
                rc = sg_error_oom();
        }
        break;
    }
    case YAML_MAPPING_NODE: {
        yaml_node_pair_t *pr = n->data.mapping.pairs.start;
        v = json_object();
        if (!v)
            return sg_error_oom();
        for (; !rc && pr < n->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
            json_t *e = NULL;
            char key[256];

            if (!k || k->type != YAML_SCALAR_NODE ||
                k->data.scalar.length >= sizeof(key) ||
                memchr(k->data.scalar.value, 0, k->data.scalar.length)) {
                rc = sg_error_set(SG_EPARSE,
                                  "%s: a mapping key is not a short string",
                                  c->what);
                break;
            }
            if (json_object_size(v) >= SG_PA_ITEMS_MAX) {
                rc = sg_error_set(SG_ELIMIT,
                                  "%s: a mapping with more than %u"
                                  " keys",
                                  c->what, SG_PA_ITEMS_MAX);
                break;
            }
            memcpy(key, k->data.scalar.value, k->data.scalar.length);
            key[k->data.scalar.length] = '\0';
            if (json_object_get(v, key)) {
                char esc[300];
                rc = sg_error_set(SG_EPARSE, "%s: duplicate key \"%s\"",
                                  c->what, sg_escape(esc, sizeof(esc), key));
                break;
            }
            rc = conv_node(&e, c, yaml_document_get_node(c->doc, pr->value),
                           depth + 1);
            if (!rc && json_object_set_new(v, key, e))
                rc = sg_error_set(SG_EPARSE, "%s: a key is not UTF-8", c->what);
        }
        break;
    }
    default:
        return sg_error_set(SG_EPARSE, "%s: empty YAML node", c->what);
    }
    if (rc) {
        json_decref(v);
        return rc;
    }
    *out = v;
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* Walking one document                                                 */

struct pst {
    struct sg_admit_policies *p;
    const struct sg_ctx *ctx;
    const char *what;     /* file name */
    struct sg_buf warned; /* "\n"-separated paths already warned about */
    char path[512];       /* the field being read, for messages */
};

/* Warn once per load about `path` (an unknown or ignored field). */
static void warn_once(struct pst *st, const char *path, const char *why)
{
    char needle[300];
    char esc[300];

    snprintf(needle, sizeof(needle), "\n%s\n", path);
    if (st->warned.len && strstr(st->warned.data, needle))
        return;
    if (!st->warned.len && sg_buf_addc(&st->warned, '\n'))
        return;
    if (sg_buf_adds(&st->warned, needle + 1))
        return;
    sg_warn(st->ctx, "%s: %s: %s", st->what, sg_escape(esc, sizeof(esc), path),
            why);
}

/* Warn about every key of obj not in allowed (NULL-terminated). */
static void check_keys(struct pst *st,
                       json_t *obj,
                       const char *path,
                       const char *const *allowed)
{
    const char *k;
    json_t *v;

    json_object_foreach(obj, k, v)
    {
        size_t i;
        char full[400];
        (void)v;
        for (i = 0; allowed[i]; i++) {
            if (strcmp(allowed[i], k) == 0)
                break;
        }
        if (allowed[i])
            continue;
        snprintf(full, sizeof(full), "%s.%s", path, k);
        warn_once(st, full, "unknown field, ignored");
    }
}

static sg_err
want_obj(json_t **out, struct pst *st, json_t *v, const char *path)
{
    char esc[300];

    *out = NULL;
    if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)))
        return SG_OK;
    if (!json_is_object(v))
        return sg_error_set(SG_EPARSE, "%s: %s: not a mapping", st->what,
                            sg_escape(esc, sizeof(esc), path));
    *out = v;
    return SG_OK;
}

static sg_err
want_arr(json_t **out, struct pst *st, json_t *v, const char *path)
{
    char esc[300];

    *out = NULL;
    if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)))
        return SG_OK;
    if (!json_is_array(v))
        return sg_error_set(SG_EPARSE, "%s: %s: not a list", st->what,
                            sg_escape(esc, sizeof(esc), path));
    *out = v;
    return SG_OK;
}

/* A string field (NULL when absent). */
static sg_err want_str(const char **out,
                       struct pst *st,
                       json_t *obj,
                       const char *key,
                       const char *path)
{
    json_t *v = json_object_get(obj, key);
    char esc[300];

    *out = NULL;
    if (!v || json_is_null(v))
        return SG_OK;
    if (!json_is_string(v))
        return sg_error_set(SG_EPARSE, "%s: %s.%s: not a string", st->what,
                            sg_escape(esc, sizeof(esc), path), key);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return sg_error_set(SG_EPARSE, "%s: %s.%s: contains NUL", st->what,
                            sg_escape(esc, sizeof(esc), path), key);
    *out = json_string_value(v);
    return SG_OK;
}

/* Names and messages are kept as written (escaped where shown). */
static char *dup_str(const char *s)
{
    return strdup(s);
}

static sg_err
refuse(struct pst *st, const char *name, const char *field, const char *why)
{
    char esc[300];

    return sg_error_set(SG_EUNSUPPORTED, "%s: ClusterImagePolicy %s: %s: %s",
                        st->what, sg_escape(esc, sizeof(esc), name), field,
                        why);
}

static sg_err parse_attestation(struct sg_pa_attestation *a,
                                struct pst *st,
                                const char *pname,
                                json_t *o)
{
    static const char *const keys[] = { "name", "predicateType", "policy",
                                        NULL };
    static const char *const pkeys[] = { "type",
                                         "data",
                                         "remote",
                                         "configMapRef",
                                         "fetchConfigFile",
                                         "includeSpec",
                                         "includeObjectMeta",
                                         "includeTypeMeta",
                                         NULL };
    const char *name, *pt, *type, *data;
    json_t *pol;
    sg_err rc;

    if (!json_is_object(o))
        return refuse(st, pname, "attestations[]", "not a mapping");
    check_keys(st, o, "spec.authorities[].attestations[]", keys);
    if ((rc = want_str(&name, st, o, "name", "attestations[]")) ||
        (rc = want_str(&pt, st, o, "predicateType", "attestations[]")) ||
        (rc = want_obj(&pol, st, json_object_get(o, "policy"),
                       "attestations[].policy")))
        return rc;
    if (!pt || !*pt)
        return refuse(st, pname, "attestations[].predicateType", "required");
    a->name = dup_str(name ? name : "");
    a->predicate_type = strdup(pt);
    if (!a->name || !a->predicate_type)
        return sg_error_oom();
    if (!pol)
        return SG_OK;
    check_keys(st, pol, "spec.authorities[].attestations[].policy", pkeys);
    if ((rc = want_str(&type, st, pol, "type", "policy")) ||
        (rc = want_str(&data, st, pol, "data", "policy")))
        return rc;
    if (json_object_get(pol, "remote") || json_object_get(pol, "configMapRef"))
        return refuse(st, pname, "attestations[].policy.remote/configMapRef",
                      "policies are read from the policy file only (data)");
    if (type && (strcmp(type, "cue") == 0 || strcmp(type, "rego") == 0))
        return refuse(st, pname, "attestations[].policy.type",
                      strcmp(type, "cue") == 0
                          ? "cue policies are not supported (use type: jq)"
                          : "rego policies are not supported (use type: jq)");
    if (!type || strcmp(type, "jq") != 0)
        return refuse(st, pname, "attestations[].policy.type",
                      "only jq is supported");
    if (!data || !*data)
        return refuse(st, pname, "attestations[].policy.data",
                      "a jq program is required");
    if (json_object_get(pol, "includeSpec") ||
        json_object_get(pol, "includeObjectMeta") ||
        json_object_get(pol, "includeTypeMeta") ||
        json_object_get(pol, "fetchConfigFile"))
        warn_once(st, "spec.authorities[].attestations[].policy.include*",
                  "ignored: jq programs see the verified statement only");
    if ((rc = sg_pa_jq_check(data)) != SG_OK) {
        char esc[300];
        return sg_error_prefix(rc,
                               "%s: ClusterImagePolicy %s: attestation "
                               "policy",
                               st->what, sg_escape(esc, sizeof(esc), pname));
    }
    a->jq = strdup(data);
    return a->jq ? SG_OK : sg_error_oom();
}

/* A YAML/JSON boolean as the converter left it (every scalar is a
 * string): 1 true, 0 false or absent, -1 anything else. */
static int want_bool(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    const char *s;

    if (!v || json_is_null(v))
        return 0;
    if (json_is_true(v))
        return 1;
    if (json_is_false(v))
        return 0;
    s = json_string_value(v);
    if (!s)
        return -1;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return 1;
    if (!*s || !strcmp(s, "false") || !strcmp(s, "False") ||
        !strcmp(s, "FALSE"))
        return 0;
    return -1;
}

/* source[]: cosign's signature repository override (COSIGN_REPOSITORY).
 * The verify core reads signatures from the store it is given, so a
 * source is a store opened on that repository, searched for the image's
 * digest. */
static sg_err parse_sources(struct sg_pa_authority *a,
                            struct pst *st,
                            const char *pname,
                            json_t *srcs)
{
    static const char *const keys[] = { "oci", "signaturePullSecrets",
                                        "tagPrefix", NULL };
    sg_err rc;

    if (!srcs || !json_array_size(srcs))
        return SG_OK;
    a->sources = calloc(json_array_size(srcs), sizeof(char *));
    if (!a->sources)
        return sg_error_oom();
    for (size_t i = 0; i < json_array_size(srcs); i++) {
        json_t *o = json_array_get(srcs, i);
        struct sg_oci_ref ref;
        struct sg_buf b = SG_BUF_INIT(4096);
        const char *oci, *tp, *last;

        if (!json_is_object(o))
            return refuse(st, pname, "authorities[].source[]", "not a mapping");
        check_keys(st, o, "spec.authorities[].source[]", keys);
        if ((rc = want_str(&oci, st, o, "oci", "source[]")) ||
            (rc = want_str(&tp, st, o, "tagPrefix", "source[]")))
            return rc;
        if (tp && *tp)
            return refuse(st, pname, "authorities[].source[].tagPrefix",
                          "not supported: signatures are found under "
                          "cosign's sha256-<hex> tags and referrers");
        if (json_object_get(o, "signaturePullSecrets"))
            warn_once(st, "spec.authorities[].source[].signaturePullSecrets",
                      "ignored: Kubernetes secrets are not read; signatures "
                      "are pulled with sigil serve's registry credentials");
        if (!oci || !*oci)
            return refuse(st, pname, "authorities[].source[].oci",
                          "a repository is required");
        memset(&ref, 0, sizeof(ref));
        /* a repository: no "@digest", no ":tag" after the last "/" (a
         * registry's ":port" comes before it) */
        last = strrchr(oci, '/');
        if (strchr(oci, '@') || strchr(last ? last : oci, ':'))
            rc = sg_error_set(SG_EPARSE, "a repository, not an image");
        else
            rc = sg_oci_ref_parse(&ref, oci);
        if (!rc)
            rc = sg_oci_ref_repo_name(&b, &ref);
        if (!rc && !(a->sources[a->n_sources] = strdup(b.data)))
            rc = sg_error_oom();
        sg_oci_ref_release(&ref);
        sg_buf_release(&b);
        if (rc) {
            /* the reference parser quotes the value as written: escaped
             * again, so the message stays one line */
            char esc[300], eo[300], er[600];
            sg_escape(er, sizeof(er), sg_error_last());
            return sg_error_set(rc,
                                "%s: ClusterImagePolicy %s: "
                                "authorities[].source[].oci \"%s\": %s",
                                st->what, sg_escape(esc, sizeof(esc), pname),
                                sg_escape(eo, sizeof(eo), oci), er);
        }
        a->n_sources++;
    }
    return SG_OK;
}

/* One keyless identity. policy-controller only warns when the subject
 * or the issuer is missing; sigil refuses: every Fulcio certificate
 * chains to the same root, so a missing one would admit anybody who can
 * log in somewhere (the verify core requires both for the same reason). */
static sg_err parse_identity(struct sg_pa_identity *id,
                             struct pst *st,
                             const char *pname,
                             json_t *o)
{
    static const char *const keys[] = { "issuer", "subject", "issuerRegExp",
                                        "subjectRegExp", NULL };
    const char *v[4];
    char **dst[4] = { &id->issuer, &id->subject, &id->issuer_re,
                      &id->subject_re };
    sg_err rc;

    if (!json_is_object(o))
        return refuse(st, pname, "keyless.identities[]", "not a mapping");
    check_keys(st, o, "spec.authorities[].keyless.identities[]", keys);
    for (int i = 0; i < 4; i++) {
        if ((rc = want_str(&v[i], st, o, keys[i], "identities[]")))
            return rc;
        if (v[i] && !*v[i])
            v[i] = NULL; /* Go's omitempty: "" is absent */
    }
    if (v[0] && v[2])
        return refuse(st, pname, "keyless.identities[]",
                      "give one of issuer and issuerRegExp");
    if (v[1] && v[3])
        return refuse(st, pname, "keyless.identities[]",
                      "give one of subject and subjectRegExp");
    if (!v[0] && !v[2])
        return refuse(st, pname, "keyless.identities[]",
                      "issuer or issuerRegExp is required");
    if (!v[1] && !v[3])
        return refuse(st, pname, "keyless.identities[]",
                      "subject or subjectRegExp is required");
    for (int i = 2; i < 4; i++) {
        if (v[i] && (rc = sg_verify_regexp_check(v[i])) != SG_OK) {
            char esc[300];
            return sg_error_prefix(rc,
                                   "%s: ClusterImagePolicy %s: "
                                   "keyless.identities[].%s",
                                   st->what, sg_escape(esc, sizeof(esc), pname),
                                   keys[i]);
        }
    }
    for (int i = 0; i < 4; i++) {
        if (v[i] && !(*dst[i] = strdup(v[i])))
            return sg_error_oom();
    }
    return SG_OK;
}

/* The root a trustRootRef names ("" or NULL: the default). */
static const struct sg_pa_root *find_root(const struct sg_admit_policies *p,
                                          const char *ref)
{
    if (!ref || !*ref)
        return p->n_roots ? &p->roots[0] : NULL;
    for (size_t i = 1; i < p->n_roots; i++) {
        if (p->roots[i].name && !strcmp(p->roots[i].name, ref))
            return &p->roots[i];
    }
    return NULL;
}

/* Another trustRootRef of the authority (ctlog, rfc3161timestamp) must
 * name the keyless one's root: the verify core checks a signature
 * against one trusted root holding the Fulcio CAs, CT logs, Rekor logs
 * and TSAs together. */
static sg_err same_root(struct pst *st,
                        const char *pname,
                        json_t *o,
                        const char *field,
                        const char *keyless_ref)
{
    const char *ref;
    sg_err rc;

    if ((rc = want_str(&ref, st, o, "trustRootRef", field)))
        return rc;
    if (ref && *ref && strcmp(ref, keyless_ref ? keyless_ref : "") != 0) {
        char f[64];
        snprintf(f, sizeof(f), "%s.trustRootRef", field);
        return refuse(st, pname, f,
                      "must be the keyless trustRootRef: one trusted root "
                      "holds the CAs, logs and TSAs an authority is "
                      "checked against");
    }
    return SG_OK;
}

static sg_err parse_keyless(struct sg_pa_authority *a,
                            struct pst *st,
                            const char *pname,
                            json_t *kl,
                            json_t *auth)
{
    static const char *const keys[] = {
        "url",          "identities",        "ca-cert",
        "trustRootRef", "insecureIgnoreSCT", NULL
    };
    static const char *const ckeys[] = { "url", "trustRootRef", NULL };
    json_t *ids, *ct, *ts, *v;
    const char *ref, *url, *root_ref;
    int b;
    sg_err rc;

    check_keys(st, kl, "spec.authorities[].keyless", keys);
    v = json_object_get(kl, "ca-cert");
    if (v && !json_is_null(v))
        return refuse(st, pname, "authorities[].keyless.ca-cert",
                      "a custom certificate authority is not supported: put "
                      "it in a trusted root and name that with trustRootRef "
                      "(sigil serve --trust-root NAME=FILE)");
    if ((b = want_bool(kl, "insecureIgnoreSCT")) < 0)
        return refuse(st, pname, "authorities[].keyless.insecureIgnoreSCT",
                      "not a boolean");
    if (b)
        return refuse(st, pname, "authorities[].keyless.insecureIgnoreSCT",
                      "not supported: sigil always verifies the "
                      "certificate's embedded SCT");
    if (json_object_get(kl, "url"))
        warn_once(st, "spec.authorities[].keyless.url",
                  "ignored: keyless signatures are verified offline against "
                  "the trusted root");
    if ((rc = want_str(&ref, st, kl, "trustRootRef", "keyless")) ||
        (rc = want_arr(&ids, st, json_object_get(kl, "identities"),
                       "keyless.identities")) ||
        (rc = want_obj(&ct, st, json_object_get(auth, "ctlog"),
                       "authorities[].ctlog")) ||
        (rc = want_obj(&ts, st, json_object_get(auth, "rfc3161timestamp"),
                       "authorities[].rfc3161timestamp")))
        return rc;
    if (!(a->root = find_root(st->p, ref))) {
        char esc[300], er[300];
        return sg_error_set(SG_EUNSUPPORTED,
                            "%s: ClusterImagePolicy %s: "
                            "authorities[].keyless.trustRootRef: no trusted "
                            "root named \"%s\" (give sigil serve "
                            "--trust-root %s=FILE)",
                            st->what, sg_escape(esc, sizeof(esc), pname),
                            sg_escape(er, sizeof(er), ref), er);
    }
    root_ref = ref && *ref ? ref : NULL;
    if (json_object_get(auth, "ctlog")) {
        if (!ct || (!json_object_get(ct, "url") &&
                    !json_object_get(ct, "trustRootRef")))
            return refuse(st, pname, "authorities[].ctlog",
                          "an empty ctlog turns transparency log "
                          "verification off; sigil always requires the "
                          "Rekor entry of a keyless signature");
        check_keys(st, ct, "spec.authorities[].ctlog", ckeys);
        if ((b = want_bool(ct, "insecureIgnoreSCT")) != 0)
            return refuse(st, pname, "authorities[].ctlog.insecureIgnoreSCT",
                          "not supported: sigil always verifies the "
                          "certificate's embedded SCT");
        if ((rc = want_str(&url, st, ct, "url", "ctlog")))
            return rc;
        if (url)
            warn_once(st, "spec.authorities[].ctlog.url",
                      "ignored: Rekor entries are verified offline against "
                      "the trusted root's logs");
        if ((rc = same_root(st, pname, ct, "ctlog", root_ref)))
            return rc;
    }
    if (ts && (rc = same_root(st, pname, ts, "rfc3161timestamp", root_ref)))
        return rc;
    if (!ids || !json_array_size(ids))
        return refuse(st, pname, "authorities[].keyless.identities",
                      "at least one identity is required");
    a->ids = calloc(json_array_size(ids), sizeof(*a->ids));
    if (!a->ids)
        return sg_error_oom();
    for (size_t i = 0; i < json_array_size(ids); i++) {
        rc = parse_identity(&a->ids[a->n_ids++], st, pname,
                            json_array_get(ids, i));
        if (rc)
            return rc;
    }
    a->kind = SG_PA_AUTH_KEYLESS;
    return SG_OK;
}

static sg_err parse_authority(struct sg_pa_authority *a,
                              struct pst *st,
                              const char *pname,
                              json_t *o,
                              size_t index)
{
    static const char *const keys[] = { "name",
                                        "key",
                                        "keyless",
                                        "static",
                                        "source",
                                        "ctlog",
                                        "attestations",
                                        "rfc3161timestamp",
                                        "signatureFormat",
                                        NULL };
    static const char *const kkeys[] = { "data", "secretRef", "kms",
                                         "hashAlgorithm", NULL };
    static const char *const skeys[] = { "action", "message", NULL };
    json_t *key, *kl, *stat, *atts, *srcs;
    const char *name, *s;
    int kinds = 0;
    sg_err rc;

    if (!json_is_object(o))
        return refuse(st, pname, "authorities[]", "not a mapping");
    check_keys(st, o, "spec.authorities[]", keys);
    if ((rc = want_str(&name, st, o, "name", "authorities[]")) ||
        (rc = want_obj(&key, st, json_object_get(o, "key"),
                       "authorities[].key")) ||
        (rc = want_obj(&kl, st, json_object_get(o, "keyless"),
                       "authorities[].keyless")) ||
        (rc = want_obj(&stat, st, json_object_get(o, "static"),
                       "authorities[].static")) ||
        (rc = want_arr(&atts, st, json_object_get(o, "attestations"),
                       "authorities[].attestations")) ||
        (rc = want_arr(&srcs, st, json_object_get(o, "source"),
                       "authorities[].source")))
        return rc;
    if (name && *name) {
        a->name = dup_str(name);
    } else {
        /* policy-controller's SetDefaults: "authority-<index>". */
        char def[32];
        snprintf(def, sizeof(def), "authority-%zu", index);
        a->name = dup_str(def);
    }
    if (!a->name)
        return sg_error_oom();
    kinds = !!key + !!stat + !!kl;
    if (kinds != 1)
        return refuse(st, pname, "authorities[]",
                      "exactly one of key, keyless, static is required");
    if (!kl && json_object_get(o, "ctlog"))
        warn_once(st, "spec.authorities[].ctlog",
                  "ignored: key-signed images are verified offline, the "
                  "transparency log is not consulted");
    if (!kl && json_object_get(o, "rfc3161timestamp"))
        warn_once(st, "spec.authorities[].rfc3161timestamp",
                  "ignored: key-signed images are verified offline");
    if ((rc = want_str(&s, st, o, "signatureFormat", "authorities[]")))
        return rc;
    if (s && *s && strcmp(s, "simplesigning") != 0 && strcmp(s, "bundle"))
        return refuse(st, pname, "authorities[].signatureFormat",
                      "must be simplesigning or bundle");
    if (stat) {
        check_keys(st, stat, "spec.authorities[].static", skeys);
        if ((rc = want_str(&s, st, stat, "action", "static")))
            return rc;
        a->kind = SG_PA_AUTH_STATIC;
        if (s && strcmp(s, "pass") == 0)
            a->static_pass = 1;
        else if (!s || strcmp(s, "fail") != 0)
            return refuse(st, pname, "authorities[].static.action",
                          "must be pass or fail");
        if ((rc = want_str(&s, st, stat, "message", "static")))
            return rc;
        if (s && !(a->static_message = dup_str(s)))
            return sg_error_oom();
        if (atts)
            return refuse(st, pname, "authorities[].attestations",
                          "not with a static authority");
        if (srcs)
            warn_once(st, "spec.authorities[].source",
                      "ignored: a static authority reads no signatures");
        return SG_OK;
    }
    if ((rc = parse_sources(a, st, pname, srcs)))
        return rc;
    if (kl) {
        if ((rc = parse_keyless(a, st, pname, kl, o)))
            return rc;
    } else {
        check_keys(st, key, "spec.authorities[].key", kkeys);
        if (json_object_get(key, "secretRef"))
            return refuse(st, pname, "authorities[].key.secretRef",
                          "Kubernetes secrets are not read; put the PEM "
                          "public key in key.data");
        if (json_object_get(key, "kms"))
            return refuse(st, pname, "authorities[].key.kms",
                          "KMS keys are not supported; put the PEM public "
                          "key in key.data");
        if ((rc = want_str(&s, st, key, "hashAlgorithm", "key")))
            return rc;
        if (s && *s && strcmp(s, "sha256") != 0)
            return refuse(st, pname, "authorities[].key.hashAlgorithm",
                          "only sha256 is supported");
        if ((rc = want_str(&s, st, key, "data", "key")))
            return rc;
        if (!s || !*s)
            return refuse(st, pname, "authorities[].key.data",
                          "a PEM public key is required");
        a->kind = SG_PA_AUTH_KEY;
        if ((rc = sg_sign_key_load_public(&a->key, s, strlen(s))) != SG_OK) {
            char esc[300];
            return sg_error_prefix(rc, "%s: ClusterImagePolicy %s: key.data",
                                   st->what,
                                   sg_escape(esc, sizeof(esc), pname));
        }
    }
    if (atts && json_array_size(atts)) {
        a->att = calloc(json_array_size(atts), sizeof(*a->att));
        if (!a->att)
            return sg_error_oom();
        for (size_t i = 0; i < json_array_size(atts); i++) {
            rc = parse_attestation(&a->att[a->n_att++], st, pname,
                                   json_array_get(atts, i));
            if (rc)
                return rc;
        }
    }
    return SG_OK;
}

static sg_err
parse_match(struct sg_pa_match *m, struct pst *st, const char *pname, json_t *o)
{
    static const char *const keys[] = { "group", "version", "resource",
                                        "selector", NULL };
    static const char *const skeys[] = { "matchLabels", "matchExpressions",
                                         NULL };
    json_t *sel, *labels;
    const char *g, *v, *r;
    sg_err rc;

    if (!json_is_object(o))
        return refuse(st, pname, "match[]", "not a mapping");
    check_keys(st, o, "spec.match[]", keys);
    if ((rc = want_str(&g, st, o, "group", "match[]")) ||
        (rc = want_str(&v, st, o, "version", "match[]")) ||
        (rc = want_str(&r, st, o, "resource", "match[]")) ||
        (rc = want_obj(&sel, st, json_object_get(o, "selector"),
                       "match[].selector")))
        return rc;
    m->group = strdup(g ? g : "");
    m->version = strdup(v ? v : "");
    m->resource = strdup(r ? r : "");
    if (!m->group || !m->version || !m->resource)
        return sg_error_oom();
    if (!sel)
        return SG_OK;
    check_keys(st, sel, "spec.match[].selector", skeys);
    if (json_object_get(sel, "matchExpressions"))
        return refuse(st, pname, "match[].selector.matchExpressions",
                      "not supported (use matchLabels)");
    if ((rc = want_obj(&labels, st, json_object_get(sel, "matchLabels"),
                       "match[].selector.matchLabels")) ||
        !labels)
        return rc;
    m->label_keys = calloc(json_object_size(labels) + 1, sizeof(char *));
    m->label_values = calloc(json_object_size(labels) + 1, sizeof(char *));
    if (!m->label_keys || !m->label_values)
        return sg_error_oom();
    {
        const char *k;
        json_t *val;
        json_object_foreach(labels, k, val)
        {
            if (!json_is_string(val))
                return refuse(st, pname, "match[].selector.matchLabels",
                              "values must be strings");
            m->label_keys[m->n_labels] = strdup(k);
            m->label_values[m->n_labels] = strdup(json_string_value(val));
            if (!m->label_keys[m->n_labels++] ||
                !m->label_values[m->n_labels - 1])
                return sg_error_oom();
        }
    }
    return SG_OK;
}

static void policy_release(struct sg_pa_policy *pol)
{
    free(pol->name);
    for (size_t i = 0; i < pol->n_globs; i++)
        free(pol->globs[i]);
    free(pol->globs);
    for (size_t i = 0; i < pol->n_match; i++) {
        struct sg_pa_match *m = &pol->match[i];
        free(m->group);
        free(m->version);
        free(m->resource);
        for (size_t j = 0; j < m->n_labels; j++) {
            free(m->label_keys[j]);
            free(m->label_values[j]);
        }
        free(m->label_keys);
        free(m->label_values);
    }
    free(pol->match);
    for (size_t i = 0; i < pol->n_auth; i++) {
        struct sg_pa_authority *a = &pol->auth[i];
        free(a->name);
        sg_sign_key_free(a->key);
        free(a->static_message);
        for (size_t j = 0; j < a->n_att; j++) {
            free(a->att[j].name);
            free(a->att[j].predicate_type);
            free(a->att[j].jq);
        }
        free(a->att);
        for (size_t j = 0; j < a->n_ids; j++) {
            free(a->ids[j].subject);
            free(a->ids[j].subject_re);
            free(a->ids[j].issuer);
            free(a->ids[j].issuer_re);
        }
        free(a->ids);
        for (size_t j = 0; j < a->n_sources; j++)
            free(a->sources[j]);
        free(a->sources);
    }
    free(pol->auth);
    memset(pol, 0, sizeof(*pol));
}

static sg_err
parse_policy(struct sg_pa_policy *pol, struct pst *st, json_t *doc)
{
    static const char *const top[] = { "apiVersion", "kind",   "metadata",
                                       "spec",       "status", NULL };
    static const char *const skeys[] = { "images", "authorities", "policy",
                                         "mode",   "match",       NULL };
    static const char *const ikeys[] = { "glob", NULL };
    json_t *meta, *spec, *images, *auths, *match;
    const char *av, *kind, *name = NULL, *mode;
    char esc[300];
    sg_err rc;

    if (!json_is_object(doc))
        return sg_error_set(SG_EPARSE, "%s: a document is not a mapping",
                            st->what);
    if ((rc = want_str(&av, st, doc, "apiVersion", "")) ||
        (rc = want_str(&kind, st, doc, "kind", "")))
        return rc;
    if (!av || (strcmp(av, "policy.sigstore.dev/v1alpha1") != 0 &&
                strcmp(av, "policy.sigstore.dev/v1beta1") != 0))
        return sg_error_set(SG_EUNSUPPORTED,
                            "%s: unsupported apiVersion \"%s\" (want "
                            "policy.sigstore.dev/v1alpha1 or v1beta1)",
                            st->what,
                            sg_escape(esc, sizeof(esc), av ? av : ""));
    if (!kind || strcmp(kind, "ClusterImagePolicy") != 0)
        return sg_error_set(SG_EUNSUPPORTED,
                            "%s: unsupported kind \"%s\" (want "
                            "ClusterImagePolicy)",
                            st->what,
                            sg_escape(esc, sizeof(esc), kind ? kind : ""));
    check_keys(st, doc, "", top);
    if ((rc = want_obj(&meta, st, json_object_get(doc, "metadata"),
                       "metadata")) ||
        (meta && (rc = want_str(&name, st, meta, "name", "metadata"))) ||
        (rc = want_obj(&spec, st, json_object_get(doc, "spec"), "spec")))
        return rc;
    if (!name)
        name = "(unnamed)";
    if (!(pol->name = dup_str(name)))
        return sg_error_oom();
    if (!spec)
        return refuse(st, name, "spec", "required");
    check_keys(st, spec, "spec", skeys);
    if (json_object_get(spec, "policy"))
        return refuse(st, name, "spec.policy",
                      "policies over the authorities' results are not "
                      "supported");
    if ((rc = want_str(&mode, st, spec, "mode", "spec")))
        return rc;
    if (mode && strcmp(mode, "warn") == 0)
        pol->warn = 1;
    else if (mode && *mode && strcmp(mode, "enforce") != 0)
        return refuse(st, name, "spec.mode", "must be enforce or warn");
    if ((rc = want_arr(&images, st, json_object_get(spec, "images"),
                       "spec.images")) ||
        (rc = want_arr(&auths, st, json_object_get(spec, "authorities"),
                       "spec.authorities")) ||
        (rc = want_arr(&match, st, json_object_get(spec, "match"),
                       "spec.match")))
        return rc;
    if (!images || !json_array_size(images))
        return refuse(st, name, "spec.images", "at least one glob required");
    if (!auths || !json_array_size(auths))
        return refuse(st, name, "spec.authorities",
                      "at least one authority required");
    pol->globs = calloc(json_array_size(images), sizeof(char *));
    pol->auth = calloc(json_array_size(auths), sizeof(*pol->auth));
    if (match)
        pol->match = calloc(json_array_size(match) + 1, sizeof(*pol->match));
    if (!pol->globs || !pol->auth || (match && !pol->match))
        return sg_error_oom();
    for (size_t i = 0; i < json_array_size(images); i++) {
        json_t *im = json_array_get(images, i);
        const char *g;
        if (!json_is_object(im))
            return refuse(st, name, "spec.images[]", "not a mapping");
        check_keys(st, im, "spec.images[]", ikeys);
        if ((rc = want_str(&g, st, im, "glob", "spec.images[]")))
            return rc;
        if (!g || strlen(g) > SG_PA_GLOB_MAX || !sg_pa_glob_valid(g)) {
            char eg[300];
            sg_escape(eg, sizeof(eg), g ? g : "");
            return sg_error_set(SG_EPARSE,
                                "%s: ClusterImagePolicy %s: invalid glob "
                                "\"%s\"",
                                st->what, sg_escape(esc, sizeof(esc), name),
                                eg);
        }
        if (!(pol->globs[pol->n_globs++] = strdup(g)))
            return sg_error_oom();
    }
    for (size_t i = 0; i < json_array_size(auths); i++) {
        rc = parse_authority(&pol->auth[pol->n_auth++], st, name,
                             json_array_get(auths, i), i);
        if (rc)
            return rc;
    }
    for (size_t i = 0; match && i < json_array_size(match); i++) {
        rc = parse_match(&pol->match[pol->n_match++], st, name,
                         json_array_get(match, i));
        if (rc)
            return rc;
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* Sets                                                                 */

sg_err sg_pa_new(struct sg_admit_policies **out, uint64_t generation)
{
    struct sg_admit_policies *p = calloc(1, sizeof(*p));

    *out = NULL;
    if (!p)
        return sg_error_oom();
    p->refs = 1;
    p->generation = generation;
    p->roots = calloc(1, sizeof(*p->roots));
    if (!p->roots) {
        free(p);
        return sg_error_oom();
    }
    p->n_roots = 1;
    p->roots[0].data = sg_verify_trust_builtin(&p->roots[0].len, NULL);
    *out = p;
    return SG_OK;
}

/* Read one trusted root and check that it parses (the verify core parses
 * it again per verification: the bytes are what the generation holds). */
static sg_err root_read(struct sg_pa_root *r, const char *path)
{
    struct sg_buf b = SG_BUF_INIT(SG_PA_ROOT_MAX);
    struct sg_sigstore_trust *t = NULL;
    sg_err rc = sg_file_read(&b, path, SG_PA_ROOT_MAX);

    if (!rc)
        rc = sg_sigstore_trust_parse(&t, b.data, b.len);
    sg_sigstore_trust_free(t);
    if (!rc) {
        size_t len = b.len;
        char *data = NULL;
        rc = sg_buf_take(&data, &len, &b);
        r->owned = (unsigned char *)data;
        r->data = r->owned;
        r->len = len;
    }
    sg_buf_release(&b);
    if (rc) {
        char esc[300];
        return sg_error_prefix(rc, "trusted root %s",
                               sg_escape(esc, sizeof(esc), path));
    }
    return SG_OK;
}

sg_err sg_pa_roots_load(struct sg_admit_policies *p,
                        const struct sg_admit_roots *r)
{
    struct sg_pa_root *nv;
    sg_err rc;

    if (!r)
        return SG_OK;
    if (r->n_named > SG_PA_ROOTS_MAX)
        return sg_error_set(SG_ELIMIT, "more than %u named trusted roots",
                            SG_PA_ROOTS_MAX);
    if (r->default_path && (rc = root_read(&p->roots[0], r->default_path)))
        return rc;
    nv = realloc(p->roots, (p->n_roots + r->n_named) * sizeof(*p->roots));
    if (!nv)
        return sg_error_oom();
    p->roots = nv;
    for (size_t i = 0; i < r->n_named; i++) {
        struct sg_pa_root *x = &p->roots[p->n_roots];
        char esc[300];

        memset(x, 0, sizeof(*x));
        for (size_t j = 1; j < p->n_roots; j++) {
            if (!strcmp(p->roots[j].name, r->named[i].name))
                return sg_error_set(
                    SG_EINVAL, "trusted root %s named twice",
                    sg_escape(esc, sizeof(esc), r->named[i].name));
        }
        if (!(x->name = strdup(r->named[i].name)))
            return sg_error_oom();
        p->n_roots++; /* freed with the set from here on */
        if ((rc = root_read(x, r->named[i].path)))
            return sg_error_prefix(rc, "%s",
                                   sg_escape(esc, sizeof(esc), x->name));
    }
    return SG_OK;
}

static sg_err parse_docs(struct sg_admit_policies *p,
                         struct pst *st,
                         const void *data,
                         size_t len,
                         size_t *docs)
{
    yaml_parser_t parser;
    sg_err rc = SG_OK;

    if (len > SG_PA_FILE_MAX)
        return sg_error_set(SG_ELIMIT, "%s: larger than %u bytes", st->what,
                            SG_PA_FILE_MAX);
    if (!yaml_parser_initialize(&parser))
        return sg_error_oom();
    yaml_parser_set_input_string(&parser, data, len);
    for (;;) {
        yaml_document_t doc;
        yaml_node_t *root;
        json_t *j = NULL;
        struct conv c = { &doc, 0, st->what };

        if (!yaml_parser_load(&parser, &doc)) {
            char esc[300];
            rc = sg_error_set(
                SG_EPARSE, "%s: YAML: %s (line %zu)", st->what,
                sg_escape(esc, sizeof(esc),
                          parser.problem ? parser.problem : "error"),
                parser.problem_mark.line + 1);
            break;
        }
        root = yaml_document_get_root_node(&doc);
        if (!root) { /* end of the stream */
            yaml_document_delete(&doc);
            break;
        }
        if (++*docs > SG_PA_DOCS_MAX) {
            yaml_document_delete(&doc);
            rc = sg_error_set(SG_ELIMIT, "%s: more than %u documents", st->what,
                              SG_PA_DOCS_MAX);
            break;
        }
        rc = conv_node(&j, &c, root, 0);
        yaml_document_delete(&doc);
        if (rc)
            break;
        /* An empty document ("---" alone, or null) carries nothing. */
        if (!(json_is_string(j) && json_string_length(j) == 0)) {
            struct sg_pa_policy pol;
            struct sg_pa_policy *nv;

            memset(&pol, 0, sizeof(pol));
            rc = parse_policy(&pol, st, j);
            if (!rc) {
                nv = realloc(p->v, (p->n + 1) * sizeof(*p->v));
                if (!nv)
                    rc = sg_error_oom();
                else {
                    p->v = nv;
                    p->v[p->n++] = pol;
                }
            }
            if (rc)
                policy_release(&pol);
        }
        json_decref(j);
        if (rc)
            break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

sg_err sg_pa_parse(struct sg_admit_policies *p,
                   const void *data,
                   size_t len,
                   const char *what,
                   size_t *docs,
                   const struct sg_ctx *ctx)
{
    struct pst st;
    sg_err rc;

    memset(&st, 0, sizeof(st));
    st.p = p;
    st.ctx = ctx;
    st.what = what;
    sg_buf_init(&st.warned, 64 * 1024);
    rc = parse_docs(p, &st, data, len, docs);
    sg_buf_release(&st.warned);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

sg_err sg_admit_policies_load(struct sg_admit_policies **out,
                              const char *path,
                              const struct sg_admit_roots *roots,
                              uint64_t generation,
                              const struct sg_ctx *ctx)
{
    struct sg_admit_policies *p = NULL;
    struct sg_buf data = SG_BUF_INIT(SG_PA_FILE_MAX);
    struct pst st;
    char **names = NULL;
    size_t n_names = 0, docs = 0;
    struct stat sb;
    DIR *d = NULL;
    sg_err rc;

    SG_ASSERT_ARG(out && path);
    *out = NULL;
    memset(&st, 0, sizeof(st));
    sg_buf_init(&st.warned, 64 * 1024);
    st.ctx = ctx;
    if ((rc = sg_pa_new(&p, generation)) || (rc = sg_pa_roots_load(p, roots)))
        goto done;
    st.p = p;
    if (stat(path, &sb) != 0) {
        rc = sg_error_errno(path, errno);
        goto done;
    }
    if (!S_ISDIR(sb.st_mode)) {
        st.what = path;
        if (!(rc = sg_file_read(&data, path, SG_PA_FILE_MAX)))
            rc = parse_docs(p, &st, data.data, data.len, &docs);
        goto done;
    }
    if (!(d = opendir(path))) {
        rc = sg_error_errno(path, errno);
        goto done;
    }
    names = calloc(SG_PA_FILES_MAX, sizeof(char *));
    if (!names) {
        rc = sg_error_oom();
        goto done;
    }
    for (struct dirent *de; (de = readdir(d));) {
        /* Hidden entries: ".", "..", and Kubernetes' ..data / ..<time>
         * directories of a mounted ConfigMap (the files are symlinks). */
        if (de->d_name[0] == '.')
            continue;
        if (n_names >= SG_PA_FILES_MAX) {
            rc = sg_error_set(SG_ELIMIT, "%s: more than %u files", path,
                              SG_PA_FILES_MAX);
            goto done;
        }
        if (!(names[n_names] = strdup(de->d_name))) {
            rc = sg_error_oom();
            goto done;
        }
        n_names++;
    }
    qsort(names, n_names, sizeof(char *), name_cmp);
    for (size_t i = 0; i < n_names; i++) {
        struct sg_buf full = SG_BUF_INIT(8192);
        if ((rc = sg_buf_addf(&full, "%s/%s", path, names[i]))) {
            sg_buf_release(&full);
            goto done;
        }
        if (stat(full.data, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            sg_buf_release(&full);
            continue;
        }
        sg_buf_reset(&data);
        st.what = full.data;
        rc = sg_file_read(&data, full.data, SG_PA_FILE_MAX);
        if (!rc)
            rc = parse_docs(p, &st, data.data, data.len, &docs);
        sg_buf_release(&full);
        if (rc)
            goto done;
    }
done:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    sg_buf_release(&data);
    sg_buf_release(&st.warned);
    if (rc)
        sg_admit_policies_unref(p);
    else
        *out = p;
    return rc;
}

struct sg_admit_policies *sg_admit_policies_ref(struct sg_admit_policies *p)
{
    if (p)
        __atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
    return p;
}

void sg_admit_policies_unref(struct sg_admit_policies *p)
{
    if (!p || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < p->n; i++)
        policy_release(&p->v[i]);
    free(p->v);
    for (size_t i = 0; i < p->n_roots; i++) {
        free(p->roots[i].name);
        free(p->roots[i].owned);
    }
    free(p->roots);
    free(p);
}

size_t sg_admit_policies_count(const struct sg_admit_policies *p)
{
    return p ? p->n : 0;
}

uint64_t sg_admit_policies_generation(const struct sg_admit_policies *p)
{
    return p ? p->generation : 0;
}

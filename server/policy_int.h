/*
 * sigil server module, private: the ClusterImagePolicy engine's insides
 * (server/policy.c loads, server/match.c matches, server/engine.c
 * evaluates, server/cache.c caches). Tests and the fuzz harness use the
 * seams declared here; the admission server uses only server/admit.h.
 */
#ifndef SIGIL_SERVER_POLICY_INT_H
#define SIGIL_SERVER_POLICY_INT_H

#include <pthread.h>
#include <stdint.h>

#include "admit.h"
#include "sigil/sign.h"

/* Bounds on untrusted policy input. */
#define SG_PA_FILE_MAX  (1u * 1024u * 1024u) /* bytes per file */
#define SG_PA_FILES_MAX 256u                 /* files per directory */
#define SG_PA_DOCS_MAX  256u /* documents per load (all files) */
#define SG_PA_DEPTH_MAX 32u  /* YAML nesting */
#define SG_PA_NODES_MAX                                             \
    20000u                      /* YAML nodes per document (aliases \
                                   count each time they are used) */
#define SG_PA_ITEMS_MAX  256u   /* entries of any list we read */
#define SG_PA_SCALAR_MAX 65536u /* one scalar (PEM keys, jq programs) */
#define SG_PA_GLOB_MAX   1024u
#define SG_PA_ROOT_MAX   (4u * 1024u * 1024u) /* a trusted_root.json */
#define SG_PA_ROOTS_MAX  64u                  /* --trust-root names */

/* ------------------------------------------------------------------ */
/* The loaded policy set                                                */

enum sg_pa_auth_kind {
    SG_PA_AUTH_KEY = 1,
    SG_PA_AUTH_STATIC,
    SG_PA_AUTH_KEYLESS
};

/* A keyless identity (spec.authorities[].keyless.identities[]): one of
 * subject / subject_re and one of issuer / issuer_re (the verify core's
 * --certificate-identity[-regexp], --certificate-oidc-issuer[-regexp];
 * regexps unanchored as cosign's). */
struct sg_pa_identity {
    char *subject, *subject_re, *issuer, *issuer_re;
};

/* A trusted root of the set: its bytes as read at load (checked then). */
struct sg_pa_root {
    char *name;                /* NULL: the default (no trustRootRef) */
    const unsigned char *data; /* owned, or the built-in root's */
    size_t len;
    unsigned char *owned;
};

struct sg_pa_attestation {
    char *name;
    char *predicate_type;
    char *jq; /* the jq program (policy type jq), NULL: no policy */
};

struct sg_pa_authority {
    char *name; /* as written: escape where shown */
    enum sg_pa_auth_kind kind;
    struct sg_sign_key *key; /* SG_PA_AUTH_KEY */
    int static_pass;         /* SG_PA_AUTH_STATIC */
    char *static_message;    /* as written, may be NULL */
    struct sg_pa_attestation *att;
    size_t n_att;
    /* SG_PA_AUTH_KEYLESS: any identity passes; root points into the
     * set's roots */
    struct sg_pa_identity *ids;
    size_t n_ids;
    const struct sg_pa_root *root;
    /* source[].oci: the repositories ("registry/repository") signatures
     * are read from instead of the image's own (any may pass) */
    char **sources;
    size_t n_sources;
};

struct sg_pa_match {
    char *group, *version, *resource; /* "" or NULL: any (group: core) */
    char **label_keys, **label_values;
    size_t n_labels;
};

struct sg_pa_policy {
    char *name; /* metadata.name, as written */
    char **globs;
    size_t n_globs;
    int warn; /* spec.mode: warn */
    struct sg_pa_match *match;
    size_t n_match;
    struct sg_pa_authority *auth;
    size_t n_auth;
};

struct sg_admit_policies {
    int refs; /* atomic (__atomic builtins) */
    uint64_t generation;
    struct sg_pa_policy *v;
    size_t n;
    struct sg_pa_root *roots; /* [0]: the default */
    size_t n_roots;
};

/* Parse the YAML/JSON documents of one file's bytes (untrusted) and
 * append their policies to p (p->n grows). `what` names the file in
 * messages; *docs counts documents across calls (bounded by
 * SG_PA_DOCS_MAX). */
SG_MUST_USE sg_err sg_pa_parse(struct sg_admit_policies *p,
                               const void *data,
                               size_t len,
                               const char *what,
                               size_t *docs,
                               const struct sg_ctx *ctx);
/* A new, empty set with one reference; its default trusted root is the
 * built-in one. */
SG_MUST_USE sg_err sg_pa_new(struct sg_admit_policies **out,
                             uint64_t generation);
/* Read and check the trusted roots of r into p (before sg_pa_parse):
 * r->default_path replaces the built-in default, r->named adds named
 * ones. SG_EPARSE/SG_EIO... naming the file. */
SG_MUST_USE sg_err sg_pa_roots_load(struct sg_admit_policies *p,
                                    const struct sg_admit_roots *r);

/* ------------------------------------------------------------------ */
/* Matching (server/match.c)                                            */

/* policy-controller's glob validity (pkg/apis/glob): letters, digits and
 * the characters - _ : / * . @ only. */
int sg_pa_glob_valid(const char *glob);
/* Match a glob against one string: "*" matches any run of non-"/"
 * characters, "**" any run of characters; the whole string must match. */
int sg_pa_glob_match_str(const char *glob, const char *s);
/* policy-controller's glob.Match(glob, image): the glob against the
 * reference's normalized name (index.docker.io/library/..., ":latest"
 * added, a digest replacing the tag), then against the image as written
 * when that differs. Returns 1/0, or -1 when the image or glob is
 * invalid. */
int sg_pa_glob_match(const char *glob, const char *image);
/* "index.docker.io/library/nginx:latest" (ggcr's Reference.Name()) of a
 * parsed reference; appended to out. */
SG_MUST_USE sg_err sg_pa_ref_name(struct sg_buf *out,
                                  const struct sg_oci_ref *r);
/* Does spec.match of policy accept obj (NULL: nothing to match against,
 * accepted)? */
int sg_pa_match_object(const struct sg_pa_policy *pol,
                       const struct sg_admit_object *obj);

/* jq policy: run `program` over the JSON text `input`; *pass = 1 when
 * its first output is `true`. SG_EPARSE/SG_EVERIFY with the reason when
 * it does not compile or fails. Serialized (libjq 1.6 keeps global
 * state). */
SG_MUST_USE sg_err sg_pa_jq_eval(int *pass,
                                 const char *program,
                                 const char *input,
                                 size_t len);
/* Compile only (load-time check). */
SG_MUST_USE sg_err sg_pa_jq_check(const char *program);

/* ------------------------------------------------------------------ */
/* Verdict cache with singleflight (server/cache.c)                     */

enum sg_vc_status {
    SG_VC_PASS = 0,  /* every matched policy passed */
    SG_VC_WARN,      /* only warn-mode policies failed */
    SG_VC_DENY,      /* an enforce-mode policy failed */
    SG_VC_ERROR_DENY /* could not decide (registry error, time-out) */
};

struct sg_vc_val {
    enum sg_vc_status status;
    char *text; /* owned: the reason (or, in the tag cache, the digest) */
};
void sg_vc_val_release(struct sg_vc_val *v);

typedef int64_t (*sg_vc_clock_fn)(void *arg);
/* Compute the value of key (called without the cache's lock held, by one
 * caller per key at a time). Returns SG_OK with *out filled, or an
 * error (out of memory only; verdicts are values). */
typedef sg_err (*sg_vc_compute_fn)(struct sg_vc_val *out, void *arg);

struct sg_vcache;
/* cap entries (LRU beyond it); clock NULL: sg_oci_now_ms. */
SG_MUST_USE sg_err sg_vcache_create(struct sg_vcache **out,
                                    size_t cap,
                                    sg_vc_clock_fn clock,
                                    void *clock_arg);
void sg_vcache_free(struct sg_vcache *c);
/* Look `key` up; on a miss compute it once (concurrent callers of the
 * same key wait for that computation, until deadline_ms on
 * sg_oci_now_ms()'s clock, 0: no deadline) and keep the value for ttl_ok
 * ms (status PASS) or ttl_fail ms (WARN, DENY; 0: not kept; ERROR_DENY
 * is never kept). *out receives a
 * copy. *hit: 1 from the cache, 2 shared from another caller's
 * computation, 0 computed here. SG_ENET "did not finish in time" when
 * the deadline passed while waiting. */
SG_MUST_USE sg_err sg_vcache_get(struct sg_vcache *c,
                                 const char *key,
                                 int64_t ttl_ok,
                                 int64_t ttl_fail,
                                 int64_t deadline_ms,
                                 sg_vc_compute_fn fn,
                                 void *arg,
                                 struct sg_vc_val *out,
                                 int *hit);
size_t sg_vcache_size(struct sg_vcache *c);

/* ------------------------------------------------------------------ */
/* Engine test seams                                                    */

/* Opens the store of `repo` ("registry/repository"); the default opens a
 * registry store with the engine's registry options. */
typedef sg_err (*sg_pa_open_fn)(struct sg_oci_store **out,
                                const char *repo,
                                const struct sg_oci_registry_opts *o,
                                void *arg);
struct sg_admit_engine_seams {
    sg_pa_open_fn open_store;
    void *open_arg;
    sg_vc_clock_fn clock; /* cache clock; NULL: sg_oci_now_ms */
    void *clock_arg;
};
SG_MUST_USE sg_err
sg_admit_engine_create_seams(struct sg_admit_engine **out,
                             const struct sg_admit_engine_opts *o,
                             const struct sg_admit_engine_seams *seams);

#endif

/*
 * sigil server module, private: the seam between the admission server
 * (HTTP/TLS, AdmissionReview wire format: server/http.c, server/review.c)
 * and the policy engine (ClusterImagePolicy loading, image matching,
 * verification, verdict cache: server/policy*.c, server/cache.c).
 *
 * The server calls sg_admit_image() from its worker threads, once per
 * distinct image reference of a review; everything behind it is
 * thread-safe. The engine never allows because of an error: an error in
 * enforce mode is a DENY with the reason, in warn mode an ALLOW with a
 * warning.
 */
#ifndef SIGIL_SERVER_ADMIT_H
#define SIGIL_SERVER_ADMIT_H

#include <stdint.h>

#include "sigil/common.h"
#include "sigil/oci.h"
#include "sigil/server.h"

/* A loaded, immutable set of ClusterImagePolicy documents. Reloading makes
 * a new set (generation + 1); the old one is freed when its last user is
 * done (sg_admit_policies_ref/unref). */
struct sg_admit_policies;

enum sg_admit_no_match {
    SG_ADMIT_NO_MATCH_DENY = 0,
    SG_ADMIT_NO_MATCH_ALLOW,
    SG_ADMIT_NO_MATCH_WARN
};

/* The trusted roots keyless authorities verify against. They are read
 * with the policies and belong to the set (a new file takes effect with
 * the next generation, never halfway through one). */
struct sg_admit_roots {
    const char *default_path; /* no trustRootRef; NULL: the built-in
                                 public-good root (as `sigil verify`) */
    const struct sg_server_trust_root *named; /* trustRootRef NAME */
    size_t n_named;
};

/* Load every YAML/JSON document of `path` (a file, or the regular files of
 * a directory, sorted by name) and the trusted roots (roots NULL: the
 * built-in one only). Unknown apiVersion/kind, an unreadable or invalid
 * trusted root, or a trustRootRef no root is named for refuses the whole
 * load; unknown fields are warned about once through ctx. */
SG_MUST_USE sg_err sg_admit_policies_load(struct sg_admit_policies **out,
                                          const char *path,
                                          const struct sg_admit_roots *roots,
                                          uint64_t generation,
                                          const struct sg_ctx *ctx);
struct sg_admit_policies *sg_admit_policies_ref(struct sg_admit_policies *p);
void sg_admit_policies_unref(struct sg_admit_policies *p);
size_t sg_admit_policies_count(const struct sg_admit_policies *p);
uint64_t sg_admit_policies_generation(const struct sg_admit_policies *p);

/* What the workload is, for spec.match (resource kinds, label selectors). */
struct sg_admit_object {
    const char *group;               /* "" for core */
    const char *version;             /* "v1" */
    const char *resource;            /* "pods", "deployments", ... */
    const char *namespace;           /* may be NULL */
    const char *const *label_keys;   /* the object's metadata.labels */
    const char *const *label_values; /* (n_labels each) */
    size_t n_labels;
};

/* The engine: policies in force (with their trusted roots), registry
 * options, cache. */
struct sg_admit_engine_opts {
    const struct sg_oci_registry_opts *registry; /* copied */
    enum sg_admit_no_match no_match;
    int64_t cache_ttl_ms;      /* verdicts; 0: default 10 min */
    size_t cache_size;         /* entries; 0: default 10000 */
    int64_t fail_cache_ttl_ms; /* failed verifications; 0: not cached */
    int64_t tag_ttl_ms;        /* tag -> digest; 0: default 30 s */
    const struct sg_ctx *ctx;  /* limits and hooks; NULL: defaults */
};
struct sg_admit_engine;
SG_MUST_USE sg_err sg_admit_engine_create(struct sg_admit_engine **out,
                                          const struct sg_admit_engine_opts *o);
void sg_admit_engine_free(struct sg_admit_engine *e);
/* Swap the policies in force (takes a reference; cache entries of older
 * generations stop matching). */
void sg_admit_engine_set_policies(struct sg_admit_engine *e,
                                  struct sg_admit_policies *p);

enum sg_admit_verdict {
    SG_ADMIT_ALLOW = 0,
    SG_ADMIT_DENY,
    SG_ADMIT_WARN /* allowed, with a warning (warn mode, no-match warn) */
};

struct sg_admit_result {
    enum sg_admit_verdict verdict;
    char *reason;     /* owned; why denied/warned (escaped, one line) */
    char *digest;     /* owned; "sha256:..." the image resolved to, or
                         NULL when it could not be resolved */
    char *normalized; /* owned; index.docker.io/library/nginx:latest */
    int from_cache;   /* the verdict came from the cache */
};
void sg_admit_result_release(struct sg_admit_result *r);

/* Decide one image for one object. `deadline_ms` is absolute on
 * sg_oci_now_ms()'s clock (the API server's ?timeout= less a margin): past
 * it the answer is DENY "verification did not finish in time" in enforce
 * mode. Concurrent calls for the same image and policy generation wait for
 * one verification (singleflight). Returns SG_OK with a verdict in *out,
 * or an error only for misuse/out of memory (the caller then denies). */
SG_MUST_USE sg_err sg_admit_image(struct sg_admit_result *out,
                                  struct sg_admit_engine *e,
                                  const char *image,
                                  const struct sg_admit_object *obj,
                                  int64_t deadline_ms);

/* Counters for /metrics (monotonic since engine creation). */
struct sg_admit_stats {
    uint64_t cache_hits, cache_misses, registry_errors, verifications;
};
void sg_admit_engine_stats(const struct sg_admit_engine *e,
                           struct sg_admit_stats *out);

#endif

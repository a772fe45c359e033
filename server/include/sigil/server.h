/*
 * sigil server: `sigil serve`, a Kubernetes admission webhook
 * (admission.k8s.io/v1 AdmissionReview over HTTPS). The CLI fills the
 * options and calls sg_server_run(), which returns after a graceful
 * shutdown (SIGTERM/SIGINT). The policy engine stays private (admit.h).
 */
#ifndef SIGIL_SERVER_H
#define SIGIL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "sigil/common.h"
#include "sigil/oci.h"

/* A named Sigstore trusted root (--trust-root NAME=FILE): what a
 * keyless authority's trustRootRef names. */
struct sg_server_trust_root {
    const char *name;
    const char *path; /* protobuf-specs TrustedRoot JSON */
};

/* One structured log line (a JSON object, no newline). Called from the
 * event loop and from worker threads: must be thread-safe. */
typedef void (*sg_server_log_fn)(const char *line, void *payload);

struct sg_server_opts {
    const char *listen;      /* "ADDR:PORT"; NULL: "0.0.0.0:8443" */
    const char *tls_cert;    /* PEM chain; reloaded when it changes */
    const char *tls_key;     /* PEM key; reloaded when it changes */
    int insecure_http;       /* plain HTTP (tests/dev only) */
    const char *policy_path; /* file or directory; reloaded on change */
    /* The engine (server/admit.h sg_admit_engine_opts). */
    const struct sg_oci_registry_opts *registry;
    /* Keyless authorities: the trusted root of those without
     * trustRootRef (NULL: the built-in public-good root) and the named
     * ones. Read with the policies, part of their generation: reloaded
     * when they change. */
    const char *trusted_root_path;
    const struct sg_server_trust_root *trust_roots;
    size_t n_trust_roots;
    int no_match;             /* 0 deny, 1 allow, 2 warn */
    int64_t cache_ttl_ms;     /* 0: engine default */
    size_t cache_size;        /* 0: engine default */
    unsigned threads;         /* verification workers; 0: 4 */
    int64_t reload_ms;        /* file poll interval; 0: 2000 */
    int64_t drain_ms;         /* longest SIGTERM drain; 0: 25000 */
    size_t body_max;          /* AdmissionReview bytes; 0: 3 MiB */
    const struct sg_ctx *ctx; /* limits and the library log hook */
    sg_server_log_fn log;     /* one JSON object per line; NULL: none */
    void *log_payload;
};

/* Serve until SIGTERM/SIGINT, then stop accepting, finish the reviews in
 * flight and return SG_OK. Errors before serving (bad address, cert, or
 * first policy load, engine missing) return the code with the message
 * set. Installs handlers for SIGTERM, SIGINT and ignores SIGPIPE. */
SG_MUST_USE sg_err sg_server_run(const struct sg_server_opts *o);

#endif

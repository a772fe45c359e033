/*
 * Registry client internals shared by registry.c (the store backend),
 * http.c (the libcurl transport) and auth.c (challenge/token parsing).
 * Not a public header.
 */
#ifndef SIGIL_OCI_REGISTRY_INT_H
#define SIGIL_OCI_REGISTRY_INT_H

#include "sigil/oci.h"

/* One HTTP exchange, filled by the caller; the transport fills the
 * response part. */
struct sg_http_req {
    const char *method;         /* "GET", "HEAD", "PUT", "POST", ... */
    const char *url;            /* absolute URL */
    const char *const *headers; /* extra "Name: value" lines, NULL-ended */
    const void *body;           /* request body in memory, or */
    size_t body_len;
    sg_oci_read_fn rd; /* a streamed body of rd_len bytes */
    void *rd_payload;
    uint64_t rd_len;
    int has_body; /* send body/rd even when empty (PUT/PATCH) */
    /* Response body for 2xx: to `sink` if set, else into `out` (capped by
     * out->max; ELIMIT message uses `what`). Error bodies are kept (small)
     * for the registry's error JSON. */
    sg_oci_write_fn sink;
    void *sink_payload;
    struct sg_buf *out;
    const char *what; /* "manifest", "tag list", ... for messages */
    int verify_tls;   /* 0 for insecure hosts */
    const char *ca_file;
    long connect_timeout_s;
    long low_speed_time_s;
    const char *user_agent;
};

struct sg_http_resp {
    long status;
    char *content_type;
    char *docker_digest;
    char *location;
    char *www_auth;
    char *link;
    char *content_range;
    uint64_t content_length;
    int has_length;
    uint64_t delivered;     /* bytes passed to sink/out */
    struct sg_buf err_body; /* non-2xx body (capped) */
    int sink_failed;        /* the sink returned an error (rc kept) */
    sg_err sink_rc;
    int curl_code; /* CURLcode of the transfer */
    /* Retry-After in its delay-seconds form (an HTTP-date is ignored) */
    int has_retry_after;
    uint64_t retry_after_s; /* saturates at 2^32 */
};

struct sg_http; /* a reusable connection (one CURL easy handle) */
SG_MUST_USE sg_err sg_http_create(struct sg_http **out);
void sg_http_free(struct sg_http *h);
/* Perform one exchange, no redirects followed. SG_ENET on a transport
 * failure (the message from CURLOPT_ERRORBUFFER); any HTTP status is
 * SG_OK with resp->status set. A sink error is returned as is. */
SG_MUST_USE sg_err sg_http_do(struct sg_http *h,
                              const struct sg_http_req *r,
                              struct sg_http_resp *resp);
void sg_http_resp_release(struct sg_http_resp *resp);
/* Is a transport error worth retrying (reset, timeout, partial)? */
int sg_http_retryable_curl(int curl_code);
/* Resolve `ref` (absolute or relative) against `base`. */
SG_MUST_USE sg_err sg_http_resolve(char **out,
                                   const char *base,
                                   const char *ref);
/* Split "scheme://host[:port]/..." → *scheme_out, *host_out (malloc'd). */
SG_MUST_USE sg_err sg_http_url_parts(char **scheme_out,
                                     char **host_out,
                                     const char *url);
/* Percent-encode a query value. */
SG_MUST_USE sg_err sg_http_escape(struct sg_buf *out, const char *s);

/* Token server answer {"token"|"access_token": ...} (capped). */
SG_MUST_USE sg_err sg_oci__token_parse(char **token_out,
                                       const void *data,
                                       size_t len);

#endif /* SIGIL_OCI_REGISTRY_INT_H */

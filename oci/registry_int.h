/*
 * Registry client internals. The client is split by job:
 *   registry.c   the store operations (manifests, blobs, tags, referrers)
 *   regcall.c    one API call: scheme probe, redirects, retries with
 *                backoff and Retry-After, Range resume, the deadline
 *   regupload.c  blob uploads (monolithic, chunked PATCH, cross-repo mount)
 *   auth.c       challenges, Basic, Bearer tokens (fetch and cache)
 *   http.c       the libcurl transport behind struct sg_oci__http_ops
 * Unit tests install a scripted transport through the ops struct
 * (sg_oci__registry_set_http). Not a public header.
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
    long low_speed_time_s; /* below 1 KiB/s this long: a stall */
    int64_t timeout_ms;    /* whole exchange; 0 = none (the deadline) */
    const char *user_agent;
    size_t header_max; /* one header line; 0 = SG_LIMIT_HEADER_MAX */
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
    int over_limit; /* a 2xx body passed out->max */
    int curl_code;  /* CURLcode of the transfer (libcurl transport) */
    int transient;  /* SG_ENET that is worth retrying (reset, stall,
                       truncated body, timeout) */
    /* Retry-After in its delay-seconds form (an HTTP-date is ignored) */
    int has_retry_after;
    uint64_t retry_after_s; /* saturates at 2^32 */
};

/* The seam between the client and the network. perform() does one
 * exchange without following redirects: SG_OK with resp->status for any
 * HTTP answer, SG_ENET (resp->transient set when a retry may help) for a
 * transport failure, or the sink's error. It must start with
 * sg_http_resp_init(resp) and route body bytes with sg_http_deliver().
 * now_ms() is a monotonic clock in milliseconds (the deadline's clock);
 * sleep_ms() waits between retries. */
struct sg_oci__http_ops {
    sg_err (*perform)(void *ctx,
                      const struct sg_http_req *req,
                      struct sg_http_resp *resp);
    int64_t (*now_ms)(void *ctx);
    void (*sleep_ms)(void *ctx, unsigned ms);
    void (*free)(void *ctx); /* may be NULL */
};

/* The libcurl implementation (http.c); its ctx is a struct sg_http. */
extern const struct sg_oci__http_ops sg_oci__curl_ops;

/* Replace a registry store's transport (tests). Frees the old one; the
 * store calls ops->free(ctx) when it is freed. No-op for other stores. */
void sg_oci__registry_set_http(struct sg_oci_store *s,
                               const struct sg_oci__http_ops *ops,
                               void *ctx);

struct sg_http; /* a reusable connection (one CURL easy handle) */
SG_MUST_USE sg_err sg_http_create(struct sg_http **out);
void sg_http_free(struct sg_http *h);
/* Perform one exchange, no redirects followed. SG_ENET on a transport
 * failure (the message from CURLOPT_ERRORBUFFER); any HTTP status is
 * SG_OK with resp->status set. A sink error is returned as is. */
SG_MUST_USE sg_err sg_http_do(struct sg_http *h,
                              const struct sg_http_req *r,
                              struct sg_http_resp *resp);
void sg_http_resp_init(struct sg_http_resp *resp);
void sg_http_resp_release(struct sg_http_resp *resp);
/* Route `n` body bytes the transport received for answer resp->status:
 * a 2xx body to r->sink or r->out, any other to resp->err_body (capped).
 * Returns the sink's error, or SG_ELIMIT (message set) past r->out->max;
 * resp->sink_failed / resp->over_limit tell which. */
SG_MUST_USE sg_err sg_http_deliver(const struct sg_http_req *r,
                                   struct sg_http_resp *resp,
                                   const void *p,
                                   size_t n);
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
                                       size_t len,
                                       size_t max);

/* ------------------------------------------------------------------ */
/* The registry client state shared by the files above                  */

#define SG_REG_URL_MAX 8192u

enum sg_reg_auth_kind {
    SG_REG_AUTH_NONE = 0,
    SG_REG_AUTH_BASIC,
    SG_REG_AUTH_BEARER
};

struct sg_reg_token {
    char *scope; /* space-separated scopes it was asked for */
    char *token;
};

struct sg_reg {
    const struct sg_oci__http_ops *ops; /* the transport */
    void *ops_ctx;
    char *host;      /* the API host ("registry-1.docker.io", "h:5000") */
    char *cred_host; /* as in the reference ("docker.io") */
    char *repo;
    char *base;   /* "https://host" or "http://host" once pinged */
    int insecure; /* listed in insecure_hosts: unverified TLS / http */
    int loopback; /* localhost / 127.0.0.1 / ::1: http fallback */
    char *ca_file;
    long connect_timeout_s;
    long low_speed_time_s;
    unsigned max_retries;
    int64_t deadline_ms; /* absolute, ops->now_ms clock; 0 = none */
    int64_t timeout_ms;  /* the timeout it came from (messages) */
    char *user_agent;
    sg_oci_cred_fn get_credentials;
    void *cred_payload;
    struct sg_oci_credentials creds;
    int creds_loaded;
    const struct sg_ctx *ctx; /* the store's (limits, hooks); may be NULL */
    enum sg_reg_auth_kind auth;
    char *realm;
    char *service;
    struct sg_reg_token *tokens;
    size_t n_tokens;
};

/* Blob resume state: bytes already delivered are never delivered again. */
struct sg_reg_resume {
    sg_oci_write_fn cb;
    void *payload;
    uint64_t delivered; /* bytes handed to cb so far, over all attempts */
    uint64_t skip;      /* bytes of this answer still to drop */
    int started;        /* first body byte of this answer seen */
    const struct sg_http_resp *resp;
};

/* One API call as the store operations describe it. */
struct sg_reg_call {
    const char *method;
    const char *url;          /* absolute, or a path starting with "/" */
    const char *accept;       /* full header line or NULL */
    const char *content_type; /* value or NULL */
    char content_range[64];
    const void *body;
    size_t body_len;
    int has_body;
    sg_oci_read_fn rd;
    void *rd_payload;
    uint64_t rd_len;
    sg_oci_write_fn sink;
    void *sink_payload;
    struct sg_buf *out;
    const char *what;    /* "manifest", "blob", ... */
    const char *subject; /* tag or digest for messages, or NULL */
    struct sg_reg_resume *resume;
    const char *scope; /* token scope(s), space separated */
    int retry;         /* idempotent: retry on 429/5xx/transport errors */
    int follow;        /* follow redirects (GET/HEAD) */
    char *final_url;   /* out: URL that answered (malloc'd), may be NULL */
};

/* What the call loop does after one exchange (sg_reg_next_action). */
enum sg_reg_action {
    SG_REG_DONE,     /* an answer for the caller to judge (any status) */
    SG_REG_FAIL,     /* give up with the exchange's error */
    SG_REG_RETRY,    /* wait (backoff / Retry-After), then again */
    SG_REG_RESUME,   /* again at once with Range: the body moved on */
    SG_REG_REDIRECT, /* follow resp->location */
    SG_REG_REAUTH,   /* answer the 401 challenge, then again */
    SG_REG_TIMEOUT   /* the deadline has passed */
};

/* The facts the decision is made from, kept by the call loop. */
struct sg_reg_state {
    unsigned attempt;     /* retries used so far */
    unsigned max_retries; /* retries allowed */
    unsigned auth_rounds; /* 401 challenges answered */
    int retry;            /* the call is idempotent */
    int follow;           /* the call follows redirects */
    int streamed;         /* body from a reader: cannot be sent twice */
    int same_host;        /* the URL is on the API host */
    uint64_t progress;    /* body bytes this exchange added (resume) */
    int64_t now_ms;
    int64_t deadline_ms; /* 0 = none */
};

/* Bytes one failed exchange must add to a resumable body for the next
 * Range request not to count as a retry. */
#define SG_REG_PROGRESS_MIN (1024u * 1024u)

/* The one decision of the call loop; pure, see regcall.c. */
enum sg_reg_action sg_reg_next_action(const struct sg_reg_state *st,
                                      sg_err rc,
                                      const struct sg_http_resp *resp);
/* Delay before retry number `attempt` (from 1). */
unsigned sg_reg_retry_delay_ms(unsigned attempt,
                               const struct sg_http_resp *resp);
/* Go-style duration for messages ("3m0s", "5s", "1.5s"). */
void sg_reg_fmt_duration(char *out, size_t cap, int64_t ms);

/* regcall.c */
SG_MUST_USE sg_err sg_reg_call(struct sg_reg *r,
                               struct sg_reg_call *c,
                               struct sg_http_resp *resp);
/* One exchange through r->ops within the deadline; `doing` names it for
 * the timeout message ("contacting", "fetching token from"). */
SG_MUST_USE sg_err sg_reg_perform(struct sg_reg *r,
                                  struct sg_http_req *req,
                                  struct sg_http_resp *resp,
                                  const char *doing);
/* Has the client's deadline passed? */
int sg_reg_expired(const struct sg_reg *r);
void sg_reg_req_init(struct sg_http_req *req,
                     const struct sg_reg *r,
                     int verify);
int sg_reg_host_is_loopback(const char *hostport);
int sg_reg_host_listed(const char *const *list, const char *hostport);
void sg_reg_message(char *out, size_t cap, const struct sg_http_resp *resp);
SG_MUST_USE sg_err sg_reg_status_error(const struct sg_reg *r,
                                       const struct sg_http_resp *resp,
                                       const char *what);
SG_MUST_USE sg_err sg_reg_status_errorf(const struct sg_reg *r,
                                        const struct sg_http_resp *resp,
                                        const char *fmt,
                                        ...) SG_PRINTF(3, 4);
SG_MUST_USE sg_err sg_reg_redirect_ok(const struct sg_reg *r,
                                      const char *url,
                                      int *same);

/* A repository-scoped API call and everything it owns. */
enum sg_reg_api_flags {
    SG_REG_API_RETRY = 1u << 0,  /* idempotent: retry on 429/5xx, resets */
    SG_REG_API_FOLLOW = 1u << 1, /* follow redirects (GET/HEAD) */
    SG_REG_API_READ = SG_REG_API_RETRY | SG_REG_API_FOLLOW
};

struct sg_reg_api {
    struct sg_reg_call c;
    struct sg_buf path;  /* "/v2/<repo>/..." or an absolute URL */
    struct sg_buf scope; /* "repository:<repo>:<actions>[ ...]" */
    struct sg_http_resp resp;
};

void sg_reg_api_init(struct sg_reg_api *a);
/* Frees what the call owns and leaves `a` ready for begin again. */
void sg_reg_api_release(struct sg_reg_api *a);
/* Set up `method` on the path printed from `fmt` with the token scope
 * "repository:<repo>:<actions>". The caller may append to a->path and
 * a->scope and fill the rest of a->c before sg_reg_api_run. `a` must be
 * released with sg_reg_api_release whatever this returns. */
SG_MUST_USE sg_err sg_reg_api_begin(struct sg_reg_api *a,
                                    const char *repo,
                                    const char *actions,
                                    const char *method,
                                    const char *what,
                                    unsigned flags,
                                    const char *fmt,
                                    ...) SG_PRINTF(7, 8);
SG_MUST_USE sg_err sg_reg_api_run(struct sg_reg *r, struct sg_reg_api *a);

/* auth.c */
SG_MUST_USE sg_err sg_reg_load_creds(struct sg_reg *r);
/* The Authorization header line for a request to the API host (empty
 * when anonymous); fetches a token for `scope` when none is cached. */
SG_MUST_USE sg_err sg_reg_auth_header(struct sg_reg *r,
                                      const char *scope,
                                      struct sg_buf *h);
/* A 401: learn the challenge, get what it asks for. SG_OK when the
 * request should be tried again. */
SG_MUST_USE sg_err sg_reg_on_unauthorized(struct sg_reg *r,
                                          const struct sg_http_resp *resp,
                                          const char *scope,
                                          int had_auth);
/* Learn the auth scheme from the /v2/ ping's answer. */
void sg_reg_learn_auth(struct sg_reg *r, const struct sg_http_resp *resp);
void sg_reg_tokens_free(struct sg_reg *r);

/* regupload.c */
SG_MUST_USE sg_err sg_reg_put_blob(struct sg_oci_store *s,
                                   const struct sg_oci_blob_src *b);
SG_MUST_USE sg_err sg_reg_blob_head(struct sg_reg *r,
                                    const char *repo,
                                    const char *digest,
                                    int *exists);

#endif /* SIGIL_OCI_REGISTRY_INT_H */

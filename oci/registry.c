/*
 * The registry store: the OCI distribution API (spec.md of
 * opencontainers/distribution-spec) over the libcurl transport in http.c.
 * Handles scheme selection (https, plain http only for loopback or
 * --insecure-registry hosts), auth (anonymous, Basic, Bearer tokens per
 * scope, identity and registry tokens), redirects (https only, no
 * Authorization to another host), retries with backoff and blob resume
 * with Range, chunked uploads, cross-repo mounts, tag pagination and the
 * referrers API. Everything the registry sends is untrusted and capped;
 * digests are checked by store.c.
 */
#include "oci_int.h"
#include "registry_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#define MONO_BUF_MAX       (1u * 1024u * 1024u)    /* buffered, retryable PUT */
#define CHUNK_SIZE         (32ull * 1024u * 1024u) /* PATCH chunk for big blobs */
#define REDIRECTS_MAX      5
#define URL_MAX            8192u
#define RETRY_AFTER_MAX_MS 10000u /* cap on a server's Retry-After */

#define ACCEPT_MANIFESTS                               \
    "Accept: " SG_MT_OCI_MANIFEST ", " SG_MT_OCI_INDEX \
    ", " SG_MT_DOCKER_MANIFEST ", " SG_MT_DOCKER_LIST

enum auth_kind {
    AUTH_NONE = 0,
    AUTH_BASIC,
    AUTH_BEARER
};

struct token {
    char *scope; /* space-separated scopes it was asked for */
    char *token;
};

struct reg {
    struct sg_http *http;
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
    char *user_agent;
    sg_oci_cred_fn get_credentials;
    void *cred_payload;
    struct sg_oci_credentials creds;
    int creds_loaded;
    enum auth_kind auth;
    char *realm;
    char *service;
    struct token *tokens;
    size_t n_tokens;
};

/* Blob resume state: bytes already delivered are never delivered again. */
struct resume {
    sg_oci_write_fn cb;
    void *payload;
    uint64_t delivered;
    uint64_t skip;
    int started;
    const struct sg_http_resp *resp;
};

struct call {
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
    const char *what;
    struct resume *resume;
    const char *scope; /* token scope(s), space separated */
    int retry;         /* idempotent: retry on 429/5xx/transport errors */
    int follow;        /* follow redirects (GET/HEAD) */
    char *final_url;   /* out: URL that answered (malloc'd), may be NULL */
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* "host:port" → is its host part a loopback name? */
static int host_is_loopback(const char *hostport)
{
    size_t n;

    if (hostport[0] == '[')
        return strncmp(hostport, "[::1]", 5) == 0;
    n = strcspn(hostport, ":");
    return (n == 9 && strncmp(hostport, "localhost", 9) == 0) ||
           (n == 9 && strncmp(hostport, "127.0.0.1", 9) == 0);
}

/* An insecure entry matches "host:port" exactly, or the host part when
 * the entry has no port. */
static int host_listed(const char *const *list, const char *hostport)
{
    size_t hn = hostport[0] == '[' ? strcspn(hostport, "]") + 1
                                   : strcspn(hostport, ":");

    for (; list && *list; list++) {
        const char *e = *list;
        if (strncmp(e, "http://", 7) == 0)
            e += 7;
        else if (strncmp(e, "https://", 8) == 0)
            e += 8;
        if (strcmp(e, hostport) == 0)
            return 1;
        if (strlen(e) == hn && strncmp(e, hostport, hn) == 0)
            return 1;
    }
    return 0;
}

/* The registry's error JSON → "CODE: message" (sanitised, short). */
static void
registry_message(char *out, size_t cap, const struct sg_http_resp *resp)
{
    json_t *root = NULL;
    const json_t *e;
    const char *code = NULL, *msg = NULL;
    size_t n;

    out[0] = '\0';
    if (resp->err_body.len &&
        sg_json_parse(&root, resp->err_body.data, resp->err_body.len, 0, 16,
                      "error") == SG_OK) {
        e = json_array_get(json_object_get(root, "errors"), 0);
        code = json_string_value(json_object_get(e, "code"));
        msg = json_string_value(json_object_get(e, "message"));
    }
    sg_error_clear();
    if (code || msg)
        snprintf(out, cap, "%s%s%s", code ? code : "", code && msg ? ": " : "",
                 msg ? msg : "");
    else if (resp->err_body.len && !root)
        snprintf(out, cap, "%.120s", resp->err_body.data);
    json_decref(root);
    n = strlen(out);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            out[i] = ' ';
    while (n && out[n - 1] == ' ')
        out[--n] = '\0';
}

/* Map an unexpected final status to an error. */
static sg_err status_error(const struct reg *r,
                           const struct sg_http_resp *resp,
                           const char *what)
{
    char msg[256];

    registry_message(msg, sizeof(msg), resp);
    if (resp->status == 401 || resp->status == 403)
        return sg_error_set(SG_EAUTH, "%s for %s: %s%s%s",
                            resp->status == 401 ? "authentication failed"
                                                : "access denied",
                            r->host, what, msg[0] ? ": " : "", msg);
    if (resp->status == 404)
        return sg_error_set(SG_ENOTFOUND, "%s: not found%s%s", what,
                            msg[0] ? ": " : "", msg);
    return sg_error_set(SG_EHTTP, "%s: %s answered HTTP %ld%s%s", what, r->host,
                        resp->status, msg[0] ? ": " : "", msg);
}

/* A request to this registry's hosts with the transport settings. */
static void req_init(struct sg_http_req *req, const struct reg *r, int verify)
{
    memset(req, 0, sizeof(*req));
    req->verify_tls = verify;
    req->ca_file = r->ca_file;
    req->connect_timeout_s = r->connect_timeout_s;
    req->low_speed_time_s = r->low_speed_time_s;
    req->user_agent = r->user_agent;
}

/* ------------------------------------------------------------------ */
/* Auth                                                                 */

static sg_err load_creds(struct reg *r)
{
    sg_err rc;

    if (r->creds_loaded || !r->get_credentials)
        return SG_OK;
    r->creds_loaded = 1;
    rc = r->get_credentials(&r->creds, r->cred_host, r->cred_payload);
    if (rc)
        sg_oci_credentials_release(&r->creds);
    return rc;
}

static int have_user_creds(const struct reg *r)
{
    return r->creds.username && strcmp(r->creds.username, "<token>") != 0;
}

static int have_identity_token(const struct reg *r)
{
    return r->creds.username && strcmp(r->creds.username, "<token>") == 0 &&
           r->creds.password;
}

static sg_err basic_header(struct sg_buf *h, const struct reg *r)
{
    struct sg_buf up = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    rc = sg_buf_addf(&up, "%s:%s", r->creds.username,
                     r->creds.password ? r->creds.password : "");
    if (!rc)
        rc = sg_buf_adds(h, "Authorization: Basic ");
    if (!rc)
        rc = sg_base64_encode(h, up.data, up.len);
    sg_wipe(up.data, up.len);
    sg_buf_release(&up);
    return rc;
}

static const char *cached_token(const struct reg *r, const char *scope)
{
    for (size_t i = 0; i < r->n_tokens; i++)
        if (strcmp(r->tokens[i].scope, scope ? scope : "") == 0)
            return r->tokens[i].token;
    return NULL;
}

static sg_err cache_token(struct reg *r, const char *scope, char *token)
{
    struct token *t;

    for (size_t i = 0; i < r->n_tokens; i++) {
        if (strcmp(r->tokens[i].scope, scope ? scope : "") == 0) {
            sg_wipe(r->tokens[i].token, strlen(r->tokens[i].token));
            free(r->tokens[i].token);
            r->tokens[i].token = token;
            return SG_OK;
        }
    }
    t = realloc(r->tokens, (r->n_tokens + 1) * sizeof(*t));
    if (!t)
        goto oom;
    r->tokens = t;
    t[r->n_tokens].scope = strdup(scope ? scope : "");
    if (!t[r->n_tokens].scope)
        goto oom;
    t[r->n_tokens].token = token;
    r->n_tokens++;
    return SG_OK;
oom:
    sg_wipe(token, strlen(token));
    free(token);
    return sg_error_oom();
}

/* Add "&scope=X" for each space-separated scope in `scopes`. */
static sg_err add_scopes(struct sg_buf *q, const char *scopes, char sep0)
{
    const char *p = scopes;
    sg_err rc = SG_OK;
    char sep = sep0;

    while (p && *p && !rc) {
        size_t n = strcspn(p, " ");
        char *one = strndup(p, n);
        if (!one)
            return sg_error_oom();
        if (n) {
            rc = sg_buf_addf(q, "%cscope=", sep);
            if (!rc)
                rc = sg_http_escape(q, one);
            sep = '&';
        }
        free(one);
        p += n;
        while (*p == ' ')
            p++;
    }
    return rc;
}

/* A realm over plain http is only acceptable on loopback or for a host
 * the user marked insecure (credentials may travel in it). */
static sg_err check_realm(const struct reg *r, int *verify)
{
    char *scheme = NULL, *host = NULL;
    sg_err rc = sg_http_url_parts(&scheme, &host, r->realm);

    *verify = 1;
    if (rc)
        return sg_error_set(SG_EPARSE, "%s: invalid token realm '%.200s'",
                            r->host, r->realm);
    if (strcasecmp(scheme, "https") != 0) {
        if (strcasecmp(scheme, "http") != 0 ||
            !(host_is_loopback(host) || r->insecure))
            rc = sg_error_set(SG_EAUTH,
                              "%s: refusing token realm '%.200s' (not https)",
                              r->host, r->realm);
    }
    if (r->insecure && strcmp(host, r->host) == 0)
        *verify = 0;
    free(scheme);
    free(host);
    return rc;
}

/* Ask the token server for `scopes` (distribution token spec; OAuth2
 * refresh-token POST when we hold an identity token). */
static sg_err fetch_token(struct reg *r, const char *scopes, char **out)
{
    struct sg_buf url = SG_BUF_INIT(URL_MAX), form = SG_BUF_INIT(1 << 20);
    struct sg_buf authz = SG_BUF_INIT(1 << 16);
    struct sg_buf body = SG_BUF_INIT(sg_limits_default()->token_max);
    struct sg_http_resp resp;
    struct sg_http_req req;
    const char *hdrs[3] = { NULL, NULL, NULL };
    int verify = 1;
    sg_err rc;

    *out = NULL;
    memset(&resp, 0, sizeof(resp));
    rc = check_realm(r, &verify);
    if (rc)
        return rc;
    req_init(&req, r, verify);
    req.out = &body;
    req.what = "token response";
    rc = sg_buf_adds(&url, r->realm);
    if (rc)
        goto done;
    if (have_identity_token(r)) {
        rc = sg_buf_adds(&form, "grant_type=refresh_token&client_id=sigil");
        if (!rc && r->service) {
            rc = sg_buf_adds(&form, "&service=");
            if (!rc)
                rc = sg_http_escape(&form, r->service);
        }
        if (!rc)
            rc = add_scopes(&form, scopes, '&');
        if (!rc)
            rc = sg_buf_adds(&form, "&refresh_token=");
        if (!rc)
            rc = sg_http_escape(&form, r->creds.password);
        if (rc)
            goto done;
        req.method = "POST";
        req.body = form.data;
        req.body_len = form.len;
        req.has_body = 1;
        hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
    } else {
        char sep = strchr(r->realm, '?') ? '&' : '?';
        if (r->service) {
            rc = sg_buf_addf(&url, "%cservice=", sep);
            if (!rc)
                rc = sg_http_escape(&url, r->service);
            sep = '&';
        }
        if (!rc)
            rc = add_scopes(&url, scopes, sep);
        if (rc)
            goto done;
        req.method = "GET";
        if (have_user_creds(r)) {
            rc = basic_header(&authz, r);
            if (rc)
                goto done;
            hdrs[0] = authz.data;
        }
    }
    req.url = url.data;
    req.headers = hdrs;
    rc = sg_http_do(r->http, &req, &resp);
    if (rc == SG_ELIMIT) {
        rc = sg_error_set(SG_ELIMIT,
                          "%s: token response larger than %zu "
                          "bytes",
                          r->host, body.max);
        goto done;
    }
    if (rc)
        goto done;
    if (resp.status == 401 || resp.status == 403) {
        char msg[256];
        registry_message(msg, sizeof(msg), &resp);
        rc = sg_error_set(SG_EAUTH,
                          "authentication failed for %s: token server "
                          "answered HTTP %ld%s%s",
                          r->host, resp.status, msg[0] ? ": " : "", msg);
        goto done;
    }
    if (resp.status != 200) {
        rc = sg_error_set(SG_EHTTP, "%s: token server answered HTTP %ld",
                          r->host, resp.status);
        goto done;
    }
    rc = sg_oci__token_parse(out, body.data, body.len);
    if (rc)
        sg_error_prefix(rc, "%s", r->host);
done:
    sg_wipe(form.data, form.len);
    sg_wipe(authz.data, authz.len);
    sg_wipe(body.data, body.len);
    sg_buf_release(&form);
    sg_buf_release(&authz);
    sg_buf_release(&body);
    sg_buf_release(&url);
    sg_http_resp_release(&resp);
    return rc;
}

/* Build the Authorization header line for a request to the API host. */
static sg_err auth_header(struct reg *r, const char *scope, struct sg_buf *h)
{
    const char *tok;
    char *fresh = NULL;
    sg_err rc;

    sg_buf_reset(h);
    if (r->creds.registry_token)
        return sg_buf_addf(h, "Authorization: Bearer %s",
                           r->creds.registry_token);
    if (r->auth == AUTH_BASIC && r->creds.username)
        return basic_header(h, r);
    if (r->auth != AUTH_BEARER)
        return SG_OK;
    tok = cached_token(r, scope);
    if (!tok) {
        rc = fetch_token(r, scope, &fresh);
        if (rc)
            return rc;
        rc = cache_token(r, scope, fresh);
        if (rc)
            return rc;
        tok = cached_token(r, scope);
    }
    return sg_buf_addf(h, "Authorization: Bearer %s", tok);
}

/* A 401: learn the challenge, get what it asks for. Returns SG_OK when
 * the request should be tried again. */
static sg_err on_unauthorized(struct reg *r,
                              const struct sg_http_resp *resp,
                              const char *scope,
                              int had_auth)
{
    struct sg_oci__challenge ch;
    char msg[256];
    char *tok = NULL;
    sg_err rc;

    registry_message(msg, sizeof(msg), resp);
    if (!resp->www_auth)
        return sg_error_set(SG_EAUTH,
                            "authentication failed for %s: HTTP "
                            "401 without a challenge%s%s",
                            r->host, msg[0] ? ": " : "", msg);
    rc = sg_oci__challenge_parse(&ch, resp->www_auth);
    if (rc)
        return sg_error_prefix(rc, "%s", r->host);
    if (strcmp(ch.scheme, "Basic") == 0) {
        sg_oci__challenge_release(&ch);
        if (had_auth && r->auth == AUTH_BASIC)
            return sg_error_set(SG_EAUTH,
                                "authentication failed for %s: credentials "
                                "refused%s%s",
                                r->host, msg[0] ? ": " : "", msg);
        r->auth = AUTH_BASIC;
        if (!r->creds.username)
            return sg_error_set(SG_EAUTH,
                                "authentication required by %s: no "
                                "credentials (use --username and "
                                "--password-stdin, or docker login)",
                                r->host);
        return SG_OK;
    }
    /* Bearer */
    if (had_auth && r->auth == AUTH_BEARER && !ch.scope) {
        sg_oci__challenge_release(&ch);
        return sg_error_set(SG_EAUTH,
                            "authentication failed for %s: token refused%s%s",
                            r->host, msg[0] ? ": " : "", msg);
    }
    free(r->realm);
    free(r->service);
    r->realm = ch.realm;
    r->service = ch.service;
    ch.realm = ch.service = NULL;
    r->auth = AUTH_BEARER;
    if (r->creds.registry_token) {
        sg_oci__challenge_release(&ch);
        return sg_error_set(SG_EAUTH,
                            "authentication failed for %s: registry token "
                            "refused",
                            r->host);
    }
    {
        /* Ask for our scope and whatever the challenge names. */
        struct sg_buf want = SG_BUF_INIT(URL_MAX);
        rc = sg_buf_adds(&want, scope ? scope : "");
        if (!rc && ch.scope && (!scope || !strstr(scope, ch.scope)))
            rc = sg_buf_addf(&want, "%s%s", want.len ? " " : "", ch.scope);
        if (!rc && had_auth && cached_token(r, scope) && ch.scope && scope &&
            strstr(scope, ch.scope)) {
            /* We sent a token for exactly this scope and it was refused. */
            rc = sg_error_set(SG_EAUTH,
                              "authentication failed for %s: access to %s "
                              "denied%s%s",
                              r->host, ch.scope, msg[0] ? ": " : "", msg);
        }
        if (!rc)
            rc = fetch_token(r, want.data, &tok);
        sg_buf_release(&want);
    }
    sg_oci__challenge_release(&ch);
    if (rc)
        return rc;
    return cache_token(r, scope, tok);
}

/* ------------------------------------------------------------------ */
/* Scheme selection: docker's rule (https first; http only for loopback
 * and insecure hosts; loopback tries http first, see ensure_base). Also
 * learns the auth scheme from /v2/.                                    */

static sg_err
ping_one(struct reg *r, const char *scheme, struct sg_http_resp *resp)
{
    struct sg_buf url = SG_BUF_INIT(URL_MAX);
    struct sg_http_req req;
    sg_err rc;

    req_init(&req, r, !r->insecure);
    rc = sg_buf_addf(&url, "%s://%s/v2/", scheme, r->host);
    if (rc)
        return rc;
    req.method = "GET";
    req.url = url.data;
    rc = sg_http_do(r->http, &req, resp);
    sg_buf_release(&url);
    return rc;
}

static sg_err learn_auth(struct reg *r, const struct sg_http_resp *resp)
{
    struct sg_oci__challenge ch;
    sg_err rc;

    if (resp->status != 401 || !resp->www_auth)
        return SG_OK;
    rc = sg_oci__challenge_parse(&ch, resp->www_auth);
    if (rc) {
        /* An odd challenge on /v2/ is not fatal: a request will tell. */
        sg_error_clear();
        return SG_OK;
    }
    if (strcmp(ch.scheme, "Basic") == 0) {
        r->auth = AUTH_BASIC;
    } else {
        r->auth = AUTH_BEARER;
        free(r->realm);
        free(r->service);
        r->realm = ch.realm;
        r->service = ch.service;
        ch.realm = ch.service = NULL;
    }
    sg_oci__challenge_release(&ch);
    return SG_OK;
}

/* The ping over `scheme` answered: talk to the host that way from now
 * on and learn its auth scheme. Releases *resp. */
static sg_err
use_base(struct reg *r, const char *scheme, struct sg_http_resp *resp)
{
    size_t n = strlen(scheme) + strlen(r->host) + 4; /* "://" and NUL */
    sg_err rc;

    r->base = malloc(n);
    if (!r->base) {
        rc = sg_error_oom();
    } else {
        snprintf(r->base, n, "%s://%s", scheme, r->host);
        rc = learn_auth(r, resp);
    }
    sg_http_resp_release(resp);
    return rc;
}

static sg_err ensure_base(struct reg *r)
{
    struct sg_http_resp resp;
    char first_err[512];
    sg_err rc;

    if (r->base)
        return SG_OK;
    if (r->loopback) {
        /* Loopback: plain http first. A TLS handshake against a plain
         * server costs ~25 ms (the server's error path), a plain request
         * against a TLS server is answered with 400 at once; either order
         * sends no credentials before the scheme is known. */
        rc = ping_one(r, "http", &resp);
        if (!rc && resp.status != 400)
            return use_base(r, "http", &resp);
        sg_http_resp_release(&resp);
        sg_error_clear();
        rc = ping_one(r, "https", &resp);
        if (!rc)
            return use_base(r, "https", &resp);
        sg_http_resp_release(&resp);
        return rc;
    }
    rc = ping_one(r, "https", &resp);
    if (!rc)
        return use_base(r, "https", &resp);
    sg_http_resp_release(&resp);
    if (!(r->insecure || r->loopback))
        return rc;
    snprintf(first_err, sizeof(first_err), "%s", sg_error_last());
    rc = ping_one(r, "http", &resp);
    if (rc || resp.status == 400) {
        /* An HTTPS-only server answers a plain request with 400: the
         * https error is the one that explains the problem. */
        sg_http_resp_release(&resp);
        return sg_error_set(SG_ENET, "%s", first_err);
    }
    sg_debug("%s: https failed (%s); using plain http", r->host, first_err);
    return use_base(r, "http", &resp);
}

/* ------------------------------------------------------------------ */
/* One API call: auth, redirects, retries                               */

static int status_retryable(long st)
{
    return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

/* Where may a redirect go? https anywhere; http only to the API host
 * when that host is already spoken to over http. */
static sg_err redirect_ok(const struct reg *r, const char *url, int *same)
{
    char *scheme = NULL, *host = NULL;
    sg_err rc = sg_http_url_parts(&scheme, &host, url);

    *same = 0;
    if (rc)
        return rc;
    *same = strcasecmp(host, r->host) == 0;
    if (strcasecmp(scheme, "https") != 0 &&
        !(strcasecmp(scheme, "http") == 0 && *same &&
          strncmp(r->base, "http://", 7) == 0))
        rc = sg_error_set(SG_EHTTP, "%s: refusing redirect to '%.200s'",
                          r->host, url);
    free(scheme);
    free(host);
    return rc;
}

static sg_err resume_sink(const void *p, size_t len, void *payload)
{
    struct resume *rs = payload;
    const unsigned char *b = p;
    sg_err rc;

    if (!rs->started) {
        rs->started = 1;
        rs->skip = rs->delivered;
        if (rs->resp->status == 206 && rs->resp->content_range) {
            unsigned long long start = 0;
            const char *q = rs->resp->content_range;
            if (strncasecmp(q, "bytes ", 6) == 0)
                q += 6;
            if (*q < '0' || *q > '9')
                return sg_error_set(SG_EHTTP, "bad Content-Range '%.60s'",
                                    rs->resp->content_range);
            start = strtoull(q, NULL, 10);
            if (start > rs->delivered)
                return sg_error_set(SG_EHTTP,
                                    "resumed blob starts at %llu, have %llu",
                                    start, (unsigned long long)rs->delivered);
            rs->skip = rs->delivered - start;
        }
    }
    if (rs->skip) {
        size_t n = rs->skip < len ? (size_t)rs->skip : len;
        b += n;
        len -= n;
        rs->skip -= n;
    }
    if (!len)
        return SG_OK;
    rc = rs->cb(b, len, rs->payload);
    if (!rc)
        rs->delivered += len;
    return rc;
}

/* Wait before retry number `attempt` (from 1): exponential backoff, or
 * what a 429/503 answer's Retry-After asks for, capped so that a busy
 * registry cannot stall us for long (the retry count still applies). */
static unsigned retry_delay_ms(unsigned attempt,
                               const struct sg_http_resp *resp)
{
    unsigned ms = 250u << (attempt - 1);

    if (ms > 4000)
        ms = 4000;
    if (resp && resp->has_retry_after &&
        (resp->status == 429 || resp->status == 503))
        ms = resp->retry_after_s * 1000u > RETRY_AFTER_MAX_MS
                 ? RETRY_AFTER_MAX_MS
                 : (unsigned)resp->retry_after_s * 1000u;
    return ms;
}

static sg_err do_call(struct reg *r, struct call *c, struct sg_http_resp *resp)
{
    struct sg_buf url = SG_BUF_INIT(URL_MAX), authz = SG_BUF_INIT(1 << 16);
    struct sg_buf range = SG_BUF_INIT(128), ctype = SG_BUF_INIT(512);
    struct sg_buf crange = SG_BUF_INIT(128);
    char *cur = NULL, *next = NULL;
    unsigned attempt = 0;
    int auth_rounds = 0;
    sg_err rc;

    memset(resp, 0, sizeof(resp[0]));
    rc = load_creds(r);
    if (!rc)
        rc = ensure_base(r);
    if (rc)
        goto done;
    if (c->url[0] == '/')
        rc = sg_buf_addf(&url, "%s%s", r->base, c->url);
    else
        rc = sg_buf_adds(&url, c->url);
    if (rc)
        goto done;
    if (c->resume) {
        c->resume->resp = resp;
        c->sink = resume_sink;
        c->sink_payload = c->resume;
    }

    for (;;) { /* attempts (auth rounds and transient retries) */
        int redirects = 0, same = 1, had_auth = 0;

        free(cur);
        cur = strdup(url.data);
        if (!cur) {
            rc = sg_error_oom();
            goto done;
        }
        for (;;) { /* redirects */
            struct sg_http_req req;
            const char *hdrs[6];
            size_t nh = 0;

            req_init(&req, r, !(r->insecure && same));
            sg_http_resp_release(resp);
            if (c->accept)
                hdrs[nh++] = c->accept;
            sg_buf_reset(&ctype);
            if (c->content_type) {
                rc = sg_buf_addf(&ctype, "Content-Type: %s", c->content_type);
                if (rc)
                    goto done;
                hdrs[nh++] = ctype.data;
            }
            if (c->content_range[0]) {
                sg_buf_reset(&crange);
                rc =
                    sg_buf_addf(&crange, "Content-Range: %s", c->content_range);
                if (rc)
                    goto done;
                hdrs[nh++] = crange.data;
            }
            if (c->resume) {
                c->resume->started = 0;
                if (c->resume->delivered) {
                    sg_buf_reset(&range);
                    rc = sg_buf_addf(&range, "Range: bytes=%llu-",
                                     (unsigned long long)c->resume->delivered);
                    if (rc)
                        goto done;
                    hdrs[nh++] = range.data;
                }
            }
            had_auth = 0;
            if (same) {
                rc = auth_header(r, c->scope, &authz);
                if (rc)
                    goto done;
                if (authz.len) {
                    hdrs[nh++] = authz.data;
                    had_auth = 1;
                }
            }
            hdrs[nh] = NULL;
            req.method = c->method;
            req.url = cur;
            req.headers = hdrs;
            req.body = c->body;
            req.body_len = c->body_len;
            req.has_body = c->has_body;
            req.rd = c->rd;
            req.rd_payload = c->rd_payload;
            req.rd_len = c->rd_len;
            req.sink = c->sink;
            req.sink_payload = c->sink_payload;
            req.out = c->out;
            req.what = c->what;
            if (c->out)
                sg_buf_reset(c->out);
            rc = sg_http_do(r->http, &req, resp);
            if (rc)
                break;
            if (c->follow && resp->location &&
                (resp->status == 301 || resp->status == 302 ||
                 resp->status == 303 || resp->status == 307 ||
                 resp->status == 308)) {
                if (++redirects > REDIRECTS_MAX) {
                    rc = sg_error_set(SG_EHTTP, "%s: too many redirects",
                                      r->host);
                    goto done;
                }
                rc = sg_http_resolve(&next, cur, resp->location);
                if (!rc)
                    rc = redirect_ok(r, next, &same);
                if (rc)
                    goto done;
                free(cur);
                cur = next;
                next = NULL;
                continue;
            }
            break;
        }
        if (rc == SG_ENET && c->retry &&
            sg_http_retryable_curl(resp->curl_code) &&
            attempt < r->max_retries) {
            /* transient transport failure: fall through to backoff */
        } else if (rc) {
            goto done;
        } else if (resp->status == 401 && same && auth_rounds < 2 && !c->rd) {
            auth_rounds++;
            rc = on_unauthorized(r, resp, c->scope, had_auth);
            if (rc)
                goto done;
            continue;
        } else if (status_retryable(resp->status) && c->retry &&
                   attempt < r->max_retries) {
            /* fall through to backoff */
        } else {
            break;
        }
        attempt++;
        {
            unsigned ms = retry_delay_ms(attempt, rc ? NULL : resp);
            sg_debug("%s %s: %s; retry %u in %u ms", c->method, url.data,
                     rc ? sg_error_last() : "server busy", attempt, ms);
            sg_error_clear();
            rc = SG_OK;
            sleep_ms(ms);
        }
    }
    if (c->final_url == NULL) {
        c->final_url = cur;
        cur = NULL;
    }
done:
    free(cur);
    free(next);
    sg_wipe(authz.data, authz.len);
    sg_buf_release(&authz);
    sg_buf_release(&url);
    sg_buf_release(&range);
    sg_buf_release(&ctype);
    sg_buf_release(&crange);
    return rc;
}

static char *strip_params(const char *ct)
{
    size_t n;

    if (!ct)
        return NULL;
    n = strcspn(ct, ";");
    while (n && ct[n - 1] == ' ')
        n--;
    return strndup(ct, n);
}

/* ------------------------------------------------------------------ */
/* A repository-scoped API call and everything it owns                  */

enum api_flags {
    API_RETRY = 1u << 0,  /* idempotent: retry on 429/5xx and resets */
    API_FOLLOW = 1u << 1, /* follow redirects (GET/HEAD) */
    API_READ = API_RETRY | API_FOLLOW
};

struct api {
    struct call c;
    struct sg_buf path;  /* "/v2/<repo>/..." or an absolute URL */
    struct sg_buf scope; /* "repository:<repo>:<actions>[ ...]" */
    struct sg_http_resp resp;
};

static void api_init(struct api *a)
{
    memset(a, 0, sizeof(*a));
    a->path = (struct sg_buf)SG_BUF_INIT(URL_MAX);
    a->scope = (struct sg_buf)SG_BUF_INIT(URL_MAX);
}

/* Frees what the call owns and leaves `a` ready for api_begin again. */
static void api_release(struct api *a)
{
    free(a->c.final_url);
    sg_http_resp_release(&a->resp);
    sg_buf_release(&a->path);
    sg_buf_release(&a->scope);
    api_init(a);
}

/* Set up `method` on the path printed from `fmt` with the token scope
 * "repository:<repo>:<actions>". The caller may append to a->path and
 * a->scope and fill the rest of a->c before api_run. `a` must be
 * released with api_release whatever this returns. */
static sg_err api_begin(struct api *a,
                        const char *repo,
                        const char *actions,
                        const char *method,
                        const char *what,
                        unsigned flags,
                        const char *fmt,
                        ...) SG_PRINTF(7, 8);

static sg_err api_begin(struct api *a,
                        const char *repo,
                        const char *actions,
                        const char *method,
                        const char *what,
                        unsigned flags,
                        const char *fmt,
                        ...)
{
    va_list ap, ap2;
    char *p = NULL;
    int n;
    sg_err rc;

    api_init(a);
    a->c.method = method;
    a->c.what = what;
    a->c.retry = (flags & API_RETRY) != 0;
    a->c.follow = (flags & API_FOLLOW) != 0;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0)
        p = malloc((size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    va_end(ap);
    if (!p)
        return sg_error_oom();
    rc = sg_buf_add(&a->path, p, (size_t)n);
    free(p);
    if (!rc)
        rc = sg_buf_addf(&a->scope, "repository:%s:%s", repo, actions);
    return rc;
}

static sg_err api_run(struct reg *r, struct api *a)
{
    a->c.url = a->path.data;
    a->c.scope = a->scope.data;
    return do_call(r, &a->c, &a->resp);
}

/* status_error with a printf-style description. */
static sg_err status_errorf(const struct reg *r,
                            const struct sg_http_resp *resp,
                            const char *fmt,
                            ...) SG_PRINTF(3, 4);

static sg_err status_errorf(const struct reg *r,
                            const struct sg_http_resp *resp,
                            const char *fmt,
                            ...)
{
    char what[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return status_error(r, resp, what);
}

/* ------------------------------------------------------------------ */
/* Store operations                                                     */

static sg_err manifest_notfound(const struct reg *r, const char *ref)
{
    return sg_error_set(SG_ENOTFOUND, "manifest unknown: %s%s%s", r->repo,
                        sg_digest_valid(ref) ? "@" : ":", ref);
}

/* GET or HEAD of a manifest, with the statuses both treat alike. */
static sg_err manifest_fetch(struct reg *r,
                             struct api *a,
                             const char *method,
                             const char *ref,
                             struct sg_buf *body)
{
    sg_err rc;

    rc = api_begin(a, r->repo, "pull", method, "manifest", API_READ,
                   "/v2/%s/manifests/%s", r->repo, ref);
    if (rc)
        return rc;
    a->c.accept = ACCEPT_MANIFESTS;
    a->c.out = body;
    rc = api_run(r, a);
    if (rc == SG_ELIMIT && body)
        return sg_error_set(
            SG_ELIMIT, "manifest larger than %zu bytes (%s%s%s)", body->max,
            r->repo, sg_digest_valid(ref) ? "@" : ":", ref);
    if (rc)
        return rc;
    if (a->resp.status == 404)
        return manifest_notfound(r, ref);
    if (a->resp.status != 200)
        return status_error(r, &a->resp, "manifest");
    return SG_OK;
}

static sg_err reg_get_manifest(struct sg_oci_store *s,
                               const char *ref,
                               struct sg_buf *body,
                               char **media_type_out,
                               char **digest_out)
{
    struct reg *r = s->impl;
    struct api a;
    sg_err rc;

    *media_type_out = NULL;
    *digest_out = NULL;
    rc = manifest_fetch(r, &a, "GET", ref, body);
    if (rc)
        goto done;
    *media_type_out = strip_params(a.resp.content_type);
    *digest_out = dupstr(a.resp.docker_digest);
    if ((a.resp.content_type && !*media_type_out) ||
        (a.resp.docker_digest && !*digest_out))
        rc = sg_error_oom();
done:
    api_release(&a);
    if (rc) {
        free(*media_type_out);
        free(*digest_out);
        *media_type_out = *digest_out = NULL;
    }
    return rc;
}

static sg_err reg_head_manifest(struct sg_oci_store *s,
                                const char *ref,
                                char **media_type_out,
                                char **digest_out,
                                uint64_t *size_out)
{
    struct reg *r = s->impl;
    const struct sg_http_resp *resp;
    struct api a;
    char *mt = NULL, *dg = NULL;
    sg_err rc;

    if (media_type_out)
        *media_type_out = NULL;
    if (digest_out)
        *digest_out = NULL;
    rc = manifest_fetch(r, &a, "HEAD", ref, NULL);
    resp = &a.resp;
    if (rc)
        goto done;
    if (!resp->docker_digest || !sg_digest_valid(resp->docker_digest) ||
        !resp->has_length ||
        (sg_digest_valid(ref) && strcmp(ref, resp->docker_digest) != 0)) {
        /* No trustworthy digest: GET and compute it. */
        struct sg_buf body = SG_BUF_INIT(sg_limits_default()->manifest_max);
        rc = sg_oci_store_get_manifest(s, ref, &body, media_type_out,
                                       digest_out);
        if (!rc && size_out)
            *size_out = body.len;
        sg_buf_release(&body);
        goto done;
    }
    mt = strip_params(resp->content_type);
    dg = strdup(resp->docker_digest);
    if (!dg || (resp->content_type && !mt)) {
        rc = sg_error_oom();
        goto done;
    }
    if (size_out)
        *size_out = resp->content_length;
    if (media_type_out) {
        *media_type_out = mt;
        mt = NULL;
    }
    if (digest_out) {
        *digest_out = dg;
        dg = NULL;
    }
done:
    free(mt);
    free(dg);
    api_release(&a);
    return rc;
}

static sg_err reg_put_manifest(struct sg_oci_store *s,
                               const char *tag,
                               const char *media_type,
                               const void *data,
                               size_t len,
                               const char *digest)
{
    struct reg *r = s->impl;
    struct api a;
    sg_err rc;

    /* PUT of the same bytes is idempotent: retried */
    rc = api_begin(&a, r->repo, "pull,push", "PUT", "manifest", API_RETRY,
                   "/v2/%s/manifests/%s", r->repo, tag ? tag : digest);
    if (rc)
        goto done;
    a.c.content_type = media_type;
    a.c.body = data;
    a.c.body_len = len;
    a.c.has_body = 1;
    rc = api_run(r, &a);
    if (rc)
        goto done;
    if (a.resp.status != 201 && a.resp.status != 200) {
        rc = status_errorf(r, &a.resp, "push manifest %s:%s", r->repo,
                           tag ? tag : digest);
        goto done;
    }
    if (a.resp.docker_digest && strcmp(a.resp.docker_digest, digest) != 0)
        rc = sg_error_set(SG_EDIGEST,
                          "push manifest: registry stored %s, expected %s",
                          a.resp.docker_digest, digest);
done:
    api_release(&a);
    return rc;
}

static sg_err reg_delete_manifest(struct sg_oci_store *s, const char *digest)
{
    struct reg *r = s->impl;
    struct api a;
    sg_err rc;

    rc = api_begin(&a, r->repo, "delete", "DELETE", "manifest", API_RETRY,
                   "/v2/%s/manifests/%s", r->repo, digest);
    if (!rc)
        rc = api_run(r, &a);
    if (rc)
        goto done;
    if (a.resp.status == 404)
        rc = manifest_notfound(r, digest);
    else if (a.resp.status != 202 && a.resp.status != 200 &&
             a.resp.status != 204)
        rc = status_error(r, &a.resp, "delete manifest");
done:
    api_release(&a);
    return rc;
}

static sg_err add_tags(char ***tags, size_t *n, const struct sg_buf *body)
{
    json_t *root = NULL;
    const json_t *arr, *v;
    size_t i, max = sg_limits_default()->tags_max;
    sg_err rc;

    rc = sg_json_parse(&root, body->data, body->len, 0, 8, "tag list");
    if (rc)
        return rc;
    arr = json_object_get(root, "tags");
    if (!json_is_object(root) ||
        (arr && !json_is_array(arr) && !json_is_null(arr))) {
        rc = sg_error_set(SG_EPARSE, "tag list: 'tags' is not an array");
        goto done;
    }
    json_array_foreach(arr, i, v)
    {
        char **nt;
        if (!json_is_string(v)) {
            rc = sg_error_set(SG_EPARSE, "tag list: tags[%zu] not a string", i);
            goto done;
        }
        if (*n >= max) {
            rc = sg_error_set(SG_ELIMIT, "tag list: more than %zu tags", max);
            goto done;
        }
        nt = realloc(*tags, (*n + 2) * sizeof(*nt));
        if (!nt) {
            rc = sg_error_oom();
            goto done;
        }
        *tags = nt;
        nt[*n] = strdup(json_string_value(v));
        nt[*n + 1] = NULL;
        if (!nt[*n]) {
            rc = sg_error_oom();
            goto done;
        }
        (*n)++;
    }
done:
    json_decref(root);
    return rc;
}

static sg_err reg_list_tags(struct sg_oci_store *s, char ***tags_out)
{
    struct reg *r = s->impl;
    struct sg_buf body = SG_BUF_INIT(sg_limits_default()->manifest_max);
    struct api a;
    char **tags = NULL, *url = NULL, *next = NULL;
    size_t n = 0;
    unsigned pages = 0;
    sg_err rc;

    *tags_out = NULL;
    rc = api_begin(&a, r->repo, "pull", "GET", "tag list page", API_READ,
                   "/v2/%s/tags/list?n=1000", r->repo);
    if (rc)
        goto done;
    tags = calloc(1, sizeof(*tags));
    if (!tags) {
        rc = sg_error_oom();
        goto done;
    }
    for (;;) {
        a.c.out = &body;
        rc = api_run(r, &a);
        if (!rc && a.resp.status == 404)
            rc = sg_error_set(SG_ENOTFOUND, "repository unknown: %s", r->repo);
        else if (!rc && a.resp.status != 200)
            rc = status_error(r, &a.resp, "tag list");
        if (!rc)
            rc = add_tags(&tags, &n, &body);
        if (!rc && a.resp.link)
            rc = sg_oci__link_next(&next, a.resp.link);
        if (rc || !next)
            break;
        if (++pages > 10000) {
            rc = sg_error_set(SG_ELIMIT, "tag list: too many pages");
        } else {
            int same = 0;
            rc = sg_http_resolve(&url, a.c.final_url, next);
            if (!rc)
                rc = redirect_ok(r, url, &same);
            if (!rc && !same)
                rc = sg_error_set(SG_EHTTP,
                                  "tag list: next page on another host");
        }
        free(next);
        next = NULL;
        api_release(&a);
        if (!rc)
            rc = api_begin(&a, r->repo, "pull", "GET", "tag list page",
                           API_READ, "%s", url);
        free(url);
        url = NULL;
        if (rc)
            break;
    }
    if (rc)
        goto done;
    *tags_out = tags;
    tags = NULL;
done:
    free(url);
    free(next);
    sg_oci_strv_free(tags);
    api_release(&a);
    sg_buf_release(&body);
    return rc;
}

static sg_err
blob_head(struct reg *r, const char *repo, const char *digest, int *exists)
{
    struct api a;
    sg_err rc;

    *exists = 0;
    rc = api_begin(&a, repo, "pull", "HEAD", "blob", API_READ,
                   "/v2/%s/blobs/%s", repo, digest);
    if (!rc)
        rc = api_run(r, &a);
    if (rc)
        goto done;
    if (a.resp.status == 200)
        *exists = 1;
    else if (a.resp.status != 404)
        rc = status_error(r, &a.resp, "blob");
done:
    api_release(&a);
    return rc;
}

static sg_err
reg_blob_exists(struct sg_oci_store *s, const char *digest, int *exists)
{
    struct reg *r = s->impl;
    return blob_head(r, r->repo, digest, exists);
}

static sg_err reg_get_blob(struct sg_oci_store *s,
                           const struct sg_oci_descriptor *d,
                           sg_oci_write_fn cb,
                           void *payload)
{
    struct reg *r = s->impl;
    struct resume rs;
    struct api a;
    sg_err rc;

    memset(&rs, 0, sizeof(rs));
    rs.cb = cb;
    rs.payload = payload;
    rc = api_begin(&a, r->repo, "pull", "GET", "blob", API_READ,
                   "/v2/%s/blobs/%s", r->repo, d->digest);
    if (rc)
        goto done;
    a.c.resume = &rs;
    rc = api_run(r, &a);
    if (rc == SG_ENET)
        sg_error_prefix(rc, "blob %s", d->digest);
    if (rc)
        goto done;
    if (a.resp.status == 404)
        rc = sg_error_set(SG_ENOTFOUND, "blob unknown: %s@%s", r->repo,
                          d->digest);
    else if (a.resp.status != 200 && a.resp.status != 206)
        rc = status_errorf(r, &a.resp, "blob %s", d->digest);
done:
    api_release(&a);
    return rc;
}

/* Start an upload session: POST → Location (absolute, malloc'd). With
 * mount_from, ask for a cross-repository mount first (*mounted = 1 on
 * 201). */
static sg_err upload_start(struct reg *r,
                           const char *digest,
                           const char *mount_from,
                           char **location,
                           int *mounted)
{
    struct api a;
    sg_err rc;

    *location = NULL;
    if (mounted)
        *mounted = 0;
    rc = api_begin(&a, r->repo, "pull,push", "POST", "upload", 0,
                   "/v2/%s/blobs/uploads/", r->repo);
    if (!rc && mount_from) {
        rc = sg_buf_adds(&a.path, "?mount=");
        if (!rc)
            rc = sg_http_escape(&a.path, digest);
        if (!rc)
            rc = sg_buf_adds(&a.path, "&from=");
        if (!rc)
            rc = sg_http_escape(&a.path, mount_from);
        if (!rc)
            rc = sg_buf_addf(&a.scope, " repository:%s:pull", mount_from);
    }
    if (rc)
        goto done;
    a.c.has_body = 1; /* Content-Length: 0 */
    rc = api_run(r, &a);
    if (rc)
        goto done;
    if (mount_from && a.resp.status == 201) {
        *mounted = 1;
        goto done;
    }
    if (a.resp.status != 202 || !a.resp.location) {
        rc = status_errorf(r, &a.resp, "start upload to %s", r->repo);
        if (a.resp.status == 202)
            rc = sg_error_set(SG_EHTTP, "%s: upload without Location", r->host);
        goto done;
    }
    rc = sg_http_resolve(location, a.c.final_url, a.resp.location);
    if (!rc) {
        int same = 0;
        rc = redirect_ok(r, *location, &same);
        if (!rc && !same)
            rc = sg_error_set(SG_EHTTP, "%s: upload location on another host",
                              r->host);
    }
    if (rc) {
        free(*location);
        *location = NULL;
    }
done:
    api_release(&a);
    return rc;
}

/* Reader limited to `left` bytes of an underlying reader. */
struct limited {
    sg_oci_read_fn rd;
    void *payload;
    uint64_t left;
};

static sg_err limited_read(void *p, size_t cap, size_t *n_out, void *payload)
{
    struct limited *l = payload;

    *n_out = 0;
    if (!l->left)
        return SG_OK;
    if (cap > l->left)
        cap = (size_t)l->left;
    return l->rd(p, cap, n_out, l->payload);
}

static sg_err
location_with_digest(struct sg_buf *out, const char *loc, const char *digest)
{
    sg_err rc =
        sg_buf_addf(out, "%s%cdigest=", loc, strchr(loc, '?') ? '&' : '?');
    if (!rc)
        rc = sg_http_escape(out, digest);
    return rc;
}

/* PATCH the blob to `*loc` in CHUNK_SIZE pieces with Content-Range;
 * *loc moves to each answer's Location. */
static sg_err upload_chunks(
    struct reg *r, char **loc, uint64_t size, sg_oci_read_fn rd, void *payload)
{
    struct limited lim;
    struct api a;
    uint64_t off = 0;
    sg_err rc = SG_OK;

    api_init(&a);
    lim.rd = rd;
    lim.payload = payload;
    while (off < size) {
        uint64_t n = size - off < CHUNK_SIZE ? size - off : CHUNK_SIZE;
        char *nloc = NULL;
        lim.left = n;
        rc = api_begin(&a, r->repo, "pull,push", "PATCH", "upload chunk", 0,
                       "%s", *loc);
        if (rc)
            break;
        a.c.content_type = "application/octet-stream";
        snprintf(a.c.content_range, sizeof(a.c.content_range), "%llu-%llu",
                 (unsigned long long)off, (unsigned long long)(off + n - 1));
        a.c.rd = limited_read;
        a.c.rd_payload = &lim;
        a.c.rd_len = n;
        a.c.has_body = 1;
        rc = api_run(r, &a);
        if (!rc && a.resp.status != 202)
            rc = status_error(r, &a.resp, "upload chunk");
        if (!rc && !a.resp.location)
            rc = sg_error_set(SG_EHTTP, "%s: chunk accepted without Location",
                              r->host);
        if (!rc)
            rc = sg_http_resolve(&nloc, a.c.final_url, a.resp.location);
        api_release(&a);
        if (rc)
            break;
        free(*loc);
        *loc = nloc;
        off += n;
    }
    api_release(&a);
    return rc;
}

/* Read a small blob whole, so that its PUT can be retried. */
static sg_err read_whole(struct sg_buf *mem,
                         const char *digest,
                         uint64_t size,
                         sg_oci_read_fn rd,
                         void *payload)
{
    char chunk[16384];
    sg_err rc;

    for (;;) {
        size_t n = 0;
        rc = rd(chunk, sizeof(chunk), &n, payload);
        if (rc || !n)
            break;
        rc = sg_buf_add(mem, chunk, n);
        if (rc)
            break;
    }
    if (!rc && mem->len != size)
        rc = sg_error_set(SG_EIO,
                          "blob %s: source has %zu bytes, "
                          "expected %llu",
                          digest, mem->len, (unsigned long long)size);
    return rc;
}

static sg_err reg_put_blob(struct sg_oci_store *s,
                           const char *digest,
                           uint64_t size,
                           sg_oci_read_fn rd,
                           void *payload)
{
    struct reg *r = s->impl;
    struct sg_buf url = SG_BUF_INIT(URL_MAX);
    struct sg_buf mem = SG_BUF_INIT(MONO_BUF_MAX);
    struct api a;
    char *loc = NULL;
    int exists = 0;
    unsigned flags = API_RETRY;
    sg_err rc;

    api_init(&a);
    rc = blob_head(r, r->repo, digest, &exists);
    if (rc || exists)
        goto done;
    rc = upload_start(r, digest, NULL, &loc, NULL);
    if (rc)
        goto done;
    if (size <= MONO_BUF_MAX)
        rc = read_whole(&mem, digest, size, rd, payload);
    else if (size <= CHUNK_SIZE)
        flags = 0; /* streamed in the PUT: cannot be replayed */
    else           /* chunked: PATCHes, then PUT ?digest= (empty) */
        rc = upload_chunks(r, &loc, size, rd, payload);
    if (!rc)
        rc = location_with_digest(&url, loc, digest);
    if (!rc)
        rc = api_begin(&a, r->repo, "pull,push", "PUT", "upload", flags, "%s",
                       url.data);
    if (rc)
        goto done;
    a.c.content_type = "application/octet-stream";
    a.c.has_body = 1;
    if (size <= MONO_BUF_MAX) {
        a.c.body = mem.data;
        a.c.body_len = mem.len;
    } else if (size <= CHUNK_SIZE) {
        a.c.rd = rd;
        a.c.rd_payload = payload;
        a.c.rd_len = size;
    }
    rc = api_run(r, &a);
    if (rc)
        goto done;
    if (a.resp.status != 201) {
        char msg[256];
        registry_message(msg, sizeof(msg), &a.resp);
        if (a.resp.status == 400 && strstr(msg, "DIGEST_INVALID")) {
            rc = sg_error_set(SG_EDIGEST,
                              "push blob %s: registry says the "
                              "content does not match: %s",
                              digest, msg);
            goto done;
        }
        rc = status_errorf(r, &a.resp, "push blob %s", digest);
    }
done:
    free(loc);
    api_release(&a);
    sg_buf_release(&mem);
    sg_buf_release(&url);
    return rc;
}

static sg_err reg_referrers(struct sg_oci_store *s,
                            const char *digest,
                            const char *artifact_type,
                            struct sg_buf *index_json,
                            int *supported)
{
    struct reg *r = s->impl;
    long st;
    struct api a;
    sg_err rc;

    *supported = 0;
    rc = api_begin(&a, r->repo, "pull", "GET", "referrers index", API_READ,
                   "/v2/%s/referrers/%s", r->repo, digest);
    if (!rc && artifact_type) {
        rc = sg_buf_adds(&a.path, "?artifactType=");
        if (!rc)
            rc = sg_http_escape(&a.path, artifact_type);
    }
    if (rc)
        goto done;
    if (index_json->max > sg_limits_default()->manifest_max ||
        index_json->max == 0)
        index_json->max = sg_limits_default()->manifest_max;
    a.c.accept = "Accept: " SG_MT_OCI_INDEX;
    a.c.out = index_json;
    rc = api_run(r, &a);
    if (rc)
        goto done;
    st = a.resp.status;
    if (st == 200) {
        char *mt = strip_params(a.resp.content_type);
        /* A registry without the API may answer 200 with something else
         * (an HTML page): only an index counts. */
        *supported = mt && strcmp(mt, SG_MT_OCI_INDEX) == 0;
        free(mt);
        if (!*supported)
            sg_buf_reset(index_json);
    } else if (st == 404 || st == 400 || st == 405 || st == 501) {
        sg_buf_reset(index_json);
    } else {
        rc = status_error(r, &a.resp, "referrers");
    }
done:
    api_release(&a);
    return rc;
}

static void reg_free(struct sg_oci_store *s)
{
    struct reg *r = s->impl;

    if (!r)
        return;
    sg_http_free(r->http);
    free(r->host);
    free(r->cred_host);
    free(r->repo);
    free(r->base);
    free(r->ca_file);
    free(r->user_agent);
    sg_oci_credentials_release(&r->creds);
    free(r->realm);
    free(r->service);
    for (size_t i = 0; i < r->n_tokens; i++) {
        free(r->tokens[i].scope);
        sg_wipe(r->tokens[i].token, strlen(r->tokens[i].token));
        free(r->tokens[i].token);
    }
    free(r->tokens);
    free(r);
    s->impl = NULL;
}

static const struct sg_oci_store_ops registry_ops = {
    "registry",          reg_get_manifest, reg_head_manifest, reg_put_manifest,
    reg_delete_manifest, reg_list_tags,    reg_blob_exists,   reg_get_blob,
    reg_put_blob,        reg_referrers,    reg_free,
};

sg_err sg_oci__registry_open(struct sg_oci_store *s,
                             const struct sg_oci_registry_opts *opts)
{
    struct reg *r = calloc(1, sizeof(*r));
    sg_err rc;

    if (!r)
        return sg_error_oom();
    s->ops = &registry_ops;
    s->impl = r;
    rc = sg_http_create(&r->http);
    if (rc)
        return rc;
    r->host = strdup(sg_oci_ref_api_host(&s->ref));
    r->cred_host = strdup(s->ref.registry);
    r->repo = strdup(s->ref.repository);
    if (!r->host || !r->cred_host || !r->repo)
        return sg_error_oom();
    r->loopback = host_is_loopback(r->host);
    r->max_retries = 4;
    if (opts) {
        r->insecure = host_listed(opts->insecure_hosts, r->host) ||
                      host_listed(opts->insecure_hosts, r->cred_host);
        r->get_credentials = opts->get_credentials;
        r->cred_payload = opts->cred_payload;
        r->connect_timeout_s = opts->connect_timeout_s;
        r->low_speed_time_s = opts->low_speed_time_s;
        if (opts->max_retries)
            r->max_retries = opts->max_retries;
        if ((opts->ca_file && !(r->ca_file = strdup(opts->ca_file))) ||
            (opts->user_agent && !(r->user_agent = strdup(opts->user_agent))))
            return sg_error_oom();
    }
    return SG_OK;
}

sg_err sg_oci__registry_mount(struct sg_oci_store *s,
                              const char *digest,
                              const char *from_repo,
                              int *mounted)
{
    struct reg *r = s->impl;
    char *loc = NULL;
    sg_err rc;

    *mounted = 0;
    if (s->kind != SG_OCI_STORE_REGISTRY || !r)
        return SG_OK;
    rc = upload_start(r, digest, from_repo, &loc, mounted);
    if (!rc && loc) {
        /* 202: the registry opened a normal upload instead; cancel it,
         * the caller falls back to a regular push. */
        struct api a;
        if (!api_begin(&a, r->repo, "pull,push", "DELETE", "upload", 0, "%s",
                       loc)) {
            (void)api_run(r, &a);
            sg_error_clear();
        }
        api_release(&a);
    }
    free(loc);
    return rc;
}

sg_err sg_oci_global_init(void)
{
    CURLcode cc = curl_global_init(CURL_GLOBAL_DEFAULT);

    if (cc != CURLE_OK)
        return sg_error_set(SG_ENET, "curl_global_init: %s",
                            curl_easy_strerror(cc));
    return SG_OK;
}

void sg_oci_global_cleanup(void)
{
    curl_global_cleanup();
}

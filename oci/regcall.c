/*
 * One registry API call (see registry_int.h for how the client is split).
 *
 * The algorithm, for a call the store operations describe (method, path,
 * scope, body, where the answer goes):
 *  1. Scheme probe, once per client: GET /v2/ over https; plain http only
 *     for loopback hosts (tried first there, see ensure_base) and hosts
 *     the user marked insecure. The ping's 401 tells the auth scheme.
 *  2. Exchanges, each through the transport seam (r->ops), each decided
 *     by sg_reg_next_action() from the answer and the call's state:
 *     REDIRECT  follow a 30x Location (GET/HEAD only, at most 5 hops);
 *     REAUTH    answer a 401 challenge (token for the scope, or Basic),
 *               then start over, at most twice;
 *     RETRY     429/5xx or a transient transport failure of an
 *               idempotent call: wait (exponential backoff, or the
 *               answer's Retry-After capped at 10 s), start over; at most
 *               max_retries times, then the last answer is the result;
 *     RESUME    a blob body broke off after real progress: ask again at
 *               once with "Range: bytes=<delivered>-";
 *     TIMEOUT   the command's deadline passed;
 *     DONE/FAIL the answer (any status) or the error goes to the caller.
 *
 * Traps:
 *  - A redirect to another host (blob storage, a CDN) must not carry our
 *    Authorization header: the credentials are for the registry, and the
 *    other host's URL is usually pre-signed anyway. Insecure-TLS is also
 *    only for the listed host. A redirect from https to http is refused
 *    (only the API host itself may be spoken to over http, when it
 *    already is); so is any scheme other than http(s).
 *  - Retries start again from the call's own URL, not the redirect
 *    target: a pre-signed URL may have expired, and a new token may be
 *    needed at the registry first.
 *  - Range resume: a multi-GB layer over a flaky link should not start
 *    over after each reset. The sink only ever sees each byte once: bytes
 *    already delivered are skipped from a 200 (full) answer and from a
 *    206 that starts earlier; a 206 that starts later than asked is an
 *    error. The digest (computed by store.c over what the sink saw) thus
 *    covers the whole blob across resumes.
 *  - What counts as progress: an exchange that broke off after adding at
 *    least SG_REG_PROGRESS_MIN bytes. Only then does the resume not use up
 *    a retry; a server that trickles a few bytes and stalls on every
 *    request would otherwise hold us forever. Stalls are detected by the
 *    transport (below 1 KiB/s for low_speed_time_s).
 *  - The deadline is absolute (the command's --timeout, set once by the
 *    caller): every exchange gets only the time left (CURLOPT_TIMEOUT_MS),
 *    a resume or retry never extends it, and a retry whose wait would
 *    pass it gives up at once. The error names the timeout and what was
 *    being fetched.
 *  - Streamed uploads (a reader, not a buffer) cannot be sent twice: no
 *    retry and no 401 round for them (the upload session's token was
 *    obtained by the POST before).
 */
#include "oci_int.h"
#include "registry_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define REDIRECTS_MAX      5
#define RETRY_AFTER_MAX_MS 10000u /* cap on a server's Retry-After */
#define BACKOFF_MAX_MS     4000u
#define AUTH_ROUNDS_MAX    2u
#define DESC_MAX           400
#define AUTHZ_MAX          (1u << 16)

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

/* "host:port" → is its host part a loopback name? */
int sg_reg_host_is_loopback(const char *hostport)
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
int sg_reg_host_listed(const char *const *list, const char *hostport)
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
void sg_reg_message(char *out, size_t cap, const struct sg_http_resp *resp)
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
sg_err sg_reg_status_error(const struct sg_reg *r,
                           const struct sg_http_resp *resp,
                           const char *what)
{
    char msg[256];

    sg_reg_message(msg, sizeof(msg), resp);
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
void sg_reg_req_init(struct sg_http_req *req,
                     const struct sg_reg *r,
                     int verify)
{
    memset(req, 0, sizeof(*req));
    req->verify_tls = verify;
    req->ca_file = r->ca_file;
    req->connect_timeout_s = r->connect_timeout_s;
    req->low_speed_time_s = r->low_speed_time_s;
    req->user_agent = r->user_agent;
    req->header_max = sg_ctx_limits(r->ctx)->header_max;
}

/* ------------------------------------------------------------------ */
/* Scheme selection: docker's rule (https first; http only for loopback
 * and insecure hosts; loopback tries http first, see ensure_base). Also
 * learns the auth scheme from /v2/.                                    */

static sg_err
ping_one(struct sg_reg *r, const char *scheme, struct sg_http_resp *resp)
{
    struct sg_buf url = SG_BUF_INIT(SG_REG_URL_MAX);
    struct sg_http_req req;
    sg_err rc;

    sg_reg_req_init(&req, r, !r->insecure);
    rc = sg_buf_addf(&url, "%s://%s/v2/", scheme, r->host);
    if (rc)
        return rc;
    req.method = "GET";
    req.url = url.data;
    rc = sg_reg_perform(r, &req, resp, "contacting");
    sg_buf_release(&url);
    return rc;
}

/* The ping over `scheme` answered: talk to the host that way from now
 * on and learn its auth scheme. Releases *resp. */
static sg_err
use_base(struct sg_reg *r, const char *scheme, struct sg_http_resp *resp)
{
    size_t n = strlen(scheme) + strlen(r->host) + 4; /* "://" and NUL */
    sg_err rc;

    r->base = malloc(n);
    if (!r->base) {
        rc = sg_error_oom();
    } else {
        snprintf(r->base, n, "%s://%s", scheme, r->host);
        sg_reg_learn_auth(r, resp);
        rc = SG_OK;
    }
    sg_http_resp_release(resp);
    return rc;
}

static sg_err ensure_base(struct sg_reg *r)
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
    sg_debug(r->ctx, "%s: https failed (%s); using plain http", r->host,
             first_err);
    return use_base(r, "http", &resp);
}

/* Where may a redirect go? https anywhere; http only to the API host
 * when that host is already spoken to over http. */
sg_err sg_reg_redirect_ok(const struct sg_reg *r, const char *url, int *same)
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

/* The sink of a resumable blob GET: hands the caller's sink only bytes
 * it has not had. A 200 restarts the blob (skip what was delivered); a
 * 206 starts at Content-Range's first byte (skip the overlap; a start
 * past what we have would leave a hole: error). */
static sg_err resume_sink(const void *p, size_t len, void *payload)
{
    struct sg_reg_resume *rs = payload;
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

/* ------------------------------------------------------------------ */
/* The deadline                                                         */

void sg_reg_fmt_duration(char *out, size_t cap, int64_t ms)
{
    long long h, m, s, frac;
    char sec[40];

    if (ms < 0)
        ms = 0;
    if (ms < 1000 && ms > 0) {
        snprintf(out, cap, "%lldms", (long long)ms);
        return;
    }
    h = (long long)(ms / 3600000);
    m = (long long)((ms / 60000) % 60);
    s = (long long)((ms / 1000) % 60);
    frac = (long long)(ms % 1000);
    if (frac) {
        size_t n;
        snprintf(sec, sizeof(sec), "%lld.%03lld", s, frac);
        n = strlen(sec);
        while (sec[n - 1] == '0')
            sec[--n] = '\0';
    } else {
        snprintf(sec, sizeof(sec), "%lld", s);
    }
    if (h)
        snprintf(out, cap, "%lldh%lldm%ss", h, m, sec);
    else if (m)
        snprintf(out, cap, "%lldm%ss", m, sec);
    else
        snprintf(out, cap, "%ss", sec);
}

/* "timed out after 3m0s fetching blob sha256:... from host/repo", and
 * when the time went on retrying a busy answer, which one ("the
 * registry's last answer: HTTP 503"), so a denial names the cause. */
static sg_err
timeout_error_after(const struct sg_reg *r, const char *desc, long busy)
{
    char d[48], last[64] = "";

    if (busy)
        snprintf(last, sizeof(last), " (the registry's last answer: HTTP %ld)",
                 busy);
    if (!r->timeout_ms)
        return sg_error_set(SG_ENET, "timed out %s%s", desc, last);
    sg_reg_fmt_duration(d, sizeof(d), r->timeout_ms);
    return sg_error_set(SG_ENET, "timed out after %s %s%s", d, desc, last);
}

static sg_err timeout_error(const struct sg_reg *r, const char *desc)
{
    return timeout_error_after(r, desc, 0);
}

int sg_reg_expired(const struct sg_reg *r)
{
    return r->deadline_ms && r->ops->now_ms(r->ops_ctx) >= r->deadline_ms;
}

/* One exchange within the deadline: the transport gets the time left;
 * a transport failure once the deadline has passed is the timeout. */
static sg_err perform_within(struct sg_reg *r,
                             struct sg_http_req *req,
                             struct sg_http_resp *resp,
                             const char *desc)
{
    sg_err rc;

    if (r->deadline_ms) {
        int64_t left = r->deadline_ms - r->ops->now_ms(r->ops_ctx);
        if (left <= 0) {
            sg_http_resp_init(resp);
            return timeout_error(r, desc);
        }
        req->timeout_ms = left;
    }
    rc = r->ops->perform(r->ops_ctx, req, resp);
    if (rc == SG_ENET && sg_reg_expired(r))
        rc = timeout_error(r, desc);
    return rc;
}

sg_err sg_reg_perform(struct sg_reg *r,
                      struct sg_http_req *req,
                      struct sg_http_resp *resp,
                      const char *doing)
{
    char desc[DESC_MAX];

    snprintf(desc, sizeof(desc), "%s %s", doing, r->host);
    return perform_within(r, req, resp, desc);
}

/* ------------------------------------------------------------------ */
/* The decision                                                         */

static int status_retryable(long st)
{
    return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

static int status_redirect(long st)
{
    return st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
}

enum sg_reg_action sg_reg_next_action(const struct sg_reg_state *st,
                                      sg_err rc,
                                      const struct sg_http_resp *resp)
{
    int late = st->deadline_ms && st->now_ms >= st->deadline_ms;

    if (rc) {
        /* Only a transient transport failure of an idempotent call is
         * worth another exchange; anything else is the answer. */
        if (rc != SG_ENET || !resp->transient || !st->retry)
            return SG_REG_FAIL;
        if (late)
            return SG_REG_TIMEOUT;
        if (st->progress >= SG_REG_PROGRESS_MIN)
            return SG_REG_RESUME;
        return st->attempt < st->max_retries ? SG_REG_RETRY : SG_REG_FAIL;
    }
    if (st->follow && resp->location && status_redirect(resp->status))
        return SG_REG_REDIRECT;
    /* A 401 from another host (after a redirect) is that host's answer:
     * our credentials were not sent there and must not be. */
    if (resp->status == 401 && st->same_host &&
        st->auth_rounds < AUTH_ROUNDS_MAX && !st->streamed)
        return SG_REG_REAUTH;
    if (status_retryable(resp->status) && st->retry) {
        if (late)
            return SG_REG_TIMEOUT;
        /* out of retries: the busy answer goes to the caller */
        return st->attempt < st->max_retries ? SG_REG_RETRY : SG_REG_DONE;
    }
    return SG_REG_DONE;
}

/* Wait before retry number `attempt` (from 1): exponential backoff, or
 * what a 429/503 answer's Retry-After asks for, capped so that a busy
 * registry cannot stall us for long (the retry count still applies). */
unsigned sg_reg_retry_delay_ms(unsigned attempt,
                               const struct sg_http_resp *resp)
{
    unsigned ms = attempt > 5 ? BACKOFF_MAX_MS : 250u << (attempt - 1);

    if (ms > BACKOFF_MAX_MS)
        ms = BACKOFF_MAX_MS;
    if (resp && resp->has_retry_after &&
        (resp->status == 429 || resp->status == 503))
        ms = resp->retry_after_s * 1000u > RETRY_AFTER_MAX_MS
                 ? RETRY_AFTER_MAX_MS
                 : (unsigned)resp->retry_after_s * 1000u;
    return ms;
}

/* ------------------------------------------------------------------ */
/* The call loop                                                        */

struct run {
    struct sg_reg *r;
    struct sg_reg_call *c;
    struct sg_http_resp *resp;
    struct sg_buf url;  /* the call's own URL, absolute */
    char *cur;          /* URL of the next exchange (after redirects) */
    unsigned redirects; /* hops since the last start */
    int had_auth;       /* the last exchange carried Authorization */
    struct sg_reg_state st;
    struct sg_buf authz, range, ctype, crange; /* header lines */
    char desc[DESC_MAX]; /* "fetching blob sha256:... from host/repo" */
};

static const char *verb(const char *method)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return "fetching";
    if (strcmp(method, "DELETE") == 0)
        return "deleting";
    return "sending";
}

/* Start (again) from the call's own URL on the API host. */
static sg_err restart(struct run *x)
{
    free(x->cur);
    x->cur = strdup(x->url.data);
    x->redirects = 0;
    x->st.same_host = 1;
    return x->cur ? SG_OK : sg_error_oom();
}

static sg_err setup(struct run *x)
{
    struct sg_reg *r = x->r;
    struct sg_reg_call *c = x->c;
    sg_err rc;

    snprintf(x->desc, sizeof(x->desc), "%s %s%s%s from %s/%s", verb(c->method),
             c->what ? c->what : "response", c->subject ? " " : "",
             c->subject ? c->subject : "", r->host, r->repo);
    rc = sg_reg_load_creds(r);
    if (!rc)
        rc = ensure_base(r);
    if (rc)
        return rc;
    if (c->url[0] == '/')
        rc = sg_buf_addf(&x->url, "%s%s", r->base, c->url);
    else
        rc = sg_buf_adds(&x->url, c->url);
    if (rc)
        return rc;
    if (c->resume) {
        c->resume->resp = x->resp;
        c->sink = resume_sink;
        c->sink_payload = c->resume;
    }
    x->st.max_retries = r->max_retries;
    x->st.retry = c->retry;
    x->st.follow = c->follow;
    x->st.streamed = c->rd != NULL;
    x->st.deadline_ms = r->deadline_ms;
    return restart(x);
}

/* The header lines of the next exchange, into hdrs (NULL-ended). */
static sg_err headers(struct run *x, const char **hdrs)
{
    struct sg_reg_call *c = x->c;
    size_t nh = 0;
    sg_err rc = SG_OK;

    if (c->accept)
        hdrs[nh++] = c->accept;
    sg_buf_reset(&x->ctype);
    if (c->content_type) {
        rc = sg_buf_addf(&x->ctype, "Content-Type: %s", c->content_type);
        hdrs[nh++] = x->ctype.data;
    }
    sg_buf_reset(&x->crange);
    if (!rc && c->content_range[0]) {
        rc = sg_buf_addf(&x->crange, "Content-Range: %s", c->content_range);
        hdrs[nh++] = x->crange.data;
    }
    sg_buf_reset(&x->range);
    if (!rc && c->resume) {
        c->resume->started = 0;
        if (c->resume->delivered) {
            rc = sg_buf_addf(&x->range, "Range: bytes=%llu-",
                             (unsigned long long)c->resume->delivered);
            hdrs[nh++] = x->range.data;
        }
    }
    x->had_auth = 0;
    sg_buf_reset(&x->authz);
    if (!rc && x->st.same_host) {
        rc = sg_reg_auth_header(x->r, c->scope, &x->authz);
        if (!rc && x->authz.len) {
            hdrs[nh++] = x->authz.data;
            x->had_auth = 1;
        }
    }
    hdrs[nh] = NULL;
    return rc;
}

/* One exchange at x->cur; sets the progress it made. */
static sg_err exchange(struct run *x)
{
    struct sg_reg *r = x->r;
    struct sg_reg_call *c = x->c;
    struct sg_http_req req;
    const char *hdrs[6];
    uint64_t before = c->resume ? c->resume->delivered : 0;
    sg_err rc;

    sg_http_resp_release(x->resp);
    rc = headers(x, hdrs);
    if (rc)
        return rc;
    /* insecure TLS only for the listed host itself */
    sg_reg_req_init(&req, r, !(r->insecure && x->st.same_host));
    req.method = c->method;
    req.url = x->cur;
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
    rc = perform_within(r, &req, x->resp, x->desc);
    x->st.progress = (c->resume ? c->resume->delivered : 0) - before;
    x->st.now_ms = r->ops->now_ms(r->ops_ctx);
    return rc;
}

static sg_err follow_redirect(struct run *x)
{
    char *next = NULL;
    int same = 0;
    sg_err rc;

    if (++x->redirects > REDIRECTS_MAX)
        return sg_error_set(SG_EHTTP, "%s: too many redirects", x->r->host);
    rc = sg_http_resolve(&next, x->cur, x->resp->location);
    if (!rc)
        rc = sg_reg_redirect_ok(x->r, next, &same);
    if (rc) {
        free(next);
        return rc;
    }
    free(x->cur);
    x->cur = next;
    x->st.same_host = same; /* Authorization only to the API host */
    return SG_OK;
}

/* Back off before a retry, unless the wait would pass the deadline. */
static sg_err wait_retry(struct run *x, sg_err failed)
{
    struct sg_reg *r = x->r;
    unsigned ms;

    x->st.attempt++;
    ms = sg_reg_retry_delay_ms(x->st.attempt, failed ? NULL : x->resp);
    if (r->deadline_ms && x->st.now_ms + (int64_t)ms >= r->deadline_ms)
        return timeout_error_after(r, x->desc, failed ? 0 : x->resp->status);
    sg_debug(r->ctx, "%s %s: %s; retry %u in %u ms", x->c->method, x->url.data,
             failed ? sg_error_last() : "server busy", x->st.attempt, ms);
    sg_error_clear();
    r->ops->sleep_ms(r->ops_ctx, ms);
    return SG_OK;
}

sg_err
sg_reg_call(struct sg_reg *r, struct sg_reg_call *c, struct sg_http_resp *resp)
{
    struct run x;
    sg_err rc;

    memset(&x, 0, sizeof(x));
    x.r = r;
    x.c = c;
    x.resp = resp;
    x.url = (struct sg_buf)SG_BUF_INIT(SG_REG_URL_MAX);
    x.authz = (struct sg_buf)SG_BUF_INIT(AUTHZ_MAX);
    x.range = (struct sg_buf)SG_BUF_INIT(128);
    x.ctype = (struct sg_buf)SG_BUF_INIT(512);
    x.crange = (struct sg_buf)SG_BUF_INIT(128);
    sg_http_resp_init(resp);
    rc = setup(&x);
    while (!rc) {
        sg_err ex = exchange(&x);

        switch (sg_reg_next_action(&x.st, ex, resp)) {
        case SG_REG_DONE:
            if (!c->final_url) {
                c->final_url = x.cur;
                x.cur = NULL;
            }
            goto done;
        case SG_REG_FAIL:
            rc = ex;
            goto done;
        case SG_REG_TIMEOUT:
            rc = timeout_error_after(r, x.desc, ex ? 0 : resp->status);
            goto done;
        case SG_REG_REDIRECT:
            rc = follow_redirect(&x);
            break;
        case SG_REG_REAUTH:
            x.st.auth_rounds++;
            rc = sg_reg_on_unauthorized(r, resp, c->scope, x.had_auth);
            if (!rc)
                rc = restart(&x);
            break;
        case SG_REG_RESUME:
            sg_debug(x.r->ctx, "%s %s: %s after %llu bytes; resuming",
                     c->method, x.url.data, sg_error_last(),
                     (unsigned long long)c->resume->delivered);
            sg_error_clear();
            rc = restart(&x);
            break;
        case SG_REG_RETRY:
            rc = wait_retry(&x, ex);
            if (!rc)
                rc = restart(&x);
            break;
        }
    }
done:
    free(x.cur);
    sg_wipe(x.authz.data, x.authz.len);
    sg_buf_release(&x.authz);
    sg_buf_release(&x.url);
    sg_buf_release(&x.range);
    sg_buf_release(&x.ctype);
    sg_buf_release(&x.crange);
    return rc;
}

/* ------------------------------------------------------------------ */
/* A repository-scoped API call and everything it owns                  */

void sg_reg_api_init(struct sg_reg_api *a)
{
    memset(a, 0, sizeof(*a));
    a->path = (struct sg_buf)SG_BUF_INIT(SG_REG_URL_MAX);
    a->scope = (struct sg_buf)SG_BUF_INIT(SG_REG_URL_MAX);
}

/* Frees what the call owns and leaves `a` ready for api_begin again. */
void sg_reg_api_release(struct sg_reg_api *a)
{
    free(a->c.final_url);
    sg_http_resp_release(&a->resp);
    sg_buf_release(&a->path);
    sg_buf_release(&a->scope);
    sg_reg_api_init(a);
}

/* Set up `method` on the path printed from `fmt` with the token scope
 * "repository:<repo>:<actions>". The caller may append to a->path and
 * a->scope and fill the rest of a->c before api_run. `a` must be
 * released with api_release whatever this returns. */
sg_err sg_reg_api_begin(struct sg_reg_api *a,
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

    sg_reg_api_init(a);
    a->c.method = method;
    a->c.what = what;
    a->c.retry = (flags & SG_REG_API_RETRY) != 0;
    a->c.follow = (flags & SG_REG_API_FOLLOW) != 0;
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

sg_err sg_reg_api_run(struct sg_reg *r, struct sg_reg_api *a)
{
    a->c.url = a->path.data;
    a->c.scope = a->scope.data;
    return sg_reg_call(r, &a->c, &a->resp);
}

/* status_error with a printf-style description. */
sg_err sg_reg_status_errorf(const struct sg_reg *r,
                            const struct sg_http_resp *resp,
                            const char *fmt,
                            ...)
{
    char what[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return sg_reg_status_error(r, resp, what);
}

/*
 * The libcurl transport of the registry client: one easy handle per
 * store so connections are reused, one exchange per call, redirects NOT
 * followed here (registry.c decides where a redirect may go and which
 * headers go along). Response bodies of 2xx answers stream to a sink or a
 * capped buffer; error bodies are kept small for the registry's message.
 * Also the default struct sg_oci__http_ops (libcurl, the monotonic clock,
 * nanosleep) and curl's global init.
 *
 * Timeouts: CURLOPT_TIMEOUT_MS is the time left before the command's
 * deadline (set per exchange by regcall.c); a download stalls below
 * 1 KiB/s for low_speed_time_s (default 15 s), so a server that trickles
 * and stops is noticed long before a 60 s idle timer would fire.
 */
#include "registry_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#define ERR_BODY_MAX      8192
#define STALL_BYTES_PER_S 1024L /* slower than this is a stall... */
#define STALL_TIME_S      15L   /* ...when it lasts this long */
/* After an upload the registry may think before it answers (a final PUT
 * checks the digest of the whole blob): no bytes move meanwhile, so
 * requests with a body keep the old, patient rule (1 B/s for 60 s). */
#define UPLOAD_STALL_BYTES_PER_S 1L
#define UPLOAD_STALL_TIME_S      60L
#define CONNECT_TIMEOUT_S        30L

struct sg_http {
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
};

struct xfer {
    const struct sg_http_req *r;
    struct sg_http_resp *resp;
    CURL *curl;
    struct sg_buf hdr; /* current header line assembly (capped) */
    size_t body_off;   /* bytes of an in-memory body already sent */
    uint64_t rd_sent;
    sg_err rd_rc;
    sg_err body_rc; /* sg_http_deliver failed */
};

sg_err sg_http_create(struct sg_http **out)
{
    struct sg_http *h = calloc(1, sizeof(*h));

    *out = NULL;
    if (!h)
        return sg_error_oom();
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        return sg_error_set(SG_ENET, "curl_easy_init failed");
    }
    *out = h;
    return SG_OK;
}

void sg_http_free(struct sg_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

/* Forget the headers kept from a response (a new one is starting). */
static void forget_headers(struct sg_http_resp *resp)
{
    free(resp->content_type);
    free(resp->docker_digest);
    free(resp->location);
    free(resp->www_auth);
    free(resp->link);
    free(resp->content_range);
    resp->content_type = resp->docker_digest = resp->location = NULL;
    resp->www_auth = resp->link = resp->content_range = NULL;
    resp->has_length = 0;
    resp->has_retry_after = 0;
}

void sg_http_resp_init(struct sg_http_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    sg_buf_init(&resp->err_body, ERR_BODY_MAX);
}

void sg_http_resp_release(struct sg_http_resp *resp)
{
    forget_headers(resp);
    sg_buf_release(&resp->err_body);
    memset(resp, 0, sizeof(*resp));
}

static int is_2xx(long st)
{
    return st >= 200 && st < 300;
}

static sg_err keep_header(char **slot, const char *v, size_t n)
{
    free(*slot);
    *slot = strndup(v, n);
    return *slot ? SG_OK : sg_error_oom();
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    struct sg_http_resp *resp = x->resp;
    size_t n = size * nmemb, klen, vlen;
    const char *colon, *v;
    char **slot = NULL;

    if (n > (x->r->header_max ? x->r->header_max : SG_LIMIT_HEADER_MAX))
        return 0; /* curl reports a write error: header too long */
    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* A new response (e.g. after 100 Continue): forget the old. */
        forget_headers(resp);
        return n;
    }
    colon = memchr(p, ':', n);
    if (!colon)
        return n;
    klen = (size_t)(colon - p);
    v = colon + 1;
    while (v < p + n && (*v == ' ' || *v == '\t'))
        v++;
    vlen = (size_t)(p + n - v);
    while (vlen &&
           (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
        vlen--;
#define HDR(name) (klen == sizeof(name) - 1 && strncasecmp(p, name, klen) == 0)
    if (HDR("content-type"))
        slot = &resp->content_type;
    else if (HDR("docker-content-digest"))
        slot = &resp->docker_digest;
    else if (HDR("location"))
        slot = &resp->location;
    else if (HDR("www-authenticate")) {
        /* keep the first challenge */
        if (resp->www_auth)
            return n;
        slot = &resp->www_auth;
    } else if (HDR("link"))
        slot = &resp->link;
    else if (HDR("content-range"))
        slot = &resp->content_range;
    else if (HDR("content-length")) {
        uint64_t len = 0;
        size_t i;
        for (i = 0; i < vlen && v[i] >= '0' && v[i] <= '9' && i < 19; i++)
            len = len * 10 + (uint64_t)(v[i] - '0');
        if (i == vlen && vlen) {
            resp->content_length = len;
            resp->has_length = 1;
        }
        return n;
    } else if (HDR("retry-after")) {
        uint64_t secs = 0;
        size_t i;
        for (i = 0; i < vlen && v[i] >= '0' && v[i] <= '9'; i++)
            if (secs < (1ull << 32))
                secs = secs * 10 + (uint64_t)(v[i] - '0');
        if (i == vlen && vlen) {
            resp->retry_after_s = secs;
            resp->has_retry_after = 1;
        }
        return n;
    }
#undef HDR
    if (slot && keep_header(slot, v, vlen))
        return 0;
    return n;
}

sg_err sg_http_deliver(const struct sg_http_req *r,
                       struct sg_http_resp *resp,
                       const void *p,
                       size_t n)
{
    sg_err rc;

    if (!is_2xx(resp->status)) {
        size_t room = ERR_BODY_MAX - resp->err_body.len;
        if (room)
            (void)!sg_buf_add(&resp->err_body, p, n < room ? n : room);
        return SG_OK;
    }
    if (r->sink) {
        rc = r->sink(p, n, r->sink_payload);
        if (rc) {
            resp->sink_failed = 1;
            resp->sink_rc = rc;
            return rc;
        }
    } else if (r->out) {
        if (n > r->out->max - r->out->len) {
            resp->over_limit = 1;
            return sg_error_set(SG_ELIMIT, "%s larger than %zu bytes",
                                r->what ? r->what : "response", r->out->max);
        }
        if (sg_buf_add(r->out, p, n)) {
            resp->sink_failed = 1;
            resp->sink_rc = SG_ENOMEM;
            return SG_ENOMEM;
        }
    }
    resp->delivered += n;
    return SG_OK;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    long st = 0;

    curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &st);
    x->resp->status = st;
    x->body_rc = sg_http_deliver(x->r, x->resp, p, n);
    return x->body_rc ? 0 : n;
}

static size_t on_read(char *p, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t cap = size * nmemb, got = 0;
    const struct sg_http_req *r = x->r;

    if (r->rd) {
        uint64_t left = r->rd_len - x->rd_sent;
        if (!left)
            return 0;
        if (cap > left)
            cap = (size_t)left;
        while (got < cap) {
            size_t n = 0;
            sg_err rc = r->rd(p + got, cap - got, &n, r->rd_payload);
            if (rc) {
                x->rd_rc = rc;
                return CURL_READFUNC_ABORT;
            }
            if (!n)
                break;
            got += n;
        }
        if (!got) {
            x->rd_rc = sg_error_set(SG_EIO,
                                    "upload source ended after "
                                    "%llu of %llu bytes",
                                    (unsigned long long)x->rd_sent,
                                    (unsigned long long)r->rd_len);
            return CURL_READFUNC_ABORT;
        }
        x->rd_sent += got;
        return got;
    }
    got = r->body_len - x->body_off;
    if (got > cap)
        got = cap;
    memcpy(p, (const char *)r->body + x->body_off, got);
    x->body_off += got;
    return got;
}

int sg_http_retryable_curl(int curl_code)
{
    switch ((CURLcode)curl_code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

sg_err sg_http_do(struct sg_http *h,
                  const struct sg_http_req *r,
                  struct sg_http_resp *resp)
{
    struct curl_slist *hl = NULL, *tmp;
    struct xfer x;
    CURL *c = h->curl;
    CURLcode cc;
    sg_err rc = SG_OK;

    sg_http_resp_init(resp);
    memset(&x, 0, sizeof(x));
    x.r = r;
    x.resp = resp;
    x.curl = c;
    h->errbuf[0] = '\0';

    /* Reset options but keep the connection cache. */
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     r->connect_timeout_s > 0 ? r->connect_timeout_s
                                              : CONNECT_TIMEOUT_S);
    if (r->has_body || r->rd || r->body) {
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, UPLOAD_STALL_BYTES_PER_S);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, UPLOAD_STALL_TIME_S);
    } else {
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, STALL_BYTES_PER_S);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                         r->low_speed_time_s > 0 ? r->low_speed_time_s
                                                 : STALL_TIME_S);
    }
    if (r->timeout_ms > 0)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                         r->timeout_ms > LONG_MAX ? LONG_MAX
                                                  : (long)r->timeout_ms);
    curl_easy_setopt(c, CURLOPT_USERAGENT,
                     r->user_agent ? r->user_agent : "sigil/" SG_VERSION);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r->verify_tls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r->verify_tls ? 2L : 0L);
    if (r->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);

    for (const char *const *p = r->headers; p && *p; p++) {
        tmp = curl_slist_append(hl, *p);
        if (!tmp) {
            rc = sg_error_oom();
            goto done;
        }
        hl = tmp;
    }
    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    }
    if (r->has_body || r->rd || r->body) {
        curl_off_t len = (curl_off_t)(r->rd ? r->rd_len : r->body_len);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &x);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, len);
        /* CURLOPT_UPLOAD means PUT unless told otherwise */
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
        tmp = curl_slist_append(hl, "Expect:");
        if (!tmp) {
            rc = sg_error_oom();
            goto done;
        }
        hl = tmp;
    }
    if (hl)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);

    cc = curl_easy_perform(c);
    resp->curl_code = (int)cc;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    if (x.body_rc) {
        rc = x.body_rc;
        goto done;
    }
    if (x.rd_rc) {
        rc = x.rd_rc;
        goto done;
    }
    if (cc != CURLE_OK) {
        resp->transient = sg_http_retryable_curl((int)cc);
        rc = sg_error_set(SG_ENET, "%s %s: %s", r->method, r->url,
                          h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
        goto done;
    }
done:
    curl_slist_free_all(hl);
    sg_buf_release(&x.hdr);
    return rc;
}

sg_err sg_http_resolve(char **out, const char *base, const char *ref)
{
    CURLU *u = curl_url();
    char *s = NULL;
    sg_err rc = SG_OK;

    *out = NULL;
    if (!u)
        return sg_error_oom();
    if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
        rc = sg_error_set(SG_EPARSE, "invalid URL '%.200s'", ref);
        goto done;
    }
    *out = strdup(s);
    if (!*out)
        rc = sg_error_oom();
done:
    curl_free(s);
    curl_url_cleanup(u);
    return rc;
}

sg_err sg_http_url_parts(char **scheme_out, char **host_out, const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    sg_err rc = SG_OK;

    *scheme_out = NULL;
    *host_out = NULL;
    if (!u)
        return sg_error_oom();
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = sg_error_set(SG_EPARSE, "invalid URL '%.200s'", url);
        goto done;
    }
    (void)curl_url_get(u, CURLUPART_PORT, &port, 0);
    *scheme_out = strdup(scheme);
    if (port) {
        size_t n = strlen(host) + strlen(port) + 2;
        *host_out = malloc(n);
        if (*host_out)
            snprintf(*host_out, n, "%s:%s", host, port);
    } else {
        *host_out = strdup(host);
    }
    if (!*scheme_out || !*host_out) {
        free(*scheme_out);
        free(*host_out);
        *scheme_out = *host_out = NULL;
        rc = sg_error_oom();
    }
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

sg_err sg_http_escape(struct sg_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    sg_err rc = SG_OK;

    for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            rc = sg_buf_addc(out, (char)*p);
        } else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            rc = sg_buf_add(out, e, 3);
        }
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* The default transport of the registry client                         */

static sg_err curl_perform(void *ctx,
                           const struct sg_http_req *req,
                           struct sg_http_resp *resp)
{
    return sg_http_do(ctx, req, resp);
}

int64_t sg_oci_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t curl_now_ms(void *ctx)
{
    (void)ctx;
    return sg_oci_now_ms();
}

static void curl_sleep_ms(void *ctx, unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

    (void)ctx;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void curl_free_ctx(void *ctx)
{
    sg_http_free(ctx);
}

const struct sg_oci__http_ops sg_oci__curl_ops = {
    curl_perform,
    curl_now_ms,
    curl_sleep_ms,
    curl_free_ctx,
};

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

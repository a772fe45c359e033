/*
 * The admission webhook's HTTP(S) server: libevent 2.1 evhttp on one event
 * loop, TLS 1.2/1.3 through bufferevent_openssl, reviews run on a small
 * pthread pool (the loop never waits for a registry) and handed back to
 * the loop with event_active (libevent_pthreads). Certificate, key and
 * policies are polled every reload_ms and swapped in only when the new
 * ones load. SIGTERM: stop accepting, finish the reviews in flight, exit.
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "server_int.h"
#include "sigil/server.h"

#define DEFAULT_LISTEN  "0.0.0.0:8443"
#define DEFAULT_THREADS 4u
#define DEFAULT_RELOAD  2000
#define DEFAULT_DRAIN   25000
#define DEFAULT_TIMEOUT 10000 /* the API server's default timeoutSeconds */
#define QUEUE_MAX       4096u /* reviews waiting for a worker */
#define HEADERS_MAX     (16u * 1024u)
#define IO_TIMEOUT_S    15    /* write, and read between two bytes */
#define CONNS_MAX       4096u /* open TLS connections (and RLIMIT_NOFILE) */
#define FD_SPARE        128u  /* descriptors kept for the registry, files */
/* A request's headers and body must arrive within READ_MS of its first
 * byte (of the TLS handshake, for a new connection), in total: the
 * per-read timeout above restarts with every byte, so alone it lets a
 * client trickling bytes hold a connection for hours (slowloris). A
 * keep-alive connection may wait IDLE_MS, in total, between a reply and
 * the next request: TLS records are only seen once whole, so a record
 * trickled byte by byte looks idle until then. */
#define READ_MS  10000
#define IDLE_MS  15000
#define SWEEP_MS 500 /* how often the deadlines are checked */
/* Memory: request bytes being received on all connections, and bodies
 * waiting for a worker; past either, new work is refused (connection cut,
 * or 503) rather than buffered. */
#define INPUT_BYTES_MAX (64u * 1024u * 1024u)
#define QUEUE_BYTES_MAX (64u * 1024u * 1024u)
#define TRIM_BYTES                                  \
    (256u * 1024u) /* reviews after which memory is \
                         returned to the system */

static const double buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                  0.25,  0.5,    1,     2.5,  5,     10 };
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

/* One TLS connection (hung on its SSL as ex_data; freed with it). */
enum conn_phase {
    CONN_READING, /* handshake, or a request arriving: READ_MS */
    CONN_BUSY,    /* the request is being answered: no deadline here */
    CONN_IDLE     /* keep-alive, between requests: IDLE_MS */
};
struct conn {
    struct sg_server *srv;
    struct bufferevent *bev;
    struct conn *prev, *next; /* srv->conn_list */
    enum conn_phase phase;
    int64_t since;   /* when the phase began */
    size_t buffered; /* request bytes in the input buffer */
    int cut;         /* to be closed at once (over a bound) */
    int closing;     /* closed; freed when OpenSSL frees its SSL */
};

struct job {
    struct job *next;
    struct sg_server *srv;
    struct evhttp_request *req;
    unsigned char *body;
    size_t len;
    int mutate;
    int64_t start_ms, deadline_ms;
    struct sg_review_run run;
};

struct file_stamp {
    char sum[SG_DIGEST_STR_MAX]; /* what the file(s) looked like last time */
    int valid;
};

struct sg_server {
    const struct sg_server_opts *o;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct event *done_ev, *reload_ev, *term_ev, *int_ev, *drain_ev;
    SSL_CTX *ssl; /* the certificate in force (loop thread only) */
    struct sg_admit_engine *engine;
    uint64_t generation; /* policies loaded so far */
    struct file_stamp cert_stamp, policy_stamp;
    int draining;
    size_t conns, conns_max; /* open TLS connections, the bound */
    size_t fd_max;           /* connections, closing ones too: accept
                                pauses here (RLIMIT_NOFILE) */
    int accept_paused;       /* listener disabled at fd_max */
    struct conn *conn_list;
    struct event *sweep_ev;
    size_t input_bytes;  /* conn->buffered, summed */
    size_t queued_bytes; /* bodies of queued jobs */

    pthread_mutex_t mu; /* queue, done list, stop */
    pthread_cond_t cv;
    struct job *queue, *queue_tail, *done;
    size_t queued;
    int stop;
    pthread_t *threads;
    size_t n_threads;

    /* metrics (loop thread only) */
    uint64_t inflight;
    uint64_t n_allowed, n_denied, n_warned, n_bad, n_busy;
    uint64_t engine_errors;
    uint64_t hist[N_BUCKETS + 1];
    double hist_sum;
    uint64_t hist_count;
    uint64_t reloads_ok, reloads_failed;
    uint64_t n_timed_out, n_refused; /* connections cut */
};

static int ssl_conn_idx = -1; /* SSL ex_data: the struct conn */

static int64_t now_ms(void)
{
    return sg_oci_now_ms();
}

/* ------------------------------------------------------------------ */
/* Logs                                                                */

static void log_json(const struct sg_server *srv, json_t *o)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    if (o && srv->o->log && !sg_json_dump_buf(&b, o, JSON_COMPACT))
        srv->o->log(b.data, srv->o->log_payload);
    sg_buf_release(&b);
    json_decref(o);
}

static void
log_event(const struct sg_server *srv, const char *level, const char *msg)
{
    log_json(srv, json_pack("{s:s, s:s}", "level", level, "msg", msg));
}

/* ------------------------------------------------------------------ */
/* One review (worker thread)                                          */

static const char *verdict_name(enum sg_review_verdict v)
{
    return v == SG_REVIEW_DENIED   ? "deny"
           : v == SG_REVIEW_WARNED ? "warn"
                                   : "allow";
}

static void run_log(struct sg_review_run *run,
                    const struct sg_review *r,
                    const char *verdict,
                    const char *reason)
{
    json_t *o = json_object(), *imgs = json_array();
    size_t i;

    if (!o || !imgs)
        goto done;
    for (i = 0; r && i < r->n_images; i++)
        json_array_append_new(imgs, json_string(r->images[i]));
    json_object_set_new(o, "uid", json_string(r ? r->uid : ""));
    json_object_set_new(o, "namespace", json_string(r ? r->namespace : ""));
    json_object_set_new(o, "kind", json_string(r ? r->kind : ""));
    json_object_set_new(o, "name", json_string(r ? r->name : ""));
    json_object_set_new(o, "operation", json_string(r ? r->operation : ""));
    json_object_set_new(o, "dryRun", json_boolean(r && r->dry_run));
    json_object_set(o, "images", imgs);
    json_object_set_new(o, "verdict", json_string(verdict));
    json_object_set_new(o, "reason", json_string(reason ? reason : ""));
    if (sg_json_dump_buf(&run->log, o, JSON_COMPACT))
        sg_error_clear();
done:
    json_decref(imgs);
    json_decref(o);
}

void sg_server__review_run(struct sg_review_run *run,
                           struct sg_admit_engine *e,
                           const void *body,
                           size_t len,
                           int mutate,
                           int64_t deadline_ms)
{
    struct sg_review *r = NULL;
    struct sg_admit_result *res = NULL;
    struct sg_review_outcome oc = { 0 };
    struct sg_admit_object obj;
    size_t i;
    sg_err rc;

    memset(run, 0, sizeof(*run));
    sg_buf_init(&run->body, SG_BUF_NOLIMIT);
    sg_buf_init(&run->log, SG_BUF_NOLIMIT);
    rc = sg_server__review_parse(&r, body, len);
    if (rc) {
        char line[512];
        run->status = 400;
        run->bad_request = 1;
        /* one line: the message, control characters escaped */
        sg_escape(line, sizeof(line), sg_error_last());
        sg_error_clear();
        if (sg_buf_addf(&run->body, "%s\n", line))
            sg_error_clear();
        run_log(run, NULL, "bad-request", line);
        return;
    }
    res = calloc(r->n_images + 1, sizeof(*res));
    if (!res)
        goto fail;
    memset(&obj, 0, sizeof(obj));
    obj.group = r->res_group;
    obj.version = r->res_version;
    obj.resource = r->resource;
    obj.namespace = r->namespace;
    obj.label_keys = (const char *const *)r->label_keys;
    obj.label_values = (const char *const *)r->label_values;
    obj.n_labels = r->n_labels;
    for (i = 0; !r->skip && i < r->n_images; i++) {
        rc = sg_admit_image(&res[i], e, r->images[i], &obj, deadline_ms);
        if (rc) {
            /* the engine failed: never allow because of an error */
            char msg[300];
            snprintf(msg, sizeof(msg), "verification error: %s",
                     sg_error_last());
            sg_error_clear();
            sg_admit_result_release(&res[i]);
            res[i].verdict = SG_ADMIT_DENY;
            res[i].reason = strdup(msg);
            run->engine_errors++;
        }
    }
    rc = sg_server__review_respond(&run->body, &oc, r, res, mutate);
    if (rc)
        goto fail;
    run->status = 200;
    run->verdict = oc.verdict;
    run_log(run, r, verdict_name(oc.verdict), oc.reason);
    goto done;
fail:
    sg_buf_reset(&run->body);
    if (sg_buf_adds(&run->body, "internal error\n"))
        sg_error_clear();
    run->status = 500;
    run->verdict = SG_REVIEW_DENIED;
    run_log(run, r, "error", sg_error_last());
    sg_error_clear();
done:
    for (i = 0; res && i < r->n_images; i++)
        sg_admit_result_release(&res[i]);
    free(res);
    sg_server__outcome_release(&oc);
    sg_server__review_free(r);
}

void sg_server__review_run_release(struct sg_review_run *run)
{
    sg_buf_release(&run->body);
    sg_buf_release(&run->log);
}

/* ------------------------------------------------------------------ */
/* Thread pool                                                         */

static void *worker(void *arg)
{
    struct sg_server *srv = arg;

    for (;;) {
        struct job *j;
        pthread_mutex_lock(&srv->mu);
        while (!srv->queue && !srv->stop)
            pthread_cond_wait(&srv->cv, &srv->mu);
        if (!srv->queue) {
            pthread_mutex_unlock(&srv->mu);
            return NULL;
        }
        j = srv->queue;
        srv->queue = j->next;
        if (!srv->queue)
            srv->queue_tail = NULL;
        srv->queued--;
        srv->queued_bytes -= j->len;
        pthread_mutex_unlock(&srv->mu);

        sg_server__review_run(&j->run, srv->engine, j->body, j->len, j->mutate,
                              j->deadline_ms);
        if (j->run.log.len && srv->o->log) {
            /* add the milliseconds: the log line is a JSON object */
            struct sg_buf l = SG_BUF_INIT(SG_BUF_NOLIMIT);
            if (!sg_buf_add(&l, j->run.log.data, j->run.log.len - 1) &&
                !sg_buf_addf(&l, ",\"ms\":%lld}",
                             (long long)(now_ms() - j->start_ms)))
                srv->o->log(l.data, srv->o->log_payload);
            sg_buf_release(&l);
            sg_error_clear();
        }
#ifdef __GLIBC__
        /* A big review (megabytes of JSON, thousands of containers) leaves
         * its pages in this thread's malloc arena; give them back so that
         * the resident size after a burst is the steady one. */
        if (j->len >= TRIM_BYTES)
            malloc_trim(0);
#endif
        pthread_mutex_lock(&srv->mu);
        j->next = srv->done;
        srv->done = j;
        pthread_mutex_unlock(&srv->mu);
        event_active(srv->done_ev, EV_READ, 0);
    }
}

static void job_free(struct job *j)
{
    if (!j)
        return;
    free(j->body);
    sg_server__review_run_release(&j->run);
    free(j);
}

static void maybe_finish_drain(struct sg_server *srv)
{
    if (srv->draining && !srv->inflight) {
        struct timeval tv = { 0, 200000 }; /* let the replies flush */
        event_base_loopexit(srv->base, &tv);
    }
}

static void observe(struct sg_server *srv, int64_t ms)
{
    double s = (double)ms / 1000.0;
    size_t i;

    for (i = 0; i < N_BUCKETS && s > buckets[i]; i++)
        ;
    srv->hist[i]++;
    srv->hist_sum += s;
    srv->hist_count++;
}

static void send_text(struct sg_server *srv,
                      struct evhttp_request *req,
                      int code,
                      const char *reason,
                      const char *ctype,
                      const void *data,
                      size_t len)
{
    struct evbuffer *out = evhttp_request_get_output_buffer(req);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    evhttp_add_header(h, "Content-Type", ctype);
    if (srv->draining)
        evhttp_add_header(h, "Connection", "close");
    evbuffer_add(out, data, len);
    evhttp_send_reply(req, code, reason, NULL);
}

static void done_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sg_server *srv = arg;
    struct job *list, *j;

    (void)fd;
    (void)what;
    pthread_mutex_lock(&srv->mu);
    list = srv->done;
    srv->done = NULL;
    pthread_mutex_unlock(&srv->mu);
    while ((j = list)) {
        list = j->next;
        if (j->run.status == 200)
            send_text(srv, j->req, 200, "OK", "application/json",
                      j->run.body.data, j->run.body.len);
        else
            send_text(
                srv, j->req, j->run.status,
                j->run.status == 400 ? "Bad Request" : "Internal Server Error",
                "text/plain; charset=utf-8", j->run.body.data, j->run.body.len);
        if (j->run.bad_request)
            srv->n_bad++;
        else if (j->run.verdict == SG_REVIEW_DENIED)
            srv->n_denied++;
        else if (j->run.verdict == SG_REVIEW_WARNED)
            srv->n_warned++;
        else
            srv->n_allowed++;
        srv->engine_errors += j->run.engine_errors;
        observe(srv, now_ms() - j->start_ms);
        srv->inflight--;
        job_free(j);
    }
    maybe_finish_drain(srv);
}

/* ------------------------------------------------------------------ */
/* Endpoints                                                           */

static void
handle_review(struct sg_server *srv, struct evhttp_request *req, int mutate)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    const char *query =
        evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    size_t len = evbuffer_get_length(in);
    size_t max = srv->o->body_max ? srv->o->body_max : SG_REVIEW_BODY_MAX;
    int64_t t = sg_server__timeout_ms(query), margin;
    struct job *j = NULL;
    char msg[128];
    int busy;

    if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
        send_text(srv, req, 405, "Method Not Allowed", "text/plain",
                  "use POST\n", 9);
        return;
    }
    if (len > max) {
        int n = snprintf(msg, sizeof(msg),
                         "body of %zu bytes is over the limit of %zu bytes\n",
                         len, max);
        srv->n_bad++;
        send_text(srv, req, 400, "Bad Request", "text/plain", msg, (size_t)n);
        return;
    }
    pthread_mutex_lock(&srv->mu);
    busy =
        srv->queued >= QUEUE_MAX || srv->queued_bytes + len > QUEUE_BYTES_MAX;
    pthread_mutex_unlock(&srv->mu);
    if (busy) {
        srv->n_busy++;
        send_text(srv, req, 503, "Service Unavailable", "text/plain", "busy\n",
                  5);
        return;
    }
    j = calloc(1, sizeof(*j));
    if (j)
        j->body = malloc(len + 1);
    if (!j || !j->body ||
        evbuffer_remove(in, j->body, len) != (ev_ssize_t)len) {
        job_free(j);
        send_text(srv, req, 500, "Internal Server Error", "text/plain",
                  "internal error\n", 15);
        return;
    }
    if (t <= 0)
        t = DEFAULT_TIMEOUT;
    if (t > 30000)
        t = 30000;
    /* answer before the API server gives up: a quarter, at most 1 s */
    margin = t / 4 < 1000 ? t / 4 : 1000;
    j->len = len;
    j->srv = srv;
    j->req = req;
    j->mutate = mutate;
    j->start_ms = now_ms();
    j->deadline_ms = j->start_ms + t - margin;
    srv->inflight++;
    pthread_mutex_lock(&srv->mu);
    if (srv->queue_tail)
        srv->queue_tail->next = j;
    else
        srv->queue = j;
    srv->queue_tail = j;
    srv->queued++;
    srv->queued_bytes += len;
    pthread_cond_signal(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
}

static void handle_metrics(struct sg_server *srv, struct evhttp_request *req)
{
    struct sg_buf b = SG_BUF_INIT(1024 * 1024);
    struct sg_admit_stats st = { 0 };
    uint64_t cum = 0;
    size_t i;
    sg_err rc;

    if (srv->engine)
        sg_admit_engine_stats(srv->engine, &st);
    rc = sg_buf_addf(
        &b,
        "# HELP sigil_admission_requests_total Admission reviews answered, "
        "by verdict.\n"
        "# TYPE sigil_admission_requests_total counter\n"
        "sigil_admission_requests_total{verdict=\"allow\"} %llu\n"
        "sigil_admission_requests_total{verdict=\"deny\"} %llu\n"
        "sigil_admission_requests_total{verdict=\"warn\"} %llu\n"
        "sigil_admission_requests_total{verdict=\"bad_request\"} %llu\n"
        "sigil_admission_requests_total{verdict=\"busy\"} %llu\n"
        "# HELP sigil_admission_in_flight Reviews being verified now.\n"
        "# TYPE sigil_admission_in_flight gauge\n"
        "sigil_admission_in_flight %llu\n"
        "# HELP sigil_admission_cache_hits_total Verdict cache hits.\n"
        "# TYPE sigil_admission_cache_hits_total counter\n"
        "sigil_admission_cache_hits_total %llu\n"
        "# HELP sigil_admission_cache_misses_total Verdict cache misses.\n"
        "# TYPE sigil_admission_cache_misses_total counter\n"
        "sigil_admission_cache_misses_total %llu\n"
        "# HELP sigil_admission_registry_errors_total Registry errors.\n"
        "# TYPE sigil_admission_registry_errors_total counter\n"
        "sigil_admission_registry_errors_total %llu\n"
        "# HELP sigil_admission_verifications_total Verifications run.\n"
        "# TYPE sigil_admission_verifications_total counter\n"
        "sigil_admission_verifications_total %llu\n"
        "# HELP sigil_admission_engine_errors_total Images denied because "
        "the engine failed.\n"
        "# TYPE sigil_admission_engine_errors_total counter\n"
        "sigil_admission_engine_errors_total %llu\n"
        "# HELP sigil_connections_open Open TLS connections.\n"
        "# TYPE sigil_connections_open gauge\n"
        "sigil_connections_open %llu\n"
        "# HELP sigil_connections_timed_out_total Connections cut because "
        "a request did not arrive in time (slow or idle clients).\n"
        "# TYPE sigil_connections_timed_out_total counter\n"
        "sigil_connections_timed_out_total %llu\n"
        "# HELP sigil_connections_refused_total Connections closed at once: "
        "over the connection or buffered-bytes bound.\n"
        "# TYPE sigil_connections_refused_total counter\n"
        "sigil_connections_refused_total %llu\n"
        "# HELP sigil_policy_generation Policy sets loaded.\n"
        "# TYPE sigil_policy_generation gauge\n"
        "sigil_policy_generation %llu\n"
        "# HELP sigil_reloads_total File reloads, by result.\n"
        "# TYPE sigil_reloads_total counter\n"
        "sigil_reloads_total{result=\"ok\"} %llu\n"
        "sigil_reloads_total{result=\"failed\"} %llu\n"
        "# HELP sigil_admission_duration_seconds Review latency.\n"
        "# TYPE sigil_admission_duration_seconds histogram\n",
        (unsigned long long)srv->n_allowed, (unsigned long long)srv->n_denied,
        (unsigned long long)srv->n_warned, (unsigned long long)srv->n_bad,
        (unsigned long long)srv->n_busy, (unsigned long long)srv->inflight,
        (unsigned long long)st.cache_hits, (unsigned long long)st.cache_misses,
        (unsigned long long)st.registry_errors,
        (unsigned long long)st.verifications,
        (unsigned long long)srv->engine_errors, (unsigned long long)srv->conns,
        (unsigned long long)srv->n_timed_out,
        (unsigned long long)srv->n_refused, (unsigned long long)srv->generation,
        (unsigned long long)srv->reloads_ok,
        (unsigned long long)srv->reloads_failed);
    for (i = 0; !rc && i < N_BUCKETS; i++) {
        cum += srv->hist[i];
        rc = sg_buf_addf(
            &b, "sigil_admission_duration_seconds_bucket{le=\"%g\"} %llu\n",
            buckets[i], (unsigned long long)cum);
    }
    if (!rc)
        rc = sg_buf_addf(
            &b,
            "sigil_admission_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
            "sigil_admission_duration_seconds_sum %.6f\n"
            "sigil_admission_duration_seconds_count %llu\n",
            (unsigned long long)srv->hist_count, srv->hist_sum,
            (unsigned long long)srv->hist_count);
    if (rc) {
        sg_error_clear();
        send_text(srv, req, 500, "Internal Server Error", "text/plain",
                  "internal error\n", 15);
    } else {
        send_text(srv, req, 200, "OK", "text/plain; version=0.0.4", b.data,
                  b.len);
    }
    sg_buf_release(&b);
}

/* The reply is written (evhttp calls this only while the connection
 * lives): the keep-alive wait for the next request begins. */
static void reply_sent(struct evhttp_request *req, void *arg)
{
    struct conn *c = arg;

    (void)req;
    c->phase = CONN_IDLE;
    c->since = now_ms();
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
    struct sg_server *srv = arg;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    int get = evhttp_request_get_command(req) == EVHTTP_REQ_GET;

    struct bufferevent *bev =
        evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    int one = 1;

    SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
    struct conn *c = ssl ? SSL_get_ex_data(ssl, ssl_conn_idx) : NULL;

    /* replies go out as several TLS records: without TCP_NODELAY, Nagle
     * and the client's delayed ACK add ~40 ms to every keep-alive review */
    if (fd >= 0)
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (c) { /* the request is in: no read deadline until it is answered */
        c->phase = CONN_BUSY;
        evhttp_request_set_on_complete_cb(req, reply_sent, c);
    }
    if (!path)
        path = "";
    if (!strcmp(path, "/validate") || !strcmp(path, "/mutate")) {
        handle_review(srv, req, path[1] == 'm');
    } else if (!strcmp(path, "/healthz") && get) {
        send_text(srv, req, 200, "OK", "text/plain", "ok\n", 3);
    } else if (!strcmp(path, "/readyz") && get) {
        int ready = srv->generation && (srv->o->insecure_http || srv->ssl) &&
                    !srv->draining;
        if (ready)
            send_text(srv, req, 200, "OK", "text/plain", "ready\n", 6);
        else
            send_text(srv, req, 503, "Service Unavailable", "text/plain",
                      srv->draining ? "draining\n" : "not ready\n",
                      srv->draining ? 9 : 10);
    } else if (!strcmp(path, "/metrics") && get) {
        handle_metrics(srv, req);
    } else {
        send_text(srv, req, 404, "Not Found", "text/plain", "not found\n", 10);
    }
}

/* ------------------------------------------------------------------ */
/* TLS and reloads                                                     */

static sg_err load_tls(SSL_CTX **out, const char *cert, const char *key)
{
    SSL_CTX *c = SSL_CTX_new(TLS_server_method());

    *out = NULL;
    if (!c)
        return sg_error_openssl("TLS context");
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    /* an idle connection gives back its 34 KiB read and write buffers:
     * a thousand idle API-server connections cost little */
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(c, cert) != 1) {
        SSL_CTX_free(c);
        return sg_error_prefix(sg_error_openssl("certificate"), "%s", cert);
    }
    if (SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(c) != 1) {
        SSL_CTX_free(c);
        return sg_error_prefix(sg_error_openssl("private key"), "%s", key);
    }
    *out = c;
    return SG_OK;
}

static void set_accepting(struct sg_server *srv, int on)
{
    struct evconnlistener *l =
        srv->bound ? evhttp_bound_socket_get_listener(srv->bound) : NULL;

    if (!l || srv->draining)
        return;
    if (on && srv->accept_paused)
        evconnlistener_enable(l);
    else if (!on && !srv->accept_paused)
        evconnlistener_disable(l);
    srv->accept_paused = !on;
}

/* OpenSSL frees a connection's SSL when libevent frees the connection (on
 * the loop thread, possibly a loop turn after evhttp let it go): one
 * connection fewer; accept again below the bound. */
static void conn_gone(
    void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct conn *c = ptr;
    struct sg_server *srv;

    (void)parent;
    (void)ad;
    (void)idx;
    (void)argl;
    (void)argp;
    if (!c)
        return;
    srv = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conn_list = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->input_bytes -= c->buffered;
    srv->conns--;
    free(c);
    if (srv->conns < srv->fd_max)
        set_accepting(srv, 1);
}

/* Close c now (evhttp frees the request it was reading). */
static void conn_close(struct conn *c)
{
    void *evcon = NULL;

    c->closing = 1;
    /* bufferevent_free clears the callbacks at once, the memory a loop
     * turn later: no callback argument means evhttp already let go */
    bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
    if (evcon)
        evhttp_connection_free(evcon);
}

/* Every byte a connection receives (decrypted) passes here: the first of
 * a request starts its deadline, and the bytes waiting are counted
 * against INPUT_BYTES_MAX. */
static void
input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn *c = arg;
    struct sg_server *srv = c->srv;

    (void)buf;
    if (info->n_added && c->phase == CONN_IDLE) {
        c->phase = CONN_READING;
        c->since = now_ms();
    }
    c->buffered += info->n_added;
    srv->input_bytes += info->n_added;
    c->buffered -=
        info->n_deleted < c->buffered ? info->n_deleted : c->buffered;
    srv->input_bytes -=
        info->n_deleted < srv->input_bytes ? info->n_deleted : srv->input_bytes;
    if (srv->input_bytes > INPUT_BYTES_MAX && c->phase == CONN_READING &&
        !c->cut) {
        c->cut = 1; /* closed by the sweep, outside evhttp's callback */
        event_active(srv->sweep_ev, EV_TIMEOUT, 0);
    }
}

/* Close what is over a bound or past its deadline. */
static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sg_server *srv = arg;
    struct conn *c, *next;
    int64_t now = now_ms();

    (void)fd;
    (void)what;
    for (c = srv->conn_list; c; c = next) {
        next = c->next; /* c may be freed below */
        if (c->closing)
            continue;
        if (c->cut) {
            srv->n_refused++;
            conn_close(c);
        } else if ((c->phase == CONN_READING && now - c->since >= READ_MS) ||
                   (c->phase == CONN_IDLE && now - c->since >= IDLE_MS)) {
            srv->n_timed_out++;
            conn_close(c);
        }
    }
}

/* A new TLS connection: counted, and given its deadline. Over the
 * connection bound it is closed at once (the client learns now, and may
 * try another replica) rather than left waiting in the kernel's backlog;
 * at fd_max, counting those being closed, the listener pauses. */
static struct bufferevent *bev_cb(struct event_base *base, void *arg)
{
    struct sg_server *srv = arg;
    SSL *ssl = SSL_new(srv->ssl);
    struct conn *c = calloc(1, sizeof(*c));
    struct bufferevent *bev;

    if (!ssl || !c || SSL_set_ex_data(ssl, ssl_conn_idx, c) != 1) {
        SSL_free(ssl);
        free(c);
        return NULL;
    }
    c->srv = srv;
    c->phase = CONN_READING;
    c->since = now_ms();
    c->next = srv->conn_list;
    if (c->next)
        c->next->prev = c;
    srv->conn_list = c;
    srv->conns++;
    if (srv->conns >= srv->fd_max)
        set_accepting(srv, 0);
    bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        return NULL; /* the SSL, and c with it, went with the failure */
    c->bev = bev;
    evbuffer_add_cb(bufferevent_get_input(bev), input_cb, c);
    if (srv->conns > srv->conns_max) {
        c->cut = 1;
        event_active(srv->sweep_ev, EV_TIMEOUT, 0);
    }
    return bev;
}

/* A fingerprint of what paths look like now (stat of each; a directory's
 * regular files too, through symlinks, as a ConfigMap volume swaps its
 * ..data link). */
static void stamp_add(struct sg_digester *d, const char *path)
{
    struct stat st;
    unsigned long long v[5] = { 0 };

    if (stat(path, &st) == 0) {
        v[0] = (unsigned long long)st.st_mtim.tv_sec;
        v[1] = (unsigned long long)st.st_mtim.tv_nsec;
        v[2] = (unsigned long long)st.st_size;
        v[3] = (unsigned long long)st.st_ino;
        v[4] = (unsigned long long)st.st_dev;
    }
    if (sg_digester_update(d, path, strlen(path) + 1) ||
        sg_digester_update(d, v, sizeof(v)))
        sg_error_clear();
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *de;
        size_t n = 0;
        while (dir && (de = readdir(dir)) && n++ < 1000) {
            char sub[4096];
            struct stat s2;
            if (de->d_name[0] == '.' && strcmp(de->d_name, "..data"))
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            if (stat(sub, &s2) == 0 && !S_ISDIR(s2.st_mode))
                stamp_add(d, sub);
        }
        if (dir)
            closedir(dir);
    }
}

/* Did the files of paths[0..n) (NULL entries skipped) change since *s?
 * Updates *s. */
static int
stamp_changed_v(struct file_stamp *s, const char *const *paths, size_t n)
{
    struct sg_digester *d = NULL;
    char sum[SG_DIGEST_STR_MAX] = "";
    int changed;

    if (sg_digester_create(&d, "sha256")) {
        sg_error_clear();
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (paths[i])
            stamp_add(d, paths[i]);
    }
    if (sg_digester_final(d, sum, sizeof(sum)))
        sg_error_clear();
    sg_digester_free(d);
    changed = !s->valid || strcmp(sum, s->sum);
    memcpy(s->sum, sum, sizeof(sum));
    s->valid = 1;
    return changed;
}

static int stamp_changed(struct file_stamp *s, const char *a, const char *b)
{
    const char *const paths[2] = { a, b };

    return stamp_changed_v(s, paths, 2);
}

/* Did the policy generation's files change: the policies and the
 * trusted roots keyless authorities use (read with them)? */
static int policy_inputs_changed(struct file_stamp *s,
                                 const struct sg_server_opts *o)
{
    const char **paths = calloc(o->n_trust_roots + 2, sizeof(*paths));
    int changed;

    if (!paths)
        return 0; /* out of memory: checked again at the next tick */
    paths[0] = o->policy_path;
    paths[1] = o->trusted_root_path;
    for (size_t i = 0; i < o->n_trust_roots; i++)
        paths[i + 2] = o->trust_roots[i].path;
    changed = stamp_changed_v(s, paths, o->n_trust_roots + 2);
    free(paths);
    return changed;
}

static sg_err reload_policies(struct sg_server *srv)
{
    struct sg_admit_policies *p = NULL;
    const struct sg_admit_roots roots = { srv->o->trusted_root_path,
                                          srv->o->trust_roots,
                                          srv->o->n_trust_roots };
    sg_err rc = sg_admit_policies_load(&p, srv->o->policy_path, &roots,
                                       srv->generation + 1, srv->o->ctx);
    char msg[600];

    if (rc) {
        snprintf(msg, sizeof(msg),
                 "policies %s not loaded (%s); keeping "
                 "generation %llu",
                 srv->o->policy_path, sg_error_last(),
                 (unsigned long long)srv->generation);
        log_event(srv, "error", msg);
        return rc;
    }
    srv->generation++;
    sg_admit_engine_set_policies(srv->engine, p);
    snprintf(msg, sizeof(msg), "policies %s loaded: %zu, generation %llu",
             srv->o->policy_path, sg_admit_policies_count(p),
             (unsigned long long)srv->generation);
    sg_admit_policies_unref(p);
    log_event(srv, "info", msg);
    return SG_OK;
}

static sg_err reload_cert(struct sg_server *srv)
{
    SSL_CTX *c = NULL;
    char msg[600];
    sg_err rc = load_tls(&c, srv->o->tls_cert, srv->o->tls_key);

    if (rc) {
        snprintf(msg, sizeof(msg),
                 "certificate not reloaded (%s); keeping "
                 "the one in force",
                 sg_error_last());
        log_event(srv, "error", msg);
        return rc;
    }
    SSL_CTX_free(srv->ssl); /* connections hold their own reference */
    srv->ssl = c;
    log_event(srv, "info", "certificate loaded");
    return SG_OK;
}

static void reload_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sg_server *srv = arg;

    (void)fd;
    (void)what;
    if (!srv->o->insecure_http &&
        stamp_changed(&srv->cert_stamp, srv->o->tls_cert, srv->o->tls_key)) {
        if (reload_cert(srv))
            srv->reloads_failed++;
        else
            srv->reloads_ok++;
        sg_error_clear();
    }
    if (policy_inputs_changed(&srv->policy_stamp, srv->o)) {
        if (reload_policies(srv))
            srv->reloads_failed++;
        else
            srv->reloads_ok++;
        sg_error_clear();
    }
}

static void term_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sg_server *srv = arg;
    struct evconnlistener *l;
    struct timeval tv;
    int64_t ms = srv->o->drain_ms ? srv->o->drain_ms : DEFAULT_DRAIN;

    (void)fd;
    (void)what;
    if (srv->draining)
        return;
    srv->draining = 1;
    log_event(srv, "info", "signal: draining");
    l = srv->bound ? evhttp_bound_socket_get_listener(srv->bound) : NULL;
    if (l)
        evconnlistener_disable(l);
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
    event_base_loopexit(srv->base, &tv); /* the longest drain */
    maybe_finish_drain(srv);
}

/* ------------------------------------------------------------------ */
/* Run                                                                 */

static pthread_once_t evthread_once = PTHREAD_ONCE_INIT;
static void evthread_init(void)
{
    evthread_use_pthreads();
    ssl_conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_gone);
}

static sg_err
split_listen(char *host, size_t cap, uint16_t *port, const char *listen)
{
    const char *colon = strrchr(listen, ':');
    unsigned long v = 0;
    const char *p;
    size_t hl;

    if (!colon || !colon[1])
        return sg_error_set(SG_EINVAL, "--listen %s: expected ADDR:PORT",
                            listen);
    for (p = colon + 1; *p; p++) {
        if (*p < '0' || *p > '9' || v > 65535)
            return sg_error_set(SG_EINVAL, "--listen %s: bad port", listen);
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535)
        return sg_error_set(SG_EINVAL, "--listen %s: bad port", listen);
    hl = (size_t)(colon - listen);
    if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
        listen++;
        hl -= 2;
    }
    if (hl >= cap)
        return sg_error_set(SG_EINVAL, "--listen %s: address too long", listen);
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (!hl)
        snprintf(host, cap, "0.0.0.0");
    *port = (uint16_t)v;
    return SG_OK;
}

sg_err sg_server_run(const struct sg_server_opts *o)
{
    struct sg_server srv;
    struct sg_admit_engine_opts eo;
    char host[256];
    uint16_t port = 0;
    struct timeval tv;
    int64_t reload = o->reload_ms ? o->reload_ms : DEFAULT_RELOAD;
    size_t i;
    sg_err rc;

    memset(&srv, 0, sizeof(srv));
    srv.o = o;
    pthread_mutex_init(&srv.mu, NULL);
    pthread_cond_init(&srv.cv, NULL);
    rc = split_listen(host, sizeof(host), &port,
                      o->listen ? o->listen : DEFAULT_LISTEN);
    if (rc)
        goto done;
    if (!o->policy_path ||
        (!o->insecure_http && (!o->tls_cert || !o->tls_key))) {
        rc = sg_error_set(SG_EINVAL, "sg_server_run: policy, certificate "
                                     "and key are required");
        goto done;
    }
    memset(&eo, 0, sizeof(eo));
    eo.registry = o->registry;
    eo.no_match = o->no_match == 1   ? SG_ADMIT_NO_MATCH_ALLOW
                  : o->no_match == 2 ? SG_ADMIT_NO_MATCH_WARN
                                     : SG_ADMIT_NO_MATCH_DENY;
    eo.cache_ttl_ms = o->cache_ttl_ms;
    eo.cache_size = o->cache_size;
    eo.ctx = o->ctx;
    rc = sg_admit_engine_create(&srv.engine, &eo);
    if (rc)
        goto done;
    if (!o->insecure_http) {
        rc = load_tls(&srv.ssl, o->tls_cert, o->tls_key);
        if (rc)
            goto done;
        (void)stamp_changed(&srv.cert_stamp, o->tls_cert, o->tls_key);
    }
    (void)policy_inputs_changed(&srv.policy_stamp, o);
    rc = reload_policies(&srv);
    if (rc)
        goto done;

    signal(SIGPIPE, SIG_IGN);
    pthread_once(&evthread_once, evthread_init);
    {
        struct rlimit rl;
        srv.conns_max = CONNS_MAX;
        srv.fd_max = CONNS_MAX + FD_SPARE / 2;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
            rl.rlim_cur != RLIM_INFINITY &&
            rl.rlim_cur < CONNS_MAX + 2 * FD_SPARE) {
            /* conns_max < fd_max < the limit: connections over conns_max
             * are accepted and closed; accept() never meets EMFILE */
            size_t lim = (size_t)rl.rlim_cur;
            srv.fd_max = lim > 2 * FD_SPARE ? lim - FD_SPARE : lim / 2;
            srv.conns_max = lim > 2 * FD_SPARE ? lim - 2 * FD_SPARE : lim / 4;
        }
    }
    srv.base = event_base_new();
    if (srv.base)
        srv.http = evhttp_new(srv.base);
    if (!srv.base || !srv.http) {
        rc = sg_error_set(SG_ENOMEM, "event loop: out of memory");
        goto done;
    }
    /* over body_max: our 400 with the reason; past a little more, libevent
     * cuts the connection (413) without buffering the rest */
    evhttp_set_max_body_size(
        srv.http,
        (ev_ssize_t)((o->body_max ? o->body_max : SG_REVIEW_BODY_MAX) +
                     64u * 1024u));
    evhttp_set_max_headers_size(srv.http, HEADERS_MAX);
    evhttp_set_timeout(srv.http, IO_TIMEOUT_S);
    evhttp_set_allowed_methods(srv.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
    evhttp_set_gencb(srv.http, gen_cb, &srv);
    if (!o->insecure_http)
        evhttp_set_bevcb(srv.http, bev_cb, &srv);
    srv.bound = evhttp_bind_socket_with_handle(srv.http, host, port);
    if (!srv.bound) {
        rc = sg_error_set(SG_EIO, "cannot listen on %s:%u", host,
                          (unsigned)port);
        goto done;
    }
    srv.done_ev = event_new(srv.base, -1, EV_PERSIST, done_cb, &srv);
    srv.sweep_ev = event_new(srv.base, -1, EV_PERSIST, sweep_cb, &srv);
    srv.reload_ev = event_new(srv.base, -1, EV_PERSIST, reload_cb, &srv);
    srv.term_ev = evsignal_new(srv.base, SIGTERM, term_cb, &srv);
    srv.int_ev = evsignal_new(srv.base, SIGINT, term_cb, &srv);
    if (!srv.done_ev || !srv.sweep_ev || !srv.reload_ev || !srv.term_ev ||
        !srv.int_ev) {
        rc = sg_error_set(SG_ENOMEM, "event loop: out of memory");
        goto done;
    }
    tv.tv_sec = (time_t)(reload / 1000);
    tv.tv_usec = (suseconds_t)((reload % 1000) * 1000);
    event_add(srv.reload_ev, &tv);
    tv.tv_sec = 0;
    tv.tv_usec = SWEEP_MS * 1000;
    event_add(srv.sweep_ev, &tv);
    event_add(srv.term_ev, NULL);
    event_add(srv.int_ev, NULL);

    srv.n_threads = o->threads ? o->threads : DEFAULT_THREADS;
    srv.threads = calloc(srv.n_threads, sizeof(*srv.threads));
    if (!srv.threads) {
        rc = sg_error_oom();
        goto done;
    }
    for (i = 0; i < srv.n_threads; i++)
        if (pthread_create(&srv.threads[i], NULL, worker, &srv)) {
            srv.n_threads = i;
            rc = sg_error_set(SG_EINTERNAL, "cannot start worker threads");
            goto done;
        }
    {
        char msg[400];
        snprintf(msg, sizeof(msg), "listening on %s:%u (%s), %zu workers", host,
                 (unsigned)port, o->insecure_http ? "http" : "https",
                 srv.n_threads);
        log_event(&srv, "info", msg);
    }
    event_base_dispatch(srv.base);
    log_event(&srv, "info", "stopped");

done:
    if (srv.threads) {
        pthread_mutex_lock(&srv.mu);
        srv.stop = 1;
        pthread_cond_broadcast(&srv.cv);
        pthread_mutex_unlock(&srv.mu);
        for (i = 0; i < srv.n_threads; i++)
            pthread_join(srv.threads[i], NULL);
        free(srv.threads);
    }
    while (srv.queue) { /* drain timed out: dropped unanswered */
        struct job *j = srv.queue;
        srv.queue = j->next;
        job_free(j);
    }
    while (srv.done) {
        struct job *j = srv.done;
        srv.done = j->next;
        job_free(j);
    }
    srv.draining = 1; /* connections freed below: no listener to touch */
    srv.bound = NULL;
    if (srv.http)
        evhttp_free(srv.http);
    if (srv.done_ev)
        event_free(srv.done_ev);
    if (srv.sweep_ev)
        event_free(srv.sweep_ev);
    if (srv.reload_ev)
        event_free(srv.reload_ev);
    if (srv.term_ev)
        event_free(srv.term_ev);
    if (srv.int_ev)
        event_free(srv.int_ev);
    if (srv.base)
        event_base_free(srv.base);
    SSL_CTX_free(srv.ssl);
    sg_admit_engine_free(srv.engine);
    pthread_mutex_destroy(&srv.mu);
    pthread_cond_destroy(&srv.cv);
    return rc;
}

/*
 * sg_sbom_scan: one streaming pass over an image.
 *
 * Every layer blob is fetched once with sg_oci_store_get_blob (which
 * checks size and digest as it streams) on a producer thread that pushes
 * into a bounded ring; the consumer pulls from the ring, decompresses by
 * magic bytes (inflate.c) and hands the tar to libarchive through read
 * callbacks. Nothing is written to disk. Only entries a cataloger claims
 * are kept; every regular file is offered to the Go binary finder.
 * Layers run in parallel (opts->threads, default the core count), each
 * into its own struct sg_layer_view; the views are squashed and
 * catalogued in layer order (squash.c), so the result is deterministic.
 *
 * dir: sources are walked with the same claims (no symlink is followed
 * on the host; resolution happens inside the view).
 */
#include "layercache_int.h"
#include "sbom_core.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define RING_CAP (1024u * 1024u)
#define OUT_CAP  (128u * 1024u)

/* ------------------------------------------------------------------ */
/* Shared scan state                                                    */

struct scan {
    struct sg_oci_store *store;
    int lock_store; /* registry store shared by several workers */
    pthread_mutex_t store_mu;
    const struct sg_oci_image *img;
    struct sg_layer_view *views;
    size_t n_layers;
    char *const *diff_ids;
    pthread_mutex_t mu;
    size_t next;                  /* position in `order` of the next layer */
    size_t *order;                /* layers by decreasing blob size (LPT) */
    int stop;                     /* a layer failed */
    int java;                     /* buffer Java archives (java.c) */
    uint64_t image_out;           /* decompressed bytes so far, all layers */
    struct layer_result *res;     /* per layer */
    struct sg_layer_cache *cache; /* NULL: none */
};

/* How one layer ended. `cancelled`: it stopped because another layer
 * failed first, so it is not the cause to report. */
struct layer_result {
    sg_err rc;
    int cancelled;
    char msg[600];
};

struct layer_ctx {
    struct scan *sc;
    size_t idx;
    struct sg_ring ring;
    struct sg_inflate *inf;
    unsigned char *out;
    sg_inflate_src src; /* NULL: the ring */
    void *src_payload;
    sg_err rc;     /* our own error (decompression, limits) */
    int cancelled; /* rc is "another layer failed", not our own */
    char msg[512]; /* its message */
    uint64_t out_total;
    const struct sg_ctx *ctx; /* the view's */
    int java;                 /* buffer Java archives (java.c) */
};

struct producer_arg {
    struct scan *sc;
    struct sg_oci_store *store;
    const struct sg_oci_descriptor *d;
    struct sg_ring *ring;
};

static void *producer_main(void *arg)
{
    struct producer_arg *pa = arg;
    int lock = pa->store == pa->sc->store && pa->sc->lock_store;
    sg_err rc;

    if (lock)
        pthread_mutex_lock(&pa->sc->store_mu);
    rc = sg_oci_store_get_blob(pa->store, pa->d, sg_ring_write, pa->ring);
    if (lock)
        pthread_mutex_unlock(&pa->sc->store_mu);
    sg_ring_close(pa->ring, rc);
    return NULL;
}

static la_ssize_t la_read(struct archive *a, void *payload, const void **buf)
{
    struct layer_ctx *lc = payload;
    const struct sg_limits *lim = sg_ctx_limits(lc->ctx);
    size_t n = 0;
    sg_err rc;

    *buf = lc->out;
    if (lc->rc)
        return -1;
    if (!lc->inf) {
        rc =
            lc->src
                ? sg_inflate_create(&lc->inf, lc->src, lc->src_payload, lc->ctx)
                : sg_inflate_create(&lc->inf, sg_ring_read, &lc->ring, lc->ctx);
        if (rc)
            goto fail;
    }
    rc = sg_inflate_read(lc->inf, lc->out, OUT_CAP, &n);
    if (rc)
        goto fail;
    lc->out_total += n;
    if (lc->out_total > lim->layer_bytes_max) {
        rc = sg_error_set(SG_ELIMIT,
                          "more than %llu decompressed bytes in one layer",
                          (unsigned long long)lim->layer_bytes_max);
        goto fail;
    }
    if (!lc->sc) /* sg_sbom__read_layer_mem: no shared state */
        return (la_ssize_t)n;
    pthread_mutex_lock(&lc->sc->mu);
    lc->sc->image_out += n;
    if (lc->sc->image_out > lim->image_bytes_max)
        rc = sg_error_set(SG_ELIMIT,
                          "more than %llu decompressed bytes in the image",
                          (unsigned long long)lim->image_bytes_max);
    else if (lc->sc->stop) {
        rc = sg_error_set(SG_EINTERNAL, "cancelled");
        lc->cancelled = 1;
    }
    pthread_mutex_unlock(&lc->sc->mu);
    if (rc)
        goto fail;
    return (la_ssize_t)n;
fail:
    lc->rc = rc;
    snprintf(lc->msg, sizeof(lc->msg), "%s", sg_error_last());
    archive_set_error(a, EIO, "%s", lc->msg);
    return -1;
}

/* Read one regular file's data: feed the Go finder, buffer a Java
 * archive (java != 0) and keep it when claimed (capped at file_keep_max).
 */
static sg_err read_file(struct archive *a,
                        struct sg_layer_view *v,
                        const char *path,
                        int64_t size,
                        int claimed,
                        int java)
{
    const struct sg_limits *lim = sg_ctx_limits(v->ctx);
    size_t keep_max = sg_path_keep_max(path, lim);
    struct sg_buf keep = SG_BUF_INIT(keep_max);
    struct sg_gobin *g = NULL;
    struct sg_jar *jar = NULL;
    int too_big = 0;
    sg_err rc;

    rc = sg_sbom__gobin_begin(&g, path, size > 0 ? (uint64_t)size : 0, v->ctx);
    if (!rc && java)
        rc = sg_sbom__jar_begin(&jar, path, size > 0 ? (uint64_t)size : 0,
                                v->ctx);
    while (!rc) {
        const void *blk;
        size_t n;
        la_int64_t off;
        int r = archive_read_data_block(a, &blk, &n, &off);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            rc = sg_error_set(SG_EPARSE, "%s: %s", path,
                              archive_error_string(a) ? archive_error_string(a)
                                                      : "read error");
            break;
        }
        rc = sg_sbom__gobin_feed(g, blk, n);
        if (!rc)
            rc = sg_sbom__jar_feed(jar, blk, n);
        if (!rc && claimed && !too_big) {
            if (keep.len + n > keep_max) {
                too_big = 1;
                sg_buf_release(&keep);
            } else {
                rc = sg_buf_add(&keep, blk, n);
            }
        }
    }
    if (!rc) {
        if (!v->go)
            rc = sg_sbom_create(&v->go);
        if (!rc)
            rc = sg_sbom__gobin_end(g, v->go, v->diff_id);
        if (!rc)
            rc = sg_sbom__jar_end(jar, v->go, v->diff_id);
    }
    sg_sbom__gobin_free(g);
    sg_sbom__jar_free(jar);
    if (!rc && claimed) {
        if (too_big)
            sg_warn(v->ctx, "%s: larger than %zu bytes, not catalogued", path,
                    keep_max);
        else if (!(rc = sg_layer_view_budget(v, keep.len, path)))
            rc = sg_layer_view_keep(v, path, SG_KEPT_REG, keep.data, keep.len,
                                    NULL);
    }
    sg_buf_release(&keep);
    return rc;
}

/* One tar entry into the view. */
static sg_err take_entry(struct archive *a,
                         struct archive_entry *e,
                         struct sg_layer_view *v,
                         int java)
{
    const struct sg_limits *lim = sg_ctx_limits(v->ctx);
    const char *raw = archive_entry_pathname(e);
    const char *base;
    char *path = NULL;
    mode_t type = archive_entry_filetype(e);
    const char *hl = archive_entry_hardlink(e);
    sg_err rc;

    if (!raw)
        return sg_error_set(SG_EPARSE, "tar entry without a usable name");
    if (strlen(raw) > lim->path_max)
        return sg_error_set(SG_ELIMIT, "path longer than %zu bytes",
                            lim->path_max);
    if (archive_entry_size(e) < 0 ||
        (uint64_t)archive_entry_size(e) > lim->layer_bytes_max)
        return sg_error_set(SG_ELIMIT, "%s: absurd size %lld", raw,
                            (long long)archive_entry_size(e));
    rc = sg_path_normalise(&path, raw);
    if (rc || !path)
        return rc;
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, ".wh.", 4) == 0) {
        size_t dl = (size_t)(base - path);
        if (strcmp(base, ".wh..wh..opq") == 0) {
            rc = sg_strv_push(&v->opaque, &v->n_opaque, path, dl ? dl - 1 : 0);
        } else if (base[4]) {
            struct sg_buf t = SG_BUF_INIT(SG_BUF_NOLIMIT);
            rc = sg_buf_add(&t, path, dl);
            if (!rc)
                rc = sg_buf_adds(&t, base + 4);
            if (!rc)
                rc =
                    sg_strv_push(&v->whiteouts, &v->n_whiteouts, t.data, t.len);
            sg_buf_release(&t);
        }
        free(path);
        return rc;
    }
    if (type != AE_IFDIR)
        rc = sg_layer_view_nondir(v, path);
    if (rc)
        goto done;
    if (hl) {
        /* A hard link to an earlier entry of this layer: copy what we
         * kept of it (targets are inside the image by construction). */
        char *tp = NULL;
        rc = sg_path_normalise(&tp, hl);
        if (!rc && tp && sg_path_claimed(path)) {
            const struct sg_kept *src = sg_layer_view_find(v, tp);
            if (src)
                rc = sg_layer_view_keep_copy(v, path, src);
            else
                sg_warn(v->ctx, "%s: hard link to %s, which was not kept", path,
                        tp);
        }
        free(tp);
    } else if (type == AE_IFLNK) {
        const char *t = archive_entry_symlink(e);
        if (t && sg_path_link_relevant(path))
            rc = sg_layer_view_keep(v, path, SG_KEPT_SYMLINK, NULL, 0, t);
    } else if (type == AE_IFREG) {
        rc = read_file(a, v, path, archive_entry_size(e), sg_path_claimed(path),
                       java);
    }
done:
    free(path);
    return rc;
}

static sg_err read_layer_tar(struct layer_ctx *lc, struct sg_layer_view *v)
{
    const struct sg_limits *lim = sg_ctx_limits(v->ctx);
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    size_t n_entries = 0;
    sg_err rc = SG_OK;

    lc->ctx = v->ctx;
    if (!a)
        return sg_error_oom();
    archive_read_support_format_tar(a);
    if (archive_read_open(a, lc, NULL, la_read, NULL) != ARCHIVE_OK) {
        rc = lc->rc
                 ? lc->rc
                 : sg_error_set(
                       SG_EPARSE, "not a tar archive: %s",
                       archive_error_string(a) ? archive_error_string(a) : "?");
        goto done;
    }
    for (;;) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN || lc->rc) {
            rc = lc->rc ? lc->rc
                        : sg_error_set(SG_EPARSE, "tar: %s",
                                       archive_error_string(a)
                                           ? archive_error_string(a)
                                           : "bad header");
            break;
        }
        if (++n_entries > lim->tar_entries_max) {
            rc = sg_error_set(SG_ELIMIT, "more than %zu tar entries",
                              lim->tar_entries_max);
            break;
        }
        rc = take_entry(a, e, v, lc->java);
        if (rc) {
            if (lc->rc)
                rc = lc->rc;
            break;
        }
    }
    /* Drain: the digest is only checked once the producer has delivered
     * every byte, so read to the end of the stream. */
    if (!rc && lc->inf) {
        size_t n = 1;
        while (!rc && n)
            rc = sg_inflate_read(lc->inf, lc->out, OUT_CAP, &n);
    }
done:
    archive_read_free(a);
    if (rc && lc->rc) /* our own error is the cause, not libarchive's */
        rc = sg_error_set(lc->rc, "%s", lc->msg);
    return rc;
}

static void scan_layer(struct scan *sc, struct sg_oci_store *store, size_t idx)
{
    const struct sg_oci_descriptor *d = &sc->img->manifest->layers[idx];
    struct layer_ctx lc;
    struct producer_arg pa;
    pthread_t th;
    int started = 0, hit = 0;
    struct sg_layer_cache_fill *fill = NULL;
    sg_err rc = SG_OK;

    memset(&th, 0, sizeof(th));
    memset(&lc, 0, sizeof(lc));
    lc.sc = sc;
    lc.idx = idx;
    lc.java = sc->java;
    /* A cached layer is neither fetched nor inflated. (With a cache the
     * Java archives are always read: java_wanted.) */
    if (sc->cache && ((rc = sg_layer_cache__begin(
                           sc->cache, d->digest, sc->views[idx].diff_id,
                           &sc->views[idx], &fill, &hit)) ||
                      hit))
        goto done;
    rc = sg_ring_init(&lc.ring, RING_CAP);
    if (rc)
        goto done;
    lc.out = malloc(OUT_CAP);
    if (!lc.out) {
        rc = sg_error_oom();
        goto done;
    }
    pa.sc = sc;
    pa.store = store;
    pa.d = d;
    pa.ring = &lc.ring;
    if (pthread_create(&th, NULL, producer_main, &pa) != 0) {
        rc = sg_error_set(SG_EINTERNAL, "cannot start a thread");
        goto done;
    }
    started = 1;
    rc = read_layer_tar(&lc, &sc->views[idx]);
    if (!rc && !lc.inf)
        rc = sg_error_set(SG_EPARSE, "empty layer");
done:
    if (started) {
        sg_ring_abort(&lc.ring);
        pthread_join(th, NULL);
        /* Having read to the end, the producer's verdict (size and
         * digest) decides; after our own failure ours is the cause. */
        if (!rc)
            rc = sg_ring_status(&lc.ring, NULL);
    }
    if (!rc)
        sg_layer_view_seal(&sc->views[idx]);
    sg_layer_cache__end(fill, &sc->views[idx], !rc);
    pthread_mutex_lock(&sc->mu);
    sc->res[idx].rc = rc;
    sc->res[idx].cancelled = rc && lc.cancelled;
    if (rc) {
        snprintf(sc->res[idx].msg, sizeof(sc->res[idx].msg), "%s",
                 sg_error_last());
        sc->stop = 1;
    }
    pthread_mutex_unlock(&sc->mu);
    if (!rc && lc.inf)
        sg_debug(sc->views[idx].ctx, "layer %s: %s, %llu -> %llu bytes",
                 d->digest, sg_inflate_backend(lc.inf),
                 (unsigned long long)sg_inflate_total_in(lc.inf),
                 (unsigned long long)sg_inflate_total_out(lc.inf));
    sg_inflate_free(lc.inf);
    sg_ring_release(&lc.ring);
    free(lc.out);
}

struct worker {
    struct scan *sc;
    struct sg_oci_store *store; /* own handle, or the shared one */
};

struct mem_src {
    const unsigned char *p;
    size_t left;
};

static sg_err mem_read(void *p, size_t cap, size_t *n, void *payload)
{
    struct mem_src *m = payload;

    *n = m->left < cap ? m->left : cap;
    memcpy(p, m->p, *n);
    m->p += *n;
    m->left -= *n;
    return SG_OK;
}

sg_err
sg_sbom__read_layer_mem(struct sg_layer_view *v, const void *data, size_t len)
{
    struct layer_ctx lc;
    struct mem_src m = { data, len };
    sg_err rc;

    memset(&lc, 0, sizeof(lc));
    lc.src = mem_read;
    lc.src_payload = &m;
    lc.java = 1;
    lc.out = malloc(OUT_CAP);
    if (!lc.out)
        return sg_error_oom();
    rc = read_layer_tar(&lc, v);
    if (!rc)
        sg_layer_view_seal(v);
    sg_inflate_free(lc.inf);
    free(lc.out);
    return rc;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct scan *sc = w->sc;

    for (;;) {
        size_t idx;
        pthread_mutex_lock(&sc->mu);
        idx = sc->next < sc->n_layers ? sc->order[sc->next++] : sc->n_layers;
        if (sc->stop)
            idx = sc->n_layers;
        pthread_mutex_unlock(&sc->mu);
        if (idx >= sc->n_layers)
            break;
        scan_layer(sc, w->store, idx);
    }
    return NULL;
}

/* Buffer Java archives unless the Java cataloger is deselected. Not with
 * a layer cache: a cached view must serve every later cataloger mask. */
static int java_wanted(const struct sg_sbom_opts *opts)
{
    return !opts || !opts->catalogers || (opts->catalogers & SG_CAT_JAVA) ||
           opts->cache;
}

static sg_err scan_layers(struct sg_oci_store *store,
                          const struct sg_oci_image *img,
                          struct sg_layer_view *views,
                          const struct sg_sbom_opts *opts)
{
    struct scan sc;
    size_t n = img->manifest->n_layers, nw;
    unsigned threads = opts ? opts->threads : 0;
    pthread_t *ws = NULL;
    struct worker *wk = NULL;
    size_t started = 0;
    sg_err rc = SG_OK;

    memset(&sc, 0, sizeof(sc));
    sc.store = store;
    sc.img = img;
    sc.views = views;
    sc.n_layers = n;
    sc.java = java_wanted(opts);
    sc.cache = opts ? opts->cache : NULL;
    sc.res = calloc(n + 1, sizeof(*sc.res));
    if (!threads) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        threads = c > 0 ? (unsigned)c : 1;
    }
    nw = threads < n ? threads : n;
    if (nw < 1)
        nw = 1;
    ws = calloc(nw, sizeof(*ws));
    wk = calloc(nw, sizeof(*wk));
    if (!sc.res || !ws || !wk) {
        free(sc.res);
        free(ws);
        free(wk);
        return sg_error_oom();
    }
    sc.order = calloc(n + 1, sizeof(*sc.order));
    if (!sc.order) {
        free(sc.res);
        free(ws);
        free(wk);
        return sg_error_oom();
    }
    /* Largest blobs first: the longest layer does not start last. The
     * merge is by layer index, so the order does not show in results. */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && img->manifest->layers[sc.order[j - 1]].size <
                            img->manifest->layers[i].size) {
            sc.order[j] = sc.order[j - 1];
            j--;
        }
        sc.order[j] = i;
    }
    pthread_mutex_init(&sc.mu, NULL);
    pthread_mutex_init(&sc.store_mu, NULL);
    for (size_t i = 0; i < nw; i++) {
        wk[i].sc = &sc;
        wk[i].store = store;
        /* Registry connections are per store: give each extra worker
         * its own handle when the caller can open one, else share the
         * store under a lock (one fetch at a time). */
        if (i > 0 && sg_oci_store_kind(store) == SG_OCI_STORE_REGISTRY) {
            if (!opts || !opts->open_store ||
                opts->open_store(&wk[i].store, opts->open_payload) != SG_OK) {
                wk[i].store = store;
                sc.lock_store = 1;
                sg_error_clear();
            }
        }
    }
    if (nw > 1) {
        for (size_t i = 0; i < nw; i++) {
            if (pthread_create(&ws[i], NULL, worker_main, &wk[i]) != 0)
                break;
            started++;
        }
    }
    if (!started)
        worker_main(&wk[0]); /* single-threaded */
    for (size_t i = 0; i < started; i++)
        pthread_join(ws[i], NULL);
    for (size_t i = 0; i < nw; i++)
        if (wk[i].store != store)
            sg_oci_store_free(wk[i].store);
    free(ws);
    free(wk);
    /* Report the first layer (in layer order) that really failed; a
     * layer cancelled because another failed is not the cause. */
    for (size_t pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (!sc.res[i].rc || (pass == 0 && sc.res[i].cancelled))
                continue;
            rc = sg_error_set(sc.res[i].rc, "layer %s: %s",
                              img->manifest->layers[i].digest, sc.res[i].msg);
            break;
        }
    }
    pthread_mutex_destroy(&sc.mu);
    pthread_mutex_destroy(&sc.store_mu);
    free(sc.order);
    free(sc.res);
    return rc;
}

/* ------------------------------------------------------------------ */
/* dir: sources                                                         */

struct walk {
    const char *root;
    size_t root_len;
    struct sg_layer_view *v;
    size_t n_entries;
    int java; /* buffer Java archives (java.c) */
};

static sg_err walk_file(struct walk *w,
                        const char *full,
                        const char *rel,
                        const struct stat *st)
{
    const struct sg_limits *lim = sg_ctx_limits(w->v->ctx);
    int claimed = sg_path_claimed(rel);
    size_t keep_max = sg_path_keep_max(rel, lim);
    struct sg_buf keep = SG_BUF_INIT(keep_max);
    struct sg_gobin *g = NULL;
    struct sg_jar *jar = NULL;
    unsigned char buf[65536];
    int fd, too_big = 0;
    sg_err rc;

    fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        /* sg_error_errno: strerror_r, safe in the scan's worker threads */
        sg_error_errno(full, errno);
        sg_warn(w->v->ctx, "%s, skipped", sg_error_last());
        sg_error_clear();
        return SG_OK;
    }
    rc = sg_sbom__gobin_begin(&g, rel, (uint64_t)st->st_size, w->v->ctx);
    if (!rc && w->java)
        rc = sg_sbom__jar_begin(&jar, rel, (uint64_t)st->st_size, w->v->ctx);
    while (!rc) {
        size_t n;
        rc = sg_read_some(fd, buf, sizeof(buf), &n, full);
        if (rc || n == 0)
            break;
        rc = sg_sbom__gobin_feed(g, buf, n);
        if (!rc)
            rc = sg_sbom__jar_feed(jar, buf, n);
        if (!rc && claimed && !too_big) {
            if (keep.len + (size_t)n > keep_max) {
                too_big = 1;
                sg_buf_release(&keep);
            } else {
                rc = sg_buf_add(&keep, buf, n);
            }
        }
    }
    close(fd);
    if (!rc && !w->v->go)
        rc = sg_sbom_create(&w->v->go);
    if (!rc)
        rc = sg_sbom__gobin_end(g, w->v->go, NULL);
    if (!rc)
        rc = sg_sbom__jar_end(jar, w->v->go, NULL);
    sg_sbom__gobin_free(g);
    sg_sbom__jar_free(jar);
    if (!rc && claimed && !too_big &&
        !(rc = sg_layer_view_budget(w->v, keep.len, rel)))
        rc = sg_layer_view_keep(w->v, rel, SG_KEPT_REG, keep.data, keep.len,
                                NULL);
    else if (!rc && too_big)
        sg_warn(w->v->ctx, "%s: larger than %zu bytes, not catalogued", rel,
                keep_max);
    sg_buf_release(&keep);
    return rc;
}

static sg_err walk_dir(struct walk *w, struct sg_buf *full, unsigned depth)
{
    const struct sg_limits *lim = sg_ctx_limits(w->v->ctx);
    DIR *d;
    struct dirent *de;
    size_t base_len = full->len;
    sg_err rc = SG_OK;

    if (depth > 256)
        return sg_error_set(SG_ELIMIT, "%s: directories nested too deep",
                            full->data);
    d = opendir(full->data);
    if (!d) {
        sg_error_errno(full->data, errno);
        sg_warn(w->v->ctx, "%s, skipped", sg_error_last());
        sg_error_clear();
        return SG_OK;
    }
    while (!rc && (de = readdir(d))) {
        struct stat st;
        const char *rel;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        full->len = base_len;
        full->data[base_len] = '\0';
        rc = sg_buf_addf(full, "/%s", de->d_name);
        if (rc)
            break;
        rel = full->data + w->root_len + 1;
        if (strlen(rel) > lim->path_max)
            continue;
        if (++w->n_entries > lim->tar_entries_max) {
            rc = sg_error_set(SG_ELIMIT, "more than %zu entries",
                              lim->tar_entries_max);
            break;
        }
        if (lstat(full->data, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(w, full, depth + 1);
        } else if (S_ISLNK(st.st_mode)) {
            if (sg_path_link_relevant(rel)) {
                char t[4096];
                ssize_t n = readlink(full->data, t, sizeof(t) - 1);
                if (n > 0) {
                    t[n] = '\0';
                    rc = sg_layer_view_keep(w->v, rel, SG_KEPT_SYMLINK, NULL, 0,
                                            t);
                }
            }
        } else if (S_ISREG(st.st_mode)) {
            rc = walk_file(w, full->data, rel, &st);
        }
    }
    full->len = base_len;
    full->data[base_len] = '\0';
    closedir(d);
    return rc;
}

static sg_err scan_dir(const char *root, struct sg_layer_view *v, int java)
{
    struct walk w;
    struct sg_buf full = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    memset(&w, 0, sizeof(w));
    w.root = root;
    w.v = v;
    w.java = java;
    rc = sg_buf_adds(&full, root);
    while (!rc && full.len > 1 && full.data[full.len - 1] == '/')
        full.data[--full.len] = '\0';
    w.root_len = full.len;
    if (!rc)
        rc = walk_dir(&w, &full, 0);
    sg_buf_release(&full);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                          */

static sg_err fill_source(struct sg_sbom *s,
                          struct sg_oci_store *st,
                          const struct sg_oci_image *img,
                          const struct sg_sbom_opts *opts)
{
    struct sg_sbom_source *src = &s->source;
    const struct sg_oci_ref *ref = sg_oci_store_ref(st);
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = SG_OK;

    if (opts && opts->source_name)
        src->name = sg_text_dup(opts->source_name);
    else if (sg_oci_store_dir_path(st))
        src->name = sg_text_dup(sg_oci_store_dir_path(st));
    else if (ref && ref->repository)
        src->name = sg_text_dup(ref->repository);
    else
        src->name = sg_text_dup("image");
    if (!src->name)
        return sg_error_oom();
    if (!img) {
        src->is_dir = 1;
        return SG_OK;
    }
    if (ref && ref->repository) {
        if (ref->registry && ref->registry[0])
            rc = sg_buf_addf(&b, "%s/%s", ref->registry, ref->repository);
        else
            rc = sg_buf_adds(&b, ref->repository);
        if (!rc)
            rc = sg_buf_take(&src->repo_name, NULL, &b);
        if (rc)
            return rc;
        if (ref->tag && !(src->tag = sg_text_dup(ref->tag)))
            return sg_error_oom();
    }
    if (!src->tag) {
        const char *dr = sg_oci_store_default_ref(st);
        if (dr && strncmp(dr, "sha256:", 7) != 0 &&
            strncmp(dr, "sha512:", 7) != 0 && !(src->tag = sg_text_dup(dr)))
            return sg_error_oom();
    }
    if ((img->digest && !(src->digest = sg_text_dup(img->digest))) ||
        (img->manifest_digest &&
         !(src->manifest_digest = sg_text_dup(img->manifest_digest))))
        return sg_error_oom();
    if (img->config) {
        const struct sg_oci_config *c = img->config;
        if ((c->os && !(src->os = sg_text_dup(c->os))) ||
            (c->architecture && !(src->arch = sg_text_dup(c->architecture))) ||
            (c->variant && !(src->variant = sg_text_dup(c->variant))))
            return sg_error_oom();
        if (c->n_diff_ids) {
            src->diff_ids = calloc(c->n_diff_ids, sizeof(char *));
            if (!src->diff_ids)
                return sg_error_oom();
            for (size_t i = 0; i < c->n_diff_ids; i++) {
                if (!(src->diff_ids[i] = sg_text_dup(c->diff_ids[i])))
                    return sg_error_oom();
                src->n_diff_ids = i + 1;
            }
        }
    }
    return SG_OK;
}

sg_err sg_sbom_scan(struct sg_sbom **out,
                    struct sg_oci_store *st,
                    const struct sg_oci_image *img,
                    const struct sg_sbom_opts *opts)
{
    struct sg_sbom *s = NULL;
    struct sg_layer_view *views = NULL;
    size_t n_views = 0;
    const char *root = sg_oci_store_dir_path(st);
    enum sg_sbom_scope scope = opts ? opts->scope : SG_SBOM_SQUASHED;
    const struct sg_ctx *ctx =
        opts && opts->ctx ? opts->ctx : sg_oci_store_ctx(st);
    _Atomic uint64_t kept_total = 0; /* bytes kept, all layers */
    sg_err rc;

    *out = NULL;
    rc = sg_sbom_create(&s);
    if (rc)
        return rc;
    s->pkgs_max = ctx->limits.db_records_max > SIZE_MAX / 4
                      ? SIZE_MAX
                      : ctx->limits.db_records_max * 4;
    if (root) {
        img = NULL;
    } else if (!img || !img->manifest || img->manifest->is_index) {
        rc = sg_error_set(SG_EINVAL, "no image manifest to scan");
        goto done;
    }
    rc = fill_source(s, st, img, opts);
    if (rc) {
        rc = rc == SG_ENOMEM ? sg_error_oom() : rc;
        goto done;
    }
    if (root) {
        n_views = 1;
        views = calloc(1, sizeof(*views));
        if (!views) {
            rc = sg_error_oom();
            goto done;
        }
        views[0].kept_total = &kept_total;
        views[0].ctx = ctx;
        rc = scan_dir(root, views, java_wanted(opts));
        if (!rc)
            sg_layer_view_seal(views);
    } else {
        n_views = img->manifest->n_layers;
        if (img->config && img->config->n_diff_ids != n_views) {
            rc = sg_error_set(SG_EPARSE,
                              "image config lists %zu diff_ids for %zu "
                              "layers",
                              img->config->n_diff_ids, n_views);
            goto done;
        }
        views = calloc(n_views + 1, sizeof(*views));
        if (!views) {
            rc = sg_error_oom();
            goto done;
        }
        for (size_t i = 0; i < n_views && s->source.n_diff_ids; i++)
            views[i].diff_id = s->source.diff_ids[i];
        for (size_t i = 0; i < n_views; i++) {
            views[i].kept_total = &kept_total;
            views[i].ctx = ctx;
        }
        rc = scan_layers(st, img, views, opts);
    }
    if (rc)
        goto done;
    rc = sg_sbom__squash_catalog(
        s, views, n_views, s->source.n_diff_ids ? s->source.diff_ids : NULL,
        scope, ctx);
    if (!rc && opts)
        rc = sg_sbom__keep_catalogers(s, opts->catalogers);
    if (!rc)
        rc = sg_sbom_finish(s);
    if (!rc) {
        *out = s;
        s = NULL;
    }
done:
    for (size_t i = 0; views && i < n_views; i++)
        sg_layer_view_release(&views[i]);
    free(views);
    sg_sbom_free(s);
    return rc;
}

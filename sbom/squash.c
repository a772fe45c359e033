/*
 * The squash and the catalogers' view of an image.
 *
 * Each layer is read into a struct sg_layer_view holding only what the
 * catalogers claim (plus relevant symlinks), its whiteouts and opaque
 * directories, and the hashes of all its non-directory paths. The squash
 * applies the views base first as the runtime would (image-spec layer.md):
 * opaque directories and whiteouts of a layer hide lower content before
 * the layer's own entries are added; a non-directory entry replaces the
 * lower path and everything below it. Symlinks are resolved inside this
 * view only, with ".." and absolute targets clamped to the image root.
 *
 * Why views and not a full tree: an image can hold millions of paths and
 * the catalogers need a few hundred files. A view keeps the claimed files
 * (and every symlink, since any of them may lie on the way to a
 * database), but only a 64-bit hash of every other non-directory path:
 * enough to know that a later layer replaced a directory by a file.
 *
 * Untrusted: every path, link target and whiteout comes from a layer.
 * Paths are normalised lexically before they get here (no "..", no
 * leading '/'), link resolution is bounded in hops and in length, and a
 * link can never lead outside the image root: the runtime would resolve
 * it inside the container's root, and so do we.
 */
#include "sbom_core.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Paths                                                                */

/* FNV-1a, 64 bits. Not a defence against crafted collisions, and it
 * need not be: a collision can only make a path look replaced by a file
 * (a package missing from the SBOM), never reach memory it should not,
 * and a layer author who wants a package hidden can delete it anyway. */
uint64_t sg_path_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Lexical normalisation of a layer path: empty and "." segments dropped,
 * ".." removes the previous segment and stops at the root (tar entries
 * such as "../../etc/passwd" are what path-traversal attacks on layer
 * extraction use; a runtime extracting the layer keeps them inside the
 * root, so they name the path inside). *out NULL for the root itself.
 * The result is never longer than the input, hence one allocation. */
sg_err sg_path_normalise(char **out, const char *in)
{
    size_t n = strlen(in), o = 0;
    char *buf = malloc(n + 1);
    const char *p = in, *end = in + n;

    *out = NULL;
    if (!buf)
        return sg_error_oom();
    while (p < end) {
        const char *seg;
        size_t sl;
        while (p < end && *p == '/')
            p++;
        seg = p;
        while (p < end && *p != '/')
            p++;
        sl = (size_t)(p - seg);
        if (sl == 0 || (sl == 1 && seg[0] == '.'))
            continue;
        if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o > 0 && buf[o - 1] != '/')
                o--;
            if (o > 0)
                o--; /* drop the '/' too */
            continue;
        }
        if (o)
            buf[o++] = '/';
        memcpy(buf + o, seg, sl);
        o += sl;
    }
    if (!o) {
        free(buf);
        return SG_OK;
    }
    buf[o] = '\0';
    *out = buf;
    return SG_OK;
}

static int has_prefix(const char *s, const char *pre)
{
    return strncmp(s, pre, strlen(pre)) == 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Base names of the files a cataloger reads. A database can be reached
 * through symlinked directories (lib -> usr/lib, var/lib/rpm ->
 * ../../usr/lib/sysimage/rpm, var/lib/dpkg -> /opt/x), so files with
 * these names are kept wherever they are; the catalogers then read only
 * what the usual paths resolve to in the squashed tree. */
static const char *const db_names[] = { "status",         "installed",
                                        "rpmdb.sqlite",   "Packages",
                                        "Packages.db",    "os-release",
                                        "debian_version", "alpine-release" };

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* A file directly inside a directory named status.d (not *.md5sums):
 * distroless images keep one dpkg stanza per package there instead of
 * var/lib/dpkg/status, next to each package's md5sums list. */
static int in_status_d(const char *path)
{
    const char *b = base_name(path);
    size_t dl;

    if (b == path || !*b || ends_with(b, ".md5sums"))
        return 0;
    dl = (size_t)(b - path) - 1; /* the parent's length */
    return (dl == 8 && strncmp(path, "status.d", 8) == 0) ||
           (dl > 8 && strncmp(path + dl - 9, "/status.d", 9) == 0);
}

int sg_path_claimed(const char *path)
{
    const char *b = base_name(path);

    for (size_t i = 0; i < sizeof(db_names) / sizeof(db_names[0]); i++)
        if (strcmp(b, db_names[i]) == 0)
            return 1;
    if (sg_sbom__npm_claims(path))
        return 1;
    if (in_status_d(path) || sg_sbom__python_claims(path))
        return 1;
    if (has_prefix(path, "usr/share/doc/") && strcmp(b, "copyright") == 0) {
        const char *pkg = path + 14;
        const char *sl = strchr(pkg, '/');
        return sl && sl > pkg && strcmp(sl, "/copyright") == 0;
    }
    return strcmp(b, "go.mod") == 0 || strcmp(b, "go.sum") == 0;
}

/* Every symlink is kept: which ones lie on the way to a database is only
 * known after the squash, and a link costs its two strings. */
int sg_path_link_relevant(const char *path)
{
    (void)path;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Layer views                                                          */

void sg_strv_free_n(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

size_t sg_path_keep_max(const char *path, const struct sg_limits *lim)
{
    return sg_sbom__python_claims(path) == SG_PY_META ||
                   sg_sbom__npm_claims(path)
               ? lim->pkg_meta_max
               : lim->file_keep_max;
}

static sg_err view_charge(struct sg_layer_view *v, size_t len, const char *path)
{
    uint64_t max = sg_ctx_limits(v->ctx)->kept_bytes_max;
    uint64_t total;

    v->charged += len;
    if (!v->kept_total)
        return SG_OK;
    total = atomic_fetch_add(v->kept_total, (uint64_t)len) + len;
    if (total > max)
        return sg_error_set(SG_ELIMIT,
                            "%s: claimed files of this image exceed %llu "
                            "bytes kept in memory",
                            path, (unsigned long long)max);
    return SG_OK;
}

sg_err
sg_layer_view_budget(struct sg_layer_view *v, size_t len, const char *path)
{
    /* dpkg file lists are charged for what keep_impl() keeps of them */
    if (sg_sbom__python_claims(path) == SG_PY_DPKG_LIST)
        return SG_OK;
    return view_charge(v, len, path);
}

void sg_layer_view_release(struct sg_layer_view *v)
{
    for (size_t i = 0; i < v->n_kept; i++) {
        free(v->kept[i].path);
        free(v->kept[i].data);
        free(v->kept[i].target);
    }
    free(v->kept);
    free(v->slots);
    sg_strv_free_n(v->whiteouts, v->n_whiteouts);
    sg_strv_free_n(v->opaque, v->n_opaque);
    free(v->nondir);
    sg_sbom_free(v->go);
    memset(v, 0, sizeof(*v));
}

static int is_copyright(const char *path)
{
    return has_prefix(path, "usr/share/doc/") &&
           strcmp(base_name(path), "copyright") == 0;
}

/* The slot holding `path`, or the empty slot where it would go. Open
 * addressing with linear probing; slots hold index + 1 so that 0 means
 * empty. The table is kept at most half full (keep_impl() grows it
 * first), so the probe always meets an empty slot and ends. */
static size_t view_slot(const struct sg_layer_view *v, const char *path)
{
    size_t mask = v->n_slots - 1;
    size_t i = (size_t)sg_path_hash(path, strlen(path)) & mask;

    while (v->slots[i] && strcmp(v->kept[v->slots[i] - 1].path, path) != 0)
        i = (i + 1) & mask;
    return i;
}

static sg_err view_rehash(struct sg_layer_view *v)
{
    size_t n = v->n_slots ? v->n_slots * 2 : 64;
    size_t *old = v->slots;

    v->slots = calloc(n, sizeof(*v->slots));
    if (!v->slots) {
        v->slots = old;
        return sg_error_oom();
    }
    free(old);
    v->n_slots = n;
    for (size_t i = 0; i < v->n_kept; i++)
        v->slots[view_slot(v, v->kept[i].path)] = i + 1;
    return SG_OK;
}

const struct sg_kept *sg_layer_view_find(const struct sg_layer_view *v,
                                         const char *path)
{
    size_t slot;

    if (!v->n_slots)
        return NULL;
    slot = view_slot(v, path);
    return v->slots[slot] ? &v->kept[v->slots[slot] - 1] : NULL;
}

static sg_err keep_impl(struct sg_layer_view *v,
                        const char *path,
                        enum sg_kept_kind k,
                        const void *data,
                        size_t len,
                        const char *target,
                        int convert)
{
    struct sg_kept *e;
    char *lic = NULL, *np = NULL, *nt = NULL;
    unsigned char *nd = NULL;
    size_t slot;

    /* Copyright files are large (20 MB on a desktop Debian) and only
     * their licence matters: keep the SPDX expression instead. */
    if (convert && k == SG_KEPT_REG && is_copyright(path)) {
        sg_err rc = sg_sbom__dpkg_copyright_license(&lic, data, len);
        if (rc)
            return rc;
        data = lic ? lic : "";
        len = strlen(data);
    } else if (convert && k == SG_KEPT_REG &&
               sg_sbom__python_claims(path) == SG_PY_DPKG_LIST) {
        /* Only the Python cataloger reads them, for the lines naming a
         * distribution's directory: thousands of file lists shrink to a
         * few lines. */
        sg_err rc = sg_sbom__python_list_filter(&lic, data, len);
        if (!rc)
            rc = view_charge(v, strlen(lic), path);
        if (rc) {
            free(lic);
            return rc;
        }
        data = lic;
        len = strlen(data);
    } else if (convert && k == SG_KEPT_REG &&
               sg_sbom__python_claims(path) == SG_PY_META &&
               strcmp(base_name(path), "RECORD") == 0) {
        /* Only a RECORD's row count is reported: keep that number, not
         * the whole file list (tens of KiB per distribution). */
        size_t rows = 0;
        char num[32];
        sg_err rc = sg_sbom__python_record_parse(&rows, data, len);
        if (rc)
            return rc;
        snprintf(num, sizeof(num), "%zu", rows);
        if (!(lic = sg_text_dup(num)))
            return sg_error_oom();
        data = lic;
        len = strlen(data);
    }

    /* Everything is copied first, so that a failure leaves v as it was. */
    np = sg_text_dup(path);
    if (k == SG_KEPT_REG) {
        nd = malloc(len + 1);
        if (nd) {
            if (len)
                memcpy(nd, data, len);
            nd[len] = '\0';
        }
    } else {
        nt = sg_text_dup(target);
    }
    free(lic);
    if (!np || (k == SG_KEPT_REG ? !nd : !nt) ||
        ((v->n_kept + 1) * 2 > v->n_slots && view_rehash(v)))
        goto oom;
    /* A later entry for the same path in the same layer wins (it takes
     * the earlier one's place). */
    slot = view_slot(v, path);
    if (v->slots[slot]) {
        e = &v->kept[v->slots[slot] - 1];
        free(e->path);
        free(e->data);
        free(e->target);
    } else {
        if (sg_array_grow(&v->kept, &v->cap_kept, v->n_kept, sizeof(*v->kept),
                          16))
            goto oom;
        e = &v->kept[v->n_kept];
        v->slots[slot] = ++v->n_kept;
    }
    memset(e, 0, sizeof(*e));
    e->kind = k;
    e->path = np;
    e->data = nd;
    e->len = k == SG_KEPT_REG ? len : 0;
    e->target = nt;
    return SG_OK;
oom:
    free(np);
    free(nd);
    free(nt);
    return sg_error_oom();
}

sg_err sg_layer_view_keep(struct sg_layer_view *v,
                          const char *path,
                          enum sg_kept_kind k,
                          const void *data,
                          size_t len,
                          const char *target)
{
    return keep_impl(v, path, k, data, len, target, 1);
}

sg_err sg_layer_view_keep_copy(struct sg_layer_view *v,
                               const char *path,
                               const struct sg_kept *src)
{
    struct sg_kept copy = *src; /* src may move when the array grows */
    unsigned char *data = NULL;
    char *target = NULL;
    sg_err rc;

    if (src->data && !(data = malloc(src->len + 1)))
        return sg_error_oom();
    if (data)
        memcpy(data, src->data, src->len + 1);
    if (src->target && !(target = sg_text_dup(src->target))) {
        free(data);
        return sg_error_oom();
    }
    copy.data = data;
    copy.target = target;
    rc = keep_impl(v, path, copy.kind, copy.data, copy.len, copy.target, 0);
    free(data);
    free(target);
    return rc;
}

/* Record that this layer has a non-directory at `path`. Only the hash is
 * kept: this is called for every file of every layer, and a lower
 * layer's content under `path` is hidden when the hash is found (see
 * view_hides()). The array is sorted once, by sg_layer_view_seal(),
 * when the layer is complete; lookups before that would be wrong. */
sg_err sg_layer_view_nondir(struct sg_layer_view *v, const char *path)
{
    sg_err rc = sg_array_grow(&v->nondir, &v->cap_nondir, v->n_nondir,
                              sizeof(*v->nondir), 256);

    if (rc)
        return rc;
    v->nondir[v->n_nondir++] = sg_path_hash(path, strlen(path));
    return SG_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void sg_layer_view_seal(struct sg_layer_view *v)
{
    if (v->n_nondir)
        qsort(v->nondir, v->n_nondir, sizeof(*v->nondir), cmp_u64);
}

static int
view_has_nondir(const struct sg_layer_view *v, const char *p, size_t n)
{
    uint64_t h = sg_path_hash(p, n);

    return v->n_nondir &&
           bsearch(&h, v->nondir, v->n_nondir, sizeof(h), cmp_u64) != NULL;
}

/* Is `path` under (or equal to) `dir`? */
static int under(const char *path, const char *dir, int or_equal)
{
    size_t n = strlen(dir);

    if (strncmp(path, dir, n) != 0)
        return 0;
    return path[n] == '/' || (or_equal && path[n] == '\0');
}

/* Would layer v hide `path` of a lower layer? The three rules of
 * image-spec layer.md "Whiteouts": an opaque directory hides what lower
 * layers have below it but not the directory itself; a whiteout hides
 * the path and everything below it; and an entry of another type
 * replaces the path, so a file at the path or at any of its parents
 * hides it (a lower "usr/lib/x" is gone once "usr/lib" is a file or a
 * symlink). The last rule is why every parent is looked up: n stops at
 * each '/' and at the end of the string. */
static int view_hides(const struct sg_layer_view *v, const char *path)
{
    for (size_t i = 0; i < v->n_opaque; i++)
        if (under(path, v->opaque[i], 0))
            return 1;
    for (size_t i = 0; i < v->n_whiteouts; i++)
        if (under(path, v->whiteouts[i], 1))
            return 1;
    /* The path itself or any parent replaced by a non-directory. */
    for (size_t n = strlen(path); n > 0; n--) {
        if ((path[n] == '/' || path[n] == '\0') && view_has_nondir(v, path, n))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The squashed tree                                                    */

/* One version of one path. Versions are never removed, only marked dead,
 * because the all-layers mode and the layer attribution need the history:
 * `prev` chains a path's versions from newest to the one it replaced. */
struct sq_entry {
    const struct sg_kept *k;
    size_t layer;
    struct sq_entry *prev; /* the version this one replaced directly */
    struct sq_entry *next; /* older entry in the same hash bucket */
    int alive;
};

struct squash {
    struct sq_entry **all; /* every version ever added, in order */
    size_t n_all, cap_all;
    struct sq_entry **bucket; /* by path hash, newest first */
    size_t n_bucket;          /* a power of two */
    const struct sg_ctx *ctx; /* the scan's limits and hooks */
};

static sg_err sq_add(struct squash *sq,
                     const struct sg_kept *k,
                     size_t layer,
                     struct sq_entry *prev)
{
    struct sq_entry *e;
    size_t b;

    sg_err rc =
        sg_array_grow(&sq->all, &sq->cap_all, sq->n_all, sizeof(*sq->all), 64);

    if (rc)
        return rc;
    e = calloc(1, sizeof(*e));
    if (!e)
        return sg_error_oom();
    e->k = k;
    e->layer = layer;
    e->prev = prev;
    e->alive = 1;
    b = (size_t)sg_path_hash(k->path, strlen(k->path)) & (sq->n_bucket - 1);
    e->next = sq->bucket[b];
    sq->bucket[b] = e;
    sq->all[sq->n_all++] = e;
    return SG_OK;
}

static void sq_release(struct squash *sq)
{
    for (size_t i = 0; i < sq->n_all; i++)
        free(sq->all[i]);
    free(sq->all);
    free(sq->bucket);
}

/* The newest live version of `path`. */
static struct sq_entry *sq_find(const struct squash *sq, const char *path)
{
    size_t b = (size_t)sg_path_hash(path, strlen(path)) & (sq->n_bucket - 1);

    for (struct sq_entry *e = sq->bucket[b]; e; e = e->next)
        if (e->alive && strcmp(e->k->path, path) == 0)
            return e;
    return NULL;
}

static sg_err
squash_layers(struct squash *sq, struct sg_layer_view *views, size_t n_views)
{
    struct sq_entry **prevs = NULL;
    size_t total = 0;
    sg_err rc = SG_OK;

    /* Sized once for every version of every layer (at most half full):
     * the views are complete before the squash starts. The sum cannot
     * overflow: each view's entries are already in memory. */
    for (size_t l = 0; l < n_views; l++)
        total += views[l].n_kept;
    sq->n_bucket = 64;
    while (sq->n_bucket < total * 2)
        sq->n_bucket *= 2;
    sq->bucket = calloc(sq->n_bucket, sizeof(*sq->bucket));
    if (!sq->bucket)
        return sg_error_oom();
    for (size_t l = 0; l < n_views && !rc; l++) {
        const struct sg_layer_view *v = &views[l];
        size_t n_before = sq->n_all;
        struct sq_entry **np = realloc(prevs, (v->n_kept + 1) * sizeof(*np));

        if (!np) {
            rc = sg_error_oom();
            break;
        }
        prevs = np;
        /* The direct predecessor of each new entry: the version alive just
         * below, unless this layer's whiteouts/opaque dirs removed it. */
        for (size_t i = 0; i < v->n_kept; i++) {
            struct sq_entry *e = sq_find(sq, v->kept[i].path);
            if (e) {
                for (size_t w = 0; w < v->n_whiteouts && e; w++)
                    if (under(e->k->path, v->whiteouts[w], 1))
                        e = NULL;
                for (size_t w = 0; w < v->n_opaque && e; w++)
                    if (under(e->k->path, v->opaque[w], 0))
                        e = NULL;
            }
            prevs[i] = e;
        }
        /* Then the layer hides lower content, and only then are its own
         * entries added: a layer may whiteout a directory and recreate
         * files in it. Quadratic in kept entries times layers, which is
         * fine because kept entries are the few claimed files. */
        for (size_t i = 0; i < n_before; i++) {
            struct sq_entry *e = sq->all[i];
            if (e->alive && view_hides(v, e->k->path))
                e->alive = 0;
        }
        for (size_t i = 0; i < v->n_kept && !rc; i++)
            rc = sq_add(sq, &v->kept[i], l, prevs[i]);
    }
    free(prevs);
    return rc;
}

enum {
    WALK_LOOP = 1,
    WALK_CLAMPED = 2
};

/* Linux's limit on symlinks followed in one lookup (MAXSYMLINKS, see
 * path_resolution(7)): a chain longer than that fails in the container
 * too, so it cannot lead to a database the runtime would read. */
#define WALK_HOPS_MAX 40

/* Resolve every component of `path` through the symlinks of the squashed
 * view, as the runtime would see it: relative targets from the link's
 * directory, absolute ones from the image root, ".." never above the root
 * (*flags |= WALK_CLAMPED when a target tried), at most WALK_HOPS_MAX
 * links (*flags |= WALK_LOOP, NULL, `real` empty). `real` receives the
 * resolved path.
 * Returns the entry at the resolved path when it is a regular file. */
static struct sq_entry *sq_walk(const struct squash *sq,
                                const char *path,
                                struct sg_buf *real,
                                unsigned *flags)
{
    struct sg_buf *cur = real;
    /* The unresolved rest of the path. Each link replaces one component
     * by its target, so without a cap a few links whose targets name
     * each other twice would double it per hop; 8 KiB is twice Linux's
     * PATH_MAX and ends that with a "loop" verdict. */
    struct sg_buf rest = SG_BUF_INIT(8192);
    struct sq_entry *found = NULL;
    int hops = 0;

    sg_buf_reset(cur);
    if (sg_buf_adds(&rest, path))
        goto fail;
    while (rest.len) {
        const char *r = rest.data, *sl;
        size_t sn;
        struct sq_entry *e;
        char *tmp = NULL;

        while (*r == '/')
            r++;
        if (!*r)
            break;
        sl = strchr(r, '/');
        sn = sl ? (size_t)(sl - r) : strlen(r);
        found = NULL;
        /* ".." is resolved against the path resolved so far, not the
         * text (a symlinked directory's ".." is its target's parent); at
         * the root it stays at the root, as in a chroot. */
        if (sn == 2 && r[0] == '.' && r[1] == '.') {
            char *p = cur->len ? strrchr(cur->data, '/') : NULL;
            if (!cur->len)
                *flags |= WALK_CLAMPED;
            cur->len = p ? (size_t)(p - cur->data) : 0;
            if (cur->cap)
                cur->data[cur->len] = '\0';
        } else if (!(sn == 1 && r[0] == '.')) {
            if ((cur->len && sg_buf_addc(cur, '/')) || sg_buf_add(cur, r, sn))
                goto fail;
        }
        /* Drop the consumed component from rest. */
        {
            size_t skip = (size_t)(r - rest.data) + sn;
            memmove(rest.data, rest.data + skip, rest.len - skip + 1);
            rest.len -= skip;
        }
        if (!cur->len)
            continue;
        e = sq_find(sq, cur->data);
        if (!e || e->k->kind != SG_KEPT_SYMLINK) {
            found = e;
            continue;
        }
        if (++hops > WALK_HOPS_MAX)
            goto fail;
        /* Replace the link by its target, relative to its directory. */
        {
            char *p = strrchr(cur->data, '/');
            cur->len = p ? (size_t)(p - cur->data) : 0;
            cur->data[cur->len] = '\0';
        }
        if (e->k->target[0] == '/') {
            cur->len = 0;
            cur->data[0] = '\0';
        }
        if (sg_buf_take(&tmp, NULL, &rest) ||
            sg_buf_addf(&rest, "%s/%s", e->k->target, tmp)) {
            free(tmp);
            goto fail;
        }
        free(tmp);
    }
    sg_buf_release(&rest);
    return found && found->k->kind == SG_KEPT_REG ? found : NULL;
fail:
    /* A loop, or a chain of links longer than the buffers allow. */
    *flags |= WALK_LOOP;
    sg_buf_reset(cur); /* no resolved path */
    sg_buf_release(&rest);
    sg_error_clear();
    return NULL;
}

/* sq_walk without the details. */
static struct sq_entry *sq_resolve(const struct squash *sq, const char *path)
{
    struct sg_buf real = SG_BUF_INIT(SG_BUF_NOLIMIT);
    unsigned flags = 0;
    struct sq_entry *e = sq_walk(sq, path, &real, &flags);

    sg_buf_release(&real);
    return e;
}

/* sq_walk for a path a cataloger looks up, warning (once per path) about
 * loops and links climbing above the root. */
static struct sq_entry *
sq_lookup(const struct squash *sq, const char *path, struct sg_buf *real)
{
    unsigned flags = 0;
    struct sq_entry *e = sq_walk(sq, path, real, &flags);

    if (flags & WALK_LOOP)
        sg_warn(sq->ctx,
                "/%s: too many levels of symbolic links, not catalogued", path);
    else if (flags & WALK_CLAMPED)
        sg_warn(sq->ctx,
                "/%s: a symbolic link on the way climbs above the image "
                "root, clamped to it (resolved to /%s)",
                path, real->data);
    return e;
}

/* ------------------------------------------------------------------ */
/* Catalogers on the squashed view                                      */

enum db_kind {
    DB_DPKG,
    DB_DPKG_D,
    DB_APK,
    DB_RPM_SQLITE,
    DB_RPM_BDB,
    DB_RPM_NDB,
    DB_GOMOD
};

static sg_err parse_db(struct sg_sbom *out,
                       enum db_kind kind,
                       const struct sq_entry *e,
                       const char *path,
                       const char *layer,
                       const struct squash *sq)
{
    const struct sg_kept *k = e->k;

    switch (kind) {
    case DB_DPKG:
        return sg_sbom__dpkg_parse(out, k->data, k->len, 1, path, layer,
                                   sq->ctx);
    case DB_DPKG_D:
        return sg_sbom__dpkg_parse(out, k->data, k->len, 0, path, layer,
                                   sq->ctx);
    case DB_APK:
        return sg_sbom__apk_parse(out, k->data, k->len, path, layer, sq->ctx);
    case DB_RPM_SQLITE:
        return sg_sbom__rpmdb_parse(out, SG_RPMDB_SQLITE, k->data, k->len, path,
                                    layer, sq->ctx);
    case DB_RPM_BDB:
        return sg_sbom__rpmdb_parse(out, SG_RPMDB_BDB, k->data, k->len, path,
                                    layer, sq->ctx);
    case DB_RPM_NDB:
        return sg_sbom__rpmdb_parse(out, SG_RPMDB_NDB, k->data, k->len, path,
                                    layer, sq->ctx);
    case DB_GOMOD: {
        struct sg_buf sum = SG_BUF_INIT(SG_BUF_NOLIMIT);
        const struct sq_entry *se;
        sg_err rc = sg_buf_add(&sum, path, strlen(path) - 3);
        if (!rc)
            rc = sg_buf_adds(&sum, "sum");
        if (rc)
            return rc;
        se = sq ? sq_find(sq, sum.data) : NULL;
        rc = sg_sbom__gomod_parse(
            out, k->data, k->len,
            se && se->k->kind == SG_KEPT_REG ? se->k->data : NULL,
            se && se->k->kind == SG_KEPT_REG ? se->k->len : 0, path, layer);
        sg_buf_release(&sum);
        return rc;
    }
    }
    return SG_OK;
}

static int same_pkg(const struct sg_pkg *a, const struct sg_pkg *b)
{
    return a->type == b->type && strcmp(a->name, b->name) == 0 &&
           strcmp(a->version ? a->version : "", b->version ? b->version : "") ==
               0 &&
           strcmp(a->arch ? a->arch : "", b->arch ? b->arch : "") == 0;
}

static struct sg_pkg *
find_same(struct sg_sbom *s, size_t from, const struct sg_pkg *p)
{
    for (size_t i = from; i < s->n_pkgs; i++)
        if (same_pkg(&s->pkgs[i], p))
            return &s->pkgs[i];
    return NULL;
}

/* Move package src (owned by a temp sbom) to the end of s. */
static sg_err move_pkg(struct sg_sbom *s, struct sg_pkg *src)
{
    struct sg_pkg *d;
    sg_err rc = sg_sbom_add_pkg(s, &d);

    if (rc)
        return rc;
    *d = *src;
    memset(src, 0, sizeof(*src));
    return SG_OK;
}

static sg_err set_layer(struct sg_pkg *p, const char *layer)
{
    free(p->layer_diff_id);
    p->layer_diff_id = NULL;
    if (layer && !(p->layer_diff_id = sg_text_dup(layer)))
        return sg_error_oom();
    return SG_OK;
}

/* Catalog one database file: the live version's packages, each credited
 * to the oldest layer of the unbroken run of versions (direct
 * replacements) in which its record is unchanged: the layer that
 * introduced the package. A package installed in layer 2 stays
 * "from layer 2" even though layers 3 and 5 rewrote the database for
 * other packages. The walk stops at the first version in which no
 * package is still unchanged, so it parses each old version at most once. */
static sg_err catalog_live(struct sg_sbom *s,
                           enum db_kind kind,
                           const struct sq_entry *e,
                           char *const *diff_ids,
                           const struct squash *sq)
{
    size_t first = s->n_pkgs, np;
    const struct sq_entry **cred = NULL;
    const struct sq_entry *nx = e;
    const char *layer = diff_ids ? diff_ids[e->layer] : NULL;
    sg_err rc = parse_db(s, kind, e, e->k->path, layer, sq);

    if (rc || kind == DB_GOMOD || !diff_ids || s->n_pkgs == first)
        return rc;
    np = s->n_pkgs - first;
    cred = malloc(np * sizeof(*cred));
    if (!cred)
        return sg_error_oom();
    for (size_t i = 0; i < np; i++)
        cred[i] = e;
    for (const struct sq_entry *pv = e->prev; pv && !rc;
         nx = pv, pv = pv->prev) {
        struct sg_sbom *old = NULL;
        int any = 0;
        rc = sg_sbom_create(&old);
        if (!rc)
            rc = parse_db(old, kind, pv, pv->k->path, NULL, sq);
        for (size_t i = 0; !rc && i < np; i++) {
            if (cred[i] == nx && find_same(old, 0, &s->pkgs[first + i])) {
                cred[i] = pv;
                any = 1;
            }
        }
        sg_sbom_free(old);
        if (!any)
            break;
    }
    for (size_t i = 0; !rc && i < np; i++)
        if (cred[i] != e)
            rc = set_layer(&s->pkgs[first + i], diff_ids[cred[i]->layer]);
    free(cred);
    return rc;
}

/* all-layers: packages of every other version, not in the final set.
 * They are marked deleted (the writers show them as such) and credited
 * to the newest layer that still had them, so each removed package
 * appears once however many versions of the database carried it. */
static sg_err catalog_deleted(struct sg_sbom *s,
                              size_t final_end,
                              enum db_kind kind,
                              const struct sq_entry *e,
                              char *const *diff_ids,
                              const struct squash *sq)
{
    struct sg_sbom *old = NULL;
    sg_err rc = sg_sbom_create(&old);

    if (rc)
        return rc;
    rc = parse_db(old, kind, e, e->k->path,
                  diff_ids ? diff_ids[e->layer] : NULL, sq);
    for (size_t i = 0; !rc && i < old->n_pkgs; i++) {
        struct sg_pkg *p = &old->pkgs[i], *have;
        size_t j;
        int live = 0;
        for (j = 0; j < final_end; j++)
            if (!s->pkgs[j].deleted && same_pkg(&s->pkgs[j], p))
                live = 1;
        if (live)
            continue;
        have = find_same(s, final_end, p);
        if (have) { /* seen in an older version: credit the newest */
            rc = set_layer(have, p->layer_diff_id);
            continue;
        }
        p->deleted = 1;
        rc = move_pkg(s, p);
    }
    sg_sbom_free(old);
    return rc;
}

/* Where the runtime finds each database. Looked up through the squashed
 * symlinks (sq_lookup()), so usrmerge layouts and distributions that move
 * the rpm database (var/lib/rpm -> ../../usr/lib/sysimage/rpm) need no
 * entries of their own; the list only names the real locations. */
static const struct {
    const char *path;
    enum db_kind kind;
} db_paths[] = {
    { "lib/apk/db/installed", DB_APK },
    { "usr/lib/sysimage/rpm/Packages", DB_RPM_BDB },
    { "usr/lib/sysimage/rpm/Packages.db", DB_RPM_NDB },
    { "usr/lib/sysimage/rpm/rpmdb.sqlite", DB_RPM_SQLITE },
    { "usr/share/rpm/Packages", DB_RPM_BDB },
    { "usr/share/rpm/Packages.db", DB_RPM_NDB },
    { "usr/share/rpm/rpmdb.sqlite", DB_RPM_SQLITE },
    { "var/lib/dpkg/status", DB_DPKG },
    { "var/lib/rpm/Packages", DB_RPM_BDB },
    { "var/lib/rpm/Packages.db", DB_RPM_NDB },
    { "var/lib/rpm/rpmdb.sqlite", DB_RPM_SQLITE },
};

#define STATUS_D "var/lib/dpkg/status.d"

struct db_hit {
    struct sq_entry *e;
    enum db_kind kind;
};

struct db_hits {
    struct db_hit *v;
    size_t n, cap;
};

/* Add e unless it is there already (one database reachable by two names
 * is catalogued once, as the first name's kind). */
static sg_err hit_add(struct db_hits *h, struct sq_entry *e, enum db_kind k)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].e == e)
            return SG_OK;
    sg_err rc = sg_array_grow(&h->v, &h->cap, h->n, sizeof(*h->v), 16);

    if (rc)
        return rc;
    h->v[h->n].e = e;
    h->v[h->n++].kind = k;
    return SG_OK;
}

/* A database path that resolved elsewhere, to a file the scanner did not
 * keep (its base name is not one it claims). */
static void warn_unread(const struct squash *sq,
                        const char *path,
                        const struct sg_buf *real)
{
    if (real->len && strcmp(real->data, path) != 0 &&
        !sg_path_claimed(real->data))
        sg_warn(sq->ctx,
                "/%s resolves to /%s, which is not read; not catalogued", path,
                real->data);
}

/* The live databases: what the runtime paths resolve to, plus every live
 * go.mod. */
static sg_err find_dbs(struct db_hits *h, const struct squash *sq)
{
    struct sg_buf real = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = SG_OK;

    for (size_t i = 0; i < sizeof(db_paths) / sizeof(db_paths[0]) && !rc; i++) {
        struct sq_entry *e = sq_lookup(sq, db_paths[i].path, &real);
        if (e)
            rc = hit_add(h, e, db_paths[i].kind);
        else
            warn_unread(sq, db_paths[i].path, &real);
    }
    /* status.d: the files directly in the directory it resolves to (each
     * may itself be a link). */
    if (!rc) {
        unsigned flags = 0;
        char *dir = NULL;
        size_t dl = 0;
        struct sg_buf one = SG_BUF_INIT(SG_BUF_NOLIMIT);
        (void)sq_lookup(sq, STATUS_D, &real);
        if (!real.len || sg_buf_take(&dir, &dl, &real))
            goto no_status_d;
        if (strcmp(base_name(dir), "status.d") != 0)
            sg_warn(sq->ctx,
                    "/" STATUS_D " resolves to /%s, which is not read; "
                    "not catalogued",
                    dir);
        for (size_t i = 0; i < sq->n_all && !rc; i++) {
            struct sq_entry *e = sq->all[i];
            const char *p = e->k->path;
            if (!e->alive || strncmp(p, dir, dl) != 0 || p[dl] != '/' ||
                strchr(p + dl + 1, '/') || ends_with(p, ".md5sums"))
                continue;
            if (e->k->kind == SG_KEPT_SYMLINK)
                e = sq_walk(sq, p, &one, &flags);
            if (e)
                rc = hit_add(h, e, DB_DPKG_D);
        }
        sg_buf_release(&one);
    no_status_d:
        free(dir);
    }
    for (size_t i = 0; i < sq->n_all && !rc; i++) {
        struct sq_entry *e = sq->all[i];
        if (e->alive && e->k->kind == SG_KEPT_REG &&
            strcmp(base_name(e->k->path), "go.mod") == 0)
            rc = hit_add(h, e, DB_GOMOD);
    }
    sg_buf_release(&real);
    return rc;
}

/* The kind of a dead version (all-layers): that of the live database at
 * the same path, else by the usual paths. */
static int
dead_kind(const struct db_hits *h, const char *path, enum db_kind *kind)
{
    for (size_t i = 0; i < h->n; i++) {
        if (h->v[i].kind != DB_GOMOD && strcmp(h->v[i].e->k->path, path) == 0) {
            *kind = h->v[i].kind;
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof(db_paths) / sizeof(db_paths[0]); i++) {
        if (strcmp(db_paths[i].path, path) == 0) {
            *kind = db_paths[i].kind;
            return 1;
        }
    }
    if (has_prefix(path, STATUS_D "/") && !strchr(path + 22, '/') &&
        !ends_with(path, ".md5sums")) {
        *kind = DB_DPKG_D;
        return 1;
    }
    return 0;
}

static sg_err distro(struct sg_sbom *s, const struct squash *sq)
{
    struct sg_buf real = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const struct sq_entry *e = sq_lookup(sq, "etc/os-release", &real);
    sg_err rc = SG_OK;

    if (!e)
        e = sq_lookup(sq, "usr/lib/os-release", &real);
    if (e)
        rc = sg_sbom__os_release_parse(&s->distro, e->k->data, e->k->len,
                                       sq->ctx);
    if (!rc && (e = sq_lookup(sq, "etc/debian_version", &real)))
        rc = sg_sbom__distro_point_release(&s->distro, e->k->data, e->k->len);
    if (!rc && (e = sq_lookup(sq, "etc/alpine-release", &real)))
        rc = sg_sbom__distro_point_release(&s->distro, e->k->data, e->k->len);
    sg_buf_release(&real);
    return rc;
}

static sg_err licenses(struct sg_sbom *s, const struct squash *sq)
{
    struct sg_buf path = SG_BUF_INIT(8192);
    sg_err rc = SG_OK;

    for (size_t i = 0; i < s->n_pkgs && !rc; i++) {
        struct sg_pkg *p = &s->pkgs[i];
        const struct sq_entry *e;
        if (p->type != SG_PKG_DEB || p->license || p->deleted)
            continue;
        sg_buf_reset(&path);
        rc = sg_buf_addf(&path, "usr/share/doc/%s/copyright", p->name);
        if (rc)
            break;
        e = sq_resolve(sq, path.data);
        /* the kept data is already the licence expression */
        if (e && e->k->len && !(p->license = sg_text_dup((char *)e->k->data)))
            rc = SG_ENOMEM;
    }
    sg_buf_release(&path);
    return rc;
}

/* Python distributions (python.c), after the OS databases so that a
 * dist can be related to the deb that ships it. */
static sg_err python(struct sg_sbom *s,
                     const struct squash *sq,
                     char *const *diff_ids,
                     enum sg_sbom_scope scope)
{
    struct sg_py_file *f = NULL;
    struct sg_buf info = SG_BUF_INIT(SG_BUF_NOLIMIT);
    size_t n = 0, cap = 0;
    sg_err rc = SG_OK;

    for (size_t i = 0; i < sq->n_all && !rc; i++) {
        const struct sq_entry *e = sq->all[i];
        if (e->k->kind != SG_KEPT_REG || !sg_sbom__python_claims(e->k->path))
            continue;
        rc = sg_array_grow(&f, &cap, n, sizeof(*f), 64);
        if (!rc) {
            /* A live file is credited, as database records are, to the
             * oldest layer of the unbroken run of direct replacements
             * with the same bytes: the layer that installed the dist,
             * not one that rewrote it unchanged. */
            const struct sq_entry *c = e;
            while (e->alive && c->prev && c->prev->k->kind == SG_KEPT_REG &&
                   c->prev->k->len == e->k->len &&
                   memcmp(c->prev->k->data, e->k->data, e->k->len) == 0)
                c = c->prev;
            f[n].k = e->k;
            f[n].layer = c->layer;
            f[n++].alive = e->alive;
        }
    }
    if (!rc && n) {
        (void)sq_lookup(sq, "var/lib/dpkg/info", &info);
        rc = sg_sbom__python_catalog(s, f, n, info.len ? info.data : NULL,
                                     diff_ids, scope, sq->ctx);
    }
    sg_buf_release(&info);
    free(f);
    return rc;
}

/* Node.js packages from the live package.json and lock files (npm.c),
 * and for all-layers their earlier versions too. */
static sg_err npm(struct sg_sbom *s,
                  const struct squash *sq,
                  char *const *diff_ids,
                  enum sg_sbom_scope scope)
{
    struct sg_npm_file *f = NULL;
    size_t n = 0, cap = 0;
    sg_err rc = SG_OK;

    for (size_t i = 0; i < sq->n_all && !rc; i++) {
        const struct sq_entry *e = sq->all[i];
        if ((!e->alive && scope != SG_SBOM_ALL_LAYERS) ||
            e->k->kind != SG_KEPT_REG || !sg_sbom__npm_claims(e->k->path))
            continue;
        rc = sg_array_grow(&f, &cap, n, sizeof(*f), 64);
        if (rc)
            break;
        f[n].path = e->k->path;
        f[n].data = e->k->data;
        f[n].len = e->k->len;
        f[n].deleted = !e->alive;
        f[n++].layer = diff_ids ? diff_ids[e->layer] : NULL;
    }
    if (!rc)
        rc = sg_sbom__npm_catalog(s, f, n, sq->ctx);
    free(f);
    return rc;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct db_hit *x = a, *y = b;
    int c = strcmp(x->e->k->path, y->e->k->path);
    return c ? c : (x->e->layer < y->e->layer ? -1 : x->e->layer > y->e->layer);
}

sg_err sg_sbom__squash_catalog(struct sg_sbom *s,
                               struct sg_layer_view *views,
                               size_t n_views,
                               char *const *diff_ids,
                               enum sg_sbom_scope scope,
                               const struct sg_ctx *ctx)
{
    struct squash sq = { .ctx = ctx };
    struct db_hits hits = { 0 };
    struct db_hit *dead = NULL;
    size_t final_end, n_dead = 0;
    sg_err rc = squash_layers(&sq, views, n_views);

    if (rc)
        goto done;
    rc = distro(s, &sq);
    if (!rc)
        rc = find_dbs(&hits, &sq);
    if (rc)
        goto done;
    /* Deterministic order: by path, then layer. */
    if (hits.n)
        qsort(hits.v, hits.n, sizeof(*hits.v), cmp_hit);
    for (size_t i = 0; i < hits.n && !rc; i++)
        rc = catalog_live(s, hits.v[i].kind, hits.v[i].e, diff_ids, &sq);
    /* Go binaries: a layer's finds survive unless a later layer hides
     * the binary's path. */
    for (size_t l = 0; l < n_views && !rc; l++) {
        struct sg_sbom *g = views[l].go;
        size_t *newidx;
        if (!g || !g->n_pkgs)
            continue;
        newidx = malloc(g->n_pkgs * sizeof(*newidx));
        if (!newidx) {
            rc = sg_error_oom();
            break;
        }
        for (size_t i = 0; i < g->n_pkgs && !rc; i++) {
            struct sg_pkg *p = &g->pkgs[i];
            const char *dp = p->db_path ? p->db_path : "";
            int hidden = 0;
            while (*dp == '/')
                dp++;
            for (size_t m = l + 1; m < n_views && !hidden && *dp; m++)
                hidden = view_hides(&views[m], dp);
            newidx[i] = SIZE_MAX;
            if (hidden && scope != SG_SBOM_ALL_LAYERS)
                continue;
            p->deleted = hidden;
            newidx[i] = s->n_pkgs;
            rc = move_pkg(s, p);
        }
        for (size_t i = 0; i < g->n_pkgs && !rc; i++) {
            struct sg_pkg *p;
            if (newidx[i] == SIZE_MAX)
                continue;
            p = &s->pkgs[newidx[i]];
            if (p->parent)
                p->parent =
                    p->parent <= g->n_pkgs && newidx[p->parent - 1] != SIZE_MAX
                        ? newidx[p->parent - 1] + 1
                        : 0;
        }
        free(newidx);
    }
    if (!rc)
        rc = npm(s, &sq, diff_ids, scope);
    final_end = s->n_pkgs;
    if (!rc && scope == SG_SBOM_ALL_LAYERS) {
        dead = malloc((sq.n_all + 1) * sizeof(*dead));
        if (!dead)
            rc = sg_error_oom();
        for (size_t i = 0; i < sq.n_all && !rc; i++) {
            enum db_kind kind;
            if (sq.all[i]->alive || sq.all[i]->k->kind != SG_KEPT_REG ||
                !dead_kind(&hits, sq.all[i]->k->path, &kind))
                continue;
            dead[n_dead].e = sq.all[i];
            dead[n_dead++].kind = kind;
        }
        if (n_dead)
            qsort(dead, n_dead, sizeof(*dead), cmp_hit);
        for (size_t i = 0; i < n_dead && !rc; i++)
            rc = catalog_deleted(s, final_end, dead[i].kind, dead[i].e,
                                 diff_ids, &sq);
    }
    if (!rc)
        rc = python(s, &sq, diff_ids, scope);
    if (!rc)
        rc = licenses(s, &sq);
done:
    free(hits.v);
    free(dead);
    sq_release(&sq);
    return rc;
}

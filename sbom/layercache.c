/*
 * The per-layer cache (sigil/layercache.h, layercache_int.h).
 *
 * Three tiers, looked up in order:
 * - claims: a layer being scanned in this process. Another scan of the
 *   same layer (batch mode, --jobs, or a layer repeated in one image)
 *   waits for it rather than downloading it too (singleflight);
 * - memory: encoded entries of this run, bounded (least recently used
 *   dropped first), also when there is no directory (--no-cache);
 * - the directory: one file per layer, shared by processes.
 *
 * The entry format ("SGLC"): an 80-byte header, then the payload.
 *   magic "SGLC" | u32 LE format version | u64 LE payload length |
 *   64 hex of the payload's SHA-256
 * The payload (little-endian integers; str: u32 length + 1 then the
 * bytes, 0 for NULL):
 *   str blob digest, str diff_id, u64 key-material hash check (the file
 *   name's 64 hex as a str), u64 kept bytes charged, warnings, kept
 *   entries, whiteouts, opaque dirs, non-directory hashes, the packages
 *   found inside the layer's files (view->go) and their relationships.
 * Reading checks, in order: magic, version, length, digest, then that
 * the entry names the layer asked for, so a corrupt, truncated or foreign
 * entry (another layer's file renamed) is a miss with a warning. Every
 * count is bounded by the bytes left and by the scan's limits, as any
 * untrusted input.
 */
#include "layercache_int.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* SG_LAYER_CACHE_FORMAT: layercache_int.h (bump it there). */

#define HDR_LEN     80u
#define HEX_LEN     64u
#define ENTRY_EXT   ".layer"
#define WARN_MAX    256u /* warnings kept per entry */
#define TMP_MAX_AGE 3600 /* seconds before a writer's temp file is stale */

/* A future field in these structures must be written and read here:
 * these fail the build until the encoder below is updated (and
 * SG_LAYER_CACHE_FORMAT bumped). Sizes for LP64 targets. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct sg_pkg) == 232,
               "struct sg_pkg changed: update the layer cache encoder");
_Static_assert(sizeof(void *) != 8 || sizeof(struct sg_pkg_kv) == 16,
               "struct sg_pkg_kv changed: update the layer cache encoder");
_Static_assert(sizeof(void *) != 8 || sizeof(struct sg_rel) == 24,
               "struct sg_rel changed: update the layer cache encoder");
_Static_assert(sizeof(void *) != 8 || sizeof(struct sg_kept) == 40,
               "struct sg_kept changed: update the layer cache encoder");
_Static_assert(sizeof(void *) != 8 || sizeof(struct sg_layer_view) == 136,
               "struct sg_layer_view changed: update the layer cache "
               "encoder");

/* ------------------------------------------------------------------ */
/* Encoding                                                             */

static sg_err put_u32(struct sg_buf *b, uint32_t v)
{
    unsigned char x[4];

    for (int i = 0; i < 4; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    return sg_buf_add(b, x, sizeof(x));
}

static sg_err put_u64(struct sg_buf *b, uint64_t v)
{
    unsigned char x[8];

    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    return sg_buf_add(b, x, sizeof(x));
}

static sg_err put_bytes(struct sg_buf *b, const void *p, size_t n)
{
    sg_err rc = put_u64(b, (uint64_t)n);

    return rc || !n ? rc : sg_buf_add(b, p, n);
}

static sg_err put_str(struct sg_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    sg_err rc;

    if (n >= UINT32_MAX)
        return sg_error_set(SG_ELIMIT, "string too long for the cache");
    rc = put_u32(b, s ? (uint32_t)n + 1 : 0);
    return rc || !n ? rc : sg_buf_add(b, s, n);
}

static sg_err put_strv(struct sg_buf *b, char *const *v, size_t n)
{
    sg_err rc = put_u64(b, (uint64_t)n);

    for (size_t i = 0; i < n && !rc; i++)
        rc = put_str(b, v[i]);
    return rc;
}

/* Every field of struct sg_pkg, in declaration order. */
static sg_err put_pkg(struct sg_buf *b, const struct sg_pkg *p)
{
    sg_err rc = put_u32(b, (uint32_t)p->type);

    if (!rc)
        rc = put_str(b, p->name);
    if (!rc)
        rc = put_str(b, p->version);
    if (!rc)
        rc = put_u64(b, (uint64_t)p->epoch);
    if (!rc)
        rc = put_u32(b, p->has_epoch ? 1 : 0);
    if (!rc)
        rc = put_str(b, p->arch);
    if (!rc)
        rc = put_str(b, p->group);
    if (!rc)
        rc = put_str(b, p->source_name);
    if (!rc)
        rc = put_str(b, p->source_version);
    if (!rc)
        rc = put_str(b, p->supplier);
    if (!rc)
        rc = put_str(b, p->license);
    if (!rc)
        rc = put_u64(b, p->installed_size);
    if (!rc)
        rc = put_str(b, p->description);
    if (!rc)
        rc = put_str(b, p->url);
    if (!rc)
        rc = put_strv(b, p->depends, p->n_depends);
    if (!rc)
        rc = put_strv(b, p->provides, p->n_provides);
    if (!rc)
        rc = put_str(b, p->layer_diff_id);
    if (!rc)
        rc = put_str(b, p->db_path);
    if (!rc)
        rc = put_str(b, p->purl);
    if (!rc)
        rc = put_str(b, p->cpe);
    if (!rc)
        rc = put_str(b, p->found_by);
    if (!rc)
        rc = put_str(b, p->checksum);
    if (!rc)
        rc = put_u64(b, (uint64_t)p->n_props);
    for (size_t i = 0; i < p->n_props && !rc; i++) {
        rc = put_str(b, p->props[i].key);
        if (!rc)
            rc = put_str(b, p->props[i].value);
    }
    if (!rc)
        rc = put_u32(b, p->deleted ? 1 : 0);
    if (!rc)
        rc = put_u64(b, (uint64_t)p->parent);
    if (!rc)
        rc = put_u32(b, (uint32_t)p->purpose);
    return rc;
}

/* "sha256:<hex>" of the key material → the 64 hex (the file name). */
/* The limits that change what a successful scan keeps (a file over
 * file-keep-max is skipped with a warning, ...) are part of the key, so
 * a scan with other limits never takes an entry made under these. */
static sg_err entry_key(char out[HEX_LEN + 1],
                        const char *blob,
                        const char *diff_id,
                        const struct sg_ctx *ctx)
{
    const struct sg_limits *lim = sg_ctx_limits(ctx);
    struct sg_buf k = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char d[SG_DIGEST_STR_MAX];
    sg_err rc;

    rc = sg_buf_addf(&k, "sigil layer cache %u %s\n%s\n%s\n%zu %zu %zu %zu\n",
                     SG_LAYER_CACHE_FORMAT, SG_VERSION, blob,
                     diff_id ? diff_id : "", lim->file_keep_max, lim->path_max,
                     lim->pkg_meta_max, lim->archive_max);
    if (!rc)
        rc = sg_sha256_digest(d, k.data, k.len);
    sg_buf_release(&k);
    if (rc)
        return rc;
    memcpy(out, d + 7, HEX_LEN);
    out[HEX_LEN] = '\0';
    return SG_OK;
}

sg_err sg_layer_cache__encode(struct sg_buf *out,
                              const char *blob,
                              const char *diff_id,
                              const struct sg_layer_view *v,
                              uint64_t charged,
                              char *const *warnings,
                              size_t n_warnings)
{
    const struct sg_sbom *g = v->go;
    char key[HEX_LEN + 1], d[SG_DIGEST_STR_MAX];
    size_t start = out->len;
    sg_err rc;

    rc = entry_key(key, blob, diff_id, v->ctx);
    if (!rc)
        rc = sg_buf_add(out, "SGLC", 4);
    if (!rc)
        rc = put_u32(out, SG_LAYER_CACHE_FORMAT);
    if (!rc)
        rc = put_u64(out, 0); /* length, patched below */
    for (size_t i = 0; i < HEX_LEN && !rc; i++)
        rc = sg_buf_addc(out, '0'); /* digest, patched below */
    if (!rc)
        rc = put_str(out, blob);
    if (!rc)
        rc = put_str(out, diff_id);
    if (!rc)
        rc = put_str(out, key);
    if (!rc)
        rc = put_u64(out, charged);
    if (!rc)
        rc = put_strv(out, warnings, n_warnings);
    if (!rc)
        rc = put_u64(out, (uint64_t)v->n_kept);
    for (size_t i = 0; i < v->n_kept && !rc; i++) {
        const struct sg_kept *k = &v->kept[i];
        rc = put_str(out, k->path);
        if (!rc)
            rc = put_u32(out, (uint32_t)k->kind);
        if (!rc)
            rc = k->kind == SG_KEPT_REG ? put_bytes(out, k->data, k->len)
                                        : put_str(out, k->target);
    }
    if (!rc)
        rc = put_strv(out, v->whiteouts, v->n_whiteouts);
    if (!rc)
        rc = put_strv(out, v->opaque, v->n_opaque);
    if (!rc)
        rc = put_u64(out, (uint64_t)v->n_nondir);
    for (size_t i = 0; i < v->n_nondir && !rc; i++)
        rc = put_u64(out, v->nondir[i]);
    /* view->go: its packages and relationships (its source and distro
     * are never set by the scan: the squash reads only the packages). */
    if (!rc)
        rc = put_u32(out, g ? 1 : 0);
    if (!rc && g) {
        rc = put_u64(out, (uint64_t)g->n_pkgs);
        for (size_t i = 0; i < g->n_pkgs && !rc; i++)
            rc = put_pkg(out, &g->pkgs[i]);
        if (!rc)
            rc = put_u64(out, (uint64_t)g->n_rels);
        for (size_t i = 0; i < g->n_rels && !rc; i++) {
            rc = put_u64(out, (uint64_t)g->rels[i].from);
            if (!rc)
                rc = put_u64(out, (uint64_t)g->rels[i].to);
            if (!rc)
                rc = put_u32(out, (uint32_t)g->rels[i].type);
        }
    }
    if (!rc) {
        unsigned char *h = (unsigned char *)out->data + start;
        uint64_t plen = (uint64_t)(out->len - start - HDR_LEN);
        for (int i = 0; i < 8; i++)
            h[8 + i] = (unsigned char)(plen >> (8 * i));
        rc = sg_sha256_digest(d, h + HDR_LEN, (size_t)plen);
        if (!rc)
            memcpy(h + 16, d + 7, HEX_LEN);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Decoding (untrusted)                                                 */

static sg_err bad(const char *why)
{
    return sg_error_set(SG_EPARSE, "%s", why);
}

/* A string: NULL allowed only when nullable; no NUL inside. */
static sg_err get_str(struct sg_rd *rd, char **out, int nullable)
{
    struct sg_slice s;
    uint32_t n;
    sg_err rc;

    *out = NULL;
    rc = sg_rd_u32le(rd, &n);
    if (rc)
        return bad("truncated");
    if (n == 0)
        return nullable ? SG_OK : bad("missing string");
    if (sg_rd_bytes(rd, n - 1, &s))
        return bad("truncated");
    if (memchr(s.p, '\0', s.n))
        return bad("NUL in a string");
    *out = sg_sbom__dupn((const char *)s.p, s.n);
    return *out ? SG_OK : sg_error_oom();
}

/* A count of elements each at least `min_size` bytes: bounded by what is
 * left, so a forged count cannot make us allocate. */
static sg_err
get_count(struct sg_rd *rd, size_t *n, size_t min_size, size_t max)
{
    uint64_t v;

    if (sg_rd_u64le(rd, &v))
        return bad("truncated");
    if (v > max || v > sg_rd_left(rd) / min_size)
        return bad("count out of range");
    *n = (size_t)v;
    return SG_OK;
}

static sg_err get_u32(struct sg_rd *rd, uint32_t *v)
{
    return sg_rd_u32le(rd, v) ? bad("truncated") : SG_OK;
}

static sg_err get_u64(struct sg_rd *rd, uint64_t *v)
{
    return sg_rd_u64le(rd, v) ? bad("truncated") : SG_OK;
}

static sg_err get_strv(struct sg_rd *rd, char ***v, size_t *n, size_t max)
{
    size_t cnt = 0;
    sg_err rc = get_count(rd, &cnt, 4, max);

    *v = NULL;
    *n = 0;
    if (rc || !cnt)
        return rc;
    *v = calloc(cnt, sizeof(**v));
    if (!*v)
        return sg_error_oom();
    for (size_t i = 0; i < cnt && !rc; i++) {
        rc = get_str(rd, &(*v)[i], 0);
        if (!rc)
            *n = i + 1;
    }
    return rc;
}

static sg_err get_pkg(struct sg_rd *rd, struct sg_pkg *p, size_t n_pkgs)
{
    const struct sg_limits *lim = sg_ctx_limits(NULL);
    uint32_t u = 0;
    uint64_t w = 0;
    sg_err rc = get_u32(rd, &u);

    if (!rc && (u < SG_PKG_DEB || u > SG_PKG_JAVA))
        rc = bad("unknown package type");
    if (!rc)
        p->type = (enum sg_pkg_type)u;
    if (!rc)
        rc = get_str(rd, &p->name, 1);
    if (!rc)
        rc = get_str(rd, &p->version, 1);
    if (!rc && !(rc = get_u64(rd, &w)))
        p->epoch = (unsigned long)w;
    if (!rc && !(rc = get_u32(rd, &u)))
        p->has_epoch = u != 0;
    if (!rc)
        rc = get_str(rd, &p->arch, 1);
    if (!rc)
        rc = get_str(rd, &p->group, 1);
    if (!rc)
        rc = get_str(rd, &p->source_name, 1);
    if (!rc)
        rc = get_str(rd, &p->source_version, 1);
    if (!rc)
        rc = get_str(rd, &p->supplier, 1);
    if (!rc)
        rc = get_str(rd, &p->license, 1);
    if (!rc)
        rc = get_u64(rd, &p->installed_size);
    if (!rc)
        rc = get_str(rd, &p->description, 1);
    if (!rc)
        rc = get_str(rd, &p->url, 1);
    if (!rc)
        rc = get_strv(rd, &p->depends, &p->n_depends, lim->db_records_max);
    if (!rc)
        rc = get_strv(rd, &p->provides, &p->n_provides, lim->db_records_max);
    if (!rc)
        rc = get_str(rd, &p->layer_diff_id, 1);
    if (!rc)
        rc = get_str(rd, &p->db_path, 1);
    if (!rc)
        rc = get_str(rd, &p->purl, 1);
    if (!rc)
        rc = get_str(rd, &p->cpe, 1);
    if (!rc)
        rc = get_str(rd, &p->found_by, 1);
    if (!rc)
        rc = get_str(rd, &p->checksum, 1);
    if (!rc) {
        size_t np = 0;
        rc = get_count(rd, &np, 8, lim->db_records_max);
        if (!rc && np && !(p->props = calloc(np, sizeof(*p->props))))
            rc = sg_error_oom();
        for (size_t i = 0; i < np && !rc; i++) {
            p->n_props = i + 1;
            rc = get_str(rd, &p->props[i].key, 1);
            if (!rc)
                rc = get_str(rd, &p->props[i].value, 1);
        }
    }
    if (!rc && !(rc = get_u32(rd, &u)))
        p->deleted = u != 0;
    if (!rc && !(rc = get_u64(rd, &w))) {
        if (w > n_pkgs)
            rc = bad("package parent out of range");
        p->parent = (size_t)w;
    }
    if (!rc && !(rc = get_u32(rd, &u))) {
        if (u > SG_PURPOSE_OPERATING_SYSTEM)
            rc = bad("unknown package purpose");
        p->purpose = (enum sg_pkg_purpose)u;
    }
    return rc;
}

static sg_err get_go(struct sg_rd *rd, struct sg_layer_view *v)
{
    const struct sg_limits *lim = sg_ctx_limits(v->ctx);
    size_t n_pkgs = 0, n_rels = 0;
    sg_err rc = sg_sbom_create(&v->go);

    if (!rc)
        rc = get_count(rd, &n_pkgs, 8, lim->db_records_max * 4);
    for (size_t i = 0; i < n_pkgs && !rc; i++) {
        struct sg_pkg *p;
        rc = sg_sbom_add_pkg(v->go, &p);
        if (!rc)
            rc = get_pkg(rd, p, n_pkgs);
    }
    if (!rc)
        rc = get_count(rd, &n_rels, 20, lim->db_records_max * 4);
    for (size_t i = 0; i < n_rels && !rc; i++) {
        uint64_t from = 0, to = 0;
        uint32_t t = 0;
        rc = get_u64(rd, &from);
        if (!rc)
            rc = get_u64(rd, &to);
        if (!rc)
            rc = get_u32(rd, &t);
        if (!rc && ((from >= n_pkgs && from != UINT64_MAX) || to >= n_pkgs ||
                    t < SG_REL_CONTAINS || t > SG_REL_DEPENDS_ON))
            rc = bad("relationship out of range");
        if (!rc)
            rc = sg_sbom_add_rel(v->go,
                                 from == UINT64_MAX ? SIZE_MAX : (size_t)from,
                                 (size_t)to, (enum sg_rel_type)t);
    }
    return rc;
}

static sg_err get_view(struct sg_rd *rd, struct sg_layer_view *v)
{
    const struct sg_limits *lim = sg_ctx_limits(v->ctx);
    size_t n = 0;
    uint32_t u = 0;
    sg_err rc = get_count(rd, &n, 12, lim->tar_entries_max);

    for (size_t i = 0; i < n && !rc; i++) {
        struct sg_kept k;
        struct sg_slice data = { NULL, 0 };
        char *path = NULL;
        memset(&k, 0, sizeof(k));
        rc = get_str(rd, &path, 0);
        if (!rc)
            rc = get_u32(rd, &u);
        if (!rc && u != SG_KEPT_REG && u != SG_KEPT_SYMLINK)
            rc = bad("unknown kept entry kind");
        if (!rc && u == SG_KEPT_REG) {
            uint64_t len = 0;
            rc = get_u64(rd, &len);
            if (!rc && (len > lim->file_keep_max || len > sg_rd_left(rd)))
                rc = bad("kept file too long");
            if (!rc && sg_rd_bytes(rd, (size_t)len, &data))
                rc = bad("truncated");
        } else if (!rc) {
            rc = get_str(rd, &k.target, 0);
        }
        if (!rc) {
            /* keep_copy takes the bytes as kept, NUL included: they are
             * already what keeping made of the file (a copyright file's
             * licence), never converted twice. */
            k.kind = (enum sg_kept_kind)u;
            k.len = data.n;
            if (k.kind == SG_KEPT_REG) {
                k.data = malloc(data.n + 1);
                if (!k.data)
                    rc = sg_error_oom();
                else {
                    if (data.n)
                        memcpy(k.data, data.p, data.n);
                    k.data[data.n] = '\0';
                }
            }
        }
        if (!rc)
            rc = sg_layer_view_keep_copy(v, path, &k);
        free(path);
        free(k.data);
        free(k.target);
    }
    if (!rc)
        rc = get_strv(rd, &v->whiteouts, &v->n_whiteouts, lim->tar_entries_max);
    if (!rc)
        rc = get_strv(rd, &v->opaque, &v->n_opaque, lim->tar_entries_max);
    if (!rc)
        rc = get_count(rd, &n, 8, lim->tar_entries_max);
    if (!rc && n) {
        v->nondir = malloc(n * sizeof(*v->nondir));
        if (!v->nondir)
            rc = sg_error_oom();
        else
            v->cap_nondir = n;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        rc = get_u64(rd, &v->nondir[i]);
        if (!rc)
            v->n_nondir = i + 1;
    }
    if (!rc)
        rc = get_u32(rd, &u);
    if (!rc && u > 1)
        rc = bad("bad package flag");
    if (!rc && u)
        rc = get_go(rd, v);
    if (!rc && sg_rd_left(rd))
        rc = bad("trailing bytes");
    if (!rc)
        sg_layer_view_seal(v); /* the order is not trusted either */
    return rc;
}

/* Header and digest: the payload (after the header) or an error. */
static sg_err check_header(struct sg_rd *payload, const void *data, size_t len)
{
    const unsigned char *h = data;
    char d[SG_DIGEST_STR_MAX];
    uint64_t plen = 0;
    uint32_t ver = 0;
    sg_err rc;

    if (len < HDR_LEN)
        return bad("truncated header");
    if (memcmp(h, "SGLC", 4) != 0)
        return bad("not a layer cache entry");
    for (int i = 0; i < 4; i++)
        ver |= (uint32_t)h[4 + i] << (8 * i);
    for (int i = 0; i < 8; i++)
        plen |= (uint64_t)h[8 + i] << (8 * i);
    if (ver != SG_LAYER_CACHE_FORMAT)
        return bad("another cache format version");
    if (plen != len - HDR_LEN)
        return bad(plen > len - HDR_LEN ? "truncated" : "trailing bytes");
    rc = sg_sha256_digest(d, h + HDR_LEN, (size_t)plen);
    if (rc)
        return rc;
    if (memcmp(d + 7, h + 16, HEX_LEN) != 0)
        return sg_error_set(SG_EDIGEST, "digest mismatch");
    sg_rd_init(payload, h + HDR_LEN, (size_t)plen);
    return SG_OK;
}

sg_err sg_layer_cache__decode(struct sg_layer_view *v,
                              uint64_t *charged,
                              char ***warnings,
                              size_t *n_warnings,
                              const void *data,
                              size_t len,
                              const char *blob,
                              const char *diff_id)
{
    struct sg_rd rd;
    char *eb = NULL, *ed = NULL, *ek = NULL;
    char key[HEX_LEN + 1];
    sg_err rc;

    *warnings = NULL;
    *n_warnings = 0;
    *charged = 0;
    rc = check_header(&rd, data, len);
    if (!rc)
        rc = get_str(&rd, &eb, 0);
    if (!rc)
        rc = get_str(&rd, &ed, 1);
    if (!rc)
        rc = get_str(&rd, &ek, 0);
    if (!rc)
        rc = entry_key(key, blob, diff_id, v->ctx);
    /* A valid entry of another layer (renamed, or a collision of names):
     * never taken for this one. */
    if (!rc && (strcmp(eb, blob) != 0 ||
                strcmp(ed ? ed : "", diff_id ? diff_id : "") != 0 ||
                strcmp(ek, key) != 0))
        rc = sg_error_set(SG_EPARSE, "entry of another layer (%s)", eb);
    if (!rc)
        rc = get_u64(&rd, charged);
    if (!rc)
        rc = get_strv(&rd, warnings, n_warnings, WARN_MAX);
    if (!rc)
        rc = get_view(&rd, v);
    free(eb);
    free(ed);
    free(ek);
    if (rc) {
        sg_strv_free_n(*warnings, *n_warnings);
        *warnings = NULL;
        *n_warnings = 0;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* The cache                                                            */

struct mem_entry {
    char key[HEX_LEN + 1];
    unsigned char *data; /* the whole encoded entry */
    size_t len;
    uint64_t used; /* tick of the last use */
    struct mem_entry *next;
};

struct claim {
    char key[HEX_LEN + 1];
    struct claim *next;
};

struct sg_layer_cache {
    char *dir; /* NULL: memory only */
    uint64_t max_bytes;
    size_t mem_max;
    const struct sg_ctx *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;     /* a claim ended */
    struct mem_entry *mem; /* unordered; evicted by `used` */
    size_t mem_bytes;
    uint64_t tick;
    struct claim *claims;
    pthread_mutex_t disk_mu; /* one eviction pass at a time */
};

struct sg_layer_cache_fill {
    struct sg_layer_cache *c;
    char key[HEX_LEN + 1];
    char *blob, *diff_id;
    struct sg_ctx rec; /* v->ctx while the layer is scanned */
    const struct sg_ctx *orig;
    pthread_mutex_t mu;
    char **warnings;
    size_t n_warnings;
};

sg_err sg_layer_cache_open(struct sg_layer_cache **out,
                           const struct sg_layer_cache_opts *o)
{
    struct sg_layer_cache *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (!c)
        return sg_error_oom();
    c->max_bytes =
        o && o->max_bytes ? o->max_bytes : SG_LAYER_CACHE_MAX_DEFAULT;
    c->mem_max = o && o->mem_bytes ? o->mem_bytes : SG_LAYER_CACHE_MEM_DEFAULT;
    c->ctx = o ? o->ctx : NULL;
    if (o && o->dir && *o->dir) {
        struct stat st;
        sg_err rc = sg_mkdir_p(o->dir, 0700);
        if (!rc && stat(o->dir, &st) != 0)
            rc = sg_error_errno(o->dir, errno);
        else if (!rc && !S_ISDIR(st.st_mode))
            rc = sg_error_set(SG_EINVAL, "%s: not a directory", o->dir);
        /* Entries hold what images contain: private to the user, even in
         * a directory made earlier with a looser umask. */
        else if (!rc && (st.st_mode & 077) && st.st_uid == geteuid() &&
                 chmod(o->dir, 0700) != 0)
            rc = sg_error_errno(o->dir, errno);
        if (rc) {
            sg_warn(c->ctx, "layer cache: %s; layers are not cached on disk",
                    sg_error_last());
            sg_error_clear();
        } else if (!(c->dir = sg_text_dup(o->dir))) {
            free(c);
            return sg_error_oom();
        }
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->disk_mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    *out = c;
    return SG_OK;
}

void sg_layer_cache_free(struct sg_layer_cache *c)
{
    if (!c)
        return;
    while (c->mem) {
        struct mem_entry *e = c->mem;
        c->mem = e->next;
        free(e->data);
        free(e);
    }
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->disk_mu);
    pthread_cond_destroy(&c->cv);
    free(c->dir);
    free(c);
}

static int is_entry_name(const char *n)
{
    size_t len = strlen(n);

    if (len != HEX_LEN + strlen(ENTRY_EXT) ||
        strcmp(n + HEX_LEN, ENTRY_EXT) != 0)
        return 0;
    for (size_t i = 0; i < HEX_LEN; i++)
        if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
            return 0;
    return 1;
}

static int is_temp_name(const char *n)
{
    return strstr(n, ENTRY_EXT ".tmp.") != NULL;
}

static sg_err
entry_path(struct sg_buf *b, const struct sg_layer_cache *c, const char *name)
{
    return sg_buf_addf(b, "%s/%s", c->dir, name);
}

/* Memory tier (c->mu held). */
static struct mem_entry *mem_find(struct sg_layer_cache *c, const char *key)
{
    for (struct mem_entry *e = c->mem; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            e->used = ++c->tick;
            return e;
        }
    return NULL;
}

/* Takes `data` (always). */
static void mem_put(struct sg_layer_cache *c,
                    const char *key,
                    unsigned char *data,
                    size_t len)
{
    struct mem_entry *e;

    if (len > c->mem_max || mem_find(c, key)) {
        free(data);
        return;
    }
    while (c->mem && c->mem_bytes + len > c->mem_max) {
        struct mem_entry **lru = &c->mem;
        for (struct mem_entry **p = &c->mem; *p; p = &(*p)->next)
            if ((*p)->used < (*lru)->used)
                lru = p;
        e = *lru;
        *lru = e->next;
        c->mem_bytes -= e->len;
        free(e->data);
        free(e);
    }
    e = calloc(1, sizeof(*e));
    if (!e) {
        free(data);
        return;
    }
    memcpy(e->key, key, sizeof(e->key));
    e->data = data;
    e->len = len;
    e->used = ++c->tick;
    e->next = c->mem;
    c->mem = e;
    c->mem_bytes += len;
}

static struct claim **claim_find(struct sg_layer_cache *c, const char *key)
{
    struct claim **p = &c->claims;

    while (*p && strcmp((*p)->key, key) != 0)
        p = &(*p)->next;
    return p;
}

/* Largest entry read back: the claimed files (kept_bytes_max) plus the
 * per-entry overhead of the most entries a layer may have, plus room for
 * packages and strings. Anything longer is not one of ours. */
static uint64_t entry_max(const struct sg_ctx *ctx)
{
    const struct sg_limits *lim = sg_ctx_limits(ctx);

    return lim->kept_bytes_max + (uint64_t)lim->tar_entries_max * 32u +
           (uint64_t)lim->small_blob_max;
}

/* Read the entry file for key: SG_ENOTFOUND when absent. The use is
 * recorded in its mtime (the LRU order of eviction). */
static sg_err disk_read(struct sg_buf *out,
                        const struct sg_layer_cache *c,
                        const char *key,
                        const struct sg_ctx *ctx)
{
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct stat st;
    int fd = -1;
    sg_err rc = sg_buf_addf(&path, "%s/%s%s", c->dir, key, ENTRY_EXT);

    if (rc)
        return rc;
    fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ENOENT ? SG_ENOTFOUND : sg_error_errno(path.data, errno);
        goto done;
    }
    if (fstat(fd, &st) != 0) {
        rc = sg_error_errno(path.data, errno);
        goto done;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > entry_max(ctx)) {
        rc = sg_error_set(SG_EPARSE, "not a plausible entry (%lld bytes)",
                          (long long)st.st_size);
        goto done;
    }
    /* Exactly the size seen: a file that changes meanwhile fails its
     * digest check. */
    sg_buf_init(out, (size_t)st.st_size);
    rc = sg_buf_grow(out, (size_t)st.st_size);
    while (!rc && out->len < (size_t)st.st_size) {
        size_t n;
        rc = sg_read_some(fd, out->data + out->len,
                          (size_t)st.st_size - out->len, &n, path.data);
        if (rc || !n)
            break;
        out->len += n;
        out->data[out->len] = '\0';
    }
    if (!rc)
        (void)futimens(fd, NULL); /* used now; failure only skews LRU */
done:
    if (fd >= 0)
        close(fd);
    sg_buf_release(&path);
    return rc;
}

/* Back to an empty view (keeping what the scan set in it). */
static void view_reset(struct sg_layer_view *v)
{
    const struct sg_ctx *ctx = v->ctx;
    _Atomic uint64_t *kt = v->kept_total;
    const char *di = v->diff_id;

    sg_layer_view_release(v);
    v->ctx = ctx;
    v->kept_total = kt;
    v->diff_id = di;
}

/* Fill v from an encoded entry; its warnings given again, its kept bytes
 * charged. SG_ELIMIT is the scan's budget (the image keeps too much);
 * any other error is the entry's. */
static sg_err fill_view(struct sg_layer_view *v,
                        const void *data,
                        size_t len,
                        const char *blob,
                        const char *diff_id)
{
    char **w = NULL;
    size_t nw = 0;
    uint64_t charged = 0;
    sg_err rc =
        sg_layer_cache__decode(v, &charged, &w, &nw, data, len, blob, diff_id);

    if (!rc) {
        for (size_t i = 0; i < nw; i++)
            sg_warn(v->ctx, "%s", w[i]);
        sg_strv_free_n(w, nw);
        v->charged = 0;
        rc = charged > SIZE_MAX
                 ? sg_error_set(SG_ELIMIT, "%s: too large", blob)
                 : sg_layer_view_budget(v, (size_t)charged, blob);
    } else if (rc == SG_ELIMIT) {
        rc = sg_error_set(SG_EPARSE, "%s", sg_error_last());
    }
    if (rc)
        view_reset(v);
    return rc;
}

static void rec_log(enum sg_log_level level, const char *msg, void *payload)
{
    struct sg_layer_cache_fill *f = payload;

    if (f->orig && f->orig->log)
        f->orig->log(level, msg, f->orig->payload);
    if (level != SG_LOG_WARN && level != SG_LOG_ERROR)
        return;
    pthread_mutex_lock(&f->mu);
    if (f->n_warnings < WARN_MAX &&
        sg_strv_push(&f->warnings, &f->n_warnings, msg, strlen(msg)))
        sg_error_clear();
    pthread_mutex_unlock(&f->mu);
}

static void rec_progress(
    const char *what, uint64_t bytes, uint64_t total, int done, void *payload)
{
    struct sg_layer_cache_fill *f = payload;

    if (f->orig && f->orig->progress)
        f->orig->progress(what, bytes, total, done, f->orig->payload);
}

static void fill_free(struct sg_layer_cache_fill *f)
{
    pthread_mutex_destroy(&f->mu);
    sg_strv_free_n(f->warnings, f->n_warnings);
    free(f->blob);
    free(f->diff_id);
    free(f);
}

sg_err sg_layer_cache__begin(struct sg_layer_cache *c,
                             const char *blob,
                             const char *diff_id,
                             struct sg_layer_view *v,
                             struct sg_layer_cache_fill **fill,
                             int *hit)
{
    char key[HEX_LEN + 1];
    struct sg_layer_cache_fill *f;
    struct claim *cl;
    sg_err rc;

    *fill = NULL;
    *hit = 0;
    rc = entry_key(key, blob, diff_id, v->ctx);
    if (rc)
        return rc;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        struct mem_entry *e = mem_find(c, key);
        if (e) {
            /* Decoded under the lock: the entry may be evicted as soon as
             * it is released. Memory entries were ours, but decode checks
             * them all the same. */
            rc = fill_view(v, e->data, e->len, blob, diff_id);
            pthread_mutex_unlock(&c->mu);
            if (!rc)
                *hit = 1;
            if (rc == SG_ELIMIT || rc == SG_ENOMEM)
                return rc;
            sg_error_clear(); /* (ours: cannot be bad) scan it, unshared */
            return SG_OK;
        }
        if (!*claim_find(c, key))
            break;
        pthread_cond_wait(&c->cv, &c->mu);
    }
    cl = calloc(1, sizeof(*cl));
    if (!cl) {
        pthread_mutex_unlock(&c->mu);
        return sg_error_oom();
    }
    memcpy(cl->key, key, sizeof(key));
    cl->next = c->claims;
    c->claims = cl;
    pthread_mutex_unlock(&c->mu);

    f = calloc(1, sizeof(*f));
    if (!f || !(f->blob = sg_text_dup(blob)) ||
        (diff_id && !(f->diff_id = sg_text_dup(diff_id)))) {
        if (f) {
            free(f->blob);
            free(f);
        }
        f = NULL;
        rc = sg_error_oom();
        goto unclaim;
    }
    f->c = c;
    memcpy(f->key, key, sizeof(key));
    pthread_mutex_init(&f->mu, NULL);

    if (c->dir) {
        struct sg_buf b = SG_BUF_INIT(0);
        sg_err r = disk_read(&b, c, key, v->ctx);
        if (!r)
            r = fill_view(v, b.data, b.len, blob, diff_id);
        if (!r) {
            unsigned char *copy = malloc(b.len);
            if (copy) {
                memcpy(copy, b.data, b.len);
                pthread_mutex_lock(&c->mu);
                mem_put(c, key, copy, b.len);
                pthread_mutex_unlock(&c->mu);
            }
            *hit = 1;
        } else if (r == SG_ENOMEM || r == SG_ELIMIT) {
            rc = r; /* out of memory, or over the scan's own budget */
        } else if (r != SG_ENOTFOUND) {
            sg_warn(v->ctx,
                    "layer cache: entry %s%s of layer %s: %s; scanning the "
                    "layer again",
                    key, ENTRY_EXT, blob, sg_error_last());
        }
        if (r != SG_ENOMEM && r != SG_ELIMIT)
            sg_error_clear();
        sg_buf_release(&b);
        if (rc || *hit) {
            fill_free(f);
            goto unclaim;
        }
    }
    f->orig = v->ctx;
    f->rec = *sg_ctx_get(v->ctx);
    f->rec.log = rec_log;
    f->rec.progress = rec_progress;
    f->rec.payload = f;
    v->ctx = &f->rec;
    v->charged = 0;
    *fill = f;
    return SG_OK;
unclaim:
    pthread_mutex_lock(&c->mu);
    {
        struct claim **p = claim_find(c, key);
        if (*p) {
            struct claim *x = *p;
            *p = x->next;
            free(x);
        }
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* Entries on disk with their sizes and last use. */
struct disk_entry {
    char *name;
    uint64_t size;
    int64_t mtime;
    long mtime_ns;
};

static void disk_entries_free(struct disk_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

/* Scan the directory: entries (and, with stale_temps, remove writers'
 * temp files older than max_age seconds, -1: all). */
static sg_err disk_scan(struct disk_entry **out,
                        size_t *n,
                        const struct sg_layer_cache *c,
                        long max_age,
                        size_t *removed)
{
    struct disk_entry *v = NULL;
    size_t cap = 0;
    DIR *d;
    struct dirent *de;
    time_t now = time(NULL);
    sg_err rc = SG_OK;

    *out = NULL;
    *n = 0;
    d = opendir(c->dir);
    if (!d)
        return sg_error_errno(c->dir, errno);
    while (!rc && (de = readdir(d))) {
        struct stat st;
        int entry = is_entry_name(de->d_name);
        if (!entry && !is_temp_name(de->d_name))
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (!entry) {
            if (max_age >= 0 && now - st.st_mtime <= max_age)
                continue;
            if (unlinkat(dirfd(d), de->d_name, 0) == 0 && removed)
                ++*removed;
            continue;
        }
        rc = sg_array_grow(&v, &cap, *n, sizeof(*v), 64);
        if (rc)
            break;
        v[*n].name = sg_text_dup(de->d_name);
        if (!v[*n].name) {
            rc = sg_error_oom();
            break;
        }
        v[*n].size = (uint64_t)st.st_size;
        v[*n].mtime = (int64_t)st.st_mtim.tv_sec;
        v[*n].mtime_ns = st.st_mtim.tv_nsec;
        ++*n;
    }
    closedir(d);
    if (rc) {
        disk_entries_free(v, *n);
        *n = 0;
        return rc;
    }
    *out = v;
    return SG_OK;
}

/* Oldest use first; the name breaks ties so that the order is total. */
static int cmp_lru(const void *a, const void *b)
{
    const struct disk_entry *x = a, *y = b;

    if (x->mtime != y->mtime)
        return x->mtime < y->mtime ? -1 : 1;
    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns < y->mtime_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

sg_err sg_layer_cache_prune(struct sg_layer_cache *c,
                            uint64_t max_bytes,
                            size_t *removed,
                            uint64_t *freed)
{
    struct disk_entry *v = NULL;
    size_t n = 0, gone = 0;
    uint64_t total = 0, fr = 0;
    sg_err rc;

    if (removed)
        *removed = 0;
    if (freed)
        *freed = 0;
    if (!c->dir)
        return SG_OK;
    pthread_mutex_lock(&c->disk_mu);
    rc = disk_scan(&v, &n, c, max_bytes ? TMP_MAX_AGE : -1, &gone);
    for (size_t i = 0; i < n; i++)
        total += v[i].size;
    if (!rc && total > max_bytes) {
        qsort(v, n, sizeof(*v), cmp_lru);
        for (size_t i = 0; i < n && total > max_bytes; i++) {
            struct sg_buf p = SG_BUF_INIT(SG_BUF_NOLIMIT);
            if (entry_path(&p, c, v[i].name)) {
                rc = sg_error_oom();
                break;
            }
            /* Another process may have removed it first: fine. */
            if (unlink(p.data) == 0 || errno == ENOENT) {
                total -= v[i].size;
                fr += v[i].size;
                gone++;
            }
            sg_buf_release(&p);
        }
    }
    pthread_mutex_unlock(&c->disk_mu);
    disk_entries_free(v, n);
    if (removed)
        *removed = gone;
    if (freed)
        *freed = fr;
    return rc;
}

void sg_layer_cache__end(struct sg_layer_cache_fill *f,
                         struct sg_layer_view *v,
                         int ok)
{
    struct sg_layer_cache *c;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    unsigned char *copy = NULL;
    sg_err rc = SG_OK;

    if (!f)
        return;
    c = f->c;
    v->ctx = f->orig;
    if (ok) {
        pthread_mutex_lock(&f->mu);
        rc = sg_layer_cache__encode(&b, f->blob, f->diff_id, v, v->charged,
                                    f->warnings, f->n_warnings);
        pthread_mutex_unlock(&f->mu);
        if (!rc && c->dir && b.len <= c->max_bytes) {
            struct sg_buf p = SG_BUF_INIT(SG_BUF_NOLIMIT);
            rc = sg_buf_addf(&p, "%s/%s%s", c->dir, f->key, ENTRY_EXT);
            if (!rc)
                rc = sg_file_write_atomic(p.data, b.data, b.len, 0600);
            sg_buf_release(&p);
            if (!rc)
                rc = sg_layer_cache_prune(c, c->max_bytes, NULL, NULL);
        }
        if (rc) {
            sg_warn(v->ctx, "layer cache: layer %s not stored: %s", f->blob,
                    sg_error_last());
            sg_error_clear();
        }
        if (b.len && (copy = malloc(b.len)))
            memcpy(copy, b.data, b.len);
    }
    pthread_mutex_lock(&c->mu);
    if (copy)
        mem_put(c, f->key, copy, b.len);
    {
        struct claim **p = claim_find(c, f->key);
        if (*p) {
            struct claim *x = *p;
            *p = x->next;
            free(x);
        }
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    sg_buf_release(&b);
    fill_free(f);
}

/* ------------------------------------------------------------------ */
/* Listing                                                              */

/* The blob digest and diff_id at the start of an entry's payload. */
static void peek_names(struct sg_layer_cache_entry *e, const char *path)
{
    unsigned char buf[HDR_LEN + 2048];
    size_t have = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct sg_rd rd;

    if (fd < 0)
        return;
    while (have < sizeof(buf)) {
        size_t n;
        if (sg_read_some(fd, buf + have, sizeof(buf) - have, &n, path) || !n)
            break;
        have += n;
    }
    sg_error_clear();
    close(fd);
    if (have < HDR_LEN || memcmp(buf, "SGLC", 4) != 0)
        return;
    sg_rd_init(&rd, buf + HDR_LEN, have - HDR_LEN);
    if (get_str(&rd, &e->blob, 0) || get_str(&rd, &e->diff_id, 1))
        sg_error_clear();
}

static int cmp_mru(const void *a, const void *b)
{
    return -cmp_lru(a, b);
}

sg_err sg_layer_cache_list(struct sg_layer_cache_entry **out,
                           size_t *n_out,
                           struct sg_layer_cache *c)
{
    struct disk_entry *v = NULL;
    struct sg_layer_cache_entry *r = NULL;
    size_t n = 0;
    sg_err rc = SG_OK;

    *out = NULL;
    *n_out = 0;
    if (!c->dir)
        return SG_OK;
    rc = disk_scan(&v, &n, c, LONG_MAX, NULL);
    if (rc)
        return rc;
    qsort(v, n, sizeof(*v), cmp_mru);
    r = calloc(n + 1, sizeof(*r));
    if (!r)
        rc = sg_error_oom();
    for (size_t i = 0; i < n && !rc; i++) {
        struct sg_buf p = SG_BUF_INIT(SG_BUF_NOLIMIT);
        r[i].file = v[i].name;
        v[i].name = NULL;
        r[i].size = v[i].size;
        r[i].mtime = v[i].mtime;
        rc = entry_path(&p, c, r[i].file);
        if (!rc)
            peek_names(&r[i], p.data);
        sg_buf_release(&p);
    }
    disk_entries_free(v, n);
    if (rc) {
        sg_layer_cache_list_free(r, n);
        return rc;
    }
    *out = r;
    *n_out = n;
    return SG_OK;
}

void sg_layer_cache_list_free(struct sg_layer_cache_entry *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].file);
        free(v[i].blob);
        free(v[i].diff_id);
    }
    free(v);
}

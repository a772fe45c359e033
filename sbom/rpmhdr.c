/*
 * One rpm header blob, as stored in the rpm databases (rpm lib/header.c,
 * "hdrblob"; sbom-formats.md §6.3): no 8-byte magic, then
 *   il (u32 BE, index entries), dl (u32 BE, data bytes),
 *   il x {tag, type, offset, count} (each u32/i32 BE),
 *   dl bytes of data.
 * The first entry is normally a region tag (61..63, BIN, count 16) whose
 * data is a 16-byte trailer entry pointing back over the region.
 * Untrusted: every entry is range- and alignment-checked, entries may not
 * overlap, and the blob must be exactly 8 + 16*il + dl bytes.
 *
 * The format is rpm's own (no external spec beyond rpm's sources and its
 * docs/manual/format.md); the checks follow rpm's
 * hdrblobVerifyInfo() so that we accept what rpm accepts and nothing it
 * would refuse. The order matters: the whole blob length first (so the
 * index and data can be read without further bounds checks), then each
 * entry on its own (type, range, alignment, string termination), then
 * the region, then overlaps, which need every entry's end. Only after
 * all of that does fill() read a single value, so no reader below has to
 * re-check a bound.
 */
#include "sbom_int.h"

#include <stdlib.h>
#include <string.h>

/* The first two are rpm's own sanity limits: a header over them is one
 * rpm would refuse to load, so it cannot come from a working database.
 * The third is ours: a package with more names than that would cost
 * memory and output out of proportion (real ones have a few hundred). */
#define HDR_IL_MAX   0xffffu                /* rpm's hdrchkTags */
#define HDR_DL_MAX   (256u * 1024u * 1024u) /* rpm's hdrchkData */
#define HDR_DEPS_MAX 20000u /* requires/provides kept per package */

enum {
    T_NULL = 0,
    T_CHAR = 1,
    T_INT8 = 2,
    T_INT16 = 3,
    T_INT32 = 4,
    T_INT64 = 5,
    T_STRING = 6,
    T_BIN = 7,
    T_STRING_ARRAY = 8,
    T_I18NSTRING = 9
};

enum {
    TAG_HEADERIMAGE = 61,
    TAG_HEADERSIGNATURES = 62,
    TAG_HEADERIMMUTABLE = 63,
    TAG_NAME = 1000,
    TAG_VERSION = 1001,
    TAG_RELEASE = 1002,
    TAG_EPOCH = 1003,
    TAG_SUMMARY = 1004,
    TAG_SIZE = 1009,
    TAG_VENDOR = 1011,
    TAG_LICENSE = 1014,
    TAG_URL = 1020,
    TAG_ARCH = 1022,
    TAG_SOURCERPM = 1044,
    TAG_PROVIDENAME = 1047,
    TAG_REQUIRENAME = 1049,
    TAG_LONGSIZE = 5009
};

struct entry {
    uint32_t tag, type, off, count;
    uint32_t end; /* one past the entry's last data byte */
};

struct hdr {
    const unsigned char *data; /* the dl data bytes */
    uint32_t dl;
    struct entry *e;
    uint32_t il;
};

/* Bytes taken by `count` items of `type` at data offset `off`, or 0 when
 * they do not fit in the data area. Strings must be NUL-terminated
 * inside it: that is what later lets get_str() use strlen() on data it
 * does not own. Products are computed in 64 bits, as count is up to
 * 2^32 - 1 and would wrap a 32-bit multiplication. */
static uint32_t
data_len(const struct hdr *h, uint32_t type, uint32_t off, uint32_t count)
{
    uint64_t n;

    switch (type) {
    case T_CHAR:
    case T_INT8:
    case T_BIN:
        n = count;
        break;
    case T_INT16:
        n = (uint64_t)count * 2u;
        break;
    case T_INT32:
        n = (uint64_t)count * 4u;
        break;
    case T_INT64:
        n = (uint64_t)count * 8u;
        break;
    case T_STRING:
        if (count != 1)
            return 0;
        SG_FALLTHROUGH;
    case T_STRING_ARRAY:
    case T_I18NSTRING: {
        const unsigned char *p = h->data + off, *e = h->data + h->dl;

        for (uint32_t i = 0; i < count; i++) {
            const unsigned char *z = memchr(p, 0, (size_t)(e - p));

            if (!z)
                return 0;
            p = z + 1;
        }
        return (uint32_t)(p - (h->data + off));
    }
    default:
        return 0;
    }
    if (n == 0 || n > (uint64_t)h->dl - off)
        return 0;
    return (uint32_t)n;
}

static int end_cmp(const void *a, const void *b)
{
    const struct entry *x = *(const struct entry *const *)a;
    const struct entry *y = *(const struct entry *const *)b;

    return x->off < y->off ? -1 : x->off > y->off;
}

/* Validate the index against the data area. */
static sg_err check_entries(const struct hdr *h)
{
    const struct entry **order = NULL;
    sg_err rc = SG_OK;

    /* Alignment as rpm requires it (hdrchkAlign): the numeric arrays are
     * stored in their natural alignment relative to the data area; an
     * unaligned one is not something rpm writes. */
    for (uint32_t i = 0; i < h->il; i++) {
        struct entry *e = &h->e[i];
        uint32_t align = e->type == T_INT16   ? 2u
                         : e->type == T_INT32 ? 4u
                         : e->type == T_INT64 ? 8u
                                              : 1u;
        uint32_t n;

        if (e->type < T_CHAR || e->type > T_I18NSTRING)
            return sg_error_set(SG_EPARSE,
                                "rpm header: entry %u (tag %u): "
                                "bad type %u",
                                i, e->tag, e->type);
        if (e->count == 0 || e->off >= h->dl)
            return sg_error_set(SG_EPARSE,
                                "rpm header: entry %u (tag %u): "
                                "offset %u count %u out of range",
                                i, e->tag, e->off, e->count);
        if (e->off % align)
            return sg_error_set(SG_EPARSE,
                                "rpm header: entry %u (tag %u): "
                                "misaligned offset %u",
                                i, e->tag, e->off);
        n = data_len(h, e->type, e->off, e->count);
        if (!n)
            return sg_error_set(SG_EPARSE,
                                "rpm header: entry %u (tag %u): "
                                "data runs past the end",
                                i, e->tag);
        e->end = e->off + n;
    }

    /* Region: entry 0 may be a region tag whose 16-byte trailer points
     * back over at most il entries. */
    if (h->e[0].tag >= TAG_HEADERIMAGE && h->e[0].tag <= TAG_HEADERIMMUTABLE) {
        const struct entry *r = &h->e[0];
        struct sg_rd tr;
        uint32_t ttag, ttype, toff, tcount;

        if (r->type != T_BIN || r->count != 16)
            return sg_error_set(SG_EPARSE,
                                "rpm header: malformed region "
                                "tag %u",
                                r->tag);
        /* The trailer is itself an index entry (tag, type, offset,
         * count); data_len() made sure its 16 bytes are in the data. */
        sg_rd_init(&tr, h->data + r->off, 16);
        if (sg_rd_u32be(&tr, &ttag) || sg_rd_u32be(&tr, &ttype) ||
            sg_rd_u32be(&tr, &toff) || sg_rd_u32be(&tr, &tcount))
            return sg_error_set(SG_EINTERNAL, "rpm header: short trailer");
        /* toff is -(16 * entries in the region) as a 32-bit int */
        toff = 0u - toff;
        if (ttag != r->tag || ttype != T_BIN || tcount != 16 || toff == 0 ||
            toff % 16 || toff / 16 > h->il)
            return sg_error_set(SG_EPARSE,
                                "rpm header: region trailer of "
                                "tag %u is inconsistent",
                                r->tag);
    }

    /* No two entries may share data bytes: rpm never writes that, and
     * overlapping entries are how a crafted header makes one string be
     * read as part of another (or a number out of a string's bytes).
     * Sorting by offset makes it one linear pass instead of il^2. */
    order = malloc(h->il * sizeof(*order));
    if (!order)
        return sg_error_oom();
    for (uint32_t i = 0; i < h->il; i++)
        order[i] = &h->e[i];
    qsort(order, h->il, sizeof(*order), end_cmp);
    for (uint32_t i = 1; i < h->il; i++)
        if (order[i]->off < order[i - 1]->end) {
            rc = sg_error_set(SG_EPARSE,
                              "rpm header: data of tags %u and "
                              "%u overlap",
                              order[i - 1]->tag, order[i]->tag);
            break;
        }
    free(order);
    return rc;
}

/* First entry with this tag. Linear: il is at most 65535 and fill() asks
 * for a dozen tags, so an index would cost more than it saves. A second
 * entry with the same tag is ignored. */
static const struct entry *find(const struct hdr *h, uint32_t tag)
{
    for (uint32_t i = 0; i < h->il; i++)
        if (h->e[i].tag == tag)
            return &h->e[i];
    return NULL;
}

/* Copy a string, replacing bytes that are not valid UTF-8 with '?' (old
 * headers carry Latin-1; the SBOM writers need UTF-8). */
static char *str_dup_utf8(const unsigned char *s, size_t n)
{
    char *d = malloc(n + 1);
    size_t i = 0;

    if (!d)
        return NULL;
    while (i < n) {
        unsigned char c = s[i];
        size_t k = c < 0x80                          ? 1
                   : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 2
                   : (c & 0xf0) == 0xe0              ? 3
                   : (c & 0xf8) == 0xf0 && c <= 0xf4 ? 4
                                                     : 0;
        int ok = k != 0 && i + k <= n;

        for (size_t j = 1; ok && j < k; j++)
            ok = (s[i + j] & 0xc0) == 0x80;
        if (ok && k == 3)
            ok = !(c == 0xe0 && s[i + 1] < 0xa0) &&
                 !(c == 0xed && s[i + 1] >= 0xa0);
        if (ok && k == 4)
            ok = !(c == 0xf0 && s[i + 1] < 0x90) &&
                 !(c == 0xf4 && s[i + 1] >= 0x90);
        if (!ok) {
            d[i++] = '?';
            continue;
        }
        memcpy(d + i, s + i, k);
        i += k;
    }
    d[n] = '\0';
    return d;
}

/* First string of a STRING / STRING_ARRAY / I18NSTRING entry. *out NULL
 * when the tag is absent. */
static sg_err get_str(char **out, const struct hdr *h, uint32_t tag)
{
    const struct entry *e = find(h, tag);
    const unsigned char *p;

    *out = NULL;
    if (!e)
        return SG_OK;
    if (e->type != T_STRING && e->type != T_STRING_ARRAY &&
        e->type != T_I18NSTRING)
        return sg_error_set(SG_EPARSE,
                            "rpm header: tag %u: type %u is not "
                            "a string",
                            tag, e->type);
    p = h->data + e->off;
    *out = str_dup_utf8(p, strlen((const char *)p));
    return *out ? SG_OK : sg_error_oom();
}

/* First value of an INT32 or INT64 entry: 1, else 0 (absent, or another
 * type: EPOCH and SIZE are INT32 in every rpm, LONGSIZE INT64; anything
 * else is treated as absent rather than reinterpreted). */
static int get_u64(uint64_t *out, const struct hdr *h, uint32_t tag)
{
    const struct entry *e = find(h, tag);
    struct sg_rd rd;
    uint32_t v32;

    if (!e)
        return 0;
    sg_rd_init(&rd, h->data + e->off, e->end - e->off);
    if (e->type == T_INT32 && sg_rd_u32be(&rd, &v32) == SG_OK) {
        *out = v32;
        return 1;
    }
    if (e->type == T_INT64 && sg_rd_u64be(&rd, out) == SG_OK)
        return 1;
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A STRING_ARRAY as a sorted, de-duplicated list (rpmlib(...) feature
 * requirements dropped: no package provides them). */
static sg_err
get_names(char ***out, size_t *n_out, const struct hdr *h, uint32_t tag)
{
    const struct entry *e = find(h, tag);
    const unsigned char *p;
    char **v = NULL;
    size_t n = 0, w;
    sg_err rc = SG_OK;

    *out = NULL;
    *n_out = 0;
    if (!e)
        return SG_OK;
    if (e->type != T_STRING_ARRAY && e->type != T_STRING)
        return sg_error_set(SG_EPARSE,
                            "rpm header: tag %u: type %u is not "
                            "a string array",
                            tag, e->type);
    if (e->count > HDR_DEPS_MAX)
        return sg_error_set(SG_ELIMIT,
                            "rpm header: tag %u: %u names, limit "
                            "is %u",
                            tag, e->count, HDR_DEPS_MAX);
    v = calloc(e->count, sizeof(*v));
    if (!v)
        return sg_error_oom();
    p = h->data + e->off;
    for (uint32_t i = 0; i < e->count; i++) {
        size_t len = strlen((const char *)p);

        if (len && strncmp((const char *)p, "rpmlib(", 7) != 0) {
            v[n] = str_dup_utf8(p, len);
            if (!v[n++]) {
                rc = sg_error_oom();
                goto done;
            }
        }
        p += len + 1;
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), str_cmp);
    for (size_t i = w = 0; i < n; i++) {
        if (w && strcmp(v[w - 1], v[i]) == 0) {
            free(v[i]);
            continue;
        }
        v[w++] = v[i];
    }
    n = w;
done:
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return rc;
    }
    if (!n) {
        free(v);
        v = NULL;
    }
    *out = v;
    *n_out = n;
    return SG_OK;
}

static sg_err fill(struct sg_pkg *p, int *skipped, const struct hdr *h)
{
    char *ver = NULL, *rel = NULL;
    uint64_t v64;
    size_t lv, lr;
    sg_err rc;

    rc = get_str(&p->name, h, TAG_NAME);
    if (!rc && (!p->name || !*p->name))
        rc = sg_error_set(SG_EPARSE, "rpm header: no NAME");
    if (rc)
        goto done;
    /* `rpm --import` stores each trusted signing key as a pseudo-package
     * named gpg-pubkey: it installs no files and no SBOM lists it. */
    if (strcmp(p->name, "gpg-pubkey") == 0) {
        *skipped = 1; /* imported signing keys, not packages */
        goto done;
    }
    rc = get_str(&ver, h, TAG_VERSION);
    if (!rc)
        rc = get_str(&rel, h, TAG_RELEASE);
    if (!rc && (!ver || !*ver || !rel || !*rel))
        rc = sg_error_set(SG_EPARSE, "rpm header: %s: no VERSION or RELEASE",
                          p->name);
    if (rc)
        goto done;
    /* The model's version is rpm's VERSION-RELEASE (the purl and syft
     * form); EPOCH stays separate (the purl's epoch= qualifier). */
    lv = strlen(ver);
    lr = strlen(rel);
    p->version = malloc(lv + lr + 2);
    if (!p->version) {
        rc = sg_error_oom();
        goto done;
    }
    memcpy(p->version, ver, lv);
    p->version[lv] = '-';
    memcpy(p->version + lv + 1, rel, lr + 1);

    if (get_u64(&v64, h, TAG_EPOCH)) {
        p->has_epoch = 1;
        p->epoch = (unsigned long)v64;
    }
    /* LONGSIZE exists for packages over 4 GiB; when both are there it
     * is the exact one. */
    if (get_u64(&v64, h, TAG_LONGSIZE) || get_u64(&v64, h, TAG_SIZE))
        p->installed_size = v64;
    rc = get_str(&p->arch, h, TAG_ARCH);
    if (!rc)
        rc = get_str(&p->license, h, TAG_LICENSE);
    if (!rc)
        rc = get_str(&p->supplier, h, TAG_VENDOR);
    if (!rc)
        rc = get_str(&p->source_name, h, TAG_SOURCERPM);
    if (!rc)
        rc = get_str(&p->description, h, TAG_SUMMARY);
    if (!rc)
        rc = get_str(&p->url, h, TAG_URL);
    if (!rc)
        rc = get_names(&p->depends, &p->n_depends, h, TAG_REQUIRENAME);
    if (!rc)
        rc = get_names(&p->provides, &p->n_provides, h, TAG_PROVIDENAME);
done:
    free(ver);
    free(rel);
    return rc;
}

sg_err sg_sbom__rpm_header_parse(struct sg_pkg *out,
                                 int *skipped,
                                 const void *data,
                                 size_t len)
{
    struct sg_rd rd;
    struct hdr h;
    struct sg_slice s;
    size_t need;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    memset(&h, 0, sizeof(h));
    *skipped = 0;
    sg_rd_init(&rd, data, len);
    if (sg_rd_u32be(&rd, &h.il) || sg_rd_u32be(&rd, &h.dl))
        return sg_error_set(SG_EPARSE, "rpm header: %zu bytes, too short", len);
    if (h.il == 0 || h.il > HDR_IL_MAX)
        return sg_error_set(SG_EPARSE, "rpm header: absurd index count %u",
                            h.il);
    if (h.dl == 0 || h.dl > HDR_DL_MAX)
        return sg_error_set(SG_EPARSE, "rpm header: absurd data size %u", h.dl);
    /* Cannot overflow: il and dl are bounded above (about 1 MiB and
     * 256 MiB). Exact, not "at least": the databases store each header
     * with its own length, and trailing bytes would mean that length and
     * the header disagree. */
    need = 8u + 16u * (size_t)h.il + (size_t)h.dl;
    if (need != len)
        return sg_error_set(SG_EPARSE,
                            "rpm header: %u entries and %u data "
                            "bytes need %zu bytes, blob has %zu",
                            h.il, h.dl, need, len);
    h.e = calloc(h.il, sizeof(*h.e));
    if (!h.e)
        return sg_error_oom();
    for (uint32_t i = 0; i < h.il; i++) {
        /* cannot fail: the length was checked above */
        if (sg_rd_u32be(&rd, &h.e[i].tag) || sg_rd_u32be(&rd, &h.e[i].type) ||
            sg_rd_u32be(&rd, &h.e[i].off) || sg_rd_u32be(&rd, &h.e[i].count)) {
            rc = sg_error_set(SG_EINTERNAL, "rpm header: short index");
            goto done;
        }
    }
    if (sg_rd_bytes(&rd, h.dl, &s)) {
        rc = sg_error_set(SG_EINTERNAL, "rpm header: short data");
        goto done;
    }
    h.data = s.p;
    rc = check_entries(&h);
    if (!rc)
        rc = fill(out, skipped, &h);
    if (!rc && !*skipped)
        out->type = SG_PKG_RPM;
    if (rc || *skipped)
        sg_pkg_release(out);
done:
    free(h.e);
    return rc;
}

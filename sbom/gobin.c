/*
 * Streaming Go build-info finder. The layer scanner feeds every regular
 * file's bytes in order (begin / feed... / end); nothing is ever seeked
 * and memory stays bounded whatever the file size:
 *
 *  - The first bytes decide: ELF, PE or Mach-O magic → an executable;
 *    anything else is ignored cheaply for the rest of the stream.
 *  - The first HEAD_MAX bytes are kept until the program headers (ELF
 *    PT_LOAD), PE section table or Mach-O segments are parsed; only the
 *    segment table (vaddr → file offset, writable or not) is remembered.
 *  - Every 16-byte aligned file offset is checked for "\xff Go buildinf:"
 *    (golang/go src/debug/buildinfo/buildinfo.go). A hit starts a bounded
 *    capture of the 32-byte header and, for the Go 1.18+ inline format
 *    (flags & 2), of the two uvarint-prefixed strings after it (version,
 *    modinfo). Hits inside a writable data segment win over others (the
 *    Go toolchain itself holds the magic as a literal in read-only data).
 *  - The pre-1.18 pointer format stores two pointers to Go string headers
 *    {data, len}. The headers (runtime.buildVersion, runtime.modinfo vars)
 *    follow .go.buildinfo in the data segment, so they are captured when
 *    the stream reaches them; the string bytes live in read-only data,
 *    usually *before* the header. Instead of spooling the binary, the
 *    finder remembers, while streaming, every modinfo blob (framed by the
 *    16-byte infoStart/infoEnd sentinels, each capped) and a small table
 *    of "go1."/"devel" strings with their file offsets; the pointers are
 *    then resolved against those by offset. Bytes that lie ahead are
 *    captured directly. If a string can be found neither way the binary
 *    is reported with a warning (never a crash).
 *
 * Memory per file: HEAD_MAX during the header phase, the captures
 * (at most CAPS_MAX of them, CAP_BUDGET bytes together: a match past the
 * budget is not followed) and a 64-byte tail for matches that span two
 * chunks — about 8.1 MiB at worst, a few hundred KiB for real binaries.
 */
#define _GNU_SOURCE /* memmem */
#include "sbom_int.h"

#include <stdlib.h>
#include <string.h>

#define HEAD_MAX    (64u * 1024u) /* bytes kept to parse headers */
#define SEGS_MAX    64u           /* segments remembered */
#define CAPS_MAX    640u          /* concurrent captures */
#define VERCAND_MAX 512u          /* "go1." candidates remembered */
#define VERCAND_LEN 64u           /* bytes kept per candidate */
#define SENT_MAX    8u            /* sentinel-framed modinfo blobs */
#define MODINFO_MAX (4u * 1024u * 1024u)
#define VERSION_MAX 1024u
#define TAIL_LEN    64u
#define BI_HDR      32u
#define BI_CAND_MAX 8u                   /* buildinfo magic hits followed */
#define CAP_BUDGET  (8u * 1024u * 1024u) /* all captures of one file */

static const unsigned char bi_magic[14] = "\xff Go buildinf:";

enum gb_state {
    ST_SNIFF = 0, /* fewer than 4 bytes seen */
    ST_EXEC,      /* an executable: scanning */
    ST_IGNORE     /* not an executable */
};

enum gb_fmt {
    FMT_NONE = 0,
    FMT_ELF,
    FMT_PE,
    FMT_MACHO
};

enum cap_kind {
    CAP_BI = 1,   /* build-info header (+ inline strings) */
    CAP_SHDR_VER, /* old format: Go string header of the version */
    CAP_SHDR_MOD, /* old format: Go string header of modinfo */
    CAP_STR_VER,  /* old format: version bytes */
    CAP_STR_MOD,  /* old format: modinfo bytes */
    CAP_VERCAND,  /* a "go1."/"devel" string seen in the stream */
    CAP_SENT      /* a sentinel-framed modinfo blob */
};

struct seg {
    uint64_t vaddr;
    uint64_t off;
    uint64_t filesz;
    int data; /* writable, not executable */
};

struct cap {
    enum cap_kind kind;
    uint64_t off;       /* file offset of buf[0] */
    size_t want;        /* bytes wanted so far */
    size_t have;        /* bytes captured */
    unsigned char *buf; /* capacity >= want */
    int done;           /* complete (or abandoned: bad = 1) */
    int bad;
    int stage;         /* CAP_BI inline: 0 header, 1 verlen, 2 modlen;
                          CAP_SHDR_*: 1 once str_addr/str_len are set */
    size_t owner;      /* CAP_SHDR_x, CAP_STR_x: index of the CAP_BI */
    uint64_t str_addr; /* CAP_SHDR_*: the string's virtual address */
    size_t str_len;    /* CAP_SHDR_*: its length */
};

struct sg_gobin {
    const struct sg_ctx *ctx; /* hooks (warnings) */
    char *path;
    uint64_t size;
    uint64_t pos; /* bytes fed so far */
    enum gb_state state;
    enum gb_fmt fmt;
    unsigned char *head; /* first bytes, freed once headers are parsed */
    size_t head_len;
    int head_done;
    int hdr_parsed; /* segment table parsed (or given up) */
    int be;         /* big-endian (ELF/Mach-O) */
    struct seg segs[SEGS_MAX];
    size_t nsegs;
    int segs_known;
    int upx;       /* "UPX!" seen in the head */
    int go_marker; /* Go build ID seen in the head */
    unsigned char tail[TAIL_LEN];
    size_t tail_len;
    struct cap *caps;
    size_t ncaps;
    size_t n_vercand, n_sent, n_bi;
    int oom;          /* an allocation failed: report at end */
    size_t cap_bytes; /* sum of capture buffer sizes (<= CAP_BUDGET) */
};

/* ------------------------------------------------------------------ */
/* Byte helpers                                                         */

static uint64_t rd_u(const unsigned char *p, unsigned n, int be)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned sh = be ? 8u * (n - 1 - i) : 8u * i;
        v |= (uint64_t)p[i] << sh;
    }
    return v;
}

/* bytes [off, off+n) of the head, or NULL when not all there. */
static const unsigned char *
head_at(const struct sg_gobin *g, uint64_t off, uint64_t n)
{
    if (off > g->head_len || n > g->head_len - off)
        return NULL;
    return g->head + off;
}

static void seg_add(
    struct sg_gobin *g, uint64_t vaddr, uint64_t off, uint64_t filesz, int data)
{
    if (g->nsegs >= SEGS_MAX || filesz == 0)
        return;
    g->segs[g->nsegs].vaddr = vaddr;
    g->segs[g->nsegs].off = off;
    g->segs[g->nsegs].filesz = filesz;
    g->segs[g->nsegs].data = data;
    g->nsegs++;
}

/* Returns 1 when done (known or given up), 0 when more head is needed. */
static int parse_elf(struct sg_gobin *g)
{
    const unsigned char *h = g->head, *ph;
    int is64, be;
    uint64_t phoff;
    unsigned phentsize, phnum;

    if (g->head_len < 64)
        return 0;
    is64 = h[4] == 2;
    be = h[5] == 2;
    g->be = be;
    if (is64) {
        phoff = rd_u(h + 32, 8, be);
        phentsize = (unsigned)rd_u(h + 54, 2, be);
        phnum = (unsigned)rd_u(h + 56, 2, be);
    } else {
        phoff = rd_u(h + 28, 4, be);
        phentsize = (unsigned)rd_u(h + 42, 2, be);
        phnum = (unsigned)rd_u(h + 44, 2, be);
    }
    if (phentsize < (is64 ? 56u : 32u) || phnum == 0)
        return 1;
    ph = head_at(g, phoff, (uint64_t)phentsize * phnum);
    if (!ph)
        return phoff + (uint64_t)phentsize * phnum > HEAD_MAX;
    for (unsigned i = 0; i < phnum; i++) {
        const unsigned char *e = ph + (size_t)i * phentsize;
        uint64_t type = rd_u(e, 4, be), flags, off, vaddr, filesz;
        if (is64) {
            flags = rd_u(e + 4, 4, be);
            off = rd_u(e + 8, 8, be);
            vaddr = rd_u(e + 16, 8, be);
            filesz = rd_u(e + 32, 8, be);
        } else {
            off = rd_u(e + 4, 4, be);
            vaddr = rd_u(e + 8, 4, be);
            filesz = rd_u(e + 16, 4, be);
            flags = rd_u(e + 24, 4, be);
        }
        if (type == 1) /* PT_LOAD; PF_X = 1, PF_W = 2 */
            seg_add(g, vaddr, off, filesz, (flags & 3) == 2);
    }
    g->segs_known = g->nsegs > 0;
    return 1;
}

static int parse_pe(struct sg_gobin *g)
{
    const unsigned char *p, *opt, *sec;
    uint64_t lfanew, base;
    unsigned nsec, optsize, magic;

    if (g->head_len < 64)
        return 0;
    lfanew = rd_u(g->head + 0x3c, 4, 0);
    p = head_at(g, lfanew, 24);
    if (!p)
        return lfanew + 24 > HEAD_MAX;
    if (memcmp(p, "PE\0\0", 4) != 0)
        return 1; /* a DOS program or not an executable at all */
    nsec = (unsigned)rd_u(p + 6, 2, 0);
    optsize = (unsigned)rd_u(p + 20, 2, 0);
    opt = head_at(g, lfanew + 24, optsize);
    if (!opt)
        return lfanew + 24 + optsize > HEAD_MAX;
    if (optsize < 32)
        return 1;
    magic = (unsigned)rd_u(opt, 2, 0);
    if (magic == 0x20b)
        base = rd_u(opt + 24, 8, 0);
    else if (magic == 0x10b)
        base = rd_u(opt + 28, 4, 0);
    else
        return 1;
    sec = head_at(g, lfanew + 24 + optsize, (uint64_t)nsec * 40);
    if (!sec)
        return lfanew + 24 + optsize + (uint64_t)nsec * 40 > HEAD_MAX;
    for (unsigned i = 0; i < nsec; i++) {
        const unsigned char *s = sec + (size_t)i * 40;
        uint64_t vsize = rd_u(s + 8, 4, 0), va = rd_u(s + 12, 4, 0);
        uint64_t rawsz = rd_u(s + 16, 4, 0), rawoff = rd_u(s + 20, 4, 0);
        uint64_t ch = rd_u(s + 36, 4, 0);
        uint64_t sz = vsize && vsize < rawsz ? vsize : rawsz;
        /* writable (0x80000000), not executable (0x20000000) */
        seg_add(g, base + va, rawoff, sz,
                (ch & 0x80000000u) && !(ch & 0x20000000u));
    }
    g->segs_known = g->nsegs > 0;
    return 1;
}

static int parse_macho(struct sg_gobin *g)
{
    const unsigned char *h = g->head;
    uint32_t m = (uint32_t)rd_u(h, 4, 0);
    int be = m == 0xcefaedfeu || m == 0xcffaedfeu;
    int is64 = m == 0xfeedfacfu || m == 0xcffaedfeu;
    size_t hdr = is64 ? 32 : 28;
    uint64_t ncmds, sizeofcmds, o;

    if (g->head_len < hdr)
        return 0;
    g->be = be;
    ncmds = rd_u(h + 16, 4, be);
    sizeofcmds = rd_u(h + 20, 4, be);
    if (!head_at(g, hdr, sizeofcmds))
        return hdr + sizeofcmds > HEAD_MAX;
    o = hdr;
    for (uint64_t i = 0; i < ncmds; i++) {
        const unsigned char *c = head_at(g, o, 8);
        uint64_t cmd, size;
        if (!c)
            break;
        cmd = rd_u(c, 4, be);
        size = rd_u(c + 4, 4, be);
        if (size < 8 || !head_at(g, o, size))
            break;
        if (cmd == 0x19 && size >= 72) { /* LC_SEGMENT_64 */
            uint64_t prot = rd_u(c + 60, 4, be);
            seg_add(g, rd_u(c + 24, 8, be), rd_u(c + 40, 8, be),
                    rd_u(c + 48, 8, be), (prot & 2) && !(prot & 4));
        } else if (cmd == 0x1 && size >= 56) { /* LC_SEGMENT */
            uint64_t prot = rd_u(c + 44, 4, be);
            seg_add(g, rd_u(c + 24, 4, be), rd_u(c + 32, 4, be),
                    rd_u(c + 36, 4, be), (prot & 2) && !(prot & 4));
        }
        o += size;
    }
    g->segs_known = g->nsegs > 0;
    return 1;
}

static void head_finish(struct sg_gobin *g)
{
    static const char buildid[] = "\xff Go build ID: \"";
    if (g->head_done)
        return;
    g->head_done = 1;
    if (g->head_len >= 4 && (memmem(g->head, g->head_len, "UPX!", 4) != NULL))
        g->upx = 1;
    if (memmem(g->head, g->head_len, buildid, sizeof(buildid) - 1) ||
        memmem(g->head, g->head_len, "\4\0\0\0Go\0\0", 8))
        g->go_marker = 1;
    free(g->head);
    g->head = NULL;
}

static void head_try_parse(struct sg_gobin *g, int at_end)
{
    if (g->head_done)
        return;
    if (!g->hdr_parsed) {
        switch (g->fmt) {
        case FMT_ELF:
            g->hdr_parsed = parse_elf(g);
            break;
        case FMT_PE:
            g->hdr_parsed = parse_pe(g);
            break;
        case FMT_MACHO:
            g->hdr_parsed = parse_macho(g);
            break;
        case FMT_NONE:
            g->hdr_parsed = 1;
            break;
        }
    }
    /* keep the head until it is full (the UPX / build ID markers are
     * looked for in all of it) or the file ends */
    if (at_end || g->head_len >= HEAD_MAX)
        head_finish(g);
}

/* ------------------------------------------------------------------ */
/* Captures                                                             */

static struct cap *
cap_start(struct sg_gobin *g, enum cap_kind kind, uint64_t off, size_t want)
{
    struct cap *c;
    if (g->ncaps >= CAPS_MAX)
        return NULL;
    if (!g->caps) {
        g->caps = calloc(CAPS_MAX, sizeof(*g->caps));
        if (!g->caps) {
            g->oom = 1;
            return NULL;
        }
    }
    if (want > CAP_BUDGET - g->cap_bytes)
        return NULL; /* over budget: this match is not followed */
    c = &g->caps[g->ncaps];
    memset(c, 0, sizeof(*c));
    c->buf = malloc(want ? want : 1);
    if (!c->buf) {
        g->oom = 1;
        return NULL;
    }
    c->kind = kind;
    c->off = off;
    c->want = want;
    g->cap_bytes += want;
    g->ncaps++;
    /* bytes already streamed past but still in the tail */
    if (off < g->pos && g->pos - off <= g->tail_len) {
        size_t from = g->tail_len - (size_t)(g->pos - off);
        size_t n = g->tail_len - from;
        if (n > want)
            n = want;
        memcpy(c->buf, g->tail + from, n);
        c->have = n;
    } else if (off < g->pos) {
        c->done = c->bad = 1; /* behind us: cannot be captured */
    }
    return c;
}

static int cap_grow(struct sg_gobin *g, struct cap *c, size_t want)
{
    unsigned char *b;
    if (want <= c->want)
        return 1;
    if (want - c->want > CAP_BUDGET - g->cap_bytes) {
        c->done = c->bad = 1; /* over budget: abandon */
        return 0;
    }
    b = realloc(c->buf, want);
    if (!b) {
        g->oom = 1;
        c->done = c->bad = 1;
        return 0;
    }
    g->cap_bytes += want - c->want;
    c->buf = b;
    c->want = want;
    return 1;
}

/* Decode a uvarint at buf[*o] (have bytes). 1 ok, 0 need more, -1 bad. */
static int
uvarint(const unsigned char *buf, size_t have, size_t *o, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < 10; i++) {
        unsigned char b;
        if (*o + i >= have)
            return 0;
        b = buf[*o + i];
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *o += i + 1;
            *v = x;
            return 1;
        }
    }
    return -1;
}

static int
translate(const struct sg_gobin *g, uint64_t addr, uint64_t len, uint64_t *off)
{
    for (size_t i = 0; i < g->nsegs; i++) {
        const struct seg *s = &g->segs[i];
        if (addr >= s->vaddr && addr - s->vaddr < s->filesz &&
            len <= s->filesz - (addr - s->vaddr)) {
            *off = s->off + (addr - s->vaddr);
            return 1;
        }
    }
    return 0;
}

static int in_data_seg(const struct sg_gobin *g, uint64_t off)
{
    for (size_t i = 0; i < g->nsegs; i++) {
        const struct seg *s = &g->segs[i];
        if (s->data && off >= s->off && off - s->off < s->filesz)
            return 1;
    }
    return 0;
}

/* Old format: start capturing what a pointer refers to. */
static void want_ptr(struct sg_gobin *g,
                     enum cap_kind kind,
                     uint64_t addr,
                     size_t len,
                     size_t owner)
{
    uint64_t off;
    struct cap *c;
    if (!translate(g, addr, len, &off))
        return;
    /* only ahead (or in the tail); what lies behind is looked up in the
     * remembered strings at the end */
    if (off + g->tail_len >= g->pos) {
        c = cap_start(g, kind, off, len);
        if (c)
            c->owner = owner;
    }
}

/* A capture got all it wanted: validate, extend, or chain. */
static void cap_complete(struct sg_gobin *g, struct cap *c)
{
    switch (c->kind) {
    case CAP_BI: {
        const unsigned char *h = c->buf;
        if (c->stage == 0) {
            unsigned ps = h[14], fl = h[15];
            if ((ps != 4 && ps != 8) || fl > 3) {
                c->done = c->bad = 1;
                return;
            }
            if (!(fl & 2)) {
                /* pointer format: header only; chase the pointers when
                 * this is the candidate we use (decided now if it is in
                 * a data segment, or when no segments are known) */
                c->done = 1;
                if (g->segs_known) {
                    int be = fl & 1;
                    uint64_t pv = rd_u(h + 16, ps, be);
                    uint64_t pm = rd_u(h + 16 + ps, ps, be);
                    size_t me = (size_t)(c - g->caps);
                    want_ptr(g, CAP_SHDR_VER, pv, 2u * ps, me);
                    want_ptr(g, CAP_SHDR_MOD, pm, 2u * ps, me);
                }
                return;
            }
            c->stage = 1;
            (void)cap_grow(g, c, BI_HDR + 10);
            return;
        } else {
            size_t o = BI_HDR;
            uint64_t vlen, mlen;
            int r = uvarint(h, c->have, &o, &vlen);
            if (r < 0 || (r == 1 && vlen > VERSION_MAX)) {
                c->done = c->bad = 1;
                return;
            }
            if (r == 0)
                return; /* cannot happen: want covers 10 bytes */
            if (c->stage == 1) {
                c->stage = 2;
                (void)cap_grow(g, c, o + (size_t)vlen + 10);
                return;
            }
            o += (size_t)vlen;
            r = uvarint(h, c->have, &o, &mlen);
            if (r <= 0 || mlen > MODINFO_MAX) {
                c->done = c->bad = 1;
                return;
            }
            if (c->stage == 2) {
                c->stage = 3;
                if (o + mlen <= c->want) {
                    c->done = 1;
                    return;
                }
                (void)cap_grow(g, c, o + (size_t)mlen);
                return;
            }
            c->done = 1;
        }
        return;
    }
    case CAP_SHDR_VER:
    case CAP_SHDR_MOD: {
        const unsigned char *oh = g->caps[c->owner].buf;
        unsigned ps = oh[14];
        int be = oh[15] & 1;
        uint64_t data = rd_u(c->buf, ps, be);
        uint64_t len = rd_u(c->buf + ps, ps, be);
        c->done = 1;
        if (len > (c->kind == CAP_SHDR_VER ? VERSION_MAX : MODINFO_MAX))
            return;
        c->str_addr = data;
        c->str_len = (size_t)len;
        c->stage = 1;
        want_ptr(g, c->kind == CAP_SHDR_VER ? CAP_STR_VER : CAP_STR_MOD, data,
                 (size_t)len, c->owner);
        return;
    }
    case CAP_SENT: {
        /* growing blob: finished when it ends with infoEnd */
        if (c->have >= 32 &&
            memcmp(c->buf + c->have - 16, sg_sbom__go_info_end, 16) == 0) {
            c->done = 1;
            return;
        }
        if (c->want >= MODINFO_MAX) {
            c->done = c->bad = 1;
            return;
        }
        (void)cap_grow(g, c, c->want * 2);
        return;
    }
    case CAP_STR_VER:
    case CAP_STR_MOD:
    case CAP_VERCAND:
        c->done = 1;
        return;
    }
}

/* Copy the overlap of chunk [base, base+len) into every open capture. */
static void
caps_feed(struct sg_gobin *g, const unsigned char *p, size_t len, uint64_t base)
{
    for (size_t i = 0; i < g->ncaps; i++) {
        struct cap *c = &g->caps[i];
        while (!c->done) {
            uint64_t need_off = c->off + c->have;
            size_t n;
            if (c->have < c->want) {
                if (need_off < base || need_off >= base + len)
                    break;
                n = (size_t)(base + len - need_off);
                if (n > c->want - c->have)
                    n = c->want - c->have;
                if (c->kind == CAP_SENT) {
                    /* look for the end sentinel byte by byte-range */
                    const unsigned char *src = p + (need_off - base);
                    size_t k;
                    for (k = 0; k < n; k++) {
                        c->buf[c->have++] = src[k];
                        if (c->have >= 32 &&
                            memcmp(c->buf + c->have - 16, sg_sbom__go_info_end,
                                   16) == 0)
                            break;
                    }
                } else {
                    memcpy(c->buf + c->have, p + (need_off - base), n);
                    c->have += n;
                }
            }
            if (c->have < c->want &&
                !(c->kind == CAP_SENT && c->have >= 32 &&
                  memcmp(c->buf + c->have - 16, sg_sbom__go_info_end, 16) == 0))
                break;
            cap_complete(g, c);
            c = &g->caps[i]; /* cap_start may not move the array */
        }
    }
}

/* ------------------------------------------------------------------ */
/* Pattern matches                                                      */

static void on_match_bi(struct sg_gobin *g, uint64_t off)
{
    if (g->n_bi >= BI_CAND_MAX)
        return;
    g->n_bi++;
    (void)cap_start(g, CAP_BI, off, BI_HDR);
}

static void on_match_ver(struct sg_gobin *g, uint64_t off)
{
    if (g->n_vercand >= VERCAND_MAX)
        return;
    g->n_vercand++;
    (void)cap_start(g, CAP_VERCAND, off, VERCAND_LEN);
}

static void on_match_sent(struct sg_gobin *g, uint64_t off)
{
    if (g->n_sent >= SENT_MAX)
        return;
    g->n_sent++;
    (void)cap_start(g, CAP_SENT, off, 4096);
}

static int want_old_strings(const struct sg_gobin *g)
{
    return !g->head_done || g->go_marker;
}

/* Find matches in buf (file offset base); only those starting at or
 * after `from` and ending within buf are reported. */
static void find_matches(struct sg_gobin *g,
                         const unsigned char *buf,
                         size_t n,
                         uint64_t base,
                         uint64_t from)
{
    size_t i0 = (size_t)(from - base);
    /* aligned build-info magic */
    size_t a = (size_t)((16 - (from & 15)) & 15) + i0;
    for (size_t i = a; i + sizeof(bi_magic) <= n; i += 16)
        if (buf[i] == 0xff && memcmp(buf + i, bi_magic, sizeof(bi_magic)) == 0)
            on_match_bi(g, base + i);
    /* The modinfo sentinel and version strings only matter for the old
     * pointer format, whose strings may precede the header. Past the head
     * (where the Go build ID / Go note always sits) a file without a Go
     * marker is not searched for them: C binaries and shared libraries
     * then cost one aligned probe per 16 bytes. */
    if (!want_old_strings(g))
        return;
    for (size_t i = i0; i + 16 <= n;) {
        const unsigned char *q =
            memmem(buf + i, n - i, sg_sbom__go_info_start, 16);
        if (!q)
            break;
        on_match_sent(g, base + (size_t)(q - buf));
        i = (size_t)(q - buf) + 1;
    }
    if (g->n_vercand < VERCAND_MAX) {
        for (size_t i = i0; i + 5 <= n;) {
            const unsigned char *q = memmem(buf + i, n - i, "go1.", 4);
            if (!q)
                break;
            if ((size_t)(q - buf) + 4 < n && q[4] >= '0' && q[4] <= '9')
                on_match_ver(g, base + (size_t)(q - buf));
            i = (size_t)(q - buf) + 1;
        }
        for (size_t i = i0; i + 6 <= n;) {
            const unsigned char *q = memmem(buf + i, n - i, "devel ", 6);
            if (!q)
                break;
            on_match_ver(g, base + (size_t)(q - buf));
            i = (size_t)(q - buf) + 1;
        }
    }
}

/* ------------------------------------------------------------------ */
/* API                                                                  */

sg_err sg_sbom__gobin_begin(struct sg_gobin **out,
                            const char *path,
                            uint64_t size,
                            const struct sg_ctx *ctx)
{
    struct sg_gobin *g = calloc(1, sizeof(*g));
    *out = NULL;
    if (!g)
        return sg_error_oom();
    g->ctx = ctx;
    g->path = strdup(path ? path : "");
    if (!g->path) {
        free(g);
        return sg_error_oom();
    }
    g->size = size;
    /* too small to be an executable with build info */
    if (size != 0 && size < 64)
        g->state = ST_IGNORE;
    *out = g;
    return SG_OK;
}

static void sniff(struct sg_gobin *g)
{
    const unsigned char *h = g->head;
    uint32_t m = (uint32_t)rd_u(h, 4, 0);
    if (memcmp(h,
               "\x7f"
               "ELF",
               4) == 0)
        g->fmt = FMT_ELF;
    else if (h[0] == 'M' && h[1] == 'Z')
        g->fmt = FMT_PE;
    else if (m == 0xfeedfaceu || m == 0xfeedfacfu || m == 0xcefaedfeu ||
             m == 0xcffaedfeu)
        g->fmt = FMT_MACHO;
    g->state = g->fmt == FMT_NONE ? ST_IGNORE : ST_EXEC;
}

sg_err sg_sbom__gobin_feed(struct sg_gobin *g, const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t base = g->pos;

    if (g->state == ST_IGNORE || len == 0) {
        g->pos += len;
        return SG_OK;
    }
    if (!g->head_done) {
        size_t n = HEAD_MAX - g->head_len;
        if (!g->head) {
            g->head = malloc(HEAD_MAX);
            if (!g->head)
                return sg_error_oom();
        }
        if (n > len)
            n = len;
        memcpy(g->head + g->head_len, p, n);
        g->head_len += n;
        if (g->state == ST_SNIFF) {
            if (g->head_len < 4) {
                g->pos += len;
                return SG_OK;
            }
            sniff(g);
            if (g->state == ST_IGNORE) {
                free(g->head);
                g->head = NULL;
                g->head_done = 1;
                g->pos += len;
                return SG_OK;
            }
        }
        head_try_parse(g, 0);
    }

    /* matches spanning the previous chunk and this one */
    if (g->tail_len) {
        unsigned char join[2 * TAIL_LEN];
        size_t take = len < TAIL_LEN ? len : TAIL_LEN;
        uint64_t jbase = base - g->tail_len;
        memcpy(join, g->tail, g->tail_len);
        memcpy(join + g->tail_len, p, take);
        /* report only matches that start in the tail and end in p: the
         * others were or will be found within a single chunk */
        for (size_t s = 0; s < g->tail_len; s++) {
            uint64_t off = jbase + s;
            size_t rem = g->tail_len + take - s;
            if (!(off & 15) && rem >= sizeof(bi_magic) &&
                s + sizeof(bi_magic) > g->tail_len &&
                memcmp(join + s, bi_magic, sizeof(bi_magic)) == 0)
                on_match_bi(g, off);
            if (!want_old_strings(g))
                continue;
            if (rem >= 16 && s + 16 > g->tail_len &&
                memcmp(join + s, sg_sbom__go_info_start, 16) == 0)
                on_match_sent(g, off);
            if (rem >= 5 && s + 5 > g->tail_len &&
                memcmp(join + s, "go1.", 4) == 0 && join[s + 4] >= '0' &&
                join[s + 4] <= '9')
                on_match_ver(g, off);
            if (rem >= 6 && s + 6 > g->tail_len &&
                memcmp(join + s, "devel ", 6) == 0)
                on_match_ver(g, off);
        }
    }
    find_matches(g, p, len, base, base);
    caps_feed(g, p, len, base);

    /* keep the last TAIL_LEN bytes of the stream */
    if (len >= TAIL_LEN) {
        memcpy(g->tail, p + len - TAIL_LEN, TAIL_LEN);
        g->tail_len = TAIL_LEN;
    } else {
        size_t keep =
            g->tail_len + len > TAIL_LEN ? TAIL_LEN - len : g->tail_len;
        memmove(g->tail, g->tail + g->tail_len - keep, keep);
        memcpy(g->tail + keep, p, len);
        g->tail_len = keep + len;
    }
    g->pos += len;
    if (g->oom)
        return sg_error_oom();
    return SG_OK;
}

/* The build-info capture to use: in a data segment first, else first. */
static const struct cap *pick_bi(const struct sg_gobin *g)
{
    const struct cap *first = NULL;
    for (size_t i = 0; i < g->ncaps; i++) {
        const struct cap *c = &g->caps[i];
        if (c->kind != CAP_BI || c->bad || !c->done)
            continue;
        if (g->segs_known && in_data_seg(g, c->off))
            return c;
        if (!first)
            first = c;
    }
    return first;
}

/* Old format: find the bytes of a string at virtual address addr. */
static int old_lookup(const struct sg_gobin *g,
                      enum cap_kind kind,
                      size_t owner,
                      uint64_t addr,
                      size_t len,
                      const unsigned char **out)
{
    uint64_t off;
    if (!translate(g, addr, len, &off))
        return 0;
    for (size_t i = 0; i < g->ncaps; i++) {
        const struct cap *c = &g->caps[i];
        if (c->bad)
            continue;
        if (c->kind == kind && c->owner == owner && c->off == off &&
            c->have >= len) {
            *out = c->buf;
            return 1;
        }
        if (kind == CAP_STR_VER && c->kind == CAP_VERCAND && c->off == off &&
            c->have >= len) {
            *out = c->buf;
            return 1;
        }
        if (kind == CAP_STR_MOD && c->kind == CAP_SENT && c->done &&
            c->off == off && c->have == len) {
            *out = c->buf;
            return 1;
        }
    }
    return 0;
}

static sg_err end_old(struct sg_gobin *g,
                      const struct cap *bi,
                      struct sg_sbom *s,
                      const char *layer)
{
    size_t owner = (size_t)(bi - g->caps);
    const struct cap *hv = NULL, *hm = NULL;
    const unsigned char *ver = NULL, *mod = NULL;
    char *vs = NULL;
    sg_err rc;

    for (size_t i = 0; i < g->ncaps; i++) {
        const struct cap *c = &g->caps[i];
        if (c->owner != owner || c->stage != 1)
            continue;
        if (c->kind == CAP_SHDR_VER && !hv)
            hv = c;
        if (c->kind == CAP_SHDR_MOD && !hm)
            hm = c;
    }
    if (!hv ||
        !old_lookup(g, CAP_STR_VER, owner, hv->str_addr, hv->str_len, &ver)) {
        sg_warn(g->ctx,
                "%s: Go build info (pre-1.18 format): version string not "
                "found; binary not reported",
                g->path);
        return SG_OK;
    }
    vs = malloc(hv->str_len + 1);
    if (!vs)
        return sg_error_oom();
    memcpy(vs, ver, hv->str_len);
    vs[hv->str_len] = '\0';
    if (hm && hm->str_len > 0 &&
        !old_lookup(g, CAP_STR_MOD, owner, hm->str_addr, hm->str_len, &mod))
        sg_warn(g->ctx,
                "%s: Go build info (pre-1.18 format): module info not "
                "found; reporting the toolchain only",
                g->path);
    rc = sg_sbom__gobuildinfo_parse(s, vs, mod, mod ? hm->str_len : 0, g->path,
                                    layer);
    free(vs);
    return rc;
}

sg_err
sg_sbom__gobin_end(struct sg_gobin *g, struct sg_sbom *s, const char *layer)
{
    const struct cap *bi;
    const unsigned char *h;
    size_t o = BI_HDR;
    uint64_t vlen = 0, mlen = 0;
    char *vs;
    sg_err rc;

    if (g->state != ST_EXEC)
        return SG_OK;
    if (!g->head_done)
        head_try_parse(g, 1);
    if (g->oom)
        return sg_error_oom();
    bi = pick_bi(g);
    if (!bi) {
        if (g->upx)
            sg_warn(g->ctx,
                    "%s: UPX-packed executable: Go build info not readable",
                    g->path);
        else if (g->go_marker)
            sg_warn(g->ctx,
                    "%s: Go binary without build info (section removed?)",
                    g->path);
        return SG_OK;
    }
    h = bi->buf;
    if (!(h[15] & 2))
        return end_old(g, bi, s, layer);
    if (uvarint(h, bi->have, &o, &vlen) != 1 || vlen > bi->have - o) {
        sg_warn(g->ctx, "%s: truncated Go build info", g->path);
        return SG_OK;
    }
    vs = malloc((size_t)vlen + 1);
    if (!vs)
        return sg_error_oom();
    memcpy(vs, h + o, (size_t)vlen);
    vs[vlen] = '\0';
    o += (size_t)vlen;
    if (uvarint(h, bi->have, &o, &mlen) != 1 || mlen > bi->have - o) {
        sg_warn(g->ctx, "%s: truncated Go build info", g->path);
        free(vs);
        return SG_OK;
    }
    rc = sg_sbom__gobuildinfo_parse(s, vs, h + o, (size_t)mlen, g->path, layer);
    free(vs);
    return rc;
}

void sg_sbom__gobin_free(struct sg_gobin *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->ncaps; i++)
        free(g->caps[i].buf);
    free(g->caps);
    free(g->head);
    free(g->path);
    free(g);
}

/*
 * rpm package databases, read from memory (no files, no I/O):
 *  - rpmdb.sqlite: SQLite 3, table Packages(hnum, blob); opened with
 *    sqlite3_deserialize() on a private read-only copy.
 *  - Packages: Berkeley DB hash (db_page.h layout: metadata page, hash
 *    pages of key/data item pairs, overflow-page chains for big items);
 *    parsed here page by page, both byte orders.
 *  - Packages.db: rpm's NDB (lib/backend/ndb/rpmpkg.c): 'RpmP' header,
 *    'Slot' entries, 'BlbS'...'BlbE' blobs with an Adler-32.
 * Each value is an rpm header blob (rpmhdr.c). A bad record is skipped
 * with a warning naming it; a database that cannot be read at all fails.
 * Everything is bounded by the file size and sg_limits.db_records_max.
 */
#include "sbom_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The largest header rpmhdr.c can accept (data limit + full index + the
 * 8-byte preamble): any larger value cannot be a package, so it is
 * refused before it is copied or checksummed. */
#define RPMDB_BLOB_MAX (256u * 1024u * 1024u + 65536u * 16u + 8u)

struct ctx {
    struct sg_sbom *s;
    const char *db_path;
    const char *layer;
    size_t n_seen; /* records looked at (limit applies) */
    size_t n_ok;   /* packages added or skipped on purpose */
    size_t n_bad;  /* records skipped with a warning */
    size_t max;
    const struct sg_ctx *ctx; /* hooks (warnings) */
};

static char *dup_or_null(const char *s, sg_err *rc)
{
    char *d;

    if (!s || *rc)
        return NULL;
    d = strdup(s);
    if (!d)
        *rc = sg_error_oom();
    return d;
}

/* Report one unusable record and carry on. */
static void skip_record(struct ctx *c, const char *what, unsigned long long id)
{
    sg_warn(c->ctx, "%s: %s %llu skipped: %s", c->db_path, what, id,
            sg_error_last());
    sg_error_clear();
    c->n_bad++;
}

/* One header blob → one package (or nothing for gpg-pubkey). Only
 * out-of-memory and the record limit are errors. The limit counts
 * records looked at, not packages kept: a database of a million broken
 * records would otherwise cost a million warnings and header parses. */
static sg_err
add_blob(struct ctx *c, unsigned long long id, const void *blob, size_t len)
{
    struct sg_pkg p, *slot = NULL;
    int skipped = 0;
    sg_err rc;

    if (++c->n_seen > c->max)
        return sg_error_set(SG_ELIMIT, "%s: more than %zu package records",
                            c->db_path, c->max);
    rc = sg_sbom__rpm_header_parse(&p, &skipped, blob, len);
    if (rc == SG_ENOMEM)
        return rc;
    if (rc) {
        skip_record(c, "record", id);
        return SG_OK;
    }
    c->n_ok++;
    if (skipped)
        return SG_OK;
    p.db_path = dup_or_null(c->db_path, &rc);
    p.layer_diff_id = dup_or_null(c->layer, &rc);
    p.found_by = dup_or_null("rpm-db-cataloger", &rc);
    if (!rc)
        rc = sg_sbom_add_pkg(c->s, &slot);
    if (rc) {
        sg_pkg_release(&p);
        return rc;
    }
    *slot = p; /* ownership moves into the SBOM */
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* SQLite                                                              */

struct progress {
    unsigned long calls;
};

/* Bound the work a hostile database can cause: called every 1000 VM
 * steps; 10^5 calls (10^8 steps, about a second) is far beyond what a
 * full scan of a real rpmdb needs (a few steps per row). */
static int sqlite_progress(void *arg)
{
    struct progress *pr = arg;

    return ++pr->calls > 100000ul;
}

static sg_err rpmdb_sqlite(struct ctx *c, const unsigned char *data, size_t len)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    unsigned char *copy;
    struct progress pr = { 0 };
    const char *type;
    int src;
    sg_err rc = SG_OK;

    if (len < 100 || memcmp(data, "SQLite format 3", 16) != 0)
        return sg_error_set(SG_EPARSE, "%s: not an SQLite 3 database",
                            c->db_path);
    copy = sqlite3_malloc64(len);
    if (!copy)
        return sg_error_oom();
    memcpy(copy, data, len);
    /* A private copy because sqlite3_deserialize() takes ownership of a
     * buffer it may write to, and the caller's bytes are borrowed. The
     * header is 100 bytes (sqlite.org/fileformat.html §1.3); bytes 18
     * and 19 are the write and read format versions. */
    /* A WAL-mode database (bytes 18/19 == 2) cannot be opened from
     * memory; switch the copy to rollback mode. Content still in a
     * separate -wal file is not seen: rpm checkpoints on close, and the
     * scanner only hands us the main file. */
    if (copy[18] == 2 && copy[19] == 2) {
        copy[18] = 1;
        copy[19] = 1;
    }
    src = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READONLY, NULL);
    if (src != SQLITE_OK) {
        sqlite3_free(copy);
        rc = sg_error_set(SG_EINTERNAL, "%s: sqlite: %s", c->db_path,
                          db ? sqlite3_errmsg(db) : "cannot open");
        goto done;
    }
    src = sqlite3_deserialize(
        db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
        SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
    if (src != SQLITE_OK) {
        rc = sg_error_set(SG_EPARSE, "%s: sqlite: %s", c->db_path,
                          sqlite3_errmsg(db));
        goto done;
    }
    /* The database is hostile input to a full SQL engine: refuse
     * schema-defined code (triggers, views, functions in the schema are
     * untrusted: sqlite.org/security.html "untrusted database files"),
     * cap a single value at the largest header, and bound the work. */
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)(RPMDB_BLOB_MAX));
    sqlite3_progress_handler(db, 1000, sqlite_progress, &pr);

    /* Packages must be a real table (not a view over something else). */
    src = sqlite3_prepare_v2(db,
                             "SELECT type FROM sqlite_master WHERE "
                             "name = 'Packages'",
                             -1, &st, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_step(st);
    type = src == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (!type || strcmp(type, "table") != 0) {
        rc = sg_error_set(
            SG_EPARSE, "%s: no Packages table%s%s", c->db_path,
            src == SQLITE_ROW ? "" : ": ",
            src == SQLITE_ROW || src == SQLITE_DONE ? "" : sqlite3_errmsg(db));
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;

    src = sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st,
                             NULL);
    if (src != SQLITE_OK) {
        rc = sg_error_set(SG_EPARSE, "%s: Packages: %s", c->db_path,
                          sqlite3_errmsg(db));
        goto done;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 hnum = sqlite3_column_int64(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);

        /* An empty row still counts against the limit: add_blob() is
         * not reached for it, so the check is repeated here. */
        if (!blob || n <= 0) {
            if (++c->n_seen > c->max) {
                rc = sg_error_set(SG_ELIMIT,
                                  "%s: more than %zu package "
                                  "records",
                                  c->db_path, c->max);
                goto done;
            }
            sg_error_set(SG_EPARSE, "empty blob");
            skip_record(c, "record", (unsigned long long)hnum);
            continue;
        }
        rc = add_blob(c, (unsigned long long)hnum, blob, (size_t)n);
        if (rc)
            goto done;
    }
    if (src != SQLITE_DONE) {
        /* A corrupt page ends the scan; what was read stays. */
        if (c->n_ok == 0) {
            rc = sg_error_set(SG_EPARSE, "%s: Packages: %s", c->db_path,
                              sqlite3_errmsg(db));
            goto done;
        }
        sg_warn(c->ctx, "%s: Packages: %s; stopped after %zu records",
                c->db_path, sqlite3_errmsg(db), c->n_seen);
        c->n_bad++;
    }
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Berkeley DB hash                                                    */

/* Berkeley DB 5's on-disk hash format (dbinc/db_page.h, hash/hash_page.c
 * in its sources; no separate spec). Page 0 is the metadata page (magic
 * at 12, page size at 20, encryption at 24, type at 25, flags at 26, last
 * page number at 32); every other page starts with the 26-byte header
 * below. The byte order is the writing host's: the magic tells which.
 * We do not follow the hash buckets: rpm's Packages database is small
 * enough to read every hash page in file order, which also finds records
 * in pages a broken bucket chain no longer reaches. */
#define BDB_HASH_MAGIC 0x00061561u
#define BDB_PAGE_HDR                                 \
    26u /* lsn 8, pgno 4, prev 4, next 4, entries 2, \
           hf_offset 2, level 1, type 1 */
#define P_HASH_UNSORTED 2u
#define P_OVERFLOW      7u
#define P_HASHMETA      8u
#define P_HASH          13u
#define H_KEYDATA       1u
#define H_DUPLICATE     2u
#define H_OFFPAGE       3u
#define H_OFFDUP        4u

struct bdb {
    const unsigned char *data;
    size_t pagesize;
    size_t npages;
    int big_endian;
};

static uint32_t bdb_u32(const struct bdb *b, const unsigned char *p)
{
    if (b->big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
               (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           p[0];
}

static uint16_t bdb_u16(const struct bdb *b, const unsigned char *p)
{
    if (b->big_endian)
        return (uint16_t)(p[0] << 8 | p[1]);
    return (uint16_t)(p[1] << 8 | p[0]);
}

/* Item i of a hash page: [*off, *off + *len). Items are packed from the
 * end of the page downwards, so item i ends where item i-1 starts. The
 * offsets are untrusted: each must lie after the offset table and before
 * the previous item, which also makes every length positive. */
static sg_err bdb_item(const struct bdb *b,
                       const unsigned char *pg,
                       size_t i,
                       size_t n_entries,
                       size_t *off,
                       size_t *len)
{
    size_t lo = BDB_PAGE_HDR + 2 * n_entries;
    size_t o = bdb_u16(b, pg + BDB_PAGE_HDR + 2 * i);
    size_t e =
        i == 0 ? b->pagesize : bdb_u16(b, pg + BDB_PAGE_HDR + 2 * (i - 1));

    if (o < lo || o >= e || e > b->pagesize)
        return sg_error_set(SG_EPARSE,
                            "item %zu at offset %zu is out of "
                            "place",
                            i, o);
    *off = o;
    *len = e - o;
    return SG_OK;
}

/* Collect an off-page item: `tlen` bytes along the overflow chain that
 * starts at `pgno`. *out is malloc'd. The chain is untrusted: it could
 * loop (bounded by counting steps, at most one per page), point past
 * the file, or hold more bytes than announced; tlen itself is checked
 * against what the file could hold before anything is allocated. */
static sg_err bdb_overflow(unsigned char **out,
                           const struct bdb *b,
                           uint32_t pgno,
                           uint32_t tlen)
{
    unsigned char *buf;
    size_t have = 0, steps = 0;

    *out = NULL;
    if (tlen == 0 || tlen > RPMDB_BLOB_MAX || tlen > b->npages * b->pagesize)
        return sg_error_set(SG_EPARSE, "off-page item of %u bytes", tlen);
    buf = malloc(tlen);
    if (!buf)
        return sg_error_oom();
    while (have < tlen) {
        const unsigned char *pg;
        size_t n;

        if (pgno == 0 || pgno >= b->npages || ++steps > b->npages) {
            free(buf);
            return sg_error_set(SG_EPARSE,
                                "overflow chain broken at page "
                                "%u after %zu of %u bytes",
                                pgno, have, tlen);
        }
        pg = b->data + (size_t)pgno * b->pagesize;
        if (pg[25] != P_OVERFLOW) {
            free(buf);
            return sg_error_set(SG_EPARSE,
                                "page %u in an overflow chain "
                                "has type %u",
                                pgno, pg[25]);
        }
        n = bdb_u16(b, pg + 22); /* hf_offset: bytes used on the page */
        if (n == 0 || n > b->pagesize - BDB_PAGE_HDR || n > tlen - have) {
            free(buf);
            return sg_error_set(SG_EPARSE,
                                "overflow page %u holds %zu "
                                "bytes",
                                pgno, n);
        }
        memcpy(buf + have, pg + BDB_PAGE_HDR, n);
        have += n;
        pgno = bdb_u32(b, pg + 16);
    }
    *out = buf;
    return SG_OK;
}

/* The value of a key/data pair: on-page bytes are borrowed, off-page
 * ones are collected into *owned. */
static sg_err bdb_value(const unsigned char **val,
                        size_t *vlen,
                        unsigned char **owned,
                        const struct bdb *b,
                        const unsigned char *pg,
                        size_t off,
                        size_t len)
{
    uint32_t pgno, tlen;
    sg_err rc;

    *owned = NULL;
    switch (pg[off]) {
    case H_KEYDATA:
        *val = pg + off + 1;
        *vlen = len - 1;
        return SG_OK;
    case H_OFFPAGE:
        if (len < 12)
            return sg_error_set(SG_EPARSE, "short off-page item");
        pgno = bdb_u32(b, pg + off + 4);
        tlen = bdb_u32(b, pg + off + 8);
        rc = bdb_overflow(owned, b, pgno, tlen);
        *val = *owned;
        *vlen = tlen;
        return rc;
    case H_DUPLICATE:
    case H_OFFDUP:
        /* rpm opens Packages without DB_DUP: a header number has one
         * value, so these never occur in a real database. */
        return sg_error_set(SG_EUNSUPPORTED, "duplicate items");
    default:
        return sg_error_set(SG_EPARSE, "item type %u", pg[off]);
    }
}

static sg_err rpmdb_bdb(struct ctx *c, const unsigned char *data, size_t len)
{
    struct bdb b;
    uint32_t magic, last;
    sg_err rc = SG_OK;

    memset(&b, 0, sizeof(b));
    b.data = data;
    if (len < 512)
        return sg_error_set(SG_EPARSE,
                            "%s: %zu bytes, too short for a "
                            "Berkeley DB",
                            c->db_path, len);
    magic = bdb_u32(&b, data + 12);
    if (magic != BDB_HASH_MAGIC) {
        b.big_endian = 1;
        magic = bdb_u32(&b, data + 12);
    }
    if (magic != BDB_HASH_MAGIC)
        return sg_error_set(SG_EPARSE, "%s: not a Berkeley DB hash database",
                            c->db_path);
    b.pagesize = bdb_u32(&b, data + 20);
    if (b.pagesize < 512 || b.pagesize > 65536 ||
        (b.pagesize & (b.pagesize - 1)))
        return sg_error_set(SG_EPARSE, "%s: bad page size %zu", c->db_path,
                            b.pagesize);
    /* Encrypted or checksummed pages have a different layout; rpm never
     * creates either, so refusing them costs nothing real. */
    if (data[24] != 0)
        return sg_error_set(SG_EUNSUPPORTED, "%s: encrypted Berkeley DB",
                            c->db_path);
    if (data[25] != P_HASHMETA)
        return sg_error_set(SG_EPARSE, "%s: page 0 is not hash metadata",
                            c->db_path);
    if (data[26] & 1u) /* DBMETA_CHKSUM: page layout has a checksum */
        return sg_error_set(SG_EUNSUPPORTED, "%s: checksummed Berkeley DB",
                            c->db_path);
    /* A file shorter than the metadata says (a layer cut short, or a
     * copy taken while rpm was writing) is read as far as it goes. */
    last = bdb_u32(&b, data + 32);
    b.npages = len / b.pagesize;
    if ((size_t)last + 1 > b.npages)
        sg_warn(c->ctx, "%s: truncated: %zu of %lu pages present", c->db_path,
                b.npages, (unsigned long)last + 1);
    else
        b.npages = (size_t)last + 1;

    for (size_t pgno = 1; pgno < b.npages; pgno++) {
        const unsigned char *pg = data + pgno * b.pagesize;
        size_t n;

        if (pg[25] != P_HASH && pg[25] != P_HASH_UNSORTED)
            continue; /* overflow pages are reached through their items */
        n = bdb_u16(&b, pg + 20);
        if (BDB_PAGE_HDR + 2 * n > b.pagesize || n % 2) {
            sg_error_set(SG_EPARSE, "%zu entries", n);
            skip_record(c, "page", pgno);
            continue;
        }
        for (size_t i = 0; i + 1 < n; i += 2) {
            size_t koff = 0, klen = 0, voff = 0, vlen = 0;
            const unsigned char *val = NULL;
            unsigned char *owned = NULL;
            unsigned long long key = 0;

            rc = bdb_item(&b, pg, i, n, &koff, &klen);
            if (!rc)
                rc = bdb_item(&b, pg, i + 1, n, &voff, &vlen);
            if (rc) {
                skip_record(c, "page", pgno);
                rc = SG_OK;
                break; /* the page's index is unreliable */
            }
            /* rpm keys are the header number, a native u32 */
            if (pg[koff] == H_KEYDATA && klen == 5)
                key = bdb_u32(&b, pg + koff + 1);
            if (key == 0 && pg[koff] == H_KEYDATA && klen == 5)
                continue; /* key 0: rpm's "last header number" record */
            rc = bdb_value(&val, &vlen, &owned, &b, pg, voff, vlen);
            if (rc == SG_ENOMEM)
                return rc;
            if (rc) {
                skip_record(c, "record", key);
                rc = SG_OK;
                continue;
            }
            rc = add_blob(c, key, val, vlen);
            free(owned);
            if (rc)
                return rc;
        }
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* NDB                                                                 */

/* rpm's own "NDB" format (rpm 4.16+, lib/backend/ndb/rpmpkg.c; no other
 * spec). The file is a slot table, then 16-byte blocks of blobs. Header
 * (32 bytes): "RpmP", version, generation, number of slot pages. Each
 * 16-byte slot: "Slot", package index, block offset, block count (block
 * offset 0: free). Each blob: "BlbS", package index, generation, length,
 * the header, padding to a whole block, then a 12-byte tail (Adler-32 of
 * everything before it, length again, "BlbE"). All little-endian.
 * Every field is checked against the others before it is trusted: the
 * package index must match its slot's, the length must fill exactly the
 * slot's block count, and the checksum must match, so a slot that
 * points at another package's blob or at stale bytes is skipped. */
#define NDB_PAGE      4096u
#define NDB_SLOT      16u
#define NDB_BLK       16u
#define NDB_HDR       32u
#define NDB_BLOB_HEAD 16u
#define NDB_BLOB_TAIL 12u

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           p[0];
}

/* Check the blob of one slot; on success (*blob, *blen) is the header. */
static sg_err ndb_blob(const unsigned char **blob,
                       size_t *blen,
                       const unsigned char *data,
                       size_t len,
                       uint32_t pkgidx,
                       uint32_t blkoff,
                       uint32_t blkcnt)
{
    const unsigned char *p = data + (size_t)blkoff * NDB_BLK;
    const unsigned char *t;
    uint64_t need;
    uint32_t bl;

    (void)len; /* the caller checked blkoff + blkcnt against the file */
    if ((uint64_t)blkcnt * NDB_BLK < NDB_BLOB_HEAD + NDB_BLOB_TAIL)
        return sg_error_set(SG_EPARSE, "blob of %u blocks is too small",
                            blkcnt);
    if (memcmp(p, "BlbS", 4) != 0)
        return sg_error_set(SG_EPARSE, "no blob start magic at block %u",
                            blkoff);
    if (le32(p + 4) != pkgidx)
        return sg_error_set(SG_EPARSE, "blob belongs to package %u",
                            le32(p + 4));
    bl = le32(p + 12);
    need =
        ((uint64_t)NDB_BLOB_HEAD + bl + NDB_BLOB_TAIL + NDB_BLK - 1) / NDB_BLK;
    if (need != blkcnt)
        return sg_error_set(SG_EPARSE,
                            "blob length %u does not fill %u "
                            "blocks",
                            bl, blkcnt);
    t = p + (size_t)blkcnt * NDB_BLK - NDB_BLOB_TAIL;
    if (memcmp(t + 8, "BlbE", 4) != 0 || le32(t + 4) != bl)
        return sg_error_set(SG_EPARSE, "bad blob trailer");
    if (adler32_z(1ul, p, (size_t)(t - p)) != le32(t))
        return sg_error_set(SG_EPARSE, "blob checksum mismatch");
    *blob = p + NDB_BLOB_HEAD;
    *blen = bl;
    return SG_OK;
}

static sg_err rpmdb_ndb(struct ctx *c, const unsigned char *data, size_t len)
{
    uint32_t version, slotnpages;
    uint64_t fileblks, minblk;
    sg_err rc = SG_OK;

    if (len < NDB_HDR || memcmp(data, "RpmP", 4) != 0)
        return sg_error_set(SG_EPARSE, "%s: not an rpm NDB database",
                            c->db_path);
    version = le32(data + 4);
    slotnpages = le32(data + 12);
    if (version != 0)
        return sg_error_set(SG_EUNSUPPORTED, "%s: NDB version %u", c->db_path,
                            version);
    if (slotnpages == 0 || (uint64_t)slotnpages * NDB_PAGE > len)
        return sg_error_set(SG_EPARSE,
                            "%s: %u slot pages do not fit in "
                            "%zu bytes",
                            c->db_path, slotnpages, len);
    fileblks = len / NDB_BLK;
    minblk = (uint64_t)slotnpages * (NDB_PAGE / NDB_BLK);

    for (uint64_t off = NDB_HDR; off < (uint64_t)slotnpages * NDB_PAGE;
         off += NDB_SLOT) {
        const unsigned char *s = data + off;
        uint32_t pkgidx = le32(s + 4), blkoff = le32(s + 8);
        uint32_t blkcnt = le32(s + 12);
        const unsigned char *blob = NULL;
        size_t blen = 0;

        /* A slot without its magic means the table itself cannot be
         * trusted (slots are fixed-size, so every later one would be
         * misread too): the whole database fails, not one record. */
        if (memcmp(s, "Slot", 4) != 0)
            return sg_error_set(SG_EPARSE,
                                "%s: slot %llu has no magic; "
                                "the slot table is corrupt",
                                c->db_path,
                                (unsigned long long)(off / NDB_SLOT));
        if (blkoff == 0)
            continue; /* free slot */
        if (pkgidx == 0 || blkcnt == 0 || blkoff < minblk ||
            (uint64_t)blkoff + blkcnt > fileblks) {
            sg_error_set(SG_EPARSE, "blocks %u+%u outside the data area",
                         blkoff, blkcnt);
            skip_record(c, "package", pkgidx);
            continue;
        }
        rc = ndb_blob(&blob, &blen, data, len, pkgidx, blkoff, blkcnt);
        if (rc) {
            skip_record(c, "package", pkgidx);
            rc = SG_OK;
            continue;
        }
        rc = add_blob(c, pkgidx, blob, blen);
        if (rc)
            return rc;
    }
    return rc;
}

/* ------------------------------------------------------------------ */

sg_err sg_sbom__rpmdb_parse(struct sg_sbom *s,
                            enum sg_rpmdb_kind kind,
                            const void *data,
                            size_t len,
                            const char *db_path,
                            const char *layer,
                            const struct sg_ctx *ctx)
{
    struct ctx c;
    size_t first = s->n_pkgs;
    sg_err rc;

    memset(&c, 0, sizeof(c));
    c.s = s;
    c.db_path = db_path ? db_path : "rpmdb";
    c.layer = layer;
    c.max = sg_ctx_limits(ctx)->db_records_max;
    c.ctx = ctx;
    switch (kind) {
    case SG_RPMDB_SQLITE:
        rc = rpmdb_sqlite(&c, data, len);
        break;
    case SG_RPMDB_BDB:
        rc = rpmdb_bdb(&c, data, len);
        break;
    case SG_RPMDB_NDB:
        rc = rpmdb_ndb(&c, data, len);
        break;
    default:
        return sg_error_set(SG_EINVAL, "rpmdb: unknown kind %d", (int)kind);
    }
    /* Records were there but none could be read: that is a broken
     * database, not an empty one, and saying "0 packages" would hide it.
     * An empty database (no records at all) is fine. */
    if (!rc && c.n_ok == 0 && c.n_bad > 0)
        rc = sg_error_set(SG_EPARSE,
                          "%s: no readable package headers (%zu "
                          "bad records)",
                          c.db_path, c.n_bad);
    if (rc) {
        /* nothing half-read: drop what this database added */
        while (s->n_pkgs > first)
            sg_pkg_release(&s->pkgs[--s->n_pkgs]);
    }
    return rc;
}

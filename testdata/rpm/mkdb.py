#!/usr/bin/python3
"""Re-home the header blobs of a real rpmdb.sqlite (written by rpm) into
the two other rpm database formats, for sigil's rpm fixtures.

  mkdb.py bdb-dump RPMDB.SQLITE [PAGESIZE] > dump.txt  # for db5.3_load
  mkdb.py ndb RPMDB.SQLITE OUT/Packages.db
  mkdb.py header RPMDB.SQLITE NAME OUT        # one raw header blob
Set MKDB_MAX_BLOB=N to leave out blobs larger than N bytes (small fuzz
seeds).

Berkeley DB: rpm's Packages is a DB_HASH keyed by the header number as a
native-endian u32; key 0 holds the highest header number in use. We only
write the db_dump text; db5.3_load (libdb, the library rpm's bdb backend
used) builds the real file, and `rpm --define '_db_backend bdb_ro'`
(rpm's own independent BDB reader) reads it back for the truth file.

NDB: Debian's rpm is built without the ndb backend, so Packages.db is
written here from the format in rpm's lib/backend/ndb/rpmpkg.c: a 32-byte
header ('RpmP', version 0, generation, slot pages, next index), 16-byte
slots ('Slot', pkgidx, blkoff, blkcnt) filling the slot pages, and blobs
in 16-byte blocks: 'BlbS' pkgidx tstamp len | data | pad | adler32 len
'BlbE' (adler32 over head, data and pad). Little-endian throughout.
"""
import os
import sqlite3
import struct
import sys
import zlib


def blobs(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    rows = db.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
    db.close()
    limit = int(os.environ.get("MKDB_MAX_BLOB", "0"))
    return [(int(h), bytes(b)) for h, b in rows
            if not limit or len(b) <= limit]


def bdb_dump(path, pagesize=4096):
    rows = blobs(path)
    out = ["VERSION=3", "format=bytevalue", "type=hash",
           "db_pagesize=%d" % pagesize,
           "HEADER=END"]
    out.append(" " + struct.pack("<I", 0).hex())
    out.append(" " + struct.pack("<I", max(h for h, _ in rows)).hex())
    for h, b in rows:
        out.append(" " + struct.pack("<I", h).hex())
        out.append(" " + b.hex())
    out.append("DATA=END")
    sys.stdout.write("\n".join(out) + "\n")


PAGE, SLOT, BLK = 4096, 16, 16


def ndb(path, dest):
    rows = blobs(path)
    slotnpages = 1
    assert len(rows) < PAGE // SLOT - 2
    slots = bytearray()
    data = bytearray()
    blkoff = slotnpages * PAGE // BLK
    for h, b in rows:
        head = struct.pack("<4sIII", b"BlbS", h, 1700000000, len(b))
        blkcnt = (16 + len(b) + 12 + BLK - 1) // BLK
        pad = bytes(blkcnt * BLK - (16 + len(b) + 12))
        adl = zlib.adler32(head + b + pad, 1)
        data += head + b + pad + struct.pack("<II4s", adl, len(b), b"BlbE")
        slots += struct.pack("<4sIII", b"Slot", h, blkoff, blkcnt)
        blkoff += blkcnt
    # free slots still carry the magic, with blkoff 0
    while len(slots) < PAGE - 32:
        slots += struct.pack("<4sIII", b"Slot", 0, 0, 0)
    header = struct.pack("<4sIIII12x", b"RpmP", 0, len(rows) + 1, slotnpages,
                         max(h for h, _ in rows) + 1)
    with open(dest, "wb") as f:
        f.write(header + slots + data)


if __name__ == "__main__":
    if sys.argv[1] == "bdb-dump":
        bdb_dump(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 4096)
    elif sys.argv[1] == "header":
        for h, b in blobs(sys.argv[2]):
            if (b"\0" + sys.argv[3].encode() + b"\0") in b:
                open(sys.argv[4], "wb").write(b)
                break
        else:
            sys.exit("no header named " + sys.argv[3])
    elif sys.argv[1] == "ndb":
        ndb(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: mkdb.py bdb-dump|ndb|header RPMDB.SQLITE ...")

/*
 * Rekor transparency-log entries in Sigstore bundles: parsing, the v1
 * signed entry timestamp, RFC 6962 inclusion proofs, checkpoints (C2SP
 * signed notes, ECDSA and Ed25519) and entry body matching.
 *
 * Everything in a bundle's tlogEntries is untrusted: it is the signer's
 * copy of what the log answered. Only the log's public key (from the
 * trusted root) is trusted, so every claim here is checked against a
 * signature by that key (SET, checkpoint) or a hash chain ending in a
 * signed root (inclusion proof).
 *
 * Specs: protobuf-specs TransparencyLogEntry
 * (github.com/sigstore/protobuf-specs, protos/sigstore_rekor.proto),
 * RFC 6962 §2.1 and RFC 9162 §2.1.3 (Merkle trees and inclusion proofs),
 * C2SP tlog-checkpoint and signed-note (github.com/C2SP/C2SP), Rekor's
 * entry type schemas (github.com/sigstore/rekor pkg/types) and the Rekor
 * v2 protos (protobuf-specs rekor/v2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include "sigstore_int.h"

/* Verify a signature over a whole message with a log's (or signer's)
 * key. The digest follows the key: Ed25519 is "pure" (no separate
 * digest, NULL md); ECDSA uses the hash that matches the curve, as
 * Sigstore's key details do (P-256 SHA-256, P-384 SHA-384, P-521
 * SHA-512); RSA stays on SHA-256. Trap: EVP_PKEY_get_bits() is the
 * modulus size for RSA (2048+), so the curve test must also check that
 * the key is EC. */
sg_err sg_sigstore_sig_verify(EVP_PKEY *k,
                              const void *msg,
                              size_t len,
                              const unsigned char *sig,
                              size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    const EVP_MD *alg = NULL;
    int ok = 0;

    if (!md)
        return sg_error_oom();
    if (EVP_PKEY_get_base_id(k) != EVP_PKEY_ED25519)
        alg =
            EVP_PKEY_get_bits(k) > 256 && EVP_PKEY_get_base_id(k) == EVP_PKEY_EC
                ? (EVP_PKEY_get_bits(k) > 384 ? EVP_sha512() : EVP_sha384())
                : EVP_sha256();
    if (EVP_DigestVerifyInit(md, NULL, alg, NULL, k) == 1)
        ok = EVP_DigestVerify(md, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? SG_OK : sg_error_set(SG_EVERIFY, "signature does not verify");
}

/* Verify a signature over a SHA-256 digest we were given rather than a
 * message (hashedrekord: the artifact may be large and was hashed while
 * streaming). Ed25519 signs the message itself and has no prehashed form
 * here (Ed25519ph is a different algorithm), so it is refused. */
sg_err sg_sigstore_sig_verify_digest(EVP_PKEY *k,
                                     const unsigned char d[32],
                                     const unsigned char *sig,
                                     size_t sig_len)
{
    EVP_PKEY_CTX *c;
    int ok = 0;

    if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519)
        return sg_error_set(
            SG_EUNSUPPORTED,
            "Ed25519 signatures need the artifact, not a digest");
    c = EVP_PKEY_CTX_new(k, NULL);
    if (!c)
        return sg_error_oom();
    if (EVP_PKEY_verify_init(c) == 1 &&
        EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1)
        ok = EVP_PKEY_verify(c, sig, sig_len, d, 32) == 1;
    EVP_PKEY_CTX_free(c);
    return ok ? SG_OK : sg_error_set(SG_EVERIFY, "signature does not verify");
}

/* ------------------------------------------------------------------ */

static sg_err get_int64(int64_t *out, const json_t *v, const char *what)
{
    const char *s;
    char *end;
    long long n;

    /* protobuf JSON: int64 as a decimal string (numbers also accepted).
     * Negative values are refused below: indexes, sizes and times are
     * never negative, and a negative size would wrap when cast to
     * uint64_t. strtoll saturates out-of-range values at INT64_MAX with
     * ERANGE: refused, so no two different strings read as one number. */
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
    } else if (json_is_string(v)) {
        s = json_string_value(v);
        if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
            return sg_error_set(SG_EPARSE, "%s: not an integer", what);
        errno = 0;
        n = strtoll(s, &end, 10);
        if (*end || end - s > 20 || errno == ERANGE)
            return sg_error_set(SG_EPARSE, "%s: not an integer", what);
        *out = n;
    } else {
        return sg_error_set(SG_EPARSE, "%s: missing", what);
    }
    if (*out < 0)
        return sg_error_set(SG_EPARSE, "%s: negative", what);
    return SG_OK;
}

static sg_err
b64_to(struct sg_buf *out, const json_t *s, const char *what, size_t want)
{
    sg_buf_reset(out);
    if (!json_is_string(s))
        return sg_error_set(SG_EPARSE, "%s: missing", what);
    if (sg_base64_decode(out, json_string_value(s), json_string_length(s)))
        return sg_error_prefix(SG_EPARSE, "%s", what);
    if (want && out->len != want)
        return sg_error_set(SG_EPARSE, "%s: %zu bytes, want %zu", what,
                            out->len, want);
    return SG_OK;
}

/* Parse one protobuf-specs TransparencyLogEntry (JSON form). Only the
 * shape is checked here; whether anything verifies is decided later.
 *
 * Traps:
 *  - Two log indexes: the entry's logIndex is the log's global index
 *    (Rekor v1 counts across all shards since the log began), while
 *    inclusionProof.logIndex is the index inside the shard's tree, the
 *    one the Merkle proof is about. The SET signs the first; the proof
 *    must use the second. Mixing them up fails on every entry after the
 *    first shard rotation.
 *  - integratedTime is "0" or absent for Rekor v2, which does not vouch
 *    for a time: a v2 entry's signing time must come from a TSA.
 *  - canonicalizedBody is the exact leaf bytes the log hashed; it is
 *    kept as decoded bytes, never re-serialized from the parsed JSON.
 *  - Sizes: the proof has at most SG_SIGSTORE_PROOF_MAX hashes (64
 *    would cover any 2^64-leaf tree), the checkpoint at most
 *    SG_SIGSTORE_NOTE_MAX bytes, each hash exactly 32 bytes. */
sg_err sg_sigstore_tlog_entry_parse(struct sg_sigstore_tlog_entry *e,
                                    const json_t *j)
{
    struct sg_buf b = SG_BUF_INIT(1u << 16);
    const json_t *kv = json_object_get(j, "kindVersion");
    const json_t *pr = json_object_get(j, "inclusionProof");
    const json_t *pm = json_object_get(j, "inclusionPromise");
    const json_t *it = json_object_get(j, "integratedTime");
    const char *k = json_string_value(json_object_get(kv, "kind"));
    const char *v = json_string_value(json_object_get(kv, "version"));
    sg_err rc;

    memset(e, 0, sizeof(*e));
    sg_buf_init(&e->set, 4096);
    sg_buf_init(&e->body, SG_SIGSTORE_BUNDLE_MAX);
    if (!json_is_object(j))
        return sg_error_set(SG_EPARSE, "tlog entry: not an object");
    rc = get_int64(&e->log_index, json_object_get(j, "logIndex"),
                   "tlog entry: logIndex");
    if (rc)
        goto done;
    rc = b64_to(&b, json_object_get(json_object_get(j, "logId"), "keyId"),
                "tlog entry: logId.keyId", 0);
    if (rc)
        goto done;
    if (b.len == 0 || b.len > sizeof(e->log_id)) {
        rc = sg_error_set(SG_EPARSE, "tlog entry: bad logId length");
        goto done;
    }
    memcpy(e->log_id, b.data, b.len);
    e->log_id_len = b.len;
    if (!k || !v || strlen(k) >= sizeof(e->kind) ||
        strlen(v) >= sizeof(e->version)) {
        rc = sg_error_set(SG_EPARSE, "tlog entry: kindVersion missing");
        goto done;
    }
    memcpy(e->kind, k, strlen(k) + 1); /* lengths checked above */
    memcpy(e->version, v, strlen(v) + 1);
    if (it && !(json_is_string(it) && !strcmp(json_string_value(it), "0"))) {
        rc = get_int64(&e->integrated_time, it, "tlog entry: integratedTime");
        if (rc)
            goto done;
    }
    if (pm) {
        rc = b64_to(&e->set, json_object_get(pm, "signedEntryTimestamp"),
                    "tlog entry: inclusionPromise.signedEntryTimestamp", 0);
        if (rc)
            goto done;
    }
    rc = b64_to(&e->body, json_object_get(j, "canonicalizedBody"),
                "tlog entry: canonicalizedBody", 0);
    if (rc)
        goto done;
    if (pr) {
        const json_t *h = json_object_get(pr, "hashes");
        const json_t *cp = json_object_get(pr, "checkpoint");
        int64_t ts = 0;

        e->has_proof = 1;
        rc = get_int64(&e->proof_index, json_object_get(pr, "logIndex"),
                       "inclusionProof: logIndex");
        if (!rc)
            rc = get_int64(&ts, json_object_get(pr, "treeSize"),
                           "inclusionProof: treeSize");
        if (!rc)
            rc = b64_to(&b, json_object_get(pr, "rootHash"),
                        "inclusionProof: rootHash", 32);
        if (rc)
            goto done;
        e->tree_size = (uint64_t)ts;
        memcpy(e->root_hash, b.data, 32);
        if (!json_is_array(h) || json_array_size(h) > SG_SIGSTORE_PROOF_MAX) {
            rc = sg_error_set(SG_EPARSE,
                              "inclusionProof: hashes: not an "
                              "array of <= %u",
                              SG_SIGSTORE_PROOF_MAX);
            goto done;
        }
        e->hashes = calloc(json_array_size(h) + 1, 32);
        if (!e->hashes) {
            rc = sg_error_oom();
            goto done;
        }
        for (size_t i = 0; i < json_array_size(h); i++) {
            rc = b64_to(&b, json_array_get(h, i), "inclusionProof: hashes", 32);
            if (rc)
                goto done;
            memcpy(e->hashes[i], b.data, 32);
            e->n_hashes = i + 1;
        }
        if (cp) {
            const json_t *env = json_object_get(cp, "envelope");
            if (!json_is_string(env) ||
                json_string_length(env) > SG_SIGSTORE_NOTE_MAX) {
                rc = sg_error_set(SG_EPARSE, "inclusionProof: bad checkpoint");
                goto done;
            }
            e->checkpoint = strdup(json_string_value(env));
            if (!e->checkpoint) {
                rc = sg_error_oom();
                goto done;
            }
        }
    }
done:
    sg_buf_release(&b);
    if (rc)
        sg_sigstore_tlog_entry_release(e);
    return rc;
}

void sg_sigstore_tlog_entry_release(struct sg_sigstore_tlog_entry *e)
{
    sg_buf_release(&e->set);
    sg_buf_release(&e->body);
    free(e->hashes);
    free(e->checkpoint);
    e->hashes = NULL;
    e->checkpoint = NULL;
    e->n_hashes = 0;
}

/* ------------------------------------------------------------------ */

/* The signed entry timestamp (SET, Rekor v1's "inclusion promise"): the
 * log's signature, made when the entry was accepted, over
 *   {"body":B,"integratedTime":T,"logID":L,"logIndex":I}
 * where B is the base64 (standard, padded) body, L the hex log ID and T,
 * I plain decimal integers. Rekor signs this as canonical JSON (keys in
 * lexicographic order, no insignificant whitespace), but the bundle
 * only carries the four values, not the signed bytes, so the verifier
 * has to rebuild them byte for byte. That is why canonicalization
 * matters: one space, another key order or 1.0e9 instead of 1000000000
 * and a genuine SET fails. None of the values can hold characters that
 * JSON would escape (base64, hex, digits), so printing them is exact.
 *
 * The SET is what makes integratedTime trustworthy as a signing time in
 * v1: the inclusion proof proves membership, not when. */
sg_err sg_sigstore_set_verify(const struct sg_sigstore_tlog_entry *e,
                              const struct sg_sigstore_log *log)
{
    struct sg_buf msg = SG_BUF_INIT(SG_SIGSTORE_BUNDLE_MAX * 2);
    struct sg_buf body = SG_BUF_INIT(SG_SIGSTORE_BUNDLE_MAX * 2);
    EVP_PKEY *key = NULL;
    sg_err rc;

    if (!e->set.len)
        return sg_error_set(SG_EVERIFY, "tlog entry has no inclusion promise");
    /* canonical JSON: keys sorted, no spaces */
    rc = sg_base64_encode(&body, e->body.data, e->body.len);
    if (!rc)
        rc = sg_buf_addf(&msg,
                         "{\"body\":\"%s\",\"integratedTime\":%lld,"
                         "\"logID\":\"",
                         body.data, (long long)e->integrated_time);
    for (size_t i = 0; !rc && i < e->log_id_len; i++)
        rc = sg_buf_addf(&msg, "%02x", e->log_id[i]);
    if (!rc)
        rc =
            sg_buf_addf(&msg, "\",\"logIndex\":%lld}", (long long)e->log_index);
    if (!rc)
        rc = sg_sigstore_log_key(&key, log);
    if (!rc) {
        rc = sg_sigstore_sig_verify(key, msg.data, msg.len,
                                    (unsigned char *)e->set.data, e->set.len);
        if (rc)
            rc = sg_error_set(SG_EVERIFY,
                              "signed entry timestamp does not verify with the "
                              "log's key");
    }
    sg_buf_release(&msg);
    sg_buf_release(&body);
    return rc;
}

/* RFC 6962 §2.1: interior node = SHA-256(0x01 || left || right); leaves
 * are SHA-256(0x00 || data). The distinct prefixes keep a leaf from
 * posing as an interior node (second-preimage attack on the tree). */
static void node_hash(unsigned char out[32],
                      const unsigned char l[32],
                      const unsigned char r[32])
{
    unsigned char in[65];

    in[0] = 0x01;
    memcpy(in + 1, l, 32);
    memcpy(in + 33, r, 32);
    SHA256(in, sizeof(in), out);
}

/* Inclusion proof of leaf number `index` in a tree of `size` leaves with
 * root `root` (RFC 9162 §2.1.3.2; the formulation of
 * github.com/transparency-dev/merkle proof/verify.go).
 *
 * The audit path splits in two parts. The first `inner` hashes are the
 * siblings on the way up while the path to `index` and the path to the
 * last leaf (size - 1) still differ: at level i the leaf is a right
 * child when bit i of index is set, so the sibling goes on the left.
 * Above that point the leaf's subtree is on the tree's right border;
 * the remaining `border` hashes (one per set bit of index >> inner) are
 * all left siblings. Unbalanced right edges of RFC 6962 trees take no
 * hash, which is why the count is not simply log2(size).
 *
 * Traps: index must be < size (also keeps size - 1 from wrapping at 0);
 * the hash count must be exact, or a proof padded with extra hashes
 * could be checked against a different tree shape; shifting a 64-bit
 * value by 64 is undefined, hence the inner < 64 guard. */
sg_err sg_sigstore_merkle_verify(const void *leaf,
                                 size_t leaf_len,
                                 uint64_t index,
                                 uint64_t size,
                                 const unsigned char (*hashes)[32],
                                 size_t n_hashes,
                                 const unsigned char root[32])
{
    unsigned char h[32];
    EVP_MD_CTX *md;
    unsigned int inner = 0, border = 0;
    uint64_t x;

    if (index >= size)
        return sg_error_set(SG_EVERIFY,
                            "inclusion proof: index %llu >= tree "
                            "size %llu",
                            (unsigned long long)index,
                            (unsigned long long)size);
    /* inner = bit length of index ^ (size - 1); border = popcount of
     * index >> inner (RFC 9162 2.1.3.2, transparency-dev/merkle) */
    for (x = index ^ (size - 1); x; x >>= 1)
        inner++;
    for (x = inner < 64 ? index >> inner : 0; x; x >>= 1)
        border += (unsigned)(x & 1);
    if (n_hashes != (size_t)inner + border)
        return sg_error_set(SG_EVERIFY, "inclusion proof: %zu hashes, want %u",
                            n_hashes, inner + border);
    md = EVP_MD_CTX_new();
    if (!md)
        return sg_error_oom();
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, "\0", 1) != 1 ||
        EVP_DigestUpdate(md, leaf, leaf_len) != 1 ||
        EVP_DigestFinal_ex(md, h, NULL) != 1) {
        EVP_MD_CTX_free(md);
        return sg_error_openssl("leaf hash");
    }
    EVP_MD_CTX_free(md);
    for (size_t i = 0; i < inner; i++) {
        if ((index >> i) & 1)
            node_hash(h, hashes[i], h);
        else
            node_hash(h, h, hashes[i]);
    }
    for (size_t i = inner; i < n_hashes; i++)
        node_hash(h, hashes[i], h);
    if (memcmp(h, root, 32))
        return sg_error_set(SG_EVERIFY, "inclusion proof does not reach the "
                                        "root hash");
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* Checkpoints: C2SP signed notes                                       */

/*
 * A checkpoint (C2SP tlog-checkpoint) is the log's signed statement of
 * its current tree: a signed note (C2SP signed-note) whose text is
 *   <origin>\n<tree size, decimal>\n<root hash, base64>\n[ext...\n]
 * followed by a blank line and signature lines
 *   "U+2014 <name> <base64(4-byte key hint || signature)>\n".
 * The signature covers the text up to and including its last newline.
 * A note may carry signatures by several keys (the log's, witnesses'
 * cosignatures); only the line whose key hint matches our log is
 * verified and all others are ignored, so witness lines neither help
 * nor hurt. The hint is only a hint: a matching hint with a bad
 * signature is not proof of anything, and we keep looking.
 */

/* Body length (through the newline before the blank line) or 0. */
static size_t note_body_len(const char *note, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (note[i] == '\n' && note[i + 1] == '\n')
            return i + 1;
    return 0;
}

/* Parse the three mandatory lines of the note text. Extension lines
 * after the root hash (Rekor v1 has written e.g. a timestamp line) are
 * allowed and ignored; they are still covered by the signature. Control
 * characters other than '\n' are refused outright (signed-note forbids
 * them), which also rules out a '\r' making two verifiers disagree on
 * where a line ends. */
sg_err sg_sigstore_checkpoint_parse(struct sg_sigstore_checkpoint *out,
                                    const char *note,
                                    size_t len)
{
    struct sg_buf b = SG_BUF_INIT(64);
    size_t body = note_body_len(note, len), p = 0, e;
    uint64_t size = 0;
    sg_err rc = SG_OK;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)note[i] < 0x20 && note[i] != '\n')
            return sg_error_set(SG_EPARSE,
                                "checkpoint: control character "
                                "0x%02x at %zu",
                                (unsigned)(unsigned char)note[i], i);
    if (!body || len > SG_SIGSTORE_NOTE_MAX)
        return sg_error_set(SG_EPARSE, "checkpoint: no blank line before the "
                                       "signatures");
    /* origin */
    for (e = p; e < body && note[e] != '\n'; e++)
        ;
    if (e == p || e - p >= sizeof(out->origin))
        return sg_error_set(SG_EPARSE, "checkpoint: missing origin line");
    memcpy(out->origin, note + p, e - p);
    p = e + 1;
    /* tree size: decimal, no leading zeros (one spelling per size, as
     * tlog-checkpoint requires); at most 19 digits, so no overflow */
    for (e = p; e < body && note[e] != '\n'; e++) {
        if (note[e] < '0' || note[e] > '9' || e - p >= 19)
            return sg_error_set(SG_EPARSE, "checkpoint: bad tree size");
        size = size * 10 + (uint64_t)(note[e] - '0');
    }
    if (e == p || e >= body || (note[p] == '0' && e - p > 1))
        return sg_error_set(SG_EPARSE, "checkpoint: missing tree size");
    out->size = size;
    p = e + 1;
    for (e = p; e < body && note[e] != '\n'; e++)
        ;
    if (e == p || e >= body)
        return sg_error_set(SG_EPARSE, "checkpoint: missing root hash");
    if (sg_base64_decode(&b, note + p, e - p) || b.len != 32)
        rc = sg_error_set(SG_EPARSE, "checkpoint: bad root hash");
    else
        memcpy(out->root_hash, b.data, 32);
    sg_buf_release(&b);
    return rc;
}

/* Parse the note and find a valid signature by `log`'s key. The name on
 * the signature line is not compared with anything: the trust rests
 * on the key, not on the name. The signature's last space-separated field is
 * the base64 blob, which keeps names containing spaces from confusing the
 * split. */
sg_err sg_sigstore_checkpoint_verify(struct sg_sigstore_checkpoint *out,
                                     const char *note,
                                     size_t len,
                                     const struct sg_sigstore_log *log)
{
    static const char dash[] = "\xe2\x80\x94 "; /* U+2014 + space */
    struct sg_buf sig = SG_BUF_INIT(4096);
    EVP_PKEY *key = NULL;
    size_t body, p;
    int hint_seen = 0, ok = 0;
    sg_err rc;

    rc = sg_sigstore_checkpoint_parse(out, note, len);
    if (rc)
        return rc;
    body = note_body_len(note, len);
    if (log->id_len < 4)
        return sg_error_set(SG_EPARSE, "checkpoint: log id too short");
    for (p = body + 1; p < len && !ok;) {
        size_t e, sp;

        for (e = p; e < len && note[e] != '\n'; e++)
            ;
        if (e == len)
            break; /* every line ends in a newline */
        if (e - p > 3 && !memcmp(note + p, dash, 4)) {
            for (sp = e; sp > p + 4 && note[sp - 1] != ' '; sp--)
                ;
            sg_buf_reset(&sig);
            if (sp > p + 4 && !sg_base64_decode(&sig, note + sp, e - sp) &&
                sig.len > 4 && !memcmp(sig.data, log->id, 4)) {
                /* key hint = first 4 bytes of the log's key id: SHA-256
                 * of SPKI (Rekor v1 ECDSA) or of name\n0x01key (v2) */
                hint_seen = 1;
                if (!sg_sigstore_log_key(&key, log) &&
                    !sg_sigstore_sig_verify(key, note, body,
                                            (unsigned char *)sig.data + 4,
                                            sig.len - 4))
                    ok = 1;
            }
        }
        p = e + 1;
    }
    sg_buf_release(&sig);
    if (ok)
        return SG_OK;
    return sg_error_set(SG_EVERIFY,
                        hint_seen ? "checkpoint signature does not verify "
                                    "with the log's key"
                                  : "checkpoint has no signature from the "
                                    "log (key hint)");
}

/* ------------------------------------------------------------------ */
/* Entry body matching                                                  */

/*
 * A valid log entry only proves that the log recorded *something*. The
 * Sigstore client spec requires that the entry be about this bundle:
 * the same artifact digest (or DSSE payload digest), the same
 * signature and the same certificate or key. Otherwise an attacker
 * could staple any genuine entry (someone else's, or one for another
 * artifact) to a forged bundle and borrow its inclusion and time.
 * The body is parsed as JSON only to find those fields; the leaf hash
 * was computed over its raw bytes. Comparisons are on decoded bytes
 * (DER, raw signature, raw digest), not on base64 or PEM text, which
 * have several spellings for the same value.
 */

static const char *jstr(const json_t *v)
{
    const char *s = json_string_value(v);

    return s ? s : "";
}

static int hex_eq(const char *hex, const unsigned char d[32])
{
    static const char x[] = "0123456789abcdef";

    if (!hex || strlen(hex) != 64)
        return 0;
    for (size_t i = 0; i < 32; i++)
        if (hex[2 * i] != x[d[i] >> 4] || hex[2 * i + 1] != x[d[i] & 15])
            return 0;
    return 1;
}

static int b64_eq(const json_t *s, const unsigned char *p, size_t n)
{
    struct sg_buf b = SG_BUF_INIT(SG_SIGSTORE_BUNDLE_MAX);
    int eq;

    eq = json_is_string(s) &&
         !sg_base64_decode(&b, json_string_value(s), json_string_length(s)) &&
         b.len == n && !memcmp(b.data, p, n);
    sg_buf_release(&b);
    return eq;
}

/* `s` is base64 of a PEM certificate or public key; compare its DER with
 * the bundle's certificate or key. */
static int pem_b64_eq(const json_t *s, const struct sg_sigstore_signed *g)
{
    struct sg_buf b = SG_BUF_INIT(1u << 20);
    unsigned char *der = NULL;
    BIO *bio = NULL;
    int eq = 0, n = -1;

    if (!json_is_string(s) ||
        sg_base64_decode(&b, json_string_value(s), json_string_length(s)))
        goto done;
    bio = BIO_new_mem_buf(b.data, (int)b.len);
    if (!bio)
        goto done;
    if (g->cert_der) {
        /* the PEM's DER as it is (no ASN.1 decode: a certificate's DER
         * is what i2d of it gives back) */
        char *name = NULL, *hdr = NULL;
        long len = 0;

        if (PEM_read_bio(bio, &name, &hdr, &der, &len) == 1 &&
            (!strcmp(name, PEM_STRING_X509) ||
             !strcmp(name, PEM_STRING_X509_OLD)) &&
            !hdr[0])
            eq = len > 0 && (size_t)len == g->cert_der_len &&
                 !memcmp(der, g->cert_der, (size_t)len);
        OPENSSL_free(name);
        OPENSSL_free(hdr);
    } else {
        EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        if (k)
            n = i2d_PUBKEY(k, &der);
        EVP_PKEY_free(k);
        eq = n > 0 && (size_t)n == g->key_der_len &&
             !memcmp(der, g->key_der, (size_t)n);
    }
done:
    OPENSSL_free(der);
    BIO_free(bio);
    sg_buf_release(&b);
    return eq;
}

/* v0.0.2 verifier: {x509Certificate:{rawBytes}} or {publicKey:{rawBytes}} */
static int verifier_eq(const json_t *v, const struct sg_sigstore_signed *g)
{
    if (g->cert_der)
        return b64_eq(
            json_object_get(json_object_get(v, "x509Certificate"), "rawBytes"),
            g->cert_der, g->cert_der_len);
    return b64_eq(json_object_get(json_object_get(v, "publicKey"), "rawBytes"),
                  g->key_der, g->key_der_len);
}

/* Member at a '/'-separated path, or NULL. */
static const json_t *jpath(const json_t *j, const char *path)
{
    char key[32];

    while (j && *path) {
        size_t n = strcspn(path, "/");
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = 0;
        j = json_object_get(j, key);
        path += n + (path[n] == '/');
    }
    return j;
}

/* What each supported entry kind records, and where (Rekor's schemas:
 * hashedrekord 0.0.1, dsse 0.0.1, intoto 0.0.2; protobuf-specs
 * rekor/v2 for hashedrekord 0.0.2 and dsse 0.0.2). */
static const struct body_rule {
    const char *kind, *version;
    int dsse;         /* 1 DSSE bundles only, 0 messages only, -1 both */
    const char *hash; /* the digest object */
    int v2;           /* {algorithm SHA2_256, digest b64} else {sha256, hex} */
    int over_payload; /* digest of the DSSE payload, else g->digest */
    const char *sigs; /* signature object, or array when list */
    int list;
    const char *sig;      /* member holding the signature */
    int twice;            /* signature base64-encoded twice */
    const char *verifier; /* b64 PEM (v1) or {x509Certificate|publicKey} */
} rules[] = {
    { "hashedrekord", "0.0.1", 0, "data/hash", 0, 0, "signature", 0, "content",
      0, "publicKey/content" },
    { "hashedrekord", "0.0.2", -1, "hashedRekordV002/data", 1, 0,
      "hashedRekordV002/signature", 0, "content", 0, "verifier" },
    { "dsse", "0.0.1", 1, "payloadHash", 0, 1, "signatures", 1, "signature", 0,
      "verifier" },
    { "dsse", "0.0.2", 1, "dsseV002/payloadHash", 1, 1, "dsseV002/signatures",
      1, "content", 0, "verifier" },
    { "intoto", "0.0.2", 1, "content/payloadHash", 0, 1,
      "content/envelope/signatures", 1, "sig", 1, "publicKey" },
};

/* v1 schemas: {"algorithm":"sha256","value":"<lowercase hex>"}; Rekor v2
 * (protobuf HashOutput): {"algorithm":"SHA2_256","digest":"<base64>"}.
 * Upper-case hex is refused: Rekor writes lower case, and accepting it
 * would only widen what we parse. */
static int digest_eq(const json_t *h, int v2, const unsigned char d[32])
{
    if (v2)
        return !strcmp(jstr(json_object_get(h, "algorithm")), "SHA2_256") &&
               b64_eq(json_object_get(h, "digest"), d, 32);
    return !strcmp(jstr(json_object_get(h, "algorithm")), "sha256") &&
           hex_eq(json_string_value(json_object_get(h, "value")), d);
}

/* One signature object of the entry against the bundle: the signature
 * bytes and the verifier (certificate or key) must both match; a list
 * entry (DSSE) matches when any one of its signatures does. intoto
 * 0.0.2 stores the envelope's already-base64 signature base64-encoded
 * once more, hence `twice`. */
static int sig_eq(const json_t *s,
                  const struct body_rule *r,
                  const struct sg_sigstore_signed *g)
{
    const json_t *sj = json_object_get(s, r->sig);
    const json_t *v = jpath(s, r->verifier);
    struct sg_buf inner = SG_BUF_INIT(1u << 20);
    json_t *tmp = NULL;
    int eq;

    if (r->twice) {
        if (!json_is_string(sj) ||
            sg_base64_decode(&inner, json_string_value(sj),
                             json_string_length(sj)) ||
            !(tmp = json_stringn(inner.data, inner.len))) {
            sg_buf_release(&inner);
            return 0;
        }
        sj = tmp;
    }
    eq = b64_eq(sj, g->sig, g->sig_len) &&
         (r->v2 ? verifier_eq(v, g) : pem_b64_eq(v, g));
    json_decref(tmp);
    sg_buf_release(&inner);
    return eq;
}

static sg_err match_body(const json_t *spec,
                         const struct sg_sigstore_tlog_entry *e,
                         const struct sg_sigstore_signed *g)
{
    const struct body_rule *r = NULL;
    const json_t *sigs;
    unsigned char ph[32];
    int found = 0;

    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (!strcmp(e->kind, rules[i].kind) &&
            !strcmp(e->version, rules[i].version))
            r = &rules[i];
    if (!r)
        return sg_error_set(SG_EUNSUPPORTED,
                            "log entry kind %s %s is not supported", e->kind,
                            e->version);
    /* The entry kind must suit the bundle's content: a hashedrekord v1
     * entry for a DSSE bundle (or a dsse entry for a message signature)
     * describes a different signed object even if bytes happen to
     * match. */
    if (r->dsse >= 0 && r->dsse != (g->payload != NULL))
        return sg_error_set(SG_EVERIFY, "%s %s entry for a %s bundle", e->kind,
                            e->version, g->payload ? "DSSE" : "message");
    if (r->over_payload)
        SHA256(g->payload, g->payload_len, ph);
    if (!digest_eq(jpath(spec, r->hash), r->v2,
                   r->over_payload ? ph : g->digest))
        return sg_error_set(SG_EVERIFY, "log entry digest differs from the "
                                        "bundle's");
    sigs = jpath(spec, r->sigs);
    if (!r->list) {
        if (!b64_eq(json_object_get(sigs, r->sig), g->sig, g->sig_len))
            return sg_error_set(SG_EVERIFY, "log entry signature differs from "
                                            "the bundle's");
        found = sig_eq(sigs, r, g);
        if (!found)
            return sg_error_set(SG_EVERIFY, "log entry certificate/key differs "
                                            "from the bundle's");
        return SG_OK;
    }
    for (size_t i = 0; !found && i < json_array_size(sigs); i++)
        found = sig_eq(json_array_get(sigs, i), r, g);
    if (!found)
        return sg_error_set(SG_EVERIFY, "log entry signatures differ from the "
                                        "bundle's");
    return SG_OK;
}

/* The body's own kind and apiVersion must equal the entry's kindVersion:
 * the kindVersion is outside the signed leaf, so it is the body that
 * says which schema the fields follow. JSON_REJECT_DUPLICATES (inside
 * sg_json_parse) matters here: with two "spec" members, we and another
 * verifier could read different fields. */
sg_err sg_sigstore_body_match(const struct sg_sigstore_tlog_entry *e,
                              const struct sg_sigstore_signed *g)
{
    json_t *body = NULL;
    sg_err rc;

    rc = sg_json_parse(&body, e->body.data, e->body.len, SG_SIGSTORE_BUNDLE_MAX,
                       0, "log entry body");
    if (rc)
        return rc;
    if (strcmp(jstr(json_object_get(body, "kind")), e->kind) ||
        strcmp(jstr(json_object_get(body, "apiVersion")), e->version))
        rc = sg_error_set(SG_EVERIFY,
                          "log entry body is not the %s %s the "
                          "bundle names",
                          e->kind, e->version);
    else
        rc = match_body(json_object_get(body, "spec"), e, g);
    json_decref(body);
    return rc;
}

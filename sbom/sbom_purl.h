/*
 * Package URLs (purl-spec, ECMA-427) and CPE 2.3 names: a parser and a
 * canonical serialiser for purls (tested against the official purl test
 * suite), plus the builders the SBOM writers use for the image itself.
 * sg_sbom_purl()/sg_sbom_cpe() for packages are declared in sigil/sbom.h.
 */
#ifndef SIGIL_SBOM_PURL_H
#define SIGIL_SBOM_PURL_H

#include "sigil/sbom.h"

struct sg_purl_qual {
    const char *key;   /* lower-case, [a-z0-9._-], starts with a letter */
    const char *value; /* decoded; never empty after parsing */
};

/* The components of one purl, decoded. NULL means absent. After
 * sg_sbom__purl_parse() every string points into mem_ (owned); a caller
 * that fills the struct by hand leaves mem_ NULL and keeps ownership. */
struct sg_purl {
    const char *type; /* as given; the serialiser lower-cases it */
    const char *ns;   /* segments joined by '/', decoded */
    const char *name; /* required */
    const char *version;
    struct sg_purl_qual *quals; /* owned by the struct after parsing */
    size_t n_quals;
    const char *subpath; /* segments joined by '/', decoded */
    char *mem_;          /* storage for the parsed strings */
};

enum sg_purl_parse_flags {
    /* Reject what the spec calls invalid but tolerant parsers fix up:
     * upper-case qualifier keys. Type case is always folded. */
    SG_PURL_STRICT = 1u << 0,
    /* Keep namespace and name as written (no per-type case folding):
     * for readers of other tools' documents, which must not rename the
     * packages they read. */
    SG_PURL_AS_WRITTEN = 1u << 1
};

/* Parse `s` per the spec's "how to parse" algorithm: accepts "pkg://",
 * historical encodings such as "%3A", drops empty qualifier values and
 * ".", ".." or empty subpath segments. *out is filled on success and must
 * be released with sg_sbom__purl_release(); on failure it is empty.
 * SG_EPARSE with a message naming the bad component, SG_ELIMIT for a
 * purl longer than 64 KiB, SG_ENOMEM: a caller that tolerates
 * "not a purl" must still fail on SG_ENOMEM. */
SG_MUST_USE sg_err sg_sbom__purl_parse(struct sg_purl *out,
                                       const char *s,
                                       unsigned flags);
void sg_sbom__purl_release(struct sg_purl *p);

/* The value of qualifier `key` (lower-case), or NULL. Borrowed from p. */
const char *sg_sbom__purl_qual(const struct sg_purl *p, const char *key);

/* Append the canonical string: type lower-cased, per-type case folding
 * of namespace/name (deb, apk, alpm, rpm namespace, oci name, ...),
 * qualifiers sorted by key with empty values dropped, every component
 * percent-encoded except A-Z a-z 0-9 . - _ ~ and ':'. Rejects a missing
 * or malformed type, a missing name, bad or duplicate qualifier keys
 * (SG_EINVAL-free: SG_EPARSE, so test-suite "build" failures are errors
 * about the input, not API misuse). */
SG_MUST_USE sg_err sg_sbom__purl_build(struct sg_buf *out,
                                       const struct sg_purl *p);

/* pkg:oci/<last repo element>@<digest>?arch=..&repository_url=..&tag=..
 * for the image an SBOM describes (repository_url = repo_name). Fails
 * with SG_EINVAL when the source has no digest or repository. */
SG_MUST_USE sg_err sg_sbom_purl_oci(struct sg_buf *out,
                                    const struct sg_sbom_source *src);

/* Append `s` escaped for one CPE 2.3 formatted-string component
 * (NISTIR 7695 §6.2: alnum . - _ kept, whitespace dropped, every other
 * printable character backslash-escaped); "" or NULL becomes "*". */
SG_MUST_USE sg_err sg_sbom__cpe_component(struct sg_buf *out, const char *s);

#endif /* SIGIL_SBOM_PURL_H */

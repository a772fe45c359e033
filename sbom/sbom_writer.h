/*
 * What the SPDX and CycloneDX JSON writers share (defined in format.c):
 * building jansson trees under one sticky allocation-failure flag, the
 * document UUID and appending one element of a streamed array. Not a
 * public header.
 */
#ifndef SIGIL_SBOM_WRITER_H
#define SIGIL_SBOM_WRITER_H

#include "sbom_core.h"

/* Tree building: any failed allocation or insertion sets `bad`, checked
 * once before the tree is written. */
struct sg_jb {
    int bad; /* an allocation failed somewhere */
};

/* o[k] = v, taking v; a NULL o or v (failed allocation) marks b bad. */
void sg_sbom__jset(struct sg_jb *b,
                   struct json_t *o,
                   const char *k,
                   struct json_t *v);
/* Append v to the array a, taking v; NULL a or v marks b bad. */
void sg_sbom__jpush(struct sg_jb *b, struct json_t *a, struct json_t *v);

/* The document UUID: derived from sg_sbom__seed followed by `salt` (may
 * be NULL) when o->deterministic, else random. */
SG_MUST_USE sg_err sg_sbom__doc_uuid(char out[37],
                                     const struct sg_sbom *s,
                                     const struct sg_sbom_write_opts *o,
                                     const char *salt);

/* Append `sep`, then v as an array element at depth 4 (sg_sbom__json_put);
 * v is released either way. SG_ENOMEM, writing nothing, when b is bad. */
SG_MUST_USE sg_err sg_sbom__json_elem(struct sg_buf *out,
                                      const struct sg_jb *b,
                                      const char *sep,
                                      struct json_t *v);

/* A package's purpose as SPDX primaryPackagePurpose ("LIBRARY", ...) and
 * as CycloneDX component type ("library", ...): p->purpose, else the
 * default of its type (language packages LIBRARY; OS packages none in
 * SPDX, "library" in CycloneDX as syft writes them). NULL: omit. */
const char *sg_sbom__purpose_spdx(const struct sg_pkg *p);
const char *sg_sbom__purpose_cdx(const struct sg_pkg *p);

#endif /* SIGIL_SBOM_WRITER_H */

/*
 * Small text helpers shared by the sbom catalogers and writers (dpkg,
 * apk, os-release, scan, finish). Internal to the sbom module.
 */
#ifndef SIGIL_SBOM_TEXT_H
#define SIGIL_SBOM_TEXT_H

#include <stddef.h>

#include "sigil/common.h"

/* A line iterator over untrusted bytes (no NUL required). */
struct sg_lines {
    const char *p;
    const char *end;
    size_t lineno; /* 1-based number of the line last returned */
};

void sg_lines_init(struct sg_lines *it, const void *data, size_t len);
/* Next line without its "\n" (and a trailing "\r"); 0 at the end. */
int sg_lines_next(struct sg_lines *it, const char **line, size_t *len);

/* malloc'd copy of [p, p+n) with surrounding blanks trimmed; NULL on OOM
 * (error set). */
char *sg_text_dup_trim(const char *p, size_t n);
/* malloc'd copy of a C string or NULL (OOM sets the error). */
char *sg_text_dup(const char *s);
/* Case-insensitive compare of [p, p+n) with the C string s. */
int sg_text_eq_ci(const char *p, size_t n, const char *s);
/* Append a malloc'd copy of [p,p+n) to a string vector. */
SG_MUST_USE sg_err sg_strv_push(char ***v,
                                size_t *n,
                                const char *p,
                                size_t len);

#endif /* SIGIL_SBOM_TEXT_H */

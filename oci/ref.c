/*
 * Image references: the distribution reference grammar
 * (distribution/reference, sbom-formats.md §8.3):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] component ( "/" component )*
 *   domain     := host [ ":" port ]   host: DNS name, IPv4 or "[" IPv6 "]"
 *   component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := "sha256:" 64 hex | "sha512:" 128 hex (lower case)
 *
 * Input is untrusted (command lines, signature payloads); every rejection
 * says what is wrong. Docker Hub names are normalised as docker does.
 */
#include "oci_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_MAX      4096 /* whole reference string */
#define NAME_MAX_LEN 255  /* distribution's NameTotalLengthMax */
#define TAG_MAX_LEN  128

static int is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* One path component s[0..n). */
static sg_err check_component(const char *s, size_t n, const char *whole)
{
    size_t i = 0;

    if (n == 0)
        return sg_error_set(
            SG_EPARSE, "%s: empty path component in repository name", whole);
    for (size_t k = 0; k < n; k++)
        if (is_upper(s[k]))
            return sg_error_set(SG_EPARSE,
                                "%s: repository name must be lowercase", whole);
    while (i < n) {
        size_t run = 0;
        while (i < n && is_lower_alnum(s[i])) {
            i++;
            run++;
        }
        if (run == 0)
            return sg_error_set(
                SG_EPARSE,
                "%s: path component '%.*s' must start and end with a "
                "lower-case letter or digit",
                whole, (int)n, s);
        if (i == n)
            break;
        /* separator: "." | "_" | "__" | "-"+ */
        if (s[i] == '.') {
            i++;
        } else if (s[i] == '_') {
            i++;
            if (i < n && s[i] == '_')
                i++;
        } else if (s[i] == '-') {
            while (i < n && s[i] == '-')
                i++;
        } else {
            return sg_error_set(SG_EPARSE,
                                "%s: invalid character '%c' in repository "
                                "name",
                                whole, s[i]);
        }
        if (i == n)
            return sg_error_set(
                SG_EPARSE,
                "%s: path component '%.*s' must start and end with a "
                "lower-case letter or digit",
                whole, (int)n, s);
    }
    return SG_OK;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* host[:port]: DNS name (components of [A-Za-z0-9-], not starting or
 * ending with '-'), IPv4, or [IPv6]. */
static sg_err check_domain(const char *s, size_t n, const char *whole)
{
    size_t hn = n;
    const char *colon = NULL;

    if (n == 0)
        return sg_error_set(SG_EPARSE, "%s: empty registry host", whole);
    if (s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        size_t k;
        if (!rb)
            return sg_error_set(SG_EPARSE,
                                "%s: IPv6 registry address lacks ']'", whole);
        k = (size_t)(rb - s);
        if (k < 3)
            return sg_error_set(SG_EPARSE, "%s: empty IPv6 registry address",
                                whole);
        for (size_t i = 1; i < k; i++)
            if (!is_hex(s[i]) && s[i] != ':' && s[i] != '.')
                return sg_error_set(SG_EPARSE,
                                    "%s: invalid IPv6 registry address", whole);
        if (k + 1 == n)
            return SG_OK;
        if (s[k + 1] != ':')
            return sg_error_set(
                SG_EPARSE, "%s: unexpected text after IPv6 address", whole);
        colon = s + k + 1;
        hn = k + 1;
    } else {
        colon = memchr(s, ':', n);
        if (colon)
            hn = (size_t)(colon - s);
        if (hn == 0)
            return sg_error_set(SG_EPARSE, "%s: empty registry host", whole);
        for (size_t i = 0; i < hn;) {
            size_t start = i;
            while (i < hn && s[i] != '.') {
                if (!is_alnum(s[i]) && s[i] != '-')
                    return sg_error_set(SG_EPARSE,
                                        "%s: invalid character '%c' in "
                                        "registry host",
                                        whole, s[i]);
                i++;
            }
            if (i == start)
                return sg_error_set(SG_EPARSE,
                                    "%s: empty label in registry host", whole);
            if (s[start] == '-' || s[i - 1] == '-')
                return sg_error_set(SG_EPARSE,
                                    "%s: registry host label may not start "
                                    "or end with '-'",
                                    whole);
            if (i < hn) {
                i++; /* '.' */
                if (i == hn)
                    return sg_error_set(
                        SG_EPARSE, "%s: registry host ends with '.'", whole);
            }
        }
    }
    if (colon) {
        size_t pn = n - (size_t)(colon + 1 - s);
        if (!all_digits(colon + 1, pn))
            return sg_error_set(SG_EPARSE, "%s: registry port must be a number",
                                whole);
        if (pn > 5 || strtoul(colon + 1, NULL, 10) > 65535)
            return sg_error_set(SG_EPARSE, "%s: registry port out of range",
                                whole);
    }
    (void)hn;
    return SG_OK;
}

sg_err sg_oci__check_tag(const char *t, const char *whole)
{
    size_t n = strlen(t);

    if (n == 0)
        return sg_error_set(SG_EPARSE, "%s: empty tag after ':'", whole);
    if (n > TAG_MAX_LEN)
        return sg_error_set(SG_EPARSE, "%s: tag longer than %d characters",
                            whole, TAG_MAX_LEN);
    if (!is_alnum(t[0]) && t[0] != '_')
        return sg_error_set(
            SG_EPARSE, "%s: tag must start with a letter, digit or '_'", whole);
    for (size_t i = 1; i < n; i++)
        if (!is_alnum(t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
            /* (a control byte is shown as '?': the message is one line) */
            return sg_error_set(SG_EPARSE, "%s: invalid character '%c' in tag",
                                whole, t[i] > 0x20 && t[i] < 0x7f ? t[i] : '?');
    return SG_OK;
}

static sg_err check_digest(const char *d, const char *whole)
{
    const char *colon = strchr(d, ':');

    if (sg_digest_valid(d))
        return SG_OK;
    if (!colon || colon == d)
        return sg_error_set(
            SG_EPARSE, "%s: digest must be ALGORITHM:HEX after '@'", whole);
    if (strncmp(d, "sha256:", 7) == 0 || strncmp(d, "sha512:", 7) == 0)
        return sg_error_set(SG_EPARSE,
                            "%s: digest must be %s lower-case hex "
                            "characters after '%.7s'",
                            whole, d[3] == '2' ? "64" : "128", d);
    return sg_error_set(SG_EUNSUPPORTED,
                        "%s: unsupported digest algorithm '%.*s' (sha256 "
                        "and sha512 only)",
                        whole, (int)(colon - d) > 32 ? 32 : (int)(colon - d),
                        d);
}

/* Is the first path element a registry host? (docker's splitDockerDomain)
 * Yes when it has '.' or ':' or is "localhost" or has upper case. */
static int looks_like_domain(const char *s, size_t n)
{
    if (memchr(s, '.', n) || memchr(s, ':', n) || s[0] == '[')
        return 1;
    if (n == 9 && memcmp(s, "localhost", 9) == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (is_upper(s[i]))
            return 1;
    return 0;
}

sg_err sg_oci_ref_parse(struct sg_oci_ref *out, const char *s)
{
    char *work = NULL;
    char *name, *at, *colon, *slash, *path;
    const char *whole;
    size_t len;
    sg_err rc = SG_OK;

    memset(out, 0, sizeof(*out));
    if (!s || !s[0])
        return sg_error_set(SG_EPARSE, "empty image reference");
    len = strlen(s);
    if (len > REF_MAX)
        return sg_error_set(SG_EPARSE, "image reference longer than %d bytes",
                            REF_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return sg_error_set(SG_EPARSE,
                                "'%s': whitespace or non-ASCII character in "
                                "image reference",
                                s);
    whole = s;
    work = strdup(s);
    if (!work)
        return sg_error_oom();
    name = work;

    at = strchr(name, '@');
    if (at) {
        *at = '\0';
        rc = check_digest(at + 1, whole);
        if (rc)
            goto fail;
        out->digest = strdup(at + 1);
        if (!out->digest)
            goto oom;
    }
    slash = strrchr(name, '/');
    colon = strrchr(slash ? slash : name, ':');
    if (colon) {
        *colon = '\0';
        rc = sg_oci__check_tag(colon + 1, whole);
        if (rc)
            goto fail;
        out->tag = strdup(colon + 1);
        if (!out->tag)
            goto oom;
    }
    if (!name[0]) {
        rc = sg_error_set(SG_EPARSE, "%s: missing repository name", whole);
        goto fail;
    }

    slash = strchr(name, '/');
    if (slash && looks_like_domain(name, (size_t)(slash - name))) {
        rc = check_domain(name, (size_t)(slash - name), whole);
        if (rc)
            goto fail;
        *slash = '\0';
        path = slash + 1;
        if (strcmp(name, "index.docker.io") == 0 ||
            strcmp(name, "registry-1.docker.io") == 0)
            out->registry = strdup("docker.io");
        else
            out->registry = strdup(name);
    } else {
        path = name;
        out->registry = strdup("docker.io");
    }
    if (!out->registry)
        goto oom;
    if (!path[0]) {
        rc = sg_error_set(SG_EPARSE, "%s: missing repository name", whole);
        goto fail;
    }
    for (const char *p = path;;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        rc = check_component(p, n, whole);
        if (rc)
            goto fail;
        if (!e)
            break;
        p = e + 1;
    }
    if (strcmp(out->registry, "docker.io") == 0 && !strchr(path, '/')) {
        size_t n = strlen(path) + 9;
        out->repository = malloc(n);
        if (!out->repository)
            goto oom;
        snprintf(out->repository, n, "library/%s", path);
    } else {
        out->repository = strdup(path);
        if (!out->repository)
            goto oom;
    }
    if (strlen(out->registry) + 1 + strlen(out->repository) > NAME_MAX_LEN) {
        rc = sg_error_set(SG_EPARSE,
                          "%s: repository name longer than %d characters",
                          whole, NAME_MAX_LEN);
        goto fail;
    }
    if (!out->tag && !out->digest) {
        out->tag = strdup("latest");
        if (!out->tag)
            goto oom;
    }
    free(work);
    return SG_OK;
oom:
    rc = sg_error_oom();
fail:
    free(work);
    sg_oci_ref_release(out);
    return rc;
}

void sg_oci_ref_release(struct sg_oci_ref *r)
{
    if (!r)
        return;
    free(r->registry);
    free(r->repository);
    free(r->tag);
    free(r->digest);
    memset(r, 0, sizeof(*r));
}

static int dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : -1;
}

sg_err sg_oci_ref_copy(struct sg_oci_ref *out, const struct sg_oci_ref *r)
{
    memset(out, 0, sizeof(*out));
    if (dup_opt(&out->registry, r->registry) ||
        dup_opt(&out->repository, r->repository) ||
        dup_opt(&out->tag, r->tag) || dup_opt(&out->digest, r->digest)) {
        sg_oci_ref_release(out);
        return sg_error_oom();
    }
    return SG_OK;
}

sg_err sg_oci_ref_repo_name(struct sg_buf *out, const struct sg_oci_ref *r)
{
    if (r->registry && r->registry[0])
        return sg_buf_addf(out, "%s/%s", r->registry,
                           r->repository ? r->repository : "");
    return sg_buf_adds(out, r->repository ? r->repository : "");
}

sg_err sg_oci_ref_string(struct sg_buf *out, const struct sg_oci_ref *r)
{
    sg_err rc = sg_oci_ref_repo_name(out, r);

    if (!rc && r->tag)
        rc = sg_buf_addf(out, ":%s", r->tag);
    if (!rc && r->digest)
        rc = sg_buf_addf(out, "@%s", r->digest);
    return rc;
}

const char *sg_oci_ref_api_host(const struct sg_oci_ref *r)
{
    if (r->registry && strcmp(r->registry, "docker.io") == 0)
        return "registry-1.docker.io";
    return r->registry;
}

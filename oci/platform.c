/*
 * Platforms ("os/arch[/variant]") and index selection. Variants are
 * compared after containerd's normalisation (arm64 ≡ arm64/v8, arm ≡
 * arm/v7), so linux/arm/v7 never silently matches linux/arm/v6
 * (anchore/stereoscope#454). BuildKit attestation entries
 * (unknown/unknown) are never selected.
 */
#include "oci_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const char *norm_arch(const char *a)
{
    if (!a)
        return "";
    if (strcmp(a, "x86_64") == 0 || strcmp(a, "x86-64") == 0)
        return "amd64";
    if (strcmp(a, "aarch64") == 0)
        return "arm64";
    if (strcmp(a, "i386") == 0 || strcmp(a, "i686") == 0)
        return "386";
    return a;
}

/* Normalised variant for comparison: "" when the default. */
static const char *norm_variant(const char *arch, const char *v)
{
    arch = norm_arch(arch);
    if (!v)
        v = "";
    if (strcmp(arch, "arm64") == 0 && strcmp(v, "v8") == 0)
        return "";
    if (strcmp(arch, "arm") == 0 && (strcmp(v, "v7") == 0 || !v[0]))
        return "v7";
    return v;
}

static sg_err dup_part(char **dst, const char *s, size_t n)
{
    *dst = strndup(s, n);
    return *dst ? SG_OK : sg_error_oom();
}

sg_err sg_oci_platform_parse(struct sg_oci_platform *out, const char *s)
{
    const char *a, *b;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    if (!s || !s[0])
        return sg_error_set(SG_EPARSE, "empty platform");
    a = strchr(s, '/');
    if (!a || a == s || !a[1] || a[1] == '/')
        return sg_error_set(SG_EPARSE,
                            "platform '%s': expected OS/ARCH[/VARIANT]", s);
    b = strchr(a + 1, '/');
    if (b && (!b[1] || strchr(b + 1, '/')))
        return sg_error_set(SG_EPARSE,
                            "platform '%s': expected OS/ARCH[/VARIANT]", s);
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '.'))
            return sg_error_set(SG_EPARSE,
                                "platform '%s': invalid character '%c'", s, *p);
    rc = dup_part(&out->os, s, (size_t)(a - s));
    if (!rc)
        rc = dup_part(&out->architecture, a + 1,
                      b ? (size_t)(b - a - 1) : strlen(a + 1));
    if (!rc && b)
        rc = dup_part(&out->variant, b + 1, strlen(b + 1));
    if (!rc && strcmp(norm_arch(out->architecture), out->architecture) != 0) {
        char *n = strdup(norm_arch(out->architecture));
        if (!n)
            rc = sg_error_oom();
        free(out->architecture);
        out->architecture = n;
    }
    if (rc)
        sg_oci_platform_release(out);
    return rc;
}

sg_err sg_oci_platform_host(struct sg_oci_platform *out)
{
    struct utsname u;
    const char *arch = "amd64";
    const char *variant = NULL;

    memset(out, 0, sizeof(*out));
    if (uname(&u) == 0) {
        arch = norm_arch(u.machine);
        if (strncmp(u.machine, "armv7", 5) == 0) {
            arch = "arm";
            variant = "v7";
        } else if (strncmp(u.machine, "armv6", 5) == 0) {
            arch = "arm";
            variant = "v6";
        }
    }
    out->os = strdup("linux");
    out->architecture = strdup(arch);
    out->variant = variant ? strdup(variant) : NULL;
    if (!out->os || !out->architecture || (variant && !out->variant)) {
        sg_oci_platform_release(out);
        return sg_error_oom();
    }
    return SG_OK;
}

static int is_unknown(const struct sg_oci_platform *p)
{
    return p->os && p->architecture && strcmp(p->os, "unknown") == 0 &&
           strcmp(p->architecture, "unknown") == 0;
}

static int os_arch_match(const struct sg_oci_platform *have,
                         const struct sg_oci_platform *want)
{
    return have->os && have->architecture && want->os && want->architecture &&
           strcmp(have->os, want->os) == 0 &&
           strcmp(norm_arch(have->architecture),
                  norm_arch(want->architecture)) == 0;
}

sg_err sg_oci_index_select(const struct sg_oci_descriptor **out,
                           const struct sg_oci_manifest *index,
                           const struct sg_oci_platform *want)
{
    const struct sg_oci_descriptor *loose = NULL;
    struct sg_buf avail = SG_BUF_INIT(2048);
    sg_err rc;

    *out = NULL;
    if (!index->is_index)
        return sg_error_set(SG_EINVAL, "not an index");
    for (size_t i = 0; i < index->n_layers; i++) {
        const struct sg_oci_descriptor *d = &index->layers[i];
        const struct sg_oci_platform *p = &d->platform;

        if (is_unknown(p) || !os_arch_match(p, want))
            continue;
        if (strcmp(norm_variant(p->architecture, p->variant),
                   norm_variant(want->architecture, want->variant)) == 0) {
            *out = d;
            return SG_OK;
        }
        /* No variant asked for (and not arm, where the default is v7):
         * the first entry with the right os/arch will do. */
        if (!want->variant && !loose &&
            strcmp(norm_arch(want->architecture), "arm") != 0)
            loose = d;
    }
    if (loose) {
        *out = loose;
        return SG_OK;
    }
    for (size_t i = 0; i < index->n_layers; i++) {
        const struct sg_oci_platform *p = &index->layers[i].platform;
        if (is_unknown(p) || !p->os || !p->architecture)
            continue;
        if (sg_buf_addf(&avail, "%s%s/%s%s%s", avail.len ? ", " : "", p->os,
                        p->architecture, p->variant ? "/" : "",
                        p->variant ? p->variant : ""))
            break; /* the list is informational; stop when it is long */
    }
    rc = sg_error_set(
        SG_ENOTFOUND,
        "no image for platform %s/%s%s%s in the index; "
        "available: %s",
        want->os ? want->os : "?",
        want->architecture ? want->architecture : "?", want->variant ? "/" : "",
        want->variant ? want->variant : "", avail.len ? avail.data : "none");
    sg_buf_release(&avail);
    return rc;
}

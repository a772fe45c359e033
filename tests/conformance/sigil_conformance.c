/*
 * sigil-conformance: the Sigstore conformance suite's CLI protocol
 * (cli_protocol.md, "verify-bundle") over sg_sigstore_verify(), linked
 * directly against the library until the sigil CLI grows verify-blob
 * --bundle. Exit 0 verified, 1 not verified (one line on stderr), 2 usage.
 *
 *   sigil-conformance verify-bundle [--staging] --bundle FILE
 *       (--certificate-identity I --certificate-oidc-issuer O | --key PEM)
 *       [--trusted-root FILE] [--insecure-ignore-tlog] FILE_OR_DIGEST
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include <openssl/pem.h>
#include "sigil/common.h"
#include "verify/sigstore_int.h"

#ifndef SG_CONFORMANCE_ROOT
#define SG_CONFORMANCE_ROOT \
    SG_SOURCE_DIR "/testdata/sigstore-conformance/trusted_root.production.json"
#endif

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* "sha256:<64 lower hex>" that is not a path on disk */
static int as_digest(const char *s, unsigned char out[32])
{
    struct stat sb;

    if (strncmp(s, "sha256:", 7) || strlen(s) != 71 || stat(s, &sb) == 0)
        return 0;
    for (size_t i = 0; i < 32; i++) {
        int h = hexval(s[7 + 2 * i]), l = hexval(s[8 + 2 * i]);
        if (h < 0 || l < 0)
            return 0;
        out[i] = (unsigned char)(h << 4 | l);
    }
    return 1;
}

static sg_err load_key(EVP_PKEY **out, const char *path)
{
    struct sg_buf b = SG_BUF_INIT(1u << 20);
    BIO *bio = NULL;
    sg_err rc;

    *out = NULL;
    rc = sg_file_read(&b, path, 1u << 20);
    if (rc)
        goto done;
    bio = BIO_new_mem_buf(b.data, (int)b.len);
    if (bio)
        *out = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    if (!*out)
        rc = sg_error_set(SG_EPARSE, "%s: not a PEM public key", path);
done:
    BIO_free(bio);
    sg_buf_release(&b);
    return rc;
}

int main(int argc, char **argv)
{
    const char *bundle_path = NULL, *root_path = NULL, *key_path = NULL,
               *target = NULL;
    struct sg_sigstore_policy pol = { 0 };
    struct sg_sigstore_artifact art = { 0 };
    struct sg_sigstore_result res = { 0 };
    struct sg_sigstore_trust *root = NULL;
    struct sg_buf bb = SG_BUF_INIT(SG_SIGSTORE_BUNDLE_MAX);
    struct sg_buf ab = SG_BUF_INIT((size_t)1 << 30);
    json_t *bundle = NULL;
    sg_err rc;
    int i;

    if (argc < 2 || strcmp(argv[1], "verify-bundle")) {
        fprintf(stderr, "usage: %s verify-bundle ... (cli_protocol.md)\n",
                argv[0]);
        return 2;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--staging"))
            continue;
        if (!strcmp(a, "--insecure-ignore-tlog")) {
            pol.ignore_tlog = 1; /* key mode only (sg_sigstore_verify) */
            continue;
        }
        if (i == argc - 1) {
            target = a;
            break;
        }
        if (!strcmp(a, "--bundle"))
            bundle_path = v;
        else if (!strcmp(a, "--certificate-identity"))
            pol.identity = v;
        else if (!strcmp(a, "--certificate-identity-regexp"))
            pol.identity_regexp = v;
        else if (!strcmp(a, "--certificate-oidc-issuer"))
            pol.issuer = v;
        else if (!strcmp(a, "--certificate-oidc-issuer-regexp"))
            pol.issuer_regexp = v;
        else if (!strcmp(a, "--key"))
            key_path = v;
        else if (!strcmp(a, "--trusted-root"))
            root_path = v;
        else {
            fprintf(stderr, "sigil-conformance: unknown option %s\n", a);
            return 2;
        }
        i++;
    }
    if (!bundle_path || !target) {
        fprintf(stderr, "sigil-conformance: --bundle and FILE_OR_DIGEST are "
                        "required\n");
        return 2;
    }
    rc = sg_sigstore_trust_load(&root,
                                root_path ? root_path : SG_CONFORMANCE_ROOT);
    if (!rc && key_path)
        rc = load_key(&pol.key, key_path);
    if (!rc)
        rc = sg_file_read(&bb, bundle_path, SG_SIGSTORE_BUNDLE_MAX);
    if (!rc)
        rc = sg_json_parse(&bundle, bb.data, bb.len, SG_SIGSTORE_BUNDLE_MAX, 0,
                           "bundle");
    if (!rc) {
        if (as_digest(target, art.sha256)) {
            art.data = NULL;
        } else {
            rc = sg_file_read(&ab, target, (size_t)1 << 30);
            art.data = (const unsigned char *)ab.data;
            art.len = ab.len;
        }
    }
    if (!rc)
        rc = sg_sigstore_verify(root, bundle, &art, &pol, &res);
    if (rc)
        fprintf(stderr, "sigil-conformance: not verified: %s\n",
                sg_error_last());
    else
        fprintf(stderr, "verified: bundle v0.%d %s%s%s\n", res.version_minor,
                res.is_dsse ? "dsse" : "message", res.san ? " identity " : "",
                res.san ? res.san : "");
    sg_sigstore_result_release(&res);
    json_decref(bundle);
    EVP_PKEY_free(pol.key);
    sg_sigstore_trust_free(root);
    sg_buf_release(&bb);
    sg_buf_release(&ab);
    return rc ? 1 : 0;
}

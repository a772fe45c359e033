/*
 * Signing and verification commands, cosign-compatible and offline:
 * sign, sign-blob, verify, verify-blob, triangulate. Formats:
 * shared/docs/cosign-format.md (§1-§2 legacy signatures, §3.6 bundles).
 */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigil/sign.h"
#include "sigil/verify.h"
#include "cli_keyless_image.h"

#define BLOB_MAX (1024u * 1024u * 1024u)

/* -a values, split as cosign does: on commas first, then on the first
 * '=' ("-a a=1,b=2" is two; "-a k=x,y" fails; "-a ''" adds nothing). */
struct annots {
    struct sg_sign_annotation v[SG_SIGN_ANNOTATIONS_MAX];
    size_t n;
};

static int take_annot(void *arg, char *v)
{
    struct annots *a = arg;

    if (sg_sign_annotation_parse(a->v, &a->n, v)) {
        fprintf(stderr, "sigil: %s\n", sg_error_last());
        return -1;
    }
    return 0;
}

/* A local store's spec without its ":tag" / "@digest" part (the store's
 * default reference), e.g. "oci-dir:/x/demo:latest" -> "oci-dir:/x/demo". */
static size_t local_spec_len(const char *image, struct sg_oci_store *s)
{
    const char *dr = sg_oci_store_default_ref(s);
    size_t n = strlen(image), dl = strlen(dr);

    if (n > dl + 1 && strcmp(image + n - dl, dr) == 0 &&
        (image[n - dl - 1] == ':' || image[n - dl - 1] == '@'))
        n -= dl + 1;
    return n;
}

/* ------------------------------------------------------------------ */
/* sign                                                                 */

static int sign_one(struct sg_oci_store *s,
                    const char *digest,
                    const struct sg_sign_key *k,
                    const struct sg_sign_image_opts *o,
                    int verbose)
{
    struct sg_buf tag = SG_BUF_INIT(256);
    sg_err rc = sg_sign_image(s, digest, k, o);

    if (rc)
        return cli_fail(rc, "sign %s", digest);
    if (!sg_sign_tag_for(&tag, digest, "sig") && verbose)
        fprintf(stderr, "Signed %s (signature in %s)\n", digest, tag.data);
    sg_buf_release(&tag);
    return CLI_EXIT_OK;
}

static int run_sign(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyspec = NULL, *image = NULL, *dref = NULL, *ref;
    struct annots an;
    struct sg_sign_image_opts o;
    struct sg_oci_store *s = NULL;
    struct sg_sign_key *k = NULL;
    struct sg_oci_manifest *m = NULL;
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT), lref = SG_BUF_INIT(4096);
    const struct sg_oci_ref *r;
    char *digest = NULL, *mt = NULL;
    int recursive = 0, yes = 0, ret = CLI_EXIT_FAIL;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--key", .alt = "-k", .value = &keyspec },
        { .name = "--annotations",
          .alt = "-a",
          .take = take_annot,
          .arg = &an },
        { .name = "--docker-reference", .value = &dref },
        { .name = "--recursive", .alt = "-r", .flag = &recursive },
        /* no prompts to skip: nothing is uploaded to a log */
        { .name = "-y", .alt = "--yes", .flag = &yes },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &image,
                          .max_pos = 1,
                          .too_many = "only one IMAGE",
                          .unknown = CLI_UNKNOWN_QUOTED };

    memset(&an, 0, sizeof(an));
    ret = cli_parse_args(ctx, &cli_cmd_sign, argc, argv, 1, &a);
    if (ret)
        goto done;
    ret = CLI_EXIT_FAIL;
    if (!keyspec || !image) {
        ret = cli_usage_error(&cli_cmd_sign, "--key and IMAGE are required");
        goto done;
    }
    rc = cli_load_private_key(&k, keyspec);
    if (rc) {
        ret = cli_fail(rc, "key");
        goto done;
    }
    if (cli_open_store(&s, ctx, image, SG_OCI_OPEN_WRITE))
        goto done;
    ref = sg_oci_store_default_ref(s);
    if (!sg_digest_valid(ref))
        sg_warn("Image reference %s uses a tag, not a digest, to identify "
                "the image to sign. This can lead you to sign a different "
                "image than the intended one; use a digest "
                "(IMAGE@sha256:...) instead.",
                image);
    rc = sg_oci_store_get_manifest(s, ref, &body, &mt, &digest);
    if (rc) {
        ret = cli_fail(rc, "%s", image);
        goto done;
    }
    memset(&o, 0, sizeof(o));
    o.annotations = an.v;
    o.n_annotations = an.n;
    r = sg_oci_store_ref(s);
    if (!dref && sg_oci_store_kind(s) != SG_OCI_STORE_REGISTRY &&
        (!r->repository || !r->repository[0])) {
        /* no registry name: the layout's path stands for the repository */
        size_t n = local_spec_len(image, s), skip = 0;
        if (strncmp(image, "oci-dir:", 8) == 0)
            skip = 8;
        else if (strncmp(image, "oci:", 4) == 0)
            skip = 4;
        if (sg_buf_add(&lref, image + skip, n - skip)) {
            ret = cli_fail(SG_ENOMEM, "sign");
            goto done;
        }
        dref = lref.data;
    }
    o.docker_reference = dref;
    ret = sign_one(s, digest, k, &o, ctx->verbosity > 0);
    if (ret || !recursive)
        goto done;
    rc = sg_oci_manifest_parse(&m, body.data, body.len, mt);
    if (rc) {
        ret = cli_fail(rc, "%s", image);
        goto done;
    }
    for (size_t i = 0; m->is_index && !ret && i < m->n_layers; i++)
        ret = sign_one(s, m->layers[i].digest, k, &o, ctx->verbosity > 0);
done:
    sg_oci_manifest_free(m);
    sg_buf_release(&body);
    sg_buf_release(&lref);
    free(digest);
    free(mt);
    sg_oci_store_free(s);
    sg_sign_key_free(k);
    return ret;
}

const struct cli_command cli_cmd_sign = {
    "sign", "Sign an image (cosign-compatible)",
    "usage: sigil sign --key KEY [-a key=value]... [--recursive] [-y]\n"
    "                  [--docker-reference REPO] IMAGE\n"
    "\n"
    "Signs IMAGE as `cosign sign --key` does (legacy format, offline): the\n"
    "simple-signing payload for the image digest, signed with KEY, stored\n"
    "as a layer of the manifest at tag sha256-<hex>.sig in the image's\n"
    "repository (existing signatures are kept; the same key and payload\n"
    "again adds nothing). IMAGE is a registry reference or oci-dir:PATH[:tag].\n"
    "Signing by tag works but warns: the tag is resolved to a digest first.\n"
    "\n"
    "  --key, -k KEY             cosign.key, a PEM private key, or env://VAR\n"
    "                            (password: COSIGN_PASSWORD or the terminal)\n"
    "  -a, --annotations k=v     add to the payload's \"optional\" (repeatable;\n"
    "                            \"a=1,b=2\" is two annotations)\n"
    "  --recursive, -r           for an index: also sign every manifest in it\n"
    "  --docker-reference REPO   the payload's docker-reference (default: the\n"
    "                            image's registry/repository)\n"
    "  -y, --yes                 accepted for cosign compatibility (no prompt)\n"
    "\n"
    "Exit status: 0 signed, 1 failure, 2 usage.\n",
    run_sign
};

/* ------------------------------------------------------------------ */
/* sign-blob                                                            */

static int run_sign_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyspec = NULL, *file = NULL, *outsig = NULL;
    struct sg_buf data = SG_BUF_INIT(BLOB_MAX),
                  sig = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  b64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sign_key *k = NULL;
    int ret = CLI_EXIT_FAIL;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--key", .alt = "-k", .value = &keyspec },
        { .name = "--output-signature", .value = &outsig },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &file,
                          .max_pos = 1,
                          .too_many = "only one FILE",
                          .unknown = CLI_UNKNOWN_QUOTED };

    if (cli_parse_args(ctx, &cli_cmd_sign_blob, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!keyspec || !file)
        return cli_usage_error(&cli_cmd_sign_blob,
                               "--key and FILE are required");
    ret = cli_read_file(&data, file, BLOB_MAX);
    if (ret)
        goto done;
    rc = cli_load_private_key(&k, keyspec);
    if (rc) {
        ret = cli_fail(rc, "key");
        goto done;
    }
    rc = sg_sign_key_sign(&sig, k, data.data, data.len);
    if (!rc)
        rc = sg_base64_encode(&b64, sig.data, sig.len);
    if (rc) {
        ret = cli_fail(rc, "sign-blob");
        goto done;
    }
    if (outsig) {
        rc = sg_file_write_atomic(outsig, b64.data, b64.len, 0644);
        if (rc) {
            ret = cli_fail(rc, "%s", outsig);
            goto done;
        }
        fprintf(stderr, "Wrote signature to file %s\n", outsig);
    } else {
        rc = sg_buf_addc(&b64, '\n');
        if (!rc)
            rc = cli_write_output(NULL, b64.data, b64.len);
        if (rc) {
            ret = cli_fail(rc, "stdout");
            goto done;
        }
    }
    ret = CLI_EXIT_OK;
done:
    sg_sign_key_free(k);
    sg_buf_release(&data);
    sg_buf_release(&sig);
    sg_buf_release(&b64);
    return ret;
}

const struct cli_command cli_cmd_sign_blob = {
    "sign-blob", "Sign a file",
    "usage: sigil sign-blob --key KEY [--output-signature F] FILE\n"
    "\n"
    "Signs FILE as `cosign sign-blob --key` does and prints the base64\n"
    "signature (ECDSA: ASN.1 DER over SHA-256; RSA: PKCS#1 v1.5 SHA-256;\n"
    "Ed25519: pure).\n"
    "\n"
    "  --key, -k KEY            cosign.key, a PEM private key, or env://VAR\n"
    "  --output-signature F     write the base64 signature to F instead\n",
    run_sign_blob
};

/* ------------------------------------------------------------------ */
/* verify                                                               */

/* The length of IMAGE to print before "@DIGEST" (an IMAGE that already
 * ends in "@DIGEST" is not printed with it twice). */
static int banner_len(const char *image, const char *digest)
{
    size_t n = strlen(image), d = strlen(digest);

    if (n > d && image[n - d - 1] == '@' && strcmp(image + n - d, digest) == 0)
        n -= d + 1;
    return n > INT_MAX ? INT_MAX : (int)n;
}

static int run_verify(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyspec = NULL, *image = NULL, *output = "json";
    struct annots an;
    struct sg_verify_opts o;
    struct sg_verify_result r;
    struct sg_oci_store *s = NULL;
    struct sg_sign_key *k = NULL;
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT), name = SG_BUF_INIT(4096);
    struct cli_keyless_image kl = { 0 };
    const struct sg_keyless_policy *pol = NULL;
    char *digest = NULL;
    size_t n_ok = 0;
    int tlog = 0, ret = CLI_EXIT_FAIL;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--key", .alt = "-k", .value = &keyspec },
        CLI_KEYLESS_IMAGE_OPTS(&kl),
        { .name = "--annotations",
          .alt = "-a",
          .take = take_annot,
          .arg = &an },
        { .name = "--output", .alt = "-o", .value = &output },
        /* offline by design: no transparency log is consulted */
        { .name = "--insecure-ignore-tlog", .flag = &tlog, .eq_ok = 1 },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &image,
                          .max_pos = 1,
                          .too_many = "only one IMAGE",
                          .unknown = CLI_UNKNOWN_QUOTED };

    memset(&an, 0, sizeof(an));
    memset(&r, 0, sizeof(r));
    ret = cli_parse_args(ctx, &cli_cmd_verify, argc, argv, 1, &a);
    if (ret)
        goto done;
    ret = CLI_EXIT_FAIL;
    if (!image) {
        ret = cli_usage_error(&cli_cmd_verify, "IMAGE is required");
        goto done;
    }
    ret = cli_keyless_image_policy(&cli_cmd_verify, &kl, keyspec, &pol);
    if (ret)
        goto done;
    ret = CLI_EXIT_FAIL;
    if (strcmp(output, "json") != 0 && strcmp(output, "text") != 0) {
        ret = cli_usage_error(&cli_cmd_verify, "-o must be json or text");
        goto done;
    }
    rc = keyspec ? cli_load_public_key(&k, keyspec) : SG_OK;
    if (rc) {
        ret = cli_fail(rc, "key");
        goto done;
    }
    if (cli_open_store(&s, ctx, image, 0))
        goto done;
    /* A digest reference is used as it is (as cosign's ResolveDigest):
     * the signatures may live where the image itself is not. */
    if (sg_digest_valid(sg_oci_store_default_ref(s))) {
        digest = strdup(sg_oci_store_default_ref(s));
        rc = digest ? SG_OK : sg_error_oom();
    } else {
        rc = sg_oci_store_head_manifest(s, NULL, NULL, &digest, NULL);
    }
    if (rc) {
        ret = cli_fail(rc, "%s", image);
        goto done;
    }
    memset(&o, 0, sizeof(o));
    o.annotations = an.v;
    o.n_annotations = an.n;
    o.keyless = pol;
    if (!sg_oci_ref_string(&name, sg_oci_store_ref(s)))
        o.docker_reference = name.data;
    rc = sg_verify_image(&r, s, digest, k, &o);
    for (size_t i = 0; i < r.n_items; i++) {
        const struct sg_verify_item *it = &r.items[i];
        if (!it->ok) {
            fprintf(stderr, "sigil: %s: %s\n", it->source, it->reason);
            continue;
        }
        if (strcmp(output, "json") == 0 && sg_buf_adds(&out, n_ok ? "," : "["))
            rc = SG_ENOMEM;
        if (sg_buf_add(&out, it->payload, it->payload_len) ||
            (strcmp(output, "text") == 0 && sg_buf_addc(&out, '\n')))
            rc = SG_ENOMEM;
        n_ok++;
    }
    if (rc) {
        ret = cli_fail(rc, "verify %s", image);
        goto done;
    }
    if (strcmp(output, "json") == 0 && sg_buf_adds(&out, "]\n")) {
        ret = cli_fail(SG_ENOMEM, "verify");
        goto done;
    }
    if (ctx->verbosity > 0)
        fprintf(stderr,
                "\nVerification for %.*s@%s --\n"
                "The following checks were performed on each of these "
                "signatures:\n"
                "  - The cosign claims were validated\n"
                "  - The signatures were verified against %s\n"
                "  - The payload blobs matched their descriptors (digest and "
                "size)\n"
                "%zu of %zu signature(s) verified\n",
                banner_len(image, digest), image, digest,
                pol ? "the code-signing certificates, verified using "
                      "trusted certificate authority certificates\n"
                      "  - Existence of the claims in the transparency log "
                      "was verified offline\n"
                      "  - The certificate identity and issuer matched"
                    : "the specified public key",
                n_ok, r.n_items);
    rc = cli_write_output(NULL, out.data, out.len);
    ret = rc ? cli_fail(rc, "stdout") : CLI_EXIT_OK;
done:
    sg_verify_result_release(&r);
    sg_oci_store_free(s);
    sg_sign_key_free(k);
    sg_buf_release(&out);
    sg_buf_release(&name);
    free(digest);
    return ret;
}

const struct cli_command cli_cmd_verify = {
    "verify", "Verify an image's signatures",
    "usage: sigil verify (--key PUB | --certificate-identity[-regexp] ID\n"
    "                     --certificate-oidc-issuer[-regexp] ISS\n"
    "                     [--trusted-root FILE])\n"
    "                    [-a key=value]... [-o json|text] IMAGE\n"
    "\n"
    "Verifies IMAGE's cosign signatures with the public key PUB, offline:\n"
    "the layers of the sha256-<hex>.sig manifest and cosign v3 Sigstore\n"
    "bundles among the image's OCI 1.1 referrers. For each candidate: the\n"
    "payload blob's digest and size against its descriptor, the signature\n"
    "over the exact payload bytes, the signed digest equals the image's,\n"
    "the type string, and the required annotations. With the identity\n"
    "flags instead of --key, keyless (Fulcio certificate) signatures are\n"
    "checked offline against the trusted root: the Rekor signed entry\n"
    "timestamp (and for bundles the inclusion proof and checkpoint), the\n"
    "certificate chain at that time, the SCT, the log entry body, the\n"
    "signature and the identity. A keyless signature never passes a --key\n"
    "check, and a key-signed one never passes a keyless check.\n"
    "\n"
    "  --key, -k PUB           PEM public key, certificate, or env://VAR\n"
    "  -a, --annotations k=v   require optional.k == v (repeatable)\n"
    "  -o, --output json|text  stdout: a JSON array of the verified payloads\n"
    "                          (default) or the raw payloads, one per line\n"
    "  --insecure-ignore-tlog  accepted for cosign compatibility (always\n"
    "                          offline)\n" CLI_KEYLESS_IMAGE_USAGE "\n"
    "The checks and every rejected candidate with its reason go to stderr.\n"
    "Exit status: 0 at least one signature verified; 3 verification failed\n"
    "(no signatures, or none valid); 1 registry/IO error; 2 usage.\n",
    run_verify
};

/* ------------------------------------------------------------------ */
/* verify-blob                                                          */

static int run_verify_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyspec = NULL, *cert = NULL, *sigarg = NULL, *file = NULL;
    struct sg_buf data = SG_BUF_INIT(BLOB_MAX), sig = SG_BUF_INIT(1 << 20);
    struct sg_sign_key *k = NULL;
    int tlog = 0, ret = CLI_EXIT_FAIL;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--key", .alt = "-k", .value = &keyspec },
        { .name = "--certificate", .value = &cert },
        { .name = "--signature", .value = &sigarg },
        { .name = "--insecure-ignore-tlog", .flag = &tlog, .eq_ok = 1 },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &file,
                          .max_pos = 1,
                          .too_many = "only one FILE",
                          .unknown = CLI_UNKNOWN_QUOTED };

    if (cli_parse_args(ctx, &cli_cmd_verify_blob, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if ((!keyspec == !cert) || !sigarg || !file)
        return cli_usage_error(&cli_cmd_verify_blob,
                               "one of --key/--certificate, --signature and "
                               "FILE are required");
    rc = cli_load_public_key(&k, keyspec ? keyspec : cert);
    if (rc) {
        ret = cli_fail(rc, "key");
        goto done;
    }
    rc = sg_file_read(&sig, sigarg, 1 << 20);
    if (rc == SG_ENOTFOUND) {
        /* not a file: the base64 signature itself, as cosign allows */
        sg_buf_reset(&sig);
        rc = sg_buf_adds(&sig, sigarg);
    }
    if (rc) {
        ret = cli_fail(rc, "%s", sigarg);
        goto done;
    }
    ret = cli_read_file(&data, file, BLOB_MAX);
    if (ret)
        goto done;
    rc = sg_verify_blob(k, data.data, data.len, sig.data, sig.len);
    if (rc) {
        ret = cli_fail(rc, "verify-blob %s", file);
        goto done;
    }
    fprintf(stderr, "Verified OK\n");
    ret = CLI_EXIT_OK;
done:
    sg_sign_key_free(k);
    sg_buf_release(&data);
    sg_buf_release(&sig);
    return ret;
}

const struct cli_command cli_cmd_verify_blob = {
    "verify-blob", "Verify a file's signature",
    "usage: sigil verify-blob (--key PUB | --certificate CERT) --signature "
    "SIG FILE\n"
    "\n"
    "Checks that SIG (a file holding the base64 signature, or the base64\n"
    "text itself) is a signature over FILE by the key, as\n"
    "`cosign verify-blob --key` does. Offline: no transparency log.\n"
    "\n"
    "  --key, -k PUB        PEM public key or env://VAR\n"
    "  --certificate CERT   use a PEM certificate's public key\n"
    "  --signature SIG      the base64 signature (newlines tolerated)\n"
    "\n"
    "Exit status: 0 verified, 3 not verified, 1 error, 2 usage.\n",
    run_verify_blob
};

/* ------------------------------------------------------------------ */
/* triangulate                                                          */

static int run_triangulate(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *image = NULL, *type = "signature", *suffix;
    struct sg_oci_store *s = NULL;
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const struct sg_oci_ref *r;
    char *digest = NULL;
    int ret = CLI_EXIT_FAIL;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--type", .value = &type },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &image,
                          .max_pos = 1,
                          .too_many = "only one IMAGE",
                          .unknown = CLI_UNKNOWN_QUOTED };

    if (cli_parse_args(ctx, &cli_cmd_triangulate, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!image)
        return cli_usage_error(&cli_cmd_triangulate, "IMAGE is required");
    if (strcmp(type, "signature") == 0)
        suffix = "sig";
    else if (strcmp(type, "attestation") == 0)
        suffix = "att";
    else if (strcmp(type, "sbom") == 0)
        suffix = "sbom";
    else if (strcmp(type, "digest") == 0)
        suffix = NULL;
    else
        return cli_usage_error(&cli_cmd_triangulate,
                               "--type must be signature, attestation, sbom "
                               "or digest");
    ret = cli_open_image(&s, &digest, ctx, image, 0);
    if (ret)
        goto done;
    r = sg_oci_store_ref(s);
    if (sg_oci_store_kind(s) == SG_OCI_STORE_REGISTRY) {
        if (r->registry && strcmp(r->registry, "docker.io") == 0)
            rc = sg_buf_addf(&out, "index.docker.io/%s", r->repository);
        else
            rc = sg_oci_ref_repo_name(&out, r);
    } else {
        /* a local store: its spec without the tag/digest part */
        rc = sg_buf_add(&out, image, local_spec_len(image, s));
    }
    if (!rc && suffix)
        rc = sg_buf_addc(&out, ':');
    if (!rc)
        rc = suffix ? sg_sign_tag_for(&out, digest, suffix)
                    : sg_buf_addf(&out, "@%s", digest);
    if (!rc)
        rc = sg_buf_addc(&out, '\n');
    if (!rc)
        rc = cli_write_output(NULL, out.data, out.len);
    ret = rc ? cli_fail(rc, "triangulate") : CLI_EXIT_OK;
done:
    free(digest);
    sg_buf_release(&out);
    sg_oci_store_free(s);
    return ret;
}

const struct cli_command cli_cmd_triangulate = {
    "triangulate", "Print where an image's signatures are stored",
    "usage: sigil triangulate [--type signature|attestation|sbom|digest] "
    "IMAGE\n"
    "\n"
    "Resolves IMAGE to its digest and prints where cosign keeps its\n"
    "signatures: REGISTRY/REPOSITORY:sha256-<hex>.sig (.att for\n"
    "attestations, .sbom for SBOM attachments; --type digest prints\n"
    "REGISTRY/REPOSITORY@sha256:<hex>).\n",
    run_triangulate
};

/*
 * Signing and verification commands, cosign-compatible and offline:
 * sign, sign-blob, verify, verify-blob, triangulate. Formats:
 * cosign's specs/SIGNATURE_SPEC.md (legacy signatures) and the Sigstore
 * bundle format (protobuf-specs, bundle v0.3).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigil/sign.h"
#include "sigil/verify.h"

#define BLOB_MAX (1024u * 1024u * 1024u)

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
                    int verbose,
                    int bundle)
{
    struct sg_buf tag = SG_BUF_INIT(256);
    sg_err rc = bundle ? sg_sign_image_bundle(s, digest, k, o, time(NULL))
                       : sg_sign_image(s, digest, k, o);

    if (rc)
        return cli_fail(rc, "sign %s", digest);
    if (bundle && verbose)
        fprintf(stderr, "Signed %s (Sigstore bundle in its referrers)\n",
                digest);
    else if (!sg_sign_tag_for(&tag, digest, "sig") && verbose)
        fprintf(stderr, "Signed %s (signature in %s)\n", digest, tag.data);
    sg_buf_release(&tag);
    return CLI_EXIT_OK;
}

/* The payload's docker-reference for a store without a registry name:
 * the layout's path stands for the repository. */
static sg_err local_docker_reference(struct sg_buf *out,
                                     const char *image,
                                     struct sg_oci_store *s)
{
    size_t n = local_spec_len(image, s), skip = 0;

    if (strncmp(image, "oci-dir:", 8) == 0)
        skip = 8;
    else if (strncmp(image, "oci:", 4) == 0)
        skip = 4;
    return sg_buf_add(out, image + skip, n - skip);
}

int cli_run_sign(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyspec = NULL, *image = NULL, *dref = NULL, *ref;
    struct cli_annotations an = { .cmd = &cli_cmd_sign };
    struct sg_sign_image_opts o;
    struct sg_oci_store *s = NULL;
    struct sg_sign_key *k = NULL;
    struct sg_oci_manifest *m = NULL;
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT), lref = SG_BUF_INIT(4096);
    const struct sg_oci_ref *r;
    char *digest = NULL, *mt = NULL;
    int recursive = 0, yes = 0, nbf = 0, ret;
    sg_err rc;
    struct cli_sign_offline so = { 0 };
    struct cli_opt opts[6 + CLI_SIGN_OFFLINE_N_OPTS] = {
        { .name = "--key", .alt = "-k", .value = &keyspec },
        { .name = "--new-bundle-format", .flag = &nbf },
        CLI_OPT_ANNOTATIONS(&an),
        { .name = "--docker-reference", .value = &dref },
        { .name = "--recursive", .alt = "-r", .flag = &recursive },
        /* no prompts to skip: nothing is uploaded to a log */
        { .name = "-y", .alt = "--yes", .flag = &yes },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts), .pos = &image };

    cli_sign_offline_opts(opts + 6, &so);
    if (cli_parse_args(ctx, &cli_cmd_sign, argc, argv, 1, &a) ||
        cli_sign_offline_check(&so))
        return CLI_EXIT_USAGE;
    if (!keyspec || !image)
        return cli_usage_error(&cli_cmd_sign, "--key and IMAGE are required");
    ret = cli_key_private(&k, keyspec, CLI_KEY_PROMPT);
    if (ret)
        goto done;
    ret = CLI_EXIT_FAIL;
    if (cli_open_store(&s, ctx, image, SG_OCI_OPEN_WRITE))
        goto done;
    ref = sg_oci_store_default_ref(s);
    if (!sg_digest_valid(ref))
        sg_warn(&ctx->sg,
                "Image reference %s uses a tag, not a digest, to identify "
                "the image to sign. This can lead you to sign a different "
                "image than the intended one; use a digest "
                "(IMAGE@sha256:...) instead.",
                image);
    rc = sg_oci_store_get_manifest(s, ref, &body, &mt, &digest);
    if (rc) {
        ret = cli_store_fail(rc, s, image);
        goto done;
    }
    memset(&o, 0, sizeof(o));
    o.annotations = an.v;
    o.n_annotations = an.n;
    r = sg_oci_store_ref(s);
    if (!dref && sg_oci_store_kind(s) != SG_OCI_STORE_REGISTRY &&
        (!r->repository || !r->repository[0])) {
        if (local_docker_reference(&lref, image, s)) {
            ret = cli_fail(SG_ENOMEM, "sign");
            goto done;
        }
        dref = lref.data;
    }
    o.docker_reference = dref;
    ret = sign_one(s, digest, k, &o, ctx->verbosity > 0, nbf);
    if (ret || !recursive)
        goto done;
    rc = sg_oci_manifest_parse(&m, body.data, body.len, mt, &ctx->sg);
    if (rc) {
        ret = cli_fail(rc, "%s", image);
        goto done;
    }
    for (size_t i = 0; m->is_index && !ret && i < m->n_layers; i++)
        ret = sign_one(s, m->layers[i].digest, k, &o, ctx->verbosity > 0, nbf);
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

/* ------------------------------------------------------------------ */
/* sign-blob                                                            */

int cli_run_sign_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyspec = NULL, *file = NULL, *outsig = NULL, *outb = NULL;
    struct sg_buf data = SG_BUF_INIT(BLOB_MAX),
                  sig = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  b64 = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  bundle = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sign_key *k = NULL;
    int ret;
    sg_err rc;
    struct cli_sign_offline so = { 0 };
    struct cli_opt opts[3 + CLI_SIGN_OFFLINE_N_OPTS] = {
        { .name = "--key", .alt = "-k", .value = &keyspec },
        { .name = "--output-signature", .value = &outsig },
        { .name = "--bundle", .value = &outb },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts), .pos = &file };

    cli_sign_offline_opts(opts + 3, &so);
    if (cli_parse_args(ctx, &cli_cmd_sign_blob, argc, argv, 1, &a) ||
        cli_sign_offline_check(&so))
        return CLI_EXIT_USAGE;
    if (!keyspec || !file)
        return cli_usage_error(&cli_cmd_sign_blob,
                               "--key and FILE are required");
    ret = cli_read_file(&data, file, BLOB_MAX);
    if (!ret)
        ret = cli_key_private(&k, keyspec, CLI_KEY_PROMPT);
    if (ret)
        goto done;
    rc = sg_sign_key_sign(&sig, k, data.data, data.len);
    if (!rc)
        rc = sg_base64_encode(&b64, sig.data, sig.len);
    if (!rc && outb)
        rc = sg_sign_bundle_message(&bundle, k, data.data, data.len, sig.data,
                                    sig.len);
    /* on stdout, a line; in the file, the signature alone */
    if (!rc && !outsig)
        rc = sg_buf_addc(&b64, '\n');
    if (rc) {
        ret = cli_fail(rc, "sign-blob %s", file);
        goto done;
    }
    /* With --bundle nothing is printed (cosign v3); --output-signature
     * still writes the same signature. */
    if (outb) {
        ret = cli_output(outb, bundle.data, bundle.len);
        if (ret)
            goto done;
        fprintf(stderr, "Wrote bundle to file %s\n", outb);
    }
    if (outsig || !outb)
        ret = cli_output(outsig, b64.data, b64.len);
    if (!ret && outsig)
        fprintf(stderr, "Wrote signature to file %s\n", outsig);
done:
    sg_sign_key_free(k);
    sg_buf_release(&data);
    sg_buf_release(&sig);
    sg_buf_release(&b64);
    sg_buf_release(&bundle);
    return ret;
}

/* ------------------------------------------------------------------ */
/* verify                                                               */

int cli_run_verify(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyspec = NULL, *image = NULL, *output = "json";
    struct cli_annotations an = { .cmd = &cli_cmd_verify };
    struct sg_verify_opts o;
    struct sg_verify_result r = { NULL, 0 };
    struct sg_oci_store *s = NULL;
    struct sg_sign_key *k = NULL;
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT), name = SG_BUF_INIT(4096);
    struct cli_keyless kl = { 0 };
    struct sg_keyless_policy polbuf;
    const struct sg_keyless_policy *pol = NULL;
    char *digest = NULL;
    size_t n_ok = 0;
    int tlog = 0, json, ret;
    sg_err rc;
    struct cli_opt opts[4 + CLI_KEYLESS_N_OPTS] = {
        { .name = "--key", .alt = "-k", .value = &keyspec },
        CLI_OPT_ANNOTATIONS(&an),
        { .name = "--output", .alt = "-o", .value = &output },
        /* offline by design: no transparency log is consulted */
        { .name = "--insecure-ignore-tlog", .flag = &tlog, .eq_ok = 1 },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts), .pos = &image };

    cli_keyless_opts(opts + 4, &kl);
    if (cli_parse_args(ctx, &cli_cmd_verify, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!image)
        return cli_usage_error(&cli_cmd_verify, "IMAGE is required");
    ret = cli_keyless_policy(&cli_cmd_verify, &kl, keyspec != NULL, &polbuf,
                             &pol);
    if (ret)
        return ret;
    if (strcmp(output, "json") != 0 && strcmp(output, "text") != 0)
        return cli_usage_error(&cli_cmd_verify, "-o must be json or text");
    json = strcmp(output, "json") == 0;
    ret = keyspec ? cli_key_public(&k, keyspec) : CLI_EXIT_OK;
    if (!ret)
        ret = cli_open_image(&s, &digest, ctx, image, CLI_OPEN_DIGEST_AS_IS);
    if (ret)
        goto done;
    memset(&o, 0, sizeof(o));
    o.annotations = an.v;
    o.n_annotations = an.n;
    o.ctx = &ctx->sg;
    o.keyless = pol;
    if (!sg_oci_ref_string(&name, sg_oci_store_ref(s)))
        o.docker_reference = name.data;
    rc = sg_verify_image(&r, s, digest, k, &o);
    for (size_t i = 0; i < r.n_items; i++) {
        const struct sg_verify_item *it = &r.items[i];
        if (!it->ok) {
            cli_print_rejected(it->source, it->reason);
            continue;
        }
        /* keyless: cosign prints the certificate's subject and issuer in
         * text mode; sigil also with -v */
        if (!json || ctx->verbosity > 0)
            cli_keyless_print_facts(it->keyless);
        if ((json && sg_buf_adds(&out, n_ok ? "," : "[")) ||
            (json && it->keyless
                 ? cli_keyless_payload(&out, it->payload, it->payload_len,
                                       it->keyless) != 0
                 : sg_buf_add(&out, it->payload, it->payload_len) != SG_OK) ||
            (!json && sg_buf_addc(&out, '\n')))
            rc = SG_ENOMEM;
        n_ok++;
    }
    if (!rc && json && sg_buf_adds(&out, "]\n"))
        rc = SG_ENOMEM;
    if (rc) {
        ret = cli_fail(rc, "verify %s", image);
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
                cli_image_len(image, digest), image, digest,
                pol ? "the code-signing certificates, verified using "
                      "trusted certificate authority certificates\n"
                      "  - Existence of the claims in the transparency log "
                      "was verified offline\n"
                      "  - The certificate identity and issuer matched"
                    : "the specified public key",
                n_ok, r.n_items);
    ret = cli_output(NULL, out.data, out.len);
done:
    sg_verify_result_release(&r);
    sg_oci_store_free(s);
    sg_sign_key_free(k);
    sg_buf_release(&out);
    sg_buf_release(&name);
    free(digest);
    return ret;
}

/* ------------------------------------------------------------------ */
/* verify-blob                                                          */

int cli_run_verify_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyspec = NULL, *cert = NULL, *sigarg = NULL, *file = NULL,
               *bundle = NULL;
    struct sg_buf data = SG_BUF_INIT(BLOB_MAX), sig = SG_BUF_INIT(1 << 20);
    struct sg_sign_key *k = NULL;
    struct cli_keyless kl = { 0 };
    int tlog = 0, ret;
    sg_err rc;
    struct cli_opt opts[5 + CLI_KEYLESS_N_OPTS] = {
        { .name = "--key", .alt = "-k", .value = &keyspec },
        { .name = "--certificate", .value = &cert },
        { .name = "--signature", .value = &sigarg },
        { .name = "--insecure-ignore-tlog", .flag = &tlog, .eq_ok = 1 },
        { .name = "--bundle", .value = &bundle },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts), .pos = &file };

    cli_keyless_opts(opts + 5, &kl);
    if (cli_parse_args(ctx, &cli_cmd_verify_blob, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (bundle) {
        struct cli_bundle_args ba = { .cmd = &cli_cmd_verify_blob,
                                      .keyless = &kl,
                                      .bundle = bundle,
                                      .key = keyspec,
                                      .ignore_tlog = tlog,
                                      .file = file };
        if (cert || sigarg || !file)
            return cli_usage_error(&cli_cmd_verify_blob,
                                   "--bundle takes FILE and no --signature "
                                   "or --certificate");
        return cli_verify_blob_bundle(ctx, &ba);
    }
    if (cli_keyless_wanted(&kl))
        return cli_usage_error(&cli_cmd_verify_blob,
                               "keyless verification needs --bundle");
    if ((!keyspec == !cert) || !sigarg || !file)
        return cli_usage_error(&cli_cmd_verify_blob,
                               "one of --key/--certificate, --signature and "
                               "FILE are required");
    ret = cli_key_public(&k, keyspec ? keyspec : cert);
    if (ret)
        goto done;
    rc = sg_file_read(&sig, sigarg, 1 << 20);
    if (rc == SG_ENOTFOUND) {
        /* not a file: the base64 signature itself, as cosign allows */
        sg_buf_reset(&sig);
        rc = sg_buf_adds(&sig, sigarg);
    }
    if (rc) {
        ret = cli_error(rc); /* names the file */
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
done:
    sg_sign_key_free(k);
    sg_buf_release(&data);
    sg_buf_release(&sig);
    return ret;
}

/* ------------------------------------------------------------------ */
/* triangulate                                                          */

int cli_run_triangulate(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *image = NULL, *type = "signature", *suffix;
    struct sg_oci_store *s = NULL;
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const struct sg_oci_ref *r;
    char *digest = NULL;
    int ret;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--type", .value = &type },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts), .pos = &image };

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
    ret =
        rc ? cli_fail(rc, "triangulate") : cli_output(NULL, out.data, out.len);
done:
    free(digest);
    sg_buf_release(&out);
    sg_oci_store_free(s);
    return ret;
}

/*
 * Attestation commands (cosign-format.md §3, §4): attest, attest-blob,
 * verify-attestation, verify-blob-attestation, tree, download, attach,
 * and the sbom --attest [--sign] pipeline step. Every image command
 * resolves the reference to a digest once and works on that digest.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "sigil/sign.h"
#include "sigil/verify.h"
#include "cli_keyless_image.h"

/* ------------------------------------------------------------------ */
/* Shared helpers                                                       */

/* cosign's docker-reference: "registry/repository" (no tag). */
static int subject_name(struct sg_buf *out, struct sg_oci_store *s)
{
    sg_err rc = sg_oci_ref_repo_name(out, sg_oci_store_ref(s));

    return rc ? cli_fail(rc, "subject name") : CLI_EXIT_OK;
}

/* SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
static long long now_or_epoch(void)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    long long v;

    if (e && e[0]) {
        errno = 0;
        v = strtoll(e, &end, 10);
        if (!errno && end && !*end && v >= 0)
            return v;
    }
    return (long long)time(NULL);
}

/* sha256 of a file, streamed; a failure is printed ("sigil: PATH: ..."). */
static int blob_digest(char out[SG_DIGEST_STR_MAX], const char *path)
{
    struct sg_digester *d = NULL;
    unsigned char chunk[65536];
    size_t n;
    FILE *f;
    sg_err rc;

    f = fopen(path, "rb");
    if (!f)
        return cli_fail(sg_error_errno(path, errno), "%s", path);
    rc = sg_digester_create(&d, "sha256");
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = sg_digester_update(d, chunk, n);
    if (!rc && ferror(f))
        rc = sg_error_errno(path, EIO);
    if (!rc)
        rc = sg_digester_final(d, out, SG_DIGEST_STR_MAX);
    sg_digester_free(d);
    fclose(f);
    return rc ? cli_fail(rc, "%s", path) : CLI_EXIT_OK;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s && s[1] ? s + 1 : path;
}

/* Print JSON text on one line: raw CR/LF can only be whitespace between
 * tokens in valid JSON (inside strings they must be escaped). */
static void print_one_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        putchar(p[i] == '\n' || p[i] == '\r' ? ' ' : p[i]);
    putchar('\n');
}

/* ------------------------------------------------------------------ */
/* attest                                                               */

static int
parse_statement_version(const struct cli_command *cmd, const char *v, int *out)
{
    if (strcmp(v, "1") == 0 || strcmp(v, "v1") == 0)
        *out = 1;
    else if (strcmp(v, "0.1") == 0 || strcmp(v, "v0.1") == 0)
        *out = 0;
    else
        return cli_usage_error(cmd, "--statement-version: 0.1 or 1, not %s", v);
    return CLI_EXIT_OK;
}

/* State the attest/attest-blob option callbacks fill in. */
struct attest_opts {
    const struct cli_command *cmd;
    int version; /* --statement-version: 0 (0.1) or 1 */
    struct sg_sign_annotation ann[SG_SIGN_ANNOTATIONS_MAX];
    size_t n_ann;
};

static int take_version(void *arg, char *v)
{
    struct attest_opts *o = arg;

    return parse_statement_version(o->cmd, v, &o->version);
}

static int take_annotation(void *arg, char *v)
{
    struct attest_opts *o = arg;

    if (sg_sign_annotation_parse(o->ann, &o->n_ann, v))
        return cli_usage_error(o->cmd, "%s", sg_error_last());
    return CLI_EXIT_OK;
}

/* Statement options for a subject (name may be NULL) at now_or_epoch();
 * version and annotations from ao when given. */
static void statement_opts(struct sg_attest_statement_opts *o,
                           const char *type,
                           const char *name,
                           const char *digest,
                           const struct attest_opts *ao)
{
    memset(o, 0, sizeof(*o));
    o->type = type;
    o->subject_name = name;
    o->digest = digest;
    o->timestamp = now_or_epoch();
    if (ao) {
        o->version = ao->version;
        o->annotations = ao->ann;
        o->n_annotations = ao->n_ann;
    }
}

/* Attest the image at digest in s (attest, sbom --attest): the subject
 * name goes to name, failures are printed. */
static int attest_stored_image(struct sg_buf *name,
                               struct sg_oci_store *s,
                               const char *digest,
                               const char *type,
                               const struct attest_opts *ao,
                               const void *pred,
                               size_t len,
                               const struct sg_sign_key *k)
{
    struct sg_attest_statement_opts o;
    int ret = subject_name(name, s);
    sg_err rc;

    if (ret)
        return ret;
    /* Layouts have no repository name: no subject name then. */
    statement_opts(&o, type, name->len ? name->data : NULL, digest, ao);
    rc = sg_attest_image(s, &o, pred, len, k);
    return rc ? cli_fail(rc, "attest %s@%s", name->data, digest) : CLI_EXIT_OK;
}

static int run_attest(struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_cmd_attest = {
    "attest", "Attach a signed in-toto attestation",
    "usage: sigil attest --key KEY --predicate FILE [--type TYPE]\n"
    "                    [--statement-version 0.1|1] [-a KEY=VALUE]... "
    "IMAGE\n"
    "\n"
    "Wrap FILE in an in-toto Statement whose subject is IMAGE's repository\n"
    "and sha256 digest (resolved once), sign it as a DSSE envelope\n"
    "(payloadType application/vnd.in-toto+json, signature over PAE) and\n"
    "append it as a layer to the tag sha256-<hex>.att, as cosign attest\n"
    "does (layer media type application/vnd.dsse.envelope.v1+json,\n"
    "annotation predicateType).\n"
    "\n"
    "  --key KEY              private key: cosign.key (password from\n"
    "                         COSIGN_PASSWORD or a prompt) or a PEM key\n"
    "  --predicate FILE       the predicate (an SBOM, provenance, ...)\n"
    "  --type TYPE            custom (default), spdxjson, spdx, cyclonedx,\n"
    "                         slsaprovenance, slsaprovenance02,\n"
    "                         slsaprovenance1, link, vuln, openvex, or a\n"
    "                         predicate type URI\n"
    "  --statement-version V  0.1 (default, what cosign writes) or 1\n"
    "  -a, --annotations K=V  subject annotation (Statement v1 only)\n"
    "\n"
    "IMAGE is a registry reference or oci-dir:PATH[:tag] (see sigil help\n"
    "copy). Prints the attested digest. Registry options: --platform,\n"
    "--ca-file, --insecure-registry, --username, --password-stdin.\n",
    run_attest
};

static int run_attest(struct cli_ctx *ctx, int argc, char **argv)
{
    const struct cli_command *cmd = &cli_cmd_attest;
    const char *key = NULL, *pred_path = NULL, *type = "custom", *image = NULL;
    struct attest_opts ao = { .cmd = &cli_cmd_attest };
    struct sg_oci_store *s = NULL;
    struct sg_sign_key *k = NULL;
    struct sg_buf pred = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_buf name = SG_BUF_INIT(4096);
    char *digest = NULL;
    int ret;
    const struct cli_opt opts[] = {
        { .name = "--key", .value = &key },
        { .name = "--predicate", .value = &pred_path },
        { .name = "--type", .value = &type },
        { .name = "--statement-version", .take = take_version, .arg = &ao },
        { .name = "--annotations",
          .alt = "-a",
          .take = take_annotation,
          .arg = &ao },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &image,
                          .max_pos = 1,
                          .too_many = "one IMAGE only" };

    if (cli_parse_args(ctx, cmd, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!key || !pred_path || !image)
        return cli_usage_error(cmd, "--key, --predicate and IMAGE are "
                                    "required");
    if (!sg_attest_type_valid(type))
        return cli_usage_error(cmd,
                               "unknown --type %s (a cosign type name "
                               "or a URI)",
                               type);
    if (ao.n_ann && ao.version != 1)
        return cli_usage_error(cmd, "-a needs --statement-version 1 "
                                    "(Statement v0.1 subjects have no "
                                    "annotations)");

    ret = cli_read_file(&pred, pred_path, SG_ATTEST_ENVELOPE_MAX);
    if (ret)
        goto done;
    ret = cli_key_private(&k, key, "Enter password for private key: ");
    if (!ret)
        ret = cli_open_image(&s, &digest, ctx, image, SG_OCI_OPEN_WRITE);
    if (!ret)
        ret = attest_stored_image(&name, s, digest, type, &ao, pred.data,
                                  pred.len, k);
    if (ret)
        goto done;
    if (ctx->verbosity)
        fprintf(stderr, "sigil: attestation (%s) stored for %s@%s\n",
                sg_attest_predicate_uri(type), name.data, digest);
    printf("%s\n", digest);
done:
    free(digest);
    sg_sign_key_free(k);
    sg_oci_store_free(s);
    sg_buf_release(&pred);
    sg_buf_release(&name);
    return ret;
}

/* ------------------------------------------------------------------ */
/* attest-blob                                                          */

static int run_attest_blob(struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_cmd_attest_blob = {
    "attest-blob", "Make a signed attestation for a file",
    "usage: sigil attest-blob --key KEY --predicate FILE [--type TYPE]\n"
    "                         [--statement-version 0.1|1]\n"
    "                         [--output-attestation OUT] BLOB\n"
    "\n"
    "Like attest, for a local file: the subject is the file's base name\n"
    "and sha256. The DSSE envelope is written to OUT (atomically) or to\n"
    "standard output. Nothing is stored in a registry.\n",
    run_attest_blob
};

static int run_attest_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    const struct cli_command *cmd = &cli_cmd_attest_blob;
    const char *key = NULL, *pred_path = NULL, *type = "custom", *blob = NULL;
    const char *out_path = NULL;
    struct attest_opts ao = { .cmd = &cli_cmd_attest_blob };
    struct sg_attest_statement_opts o;
    struct sg_sign_key *k = NULL;
    struct sg_buf pred = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_buf st = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_buf env = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char digest[SG_DIGEST_STR_MAX];
    int ret;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--key", .value = &key },
        { .name = "--predicate", .value = &pred_path },
        { .name = "--type", .value = &type },
        { .name = "--output-attestation", .value = &out_path },
        { .name = "--statement-version", .take = take_version, .arg = &ao },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &blob,
                          .max_pos = 1,
                          .too_many = "one BLOB only" };

    if (cli_parse_args(ctx, cmd, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!key || !pred_path || !blob)
        return cli_usage_error(cmd, "--key, --predicate and BLOB are "
                                    "required");
    if (!sg_attest_type_valid(type))
        return cli_usage_error(cmd, "unknown --type %s", type);

    ret = cli_read_file(&pred, pred_path, SG_ATTEST_ENVELOPE_MAX);
    if (ret)
        goto done;
    ret = blob_digest(digest, blob);
    if (ret)
        goto done;
    ret = cli_key_private(&k, key, "Enter password for private key: ");
    if (ret)
        goto done;
    statement_opts(&o, type, base_name(blob), digest, &ao);
    rc = sg_attest_statement_build(&st, &o, pred.data, pred.len);
    if (!rc)
        rc = sg_dsse_envelope_sign(&env, SG_INTOTO_PAYLOAD_TYPE, st.data,
                                   st.len, k);
    if (!rc && !out_path)
        rc = sg_buf_addc(&env, '\n');
    if (!rc)
        rc = cli_write_output(out_path, env.data, env.len);
    if (rc)
        ret = cli_fail(rc, "attest-blob %s", blob);
done:
    sg_sign_key_free(k);
    sg_buf_release(&pred);
    sg_buf_release(&st);
    sg_buf_release(&env);
    return ret;
}

/* ------------------------------------------------------------------ */
/* verify-attestation                                                   */

static int run_verify_attestation(struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_cmd_verify_attestation = {
    "verify-attestation", "Verify an image's attestations",
    "usage: sigil verify-attestation (--key PUB | --certificate-identity ID\n"
    "                                 --certificate-oidc-issuer ISS ...)\n"
    "                                [--type TYPE]\n"
    "                                [-o text|json|envelope]\n"
    "                                [--allow-legacy-payload-type] IMAGE\n"
    "\n"
    "Check every attestation of IMAGE's digest (resolved once): the layers\n"
    "of sha256-<hex>.att and the cosign v3 Sigstore bundles among its OCI\n"
    "referrers. Each must be a DSSE envelope with payloadType\n"
    "application/vnd.in-toto+json whose signature verifies over PAE with\n"
    "PUB, holding an in-toto Statement that names the image's sha256 and,\n"
    "with --type, has that predicate type (names as in sigil help attest,\n"
    "any other value compared literally).\n"
    "\n"
    "Output, one line per verified attestation:\n"
    "  -o text (default)  the statement JSON\n"
    "  -o json            {\"source\",\"predicateType\",\"statement\"}\n"
    "  -o envelope        the DSSE envelope JSON (what cosign prints)\n"
    "\n"
    "--allow-legacy-payload-type accepts envelopes from early cosign that\n"
    "put the predicate type in payloadType (current cosign rejects them).\n"
    "With the identity flags instead of --key, keyless (certificate)\n"
    "attestations are checked against the trusted root as sigil verify\n"
    "does; a keyless attestation never passes a --key check and vice\n"
    "versa.\n" CLI_KEYLESS_IMAGE_USAGE "\n"
    "Exit status: 0 when at least one attestation passed every check; 3\n"
    "when none did (each reason printed); 1 on registry or other errors.\n",
    run_verify_attestation
};

enum out_fmt {
    OUT_TEXT,
    OUT_JSON,
    OUT_ENVELOPE
};

/* What verify-attestation and verify-blob-attestation check. */
static struct sg_attest_check attest_check(const struct sg_sign_key *k,
                                           const char *digest,
                                           const char *type,
                                           int legacy)
{
    struct sg_attest_check c;

    memset(&c, 0, sizeof(c));
    c.key = k;
    c.digest = digest;
    c.type = type;
    c.flags = legacy ? SG_ATTEST_ALLOW_LEGACY_PAYLOAD_TYPE : 0;
    return c;
}

static int take_out_fmt(void *arg, char *v)
{
    enum out_fmt *fmt = arg;

    if (strcmp(v, "text") == 0)
        *fmt = OUT_TEXT;
    else if (strcmp(v, "json") == 0)
        *fmt = OUT_JSON;
    else if (strcmp(v, "envelope") == 0)
        *fmt = OUT_ENVELOPE;
    else
        return cli_usage_error(&cli_cmd_verify_attestation,
                               "-o: text, json or envelope");
    return CLI_EXIT_OK;
}

static void print_item(const struct sg_attest_item *it, enum out_fmt f)
{
    json_t *o, *st;
    char *txt;

    if (f == OUT_ENVELOPE && it->envelope) {
        print_one_line(it->envelope, it->envelope_len);
        return;
    }
    if (f == OUT_TEXT || !it->statement) {
        print_one_line(it->statement, it->statement_len);
        return;
    }
    st = json_loadb(it->statement, it->statement_len, JSON_REJECT_DUPLICATES,
                    NULL);
    o = json_object();
    if (st && o && !json_object_set_new(o, "source", json_string(it->source)) &&
        !json_object_set_new(o, "predicateType",
                             json_string(it->predicate_type)) &&
        !json_object_set(o, "statement", st) &&
        (txt = json_dumps(o, JSON_COMPACT))) {
        printf("%s\n", txt);
        free(txt);
    }
    json_decref(st);
    json_decref(o);
}

/* The length of IMAGE to print before "@DIGEST" (an IMAGE that already
 * ends in "@DIGEST" is not printed with it twice). */
static int banner_len(const char *image, const char *digest)
{
    size_t n = strlen(image), d = strlen(digest);

    if (n > d && image[n - d - 1] == '@' && strcmp(image + n - d, digest) == 0)
        n -= d + 1;
    return n > INT_MAX ? INT_MAX : (int)n;
}

static int run_verify_attestation(struct cli_ctx *ctx, int argc, char **argv)
{
    const struct cli_command *cmd = &cli_cmd_verify_attestation;
    const char *key = NULL, *type = NULL, *image = NULL;
    enum out_fmt fmt = OUT_TEXT;
    struct sg_attest_check c;
    struct sg_attest_result res = { NULL, 0 };
    struct sg_oci_store *s = NULL;
    struct sg_sign_key *k = NULL;
    struct cli_keyless_image kl = { 0 };
    const struct sg_keyless_policy *pol = NULL;
    char *digest = NULL;
    int legacy = 0, ret;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--key", .value = &key },
        CLI_KEYLESS_IMAGE_OPTS(&kl),
        { .name = "--type", .value = &type },
        { .name = "--output", .alt = "-o", .take = take_out_fmt, .arg = &fmt },
        { .name = "--allow-legacy-payload-type", .flag = &legacy },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &image,
                          .max_pos = 1,
                          .too_many = "one IMAGE only" };

    if (cli_parse_args(ctx, cmd, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!image)
        return cli_usage_error(cmd, "IMAGE is required");
    ret = cli_keyless_image_policy(cmd, &kl, key, &pol);
    if (ret)
        return ret;

    ret = key ? cli_key_public(&k, key) : CLI_EXIT_OK;
    if (!ret)
        ret = cli_open_image(&s, &digest, ctx, image, 0);
    if (ret)
        goto done;
    c = attest_check(k, digest, type, legacy);
    c.keyless = pol;
    rc = sg_verify_image_attestations(&res, s, &c);
    if (rc && rc != SG_EVERIFY) {
        ret = cli_fail(rc, "verify-attestation %s", image);
        goto done;
    }
    for (size_t i = 0; i < res.n_items; i++) {
        const struct sg_attest_item *it = &res.items[i];
        if (it->ok)
            print_item(it, fmt);
        else if (rc || ctx->verbosity > 1)
            fprintf(stderr, "sigil: %s: %s\n", it->source, it->reason);
    }
    fflush(stdout);
    if (rc) {
        ret = cli_fail(rc, "verify-attestation %.*s@%s",
                       banner_len(image, digest), image, digest);
        goto done;
    }
    if (ctx->verbosity)
        fprintf(stderr,
                "Verification for %.*s@%s --\n"
                "The following checks were performed on each of these "
                "attestations:\n"
                "  - The DSSE signatures were verified over PAE against "
                "%s\n"
                "  - The statement subject names the image digest%s\n",
                banner_len(image, digest), image, digest,
                pol ? "certificates chained to the trusted root (log "
                      "evidence and identity checked)"
                    : "the specified public key",
                type ? "\n  - The predicate type matched --type" : "");
done:
    sg_attest_result_release(&res);
    free(digest);
    sg_sign_key_free(k);
    sg_oci_store_free(s);
    return ret;
}

/* ------------------------------------------------------------------ */
/* verify-blob-attestation                                              */

static int
run_verify_blob_attestation(struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_cmd_verify_blob_attestation = {
    "verify-blob-attestation", "Verify a file's attestation",
    "usage: sigil verify-blob-attestation --key PUB --signature ENVELOPE\n"
    "                                     [--type TYPE]\n"
    "                                     [--allow-legacy-payload-type] "
    "BLOB\n"
    "\n"
    "Check the DSSE envelope ENVELOPE (as written by attest-blob or cosign\n"
    "attest-blob): signature over PAE with PUB, payloadType\n"
    "application/vnd.in-toto+json, a statement subject naming BLOB's\n"
    "sha256, and with --type the predicate type. Exit 0 when it passes,\n"
    "3 with the reason when not, 1 on other errors.\n",
    run_verify_blob_attestation
};

static int
run_verify_blob_attestation(struct cli_ctx *ctx, int argc, char **argv)
{
    const struct cli_command *cmd = &cli_cmd_verify_blob_attestation;
    const char *key = NULL, *sig = NULL, *type = NULL, *blob = NULL;
    struct sg_buf env = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_attest_check c;
    struct sg_sign_key *k = NULL;
    char digest[SG_DIGEST_STR_MAX];
    int legacy = 0, ret;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--key", .value = &key },
        { .name = "--signature", .value = &sig },
        { .name = "--type", .value = &type },
        { .name = "--allow-legacy-payload-type", .flag = &legacy },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &blob,
                          .max_pos = 1,
                          .too_many = "one BLOB only" };

    if (cli_parse_args(ctx, cmd, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!key || !sig || !blob)
        return cli_usage_error(cmd, "--key, --signature and BLOB are "
                                    "required");
    ret = cli_key_public(&k, key);
    if (ret)
        goto done;
    ret = cli_read_file(&env, sig, SG_ATTEST_ENVELOPE_MAX);
    if (ret)
        goto done;
    ret = blob_digest(digest, blob);
    if (ret)
        goto done;
    c = attest_check(k, digest, type, legacy);
    rc = sg_verify_attestation_envelope(NULL, env.data, env.len, &c);
    if (rc) {
        /* A malformed envelope is a failed verification too. */
        ret = cli_fail(rc == SG_EPARSE || rc == SG_ELIMIT ? SG_EVERIFY : rc,
                       "%s", sig);
        goto done;
    }
    if (ctx->verbosity)
        fprintf(stderr, "Verified OK\n");
done:
    sg_sign_key_free(k);
    sg_buf_release(&env);
    return ret;
}

/* ------------------------------------------------------------------ */
/* tree, download: reading what is attached                             */

/* Shared front part of tree/download: options, store, digest. */
struct image_args {
    const char *image;
    const char *output;    /* download --output-file */
    const char *pred_type; /* download attestation --predicate-type */
    struct sg_oci_store *s;
    char *digest;
};

static int open_image(struct cli_ctx *ctx,
                      const struct cli_command *cmd,
                      int argc,
                      char **argv,
                      struct image_args *a,
                      int first)
{
    const struct cli_opt opts[] = {
        { .name = "--output-file", .value = &a->output },
        { .name = "--predicate-type", .value = &a->pred_type },
    };
    struct cli_args ca = { .opts = opts,
                           .n_opts = CLI_N(opts),
                           .pos = &a->image,
                           .max_pos = 1,
                           .too_many = "one IMAGE only" };

    if (cli_parse_args(ctx, cmd, argc, argv, first, &ca))
        return CLI_EXIT_USAGE;
    if (!a->image)
        return cli_usage_error(cmd, "IMAGE is required");
    return cli_open_image(&a->s, &a->digest, ctx, a->image, 0);
}

static void image_args_release(struct image_args *a)
{
    sg_oci_store_free(a->s);
    free(a->digest);
}

static int run_tree(struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_cmd_tree = {
    "tree", "Show what is attached to an image",
    "usage: sigil tree IMAGE\n"
    "\n"
    "List what is attached to IMAGE's digest: signatures\n"
    "(sha256-<hex>.sig), attestations with their predicate types\n"
    "(sha256-<hex>.att), a legacy SBOM (sha256-<hex>.sbom) and OCI\n"
    "referrers with their artifact types.\n",
    run_tree
};

static int tree_section(struct sg_oci_store *s,
                        const char *digest,
                        const char *suffix,
                        const char *title,
                        int *found)
{
    struct sg_oci_manifest *m = NULL;
    struct sg_buf tag = SG_BUF_INIT(256);
    const char *pt;
    sg_err rc;

    rc = sg_sign_attached_manifest(&m, s, digest, suffix, &tag);
    if (rc) {
        int ret = cli_fail(rc, "%s", tag.data);
        sg_buf_release(&tag);
        return ret;
    }
    if (m) {
        *found = 1;
        printf("%s (%s): %zu\n", title, tag.data, m->n_layers);
        for (size_t i = 0; i < m->n_layers; i++) {
            const struct sg_oci_descriptor *d = &m->layers[i];
            pt = sg_oci_descriptor_annotation(d, SG_ANNOT_PREDICATE_TYPE);
            if (pt)
                printf("  - %s predicateType=%s\n", d->digest, pt);
            else
                printf("  - %s mediaType=%s\n", d->digest, d->media_type);
        }
    }
    sg_oci_manifest_free(m);
    sg_buf_release(&tag);
    return CLI_EXIT_OK;
}

static int run_tree(struct cli_ctx *ctx, int argc, char **argv)
{
    struct image_args a;
    struct sg_buf idx = SG_BUF_INIT(sg_limits_default()->manifest_max);
    struct sg_oci_manifest *index = NULL;
    int ret, found = 0;
    sg_err rc;

    memset(&a, 0, sizeof(a));
    ret = open_image(ctx, &cli_cmd_tree, argc, argv, &a, 1);
    if (ret)
        goto done;
    printf("%s@%s\n", a.image, a.digest);
    ret = tree_section(a.s, a.digest, "sig", "signatures", &found);
    if (!ret)
        ret = tree_section(a.s, a.digest, "att", "attestations", &found);
    if (!ret)
        ret = tree_section(a.s, a.digest, "sbom", "sbom", &found);
    if (ret)
        goto done;
    rc = sg_oci_store_referrers(a.s, a.digest, NULL, &idx);
    if (rc == SG_ENOTFOUND || rc == SG_EUNSUPPORTED) {
        rc = SG_OK;
        sg_buf_reset(&idx);
    }
    if (!rc && idx.len)
        rc = sg_oci_manifest_parse(&index, idx.data, idx.len, SG_MT_OCI_INDEX);
    if (rc) {
        ret = cli_fail(rc, "referrers of %s", a.digest);
        goto done;
    }
    if (index && index->n_layers) {
        found = 1;
        printf("referrers: %zu\n", index->n_layers);
        for (size_t i = 0; i < index->n_layers; i++)
            printf("  - %s artifactType=%s\n", index->layers[i].digest,
                   index->layers[i].artifact_type
                       ? index->layers[i].artifact_type
                       : "(none)");
    }
    if (!found)
        printf("(nothing attached)\n");
done:
    sg_oci_manifest_free(index);
    sg_buf_release(&idx);
    image_args_release(&a);
    return ret;
}

static int run_download(struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_cmd_download = {
    "download", "Download signatures, attestations or SBOMs",
    "usage: sigil download signature IMAGE\n"
    "       sigil download attestation [--predicate-type TYPE] IMAGE\n"
    "       sigil download sbom [--output-file FILE] IMAGE\n"
    "\n"
    "Print the objects stored for IMAGE's digest, as cosign download does:\n"
    "  signature    one JSON object per line per .sig layer:\n"
    "               {\"Base64Signature\",\"Payload\"(base64)[,\"Cert\","
    "\"Chain\"]\n"
    "               [,\"Bundle\",\"RFC3161Timestamp\"]} (the last two are\n"
    "               the JSON annotations, when present)\n"
    "  attestation  each .att DSSE envelope as stored, one per line\n"
    "               (--predicate-type filters by the layer annotation)\n"
    "  sbom         the raw SBOM bytes of the legacy .sbom tag (exactly one\n"
    "               layer), to standard output or --output-file\n"
    "Nothing is verified: use verify / verify-attestation for that.\n",
    run_download
};

static sg_err print_envelope(const struct sg_oci_descriptor *d,
                             const void *blob,
                             size_t len,
                             void *payload)
{
    (void)d;
    (void)payload;
    print_one_line(blob, len);
    return SG_OK;
}

/* One compact JSON object per line, as cosign prints them. */
static sg_err print_signatures(const json_t *arr)
{
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o)
    {
        char *txt = json_dumps(o, JSON_COMPACT);
        if (!txt)
            return sg_error_oom();
        printf("%s\n", txt);
        free(txt);
    }
    return SG_OK;
}

static int download_layers(struct image_args *a, const char *what)
{
    struct sg_buf blob = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    json_t *sigs = NULL;
    int ret = CLI_EXIT_OK;
    sg_err rc;

    if (strcmp(what, "signature") == 0) {
        rc = sg_sign_download_signatures(&sigs, a->s, a->digest);
        if (!rc)
            rc = print_signatures(sigs);
    } else if (strcmp(what, "attestation") == 0) {
        rc = sg_sign_download_attestations(
            a->s, a->digest,
            a->pred_type ? sg_attest_predicate_uri(a->pred_type) : NULL,
            print_envelope, NULL);
    } else {
        rc = sg_sign_download_sbom(&blob, a->s, a->digest);
        if (!rc)
            rc = cli_write_output(a->output, blob.data, blob.len);
    }
    if (rc)
        ret = cli_fail(rc, "download %s %s", what, a->image);
    fflush(stdout);
    json_decref(sigs);
    sg_buf_release(&blob);
    return ret;
}

static int run_download(struct cli_ctx *ctx, int argc, char **argv)
{
    struct image_args a;
    int ret;

    if (argc < 2 ||
        (strcmp(argv[1], "signature") != 0 &&
         strcmp(argv[1], "attestation") != 0 && strcmp(argv[1], "sbom") != 0))
        return cli_usage_error(&cli_cmd_download,
                               "what to download: signature, attestation "
                               "or sbom");
    memset(&a, 0, sizeof(a));
    ret = open_image(ctx, &cli_cmd_download, argc, argv, &a, 2);
    if (!ret)
        ret = download_layers(&a, argv[1]);
    image_args_release(&a);
    return ret;
}

/* ------------------------------------------------------------------ */
/* attach sbom (deprecated, as in cosign)                               */

static int run_attach(struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_cmd_attach = {
    "attach", "Attach an SBOM under the legacy .sbom tag (deprecated)",
    "usage: sigil attach sbom --sbom FILE [--type spdx|cyclonedx|syft]\n"
    "                         [--input-format json|xml|text] IMAGE\n"
    "\n"
    "DEPRECATED, as in cosign: the SBOM is stored unsigned. Prefer\n"
    "'sigil attest --type spdxjson|cyclonedx' or 'sigil sbom --attest'.\n"
    "\n"
    "Push FILE as the single layer of the tag sha256-<hex>.sbom for\n"
    "IMAGE's digest (replacing what was there), with cosign's media type:\n"
    "spdx: text/spdx, or text/spdx+json for a .json file or\n"
    "--input-format json; cyclonedx: application/vnd.cyclonedx+xml, or\n"
    "+json likewise; syft: application/vnd.syft+json. --type defaults to\n"
    "spdx.\n",
    run_attach
};

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int run_attach(struct cli_ctx *ctx, int argc, char **argv)
{
    const struct cli_command *cmd = &cli_cmd_attach;
    const char *file = NULL, *type = "spdx", *fmt = NULL, *image = NULL;
    const char *mt;
    struct sg_buf sbom = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_oci_store *s = NULL;
    char *digest = NULL;
    int ret, json;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--sbom", .value = &file },
        { .name = "--type", .value = &type },
        { .name = "--input-format", .value = &fmt },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &image,
                          .max_pos = 1,
                          .too_many = "one IMAGE only" };

    if (argc < 2 || strcmp(argv[1], "sbom") != 0)
        return cli_usage_error(cmd, "only 'attach sbom' is supported");
    if (cli_parse_args(ctx, cmd, argc, argv, 2, &a))
        return CLI_EXIT_USAGE;
    if (!file || !image)
        return cli_usage_error(cmd, "--sbom and IMAGE are required");
    if (fmt && strcmp(fmt, "json") != 0 && strcmp(fmt, "xml") != 0 &&
        strcmp(fmt, "text") != 0)
        return cli_usage_error(cmd, "--input-format: json, xml or text");
    json = fmt ? strcmp(fmt, "json") == 0 : ends_with(file, ".json");
    if (strcmp(type, "spdx") == 0)
        mt = json ? "text/spdx+json" : "text/spdx";
    else if (strcmp(type, "cyclonedx") == 0)
        mt = json ? "application/vnd.cyclonedx+json"
                  : "application/vnd.cyclonedx+xml";
    else if (strcmp(type, "syft") == 0)
        mt = "application/vnd.syft+json";
    else
        return cli_usage_error(cmd, "--type: spdx, cyclonedx or syft");

    fprintf(stderr, "sigil: WARNING: SBOM attachments are deprecated (as in "
                    "cosign, sigstore/cosign#2755): the SBOM is not signed. "
                    "Use 'sigil attest --type spdxjson|cyclonedx' "
                    "instead.\n");
    ret = cli_read_file(&sbom, file, SG_ATTEST_ENVELOPE_MAX);
    if (ret)
        goto done;
    ret = cli_open_image(&s, &digest, ctx, image, SG_OCI_OPEN_WRITE);
    if (ret)
        goto done;
    rc = sg_attach_sbom(s, digest, sbom.data, sbom.len, mt);
    if (rc)
        ret = cli_fail(rc, "attach sbom %s", image);
    else
        printf("%s\n", digest);
done:
    free(digest);
    sg_oci_store_free(s);
    sg_buf_release(&sbom);
    return ret;
}

/* ------------------------------------------------------------------ */
/* The sbom --attest [--sign] pipeline step                             */

int cli_pipeline_attest(struct cli_ctx *ctx,
                        struct sg_oci_store *s,
                        const char *digest,
                        const char *key_path,
                        const void *sbom,
                        size_t sbom_len,
                        const char *predicate_type,
                        int do_sign)
{
    struct sg_sign_image_opts so;
    struct sg_sign_key *k = NULL;
    struct sg_buf name = SG_BUF_INIT(4096);
    int ret;
    sg_err rc;

    if (!predicate_type || !sg_attest_type_valid(predicate_type)) {
        fprintf(stderr, "sigil: sbom --attest: unknown predicate type %s\n",
                predicate_type ? predicate_type : "(none)");
        return CLI_EXIT_USAGE;
    }
    ret = cli_key_private(&k, key_path, "Enter password for private key: ");
    if (!ret)
        ret = attest_stored_image(&name, s, digest, predicate_type, NULL, sbom,
                                  sbom_len, k);
    if (ret)
        goto done;
    if (ctx->verbosity)
        fprintf(stderr, "sigil: SBOM attestation (%s) stored for %s@%s\n",
                sg_attest_predicate_uri(predicate_type), name.data, digest);
    if (do_sign) {
        memset(&so, 0, sizeof(so));
        so.docker_reference = name.data;
        rc = sg_sign_image(s, digest, k, &so);
        if (rc) {
            ret = cli_fail(rc, "sign %s@%s", name.data, digest);
            goto done;
        }
        if (ctx->verbosity)
            fprintf(stderr, "sigil: signature stored for %s@%s\n", name.data,
                    digest);
    }
    /* The caller (sigil sbom) prints the digest last, on stderr: the
     * SBOM itself may be going to stdout. */
done:
    sg_sign_key_free(k);
    sg_buf_release(&name);
    return ret;
}

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

/* ------------------------------------------------------------------ */
/* Shared helpers                                                       */

/* cosign's docker-reference: "registry/repository" (no tag). */
static int subject_name(struct sg_buf *out, struct sg_oci_store *s)
{
    sg_err rc = sg_oci_ref_repo_name(out, sg_oci_store_ref(s));

    return rc ? cli_fail(rc, "subject name") : CLI_EXIT_OK;
}

/* sha256 of a file, streamed; a failure is printed. */
static int blob_digest(char out[SG_DIGEST_STR_MAX], const char *path)
{
    struct sg_digester *d = NULL;
    unsigned char chunk[65536];
    size_t n;
    FILE *f;
    sg_err rc;

    f = fopen(path, "rb");
    if (!f)
        return cli_error(sg_error_errno(path, errno)); /* names path */
    rc = sg_digester_create(&d, "sha256");
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = sg_digester_update(d, chunk, n);
    if (!rc && ferror(f))
        rc = sg_error_set(SG_EIO, "read error");
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

/* What attest and attest-blob are given. */
struct attest_args {
    const struct cli_command *cmd;
    const char *key, *pred_path, *type;
    const char *target;   /* IMAGE or BLOB */
    const char *out_path; /* attest-blob --output-attestation */
    int version;          /* --statement-version: 0 (0.1) or 1 */
    int new_bundle;       /* --new-bundle-format: a v0.3 bundle referrer */
    struct cli_annotations ann;
};

static int take_version(void *arg, char *v)
{
    struct attest_args *o = arg;

    if (strcmp(v, "1") == 0 || strcmp(v, "v1") == 0)
        o->version = 1;
    else if (strcmp(v, "0.1") == 0 || strcmp(v, "v0.1") == 0)
        o->version = 0;
    else
        return cli_usage_error(o->cmd, "--statement-version: 0.1 or 1, not %s",
                               v);
    return CLI_EXIT_OK;
}

/* The front part of attest and attest-blob (`what`: "IMAGE" or "BLOB"):
 * options, the predicate file into pred, the private key into *k.
 * Returns an exit code (errors printed). */
static int attest_begin(struct attest_args *o,
                        struct cli_ctx *ctx,
                        int argc,
                        char **argv,
                        const char *what,
                        struct sg_buf *pred,
                        struct sg_sign_key **k)
{
    int blob = strcmp(what, "BLOB") == 0, ret;
    struct cli_sign_offline so = { 0 };
    struct cli_opt opts[6 + CLI_SIGN_OFFLINE_N_OPTS] = {
        { .name = "--key", .value = &o->key },
        { .name = "--predicate", .value = &o->pred_path },
        { .name = "--type", .value = &o->type },
        { .name = "--statement-version", .take = take_version, .arg = o },
        { .name = "--new-bundle-format", .flag = &o->new_bundle },
        blob ? (struct cli_opt){ .name = "--output-attestation",
                                 .value = &o->out_path }
             : (struct cli_opt)CLI_OPT_ANNOTATIONS(&o->ann),
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &o->target };

    o->type = "custom";
    o->ann.cmd = o->cmd;
    cli_sign_offline_opts(opts + 6, &so);
    if (cli_parse_args(ctx, o->cmd, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (cli_sign_offline_check(&so))
        return CLI_EXIT_USAGE;
    if (!o->key || !o->pred_path || !o->target)
        return cli_usage_error(o->cmd, "--key, --predicate and %s are required",
                               what);
    if (!sg_attest_type_valid(o->type))
        return cli_usage_error(o->cmd,
                               "unknown --type %s (a cosign type name "
                               "or a URI)",
                               o->type);
    if (blob && o->new_bundle)
        return cli_usage_error(o->cmd, "--new-bundle-format: not supported "
                                       "for blobs yet (use attest on an "
                                       "image)");
    if (o->ann.n && o->version != 1)
        return cli_usage_error(o->cmd, "-a needs --statement-version 1 "
                                       "(Statement v0.1 subjects have no "
                                       "annotations)");
    ret = cli_read_file(pred, o->pred_path, SG_ATTEST_ENVELOPE_MAX);
    if (!ret)
        ret = cli_key_private(k, o->key, CLI_KEY_PROMPT);
    return ret;
}

/* Statement options for a subject (name may be NULL) at
 * SOURCE_DATE_EPOCH or now; version and annotations from o when given. */
static void statement_opts(struct sg_attest_statement_opts *so,
                           const char *type,
                           const char *name,
                           const char *digest,
                           const struct attest_args *o)
{
    *so = (struct sg_attest_statement_opts){ .type = type,
                                             .subject_name = name,
                                             .digest = digest };
    cli_source_date_epoch(NULL, &so->timestamp, NULL); /* bad value: now */
    if (o) {
        so->version = o->version;
        so->annotations = o->ann.v;
        so->n_annotations = o->ann.n;
    }
}

/* Attest the image at digest in s (attest, sbom --attest): the subject
 * name goes to name, failures are printed. */
static int attest_stored_image(struct sg_buf *name,
                               struct sg_oci_store *s,
                               const char *digest,
                               const char *type,
                               const struct attest_args *o,
                               const void *pred,
                               size_t len,
                               const struct sg_sign_key *k)
{
    struct sg_attest_statement_opts so;
    int ret = subject_name(name, s);
    sg_err rc;

    if (ret)
        return ret;
    /* Layouts have no repository name: no subject name then. */
    statement_opts(&so, type, name->len ? name->data : NULL, digest, o);
    rc = o && o->new_bundle ? sg_attest_image_bundle(s, &so, pred, len, k)
                            : sg_attest_image(s, &so, pred, len, k);
    return rc ? cli_fail(rc, "attest %s@%s", name->data, digest) : CLI_EXIT_OK;
}

int cli_run_attest(struct cli_ctx *ctx, int argc, char **argv)
{
    struct attest_args o = { .cmd = &cli_cmd_attest };
    struct sg_oci_store *s = NULL;
    struct sg_sign_key *k = NULL;
    struct sg_buf pred = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_buf name = SG_BUF_INIT(4096);
    char *digest = NULL;
    int ret;

    ret = attest_begin(&o, ctx, argc, argv, "IMAGE", &pred, &k);
    if (!ret)
        ret = cli_open_image(&s, &digest, ctx, o.target, SG_OCI_OPEN_WRITE);
    if (!ret)
        ret = attest_stored_image(&name, s, digest, o.type, &o, pred.data,
                                  pred.len, k);
    if (ret)
        goto done;
    if (ctx->verbosity)
        fprintf(stderr, "sigil: attestation (%s) stored for %s@%s\n",
                sg_attest_predicate_uri(o.type), name.data, digest);
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

int cli_run_attest_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    struct attest_args o = { .cmd = &cli_cmd_attest_blob };
    struct sg_attest_statement_opts so;
    struct sg_sign_key *k = NULL;
    struct sg_buf pred = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_buf st = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_buf env = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char digest[SG_DIGEST_STR_MAX];
    int ret;
    sg_err rc;

    ret = attest_begin(&o, ctx, argc, argv, "BLOB", &pred, &k);
    if (!ret)
        ret = blob_digest(digest, o.target);
    if (ret)
        goto done;
    statement_opts(&so, o.type, base_name(o.target), digest, &o);
    rc = sg_attest_statement_build(&st, &so, pred.data, pred.len);
    if (!rc)
        rc = sg_dsse_envelope_sign(&env, SG_INTOTO_PAYLOAD_TYPE, st.data,
                                   st.len, k);
    if (!rc && !o.out_path)
        rc = sg_buf_addc(&env, '\n');
    ret = rc ? cli_fail(rc, "attest-blob %s", o.target)
             : cli_output(o.out_path, env.data, env.len);
done:
    sg_sign_key_free(k);
    sg_buf_release(&pred);
    sg_buf_release(&st);
    sg_buf_release(&env);
    return ret;
}

/* ------------------------------------------------------------------ */
/* verify-attestation                                                   */

enum out_fmt {
    OUT_TEXT,
    OUT_JSON,
    OUT_ENVELOPE
};

/* What verify-attestation and verify-blob-attestation are given. */
struct verify_args {
    const struct cli_command *cmd;
    const char *key, *type;
    const char *target;    /* IMAGE or BLOB */
    const char *signature; /* verify-blob-attestation --signature */
    enum out_fmt fmt;      /* verify-attestation -o */
    int legacy;            /* --allow-legacy-payload-type */
    const char *bundle;    /* verify-blob-attestation --bundle */
    int ignore_tlog;       /* --insecure-ignore-tlog (key mode) */
    struct cli_keyless kl; /* identity and trusted-root flags */
    struct sg_keyless_policy polbuf;
    const struct sg_keyless_policy *pol; /* images, keyless mode */
};

static int take_out_fmt(void *arg, char *v)
{
    struct verify_args *o = arg;

    if (strcmp(v, "text") == 0)
        o->fmt = OUT_TEXT;
    else if (strcmp(v, "json") == 0)
        o->fmt = OUT_JSON;
    else if (strcmp(v, "envelope") == 0)
        o->fmt = OUT_ENVELOPE;
    else
        return cli_usage_error(o->cmd, "-o: text, json or envelope");
    return CLI_EXIT_OK;
}

/* The front part of both (`what`: "IMAGE" or "BLOB"): options and the
 * public key into *k (not with --bundle: the bundle check loads its own).
 * Returns an exit code (errors printed). */
static int verify_begin(struct verify_args *o,
                        struct cli_ctx *ctx,
                        int argc,
                        char **argv,
                        const char *what,
                        struct sg_sign_key **k)
{
    int blob = strcmp(what, "BLOB") == 0;
    struct cli_opt opts[6 + CLI_KEYLESS_N_OPTS] = {
        { .name = "--key", .value = &o->key },
        { .name = "--type", .value = &o->type },
        { .name = "--allow-legacy-payload-type", .flag = &o->legacy },
        { .name = "--insecure-ignore-tlog",
          .flag = &o->ignore_tlog,
          .eq_ok = 1 },
        blob ? (struct cli_opt){ .name = "--signature", .value = &o->signature }
             : (struct cli_opt){ .name = "--output",
                                 .alt = "-o",
                                 .take = take_out_fmt,
                                 .arg = o },
        blob ? (struct cli_opt){ .name = "--bundle", .value = &o->bundle }
             : (struct cli_opt){ .name = "-o" }, /* never matched again */
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &o->target };

    cli_keyless_opts(opts + 6, &o->kl);
    if (cli_parse_args(ctx, o->cmd, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (o->bundle) {
        if (o->signature || o->legacy || !o->target)
            return cli_usage_error(o->cmd,
                                   "--bundle takes %s and no "
                                   "--signature",
                                   what);
        return CLI_EXIT_OK;
    }
    if (blob && cli_keyless_wanted(&o->kl))
        return cli_usage_error(o->cmd, "keyless verification needs --bundle");
    if (!blob && o->target) {
        /* images: --key, or keyless with the identity flags */
        int ret = cli_keyless_policy(o->cmd, &o->kl, o->key != NULL, &o->polbuf,
                                     &o->pol);
        if (ret || !o->key)
            return ret;
    }
    if (!o->key || !o->target || (blob && !o->signature))
        return cli_usage_error(o->cmd, "--key%s and %s are required",
                               blob ? ", --signature" : "", what);
    return cli_key_public(k, o->key);
}

/* What is checked: an attestation of digest by k, of o's type. */
static struct sg_attest_check attest_check(const struct sg_sign_key *k,
                                           const char *digest,
                                           const struct verify_args *o)
{
    return (struct sg_attest_check){
        .key = k,
        .digest = digest,
        .type = o->type,
        .flags = o->legacy ? SG_ATTEST_ALLOW_LEGACY_PAYLOAD_TYPE : 0,
    };
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

int cli_run_verify_attestation(struct cli_ctx *ctx, int argc, char **argv)
{
    struct verify_args o = { .cmd = &cli_cmd_verify_attestation };
    struct sg_attest_check c;
    struct sg_attest_result res = { NULL, 0 };
    struct sg_oci_store *s = NULL;
    struct sg_sign_key *k = NULL;
    char *digest = NULL;
    int ret, n;
    sg_err rc;

    ret = verify_begin(&o, ctx, argc, argv, "IMAGE", &k);
    if (!ret)
        ret = cli_open_image(&s, &digest, ctx, o.target, CLI_OPEN_DIGEST_AS_IS);
    if (ret)
        goto done;
    n = cli_image_len(o.target, digest);
    c = attest_check(k, digest, &o);
    c.ctx = &ctx->sg;
    c.keyless = o.pol;
    rc = sg_verify_image_attestations(&res, s, &c);
    if (rc && rc != SG_EVERIFY) {
        ret = cli_fail(rc, "verify-attestation %s", o.target);
        goto done;
    }
    for (size_t i = 0; i < res.n_items; i++) {
        const struct sg_attest_item *it = &res.items[i];
        if (it->ok && ctx->verbosity > 0)
            cli_keyless_print_facts(it->keyless);
        if (it->ok)
            print_item(it, o.fmt);
        else if (rc || ctx->verbosity > 1)
            cli_print_rejected(it->source, it->reason);
    }
    fflush(stdout);
    if (rc) {
        ret = cli_fail(rc, "verify-attestation %.*s@%s", n, o.target, digest);
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
                n, o.target, digest,
                o.pol ? "certificates chained to the trusted root (log "
                        "evidence and identity checked)"
                      : "the specified public key",
                o.type ? "\n  - The predicate type matched --type" : "");
done:
    sg_attest_result_release(&res);
    free(digest);
    sg_sign_key_free(k);
    sg_oci_store_free(s);
    return ret;
}

/* ------------------------------------------------------------------ */
/* verify-blob-attestation                                              */

int cli_run_verify_blob_attestation(struct cli_ctx *ctx, int argc, char **argv)
{
    struct verify_args o = { .cmd = &cli_cmd_verify_blob_attestation };
    struct sg_buf env = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_attest_check c;
    struct sg_sign_key *k = NULL;
    char digest[SG_DIGEST_STR_MAX];
    int ret;
    sg_err rc;

    ret = verify_begin(&o, ctx, argc, argv, "BLOB", &k);
    if (!ret && o.bundle) {
        struct cli_bundle_args ba = { .cmd = o.cmd,
                                      .keyless = &o.kl,
                                      .bundle = o.bundle,
                                      .key = o.key,
                                      .ignore_tlog = o.ignore_tlog,
                                      .attestation = 1,
                                      .type = o.type,
                                      .file = o.target };
        return cli_verify_blob_bundle(ctx, &ba);
    }
    if (!ret)
        ret = cli_read_file(&env, o.signature, SG_ATTEST_ENVELOPE_MAX);
    if (!ret)
        ret = blob_digest(digest, o.target);
    if (ret)
        goto done;
    c = attest_check(k, digest, &o);
    c.ctx = &ctx->sg;
    rc = sg_verify_attestation_envelope(NULL, env.data, env.len, &c);
    if (rc) {
        /* A malformed envelope is a failed verification too. */
        ret = cli_fail(rc == SG_EPARSE || rc == SG_ELIMIT ? SG_EVERIFY : rc,
                       "%s", o.signature);
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
                           .pos = &a->image };

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

int cli_run_tree(struct cli_ctx *ctx, int argc, char **argv)
{
    struct image_args a;
    struct sg_buf idx = SG_BUF_INIT(ctx->sg.limits.manifest_max);
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
        rc = sg_oci_manifest_parse(&index, idx.data, idx.len, SG_MT_OCI_INDEX,
                                   &ctx->sg);
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

int cli_run_download(struct cli_ctx *ctx, int argc, char **argv)
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

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cli_run_attach(struct cli_ctx *ctx, int argc, char **argv)
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
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts), .pos = &image };

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

int cli_pipeline_attest(struct cli_ctx *ctx, const struct cli_pipeline *p)
{
    struct sg_sign_image_opts so;
    struct sg_sign_key *k = NULL;
    struct sg_buf name = SG_BUF_INIT(4096);
    int ret;
    sg_err rc;

    if (!p->predicate_type || !sg_attest_type_valid(p->predicate_type)) {
        fprintf(stderr, "sigil: sbom --attest: unknown predicate type %s\n",
                p->predicate_type ? p->predicate_type : "(none)");
        return CLI_EXIT_USAGE;
    }
    ret =
        p->key ? CLI_EXIT_OK : cli_key_private(&k, p->key_path, CLI_KEY_PROMPT);
    if (!ret)
        ret =
            attest_stored_image(&name, p->s, p->digest, p->predicate_type, NULL,
                                p->sbom, p->sbom_len, p->key ? p->key : k);
    if (ret)
        goto done;
    if (ctx->verbosity)
        fprintf(stderr, "sigil: SBOM attestation (%s) stored for %s@%s\n",
                sg_attest_predicate_uri(p->predicate_type), name.data,
                p->digest);
    if (p->do_sign) {
        memset(&so, 0, sizeof(so));
        so.docker_reference = name.data;
        rc = sg_sign_image(p->s, p->digest, p->key ? p->key : k, &so);
        if (rc) {
            ret = cli_fail(rc, "sign %s@%s", name.data, p->digest);
            goto done;
        }
        if (ctx->verbosity)
            fprintf(stderr, "sigil: signature stored for %s@%s\n", name.data,
                    p->digest);
    }
    /* The caller (sigil sbom) prints the digest last, on stderr: the
     * SBOM itself may be going to stdout. */
done:
    sg_sign_key_free(k);
    sg_buf_release(&name);
    return ret;
}

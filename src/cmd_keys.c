/*
 * Key commands: generate-key-pair, import-key-pair, public-key, and the
 * key loading every signing/verifying command shares (a file or env://VAR;
 * the password from COSIGN_PASSWORD or the terminal, asked only when the
 * key is encrypted). Formats: cosign's pkg/cosign/keys.go.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sigil/sign.h"

#define KEY_FILE_MAX (1024u * 1024u)

/* Read key material from "env://VAR" or a file; the message names spec
 * (sg_file_read's start with the path). */
static sg_err read_key_spec(struct sg_buf *out, const char *spec)
{
    if (strncmp(spec, "env://", 6) == 0) {
        const char *v = getenv(spec + 6);
        if (!v || !v[0])
            return sg_error_set(SG_ENOTFOUND,
                                "%s: environment variable %s is not set", spec,
                                spec + 6);
        return sg_buf_adds(out, v);
    }
    return sg_file_read(out, spec, KEY_FILE_MAX);
}

static void free_password(char *pw)
{
    if (pw) {
        sg_wipe(pw, strlen(pw));
        free(pw);
    }
}

/* Does this PEM need a password? */
static int pem_encrypted(const struct sg_buf *b)
{
    return strstr(b->data, "-----BEGIN ENCRYPTED") != NULL ||
           strstr(b->data, "Proc-Type: 4,ENCRYPTED") != NULL;
}

/* The key in spec, private (asking the password with prompt only when
 * the PEM is encrypted) or public (prompt NULL). Every message names spec
 * once: reading names it; what comes after reading gets it as a prefix. */
static sg_err
load_key(struct sg_sign_key **out, const char *spec, const char *prompt)
{
    struct sg_buf b = SG_BUF_INIT(KEY_FILE_MAX);
    char *pw = NULL;
    sg_err rc;

    *out = NULL;
    rc = read_key_spec(&b, spec);
    if (rc)
        goto done;
    if (prompt && pem_encrypted(&b))
        rc = cli_read_password(&pw, "COSIGN_PASSWORD", prompt, 0);
    if (!rc && prompt)
        rc = sg_sign_key_load_private(out, b.data, b.len, pw,
                                      pw ? strlen(pw) : 0);
    else if (!rc)
        rc = sg_sign_key_load_public(out, b.data, b.len);
    if (rc)
        sg_error_prefix(rc, "%s", spec);
done:
    free_password(pw);
    if (b.cap)
        sg_wipe(b.data, b.cap);
    sg_buf_release(&b);
    return rc;
}

int cli_key_private(struct sg_sign_key **out,
                    const char *spec,
                    const char *prompt)
{
    sg_err rc = load_key(out, spec, prompt);

    return rc ? cli_error(rc) : CLI_EXIT_OK;
}

int cli_key_public(struct sg_sign_key **out, const char *spec)
{
    sg_err rc = load_key(out, spec, NULL);

    return rc ? cli_error(rc) : CLI_EXIT_OK;
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Write prefix.key (0600) and prefix.pub (0644) for k. */
static int write_pair(const char *prefix,
                      const struct sg_sign_key *k,
                      int force,
                      int confirm)
{
    struct sg_buf keyp = SG_BUF_INIT(4096), pubp = SG_BUF_INIT(4096),
                  enc = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  pub = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *pw = NULL;
    int ret = CLI_EXIT_FAIL;
    sg_err rc;

    if (sg_buf_addf(&keyp, "%s.key", prefix) ||
        sg_buf_addf(&pubp, "%s.pub", prefix)) {
        ret = cli_fail(SG_ENOMEM, "%s", prefix);
        goto done;
    }
    if (!force && (file_exists(keyp.data) || file_exists(pubp.data))) {
        fprintf(stderr,
                "sigil: %s: already exists; refusing to overwrite (use "
                "--force)\n",
                file_exists(keyp.data) ? keyp.data : pubp.data);
        goto done;
    }
    rc = cli_read_password(&pw, "COSIGN_PASSWORD", CLI_KEY_PROMPT, confirm);
    if (rc) {
        ret = cli_fail(rc, "password");
        goto done;
    }
    rc = sg_sign_key_encrypt(&enc, k, pw, strlen(pw));
    if (!rc)
        rc = sg_sign_key_public_pem(&pub, k);
    if (rc) {
        ret = cli_fail(rc, "key");
        goto done;
    }
    /* The atomic writes' messages start with the path. */
    rc = sg_file_write_atomic(keyp.data, enc.data, enc.len, 0600);
    if (!rc)
        rc = sg_file_write_atomic(pubp.data, pub.data, pub.len, 0644);
    if (rc) {
        ret = cli_error(rc);
        goto done;
    }
    fprintf(stderr, "Private key written to %s\nPublic key written to %s\n",
            keyp.data, pubp.data);
    ret = CLI_EXIT_OK;
done:
    free_password(pw);
    sg_buf_release(&keyp);
    sg_buf_release(&pubp);
    sg_buf_release(&enc);
    sg_buf_release(&pub);
    return ret;
}

/* generate-key-pair, or with import import-key-pair: a new key, or the
 * one --key names, written as P.key and P.pub. */
static int key_pair(
    struct cli_ctx *ctx, int argc, char **argv, const char *prefix, int import)
{
    const struct cli_command *cmd =
        import ? &cli_cmd_import_key_pair : &cli_cmd_generate_key_pair;
    const char *keyfile = NULL;
    struct sg_sign_key *k = NULL;
    int force = 0, ret;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--output-key-prefix", .value = &prefix },
        { .name = "--force", .alt = "-f", .flag = &force },
        { .name = "--key", .alt = "-k", .value = &keyfile }, /* import */
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts) - !import };

    ret = cli_parse_args(ctx, cmd, argc, argv, 1, &a);
    if (ret)
        return ret;
    if (import && !keyfile)
        return cli_usage_error(cmd, "--key is required");
    if (import)
        ret = cli_key_private(&k, keyfile, "Enter password for PEM key: ");
    else if ((rc = sg_sign_key_generate(&k)))
        ret = cli_fail(rc, "generate-key-pair");
    if (!ret)
        ret = write_pair(prefix, k, force, 1);
    sg_sign_key_free(k);
    return ret;
}

int cli_run_generate_key_pair(struct cli_ctx *ctx, int argc, char **argv)
{
    return key_pair(ctx, argc, argv, "cosign", 0);
}

int cli_run_import_key_pair(struct cli_ctx *ctx, int argc, char **argv)
{
    return key_pair(ctx, argc, argv, "import-cosign", 1);
}

int cli_run_public_key(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *keyfile = NULL, *outfile = NULL;
    struct sg_buf pem = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sign_key *k = NULL;
    int ret;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--key", .alt = "-k", .value = &keyfile },
        { .name = "--outfile", .alt = "-o", .value = &outfile },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts) };

    if (cli_parse_args(ctx, &cli_cmd_public_key, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!keyfile)
        return cli_usage_error(&cli_cmd_public_key, "--key is required");
    ret = cli_key_private(&k, keyfile, CLI_KEY_PROMPT);
    if (ret)
        return ret;
    rc = sg_sign_key_public_pem(&pem, k);
    ret = rc ? cli_fail(rc, "%s", keyfile)
             : cli_output(outfile, pem.data, pem.len);
    sg_sign_key_free(k);
    sg_buf_release(&pem);
    return ret;
}

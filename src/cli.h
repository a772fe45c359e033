/*
 * The sigil CLI: command table, shared option handling and helpers. Only
 * src/ prints or exits; the libraries report through sg_err.
 */
#ifndef SIGIL_CLI_H
#define SIGIL_CLI_H

#include "sigil/common.h"
#include "sigil/oci.h"

/* Exit codes (style.md B3). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_VERIFY = 3
};

/* Options shared by every command that touches a registry. */
struct cli_ctx {
    int verbosity;          /* 0 quiet, 1 normal, 2 -v, 3 -vv */
    const char *platform;   /* --platform, NULL = host */
    const char *ca_file;    /* --ca-file */
    const char **insecure;  /* --insecure-registry (NULL-terminated) */
    size_t n_insecure;
    const char *username;   /* --username */
    char *password;         /* from --password-stdin (owned, wiped) */
    struct sg_oci_registry_opts reg; /* filled by cli_registry_opts() */
};

struct cli_command {
    const char *name;
    const char *summary; /* one line for `sigil help` */
    const char *usage;   /* full text for `sigil help NAME` / --help */
    int (*run)(struct cli_ctx *ctx, int argc, char **argv);
};

/* Try to consume a shared option at argv[*i] (and its value). Returns 1
 * when consumed, 0 when not a shared option, -1 on a usage error
 * (printed). Shared: -v/--verbose, -q/--quiet, --platform P, --ca-file F,
 * --insecure-registry HOST, --username U, --password-stdin. */
int cli_common_opt(struct cli_ctx *ctx, int argc, char **argv, int *i);
/* Options helpers: "--name VALUE" or "--name=VALUE" at argv[*i]. Returns
 * the value (advancing *i) or NULL when argv[*i] is not this option;
 * prints a usage error and sets *bad when the value is missing. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name,
                          const char *alt, int *bad);

/* The registry options with credentials from --username/--password-stdin,
 * $DOCKER_CONFIG/config.json or ~/.docker/config.json (credHelpers,
 * credsStore, auths). */
const struct sg_oci_registry_opts *cli_registry_opts(struct cli_ctx *ctx);
/* Open a store, printing "sigil: SPEC: message" on failure. Returns an
 * sg_err code. */
sg_err cli_open_store(struct sg_oci_store **out, struct cli_ctx *ctx,
                      const char *spec, unsigned flags);
/* Print "sigil: <context>: <last error>" to stderr; returns the exit code
 * for rc (1, or 3 for SG_EVERIFY). */
int cli_fail(sg_err rc, const char *fmt, ...) SG_PRINTF(2, 3);
/* Print a usage error and return CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    SG_PRINTF(2, 3);
/* Write data to path atomically, or to stdout when path is "-" or NULL. */
sg_err cli_write_output(const char *path, const void *data, size_t len);
/* Read a password: env var `env` if set, else prompt on the TTY (twice
 * when confirm). No TTY and no variable → error. *out malloc'd. */
sg_err cli_read_password(char **out, const char *env, const char *prompt,
                         int confirm);
/* Commands call this after parsing -v/-q so the log hook sees it. */
void cli_set_verbosity(int v);
/* Is --help/-h among the args? */
int cli_wants_help(int argc, char **argv);
void cli_print_usage(const struct cli_command *cmd);

/* Every command, defined in src/cmd_*.c. */
extern const struct cli_command cli_cmd_manifest, cli_cmd_digest,
    cli_cmd_copy, cli_cmd_sbom, cli_cmd_diff, cli_cmd_convert,
    cli_cmd_generate_key_pair, cli_cmd_import_key_pair, cli_cmd_public_key,
    cli_cmd_sign, cli_cmd_sign_blob, cli_cmd_verify, cli_cmd_verify_blob,
    cli_cmd_triangulate, cli_cmd_attest, cli_cmd_attest_blob,
    cli_cmd_verify_attestation, cli_cmd_verify_blob_attestation,
    cli_cmd_tree, cli_cmd_download, cli_cmd_attach;

/* The sbom → attest (→ sign) pipeline step, in cmd_attest.c: attach the
 * SBOM bytes `sbom` (format "spdxjson" or "cyclonedx") as a signed
 * attestation to `digest` in s, and with do_sign also sign the image.
 * Prints its own errors; returns an exit code. */
int cli_pipeline_attest(struct cli_ctx *ctx, struct sg_oci_store *s,
                        const char *digest, const char *key_path,
                        const void *sbom, size_t sbom_len,
                        const char *predicate_type, int do_sign);

/* Keys (src/cmd_keys.c; owner: sign-verify). `spec` is a file or
 * env://VAR. Private keys: the password comes from COSIGN_PASSWORD or the
 * terminal, asked only for encrypted keys. On failure the message names
 * spec; nothing is printed. */
struct sg_sign_key;
sg_err cli_load_private_key(struct sg_sign_key **out, const char *spec);
sg_err cli_load_public_key(struct sg_sign_key **out, const char *spec);

#endif /* SIGIL_CLI_H */

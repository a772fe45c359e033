/*
 * The sigil CLI: command table, shared option handling and helpers. Only
 * src/ prints or exits; the libraries report through sg_err.
 */
#ifndef SIGIL_CLI_H
#define SIGIL_CLI_H

#include "sigil/common.h"
#include "sigil/oci.h"
#include "sigil/verify.h"

/* Exit codes (style.md B3). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_VERIFY = 3
};

/* Options shared by every command that touches a registry. */
struct cli_ctx {
    int verbosity;         /* 0 quiet, 1 normal, 2 -v, 3 -vv */
    const char *platform;  /* --platform, NULL = host */
    const char *ca_file;   /* --ca-file */
    const char **insecure; /* --insecure-registry (NULL-terminated) */
    size_t n_insecure;
    const char *username;            /* --username */
    char *password;                  /* from --password-stdin (owned, wiped) */
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
const char *cli_opt_value(
    int argc, char **argv, int *i, const char *name, const char *alt, int *bad);

/* Number of elements of an array (not a pointer). */
#define CLI_N(a) (sizeof(a) / sizeof((a)[0]))

/* One command option for cli_parse_args. An option with `value` or `take`
 * takes a value ("--name V", "--name=V" for long names, or the alt
 * spelling); otherwise it is a flag that sets *flag to 1 (flag may point
 * at a dummy for options accepted and ignored). */
struct cli_opt {
    const char *name;   /* "--key" */
    const char *alt;    /* another spelling ("-k") or NULL */
    const char **value; /* value option: stored here, last one wins */
    int (*take)(void *arg, char *v); /* value option: called with the value
                                      * (in argv, may be modified) instead;
                                      * nonzero = usage error, printed */
    void *arg;                       /* for take */
    int *flag;                       /* flag option: set to 1 */
    int eq_ok; /* flag option: "--name=ANYTHING" matches too */
};

/* How cli_parse_args reports an argument it does not know. */
enum cli_unknown {
    CLI_UNKNOWN_PLAIN,     /* "unknown option X" */
    CLI_UNKNOWN_QUOTED,    /* "unknown option 'X'" */
    CLI_UNKNOWN_UNEXPECTED /* "unexpected argument 'X'" (options too) */
};

/* A command's argument grammar for cli_parse_args. */
struct cli_args {
    const struct cli_opt *opts;
    size_t n_opts;
    const char **pos;     /* positional arguments go here, in order */
    int max_pos;          /* room in pos (0: none accepted) */
    int n_pos;            /* out: how many were given */
    const char *too_many; /* usage message for one more than max_pos;
                           * NULL: "unexpected argument 'X'" */
    enum cli_unknown unknown;
    int dashdash; /* "--" ends the options */
};

/* Parse argv[first..argc) for cmd: shared options (cli_common_opt) first,
 * then a->opts in table order, then positionals into a->pos. Returns 0,
 * or CLI_EXIT_USAGE after printing the usage error. Values point into
 * argv. Required options and the positional count are the caller's. */
int cli_parse_args(struct cli_ctx *ctx,
                   const struct cli_command *cmd,
                   int argc,
                   char **argv,
                   int first,
                   struct cli_args *a);

/* The registry options with credentials from --username/--password-stdin,
 * $DOCKER_CONFIG/config.json or ~/.docker/config.json (credHelpers,
 * credsStore, auths). */
const struct sg_oci_registry_opts *cli_registry_opts(struct cli_ctx *ctx);
/* Open a store, printing "sigil: SPEC: message" on failure. Returns an
 * sg_err code. */
sg_err cli_open_store(struct sg_oci_store **out,
                      struct cli_ctx *ctx,
                      const char *spec,
                      unsigned flags);
/* Open the store for IMAGE (flags as for sg_oci_store_open) and resolve
 * its reference (tag or digest) to a manifest digest, once: *s and
 * *digest (malloc'd) belong to the caller, also on failure (NULL or
 * set). Prints "sigil: IMAGE: message" on failure; returns an exit code. */
int cli_open_image(struct sg_oci_store **s,
                   char **digest,
                   struct cli_ctx *ctx,
                   const char *image,
                   unsigned flags);
/* Print "sigil: <context>: <last error>" to stderr; returns the exit code
 * for rc (1, or 3 for SG_EVERIFY). */
int cli_fail(sg_err rc, const char *fmt, ...) SG_PRINTF(2, 3);
/* Print a usage error and return CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    SG_PRINTF(2, 3);
/* Read the file at path into b (at most max bytes) with sg_file_read;
 * prints "sigil: PATH: message" on failure. Returns an exit code. */
int cli_read_file(struct sg_buf *b, const char *path, size_t max);
/* Write data to path atomically, or to stdout when path is "-" or NULL. */
sg_err cli_write_output(const char *path, const void *data, size_t len);
/* Read a password: env var `env` if set, else prompt on the TTY (twice
 * when confirm). No TTY and no variable → error. *out malloc'd. */
sg_err
cli_read_password(char **out, const char *env, const char *prompt, int confirm);
/* Commands call this after parsing -v/-q so the log hook sees it. */
void cli_set_verbosity(int v);
/* Is --help/-h among the args? */
int cli_wants_help(int argc, char **argv);
void cli_print_usage(const struct cli_command *cmd);

/* Every command, defined in src/cmd_*.c. */
extern const struct cli_command cli_cmd_manifest, cli_cmd_digest, cli_cmd_copy,
    cli_cmd_sbom, cli_cmd_diff, cli_cmd_convert, cli_cmd_generate_key_pair,
    cli_cmd_import_key_pair, cli_cmd_public_key, cli_cmd_sign,
    cli_cmd_sign_blob, cli_cmd_verify, cli_cmd_verify_blob, cli_cmd_triangulate,
    cli_cmd_attest, cli_cmd_attest_blob, cli_cmd_verify_attestation,
    cli_cmd_verify_blob_attestation, cli_cmd_tree, cli_cmd_download,
    cli_cmd_attach;

/* The sbom → attest (→ sign) pipeline step, in cmd_attest.c: attach the
 * SBOM bytes `sbom` (format "spdxjson" or "cyclonedx") as a signed
 * attestation to `digest` in s, and with do_sign also sign the image.
 * Prints its own errors; returns an exit code. */
int cli_pipeline_attest(struct cli_ctx *ctx,
                        struct sg_oci_store *s,
                        const char *digest,
                        const char *key_path,
                        const void *sbom,
                        size_t sbom_len,
                        const char *predicate_type,
                        int do_sign);

/* Keys (src/cmd_keys.c; owner: sign-verify). `spec` is a file or
 * env://VAR. Private keys: the password comes from COSIGN_PASSWORD or the
 * terminal, asked only for encrypted keys. On failure the message names
 * spec; nothing is printed. */
struct sg_sign_key;
sg_err cli_load_private_key(struct sg_sign_key **out, const char *spec);
sg_err cli_load_public_key(struct sg_sign_key **out, const char *spec);
/* The same, printing "sigil: SPEC: message" on failure (the message does
 * not repeat spec) and returning an exit code. cli_key_private asks for
 * the password with `prompt`. */
int cli_key_private(struct sg_sign_key **out,
                    const char *spec,
                    const char *prompt);
int cli_key_public(struct sg_sign_key **out, const char *spec);

/* Progress (cli.c): copy, sbom, sign and attest draw per-blob progress
 * on a TTY stderr; other commands, a non-TTY stderr and -q draw nothing.
 * cli_progress_start installs the library hook for `command` (reading
 * ctx->verbosity live); cli_progress_draw is that hook's whole drawing
 * (thread-safe; done: 0 in progress, 1 finished, -1 failed);
 * cli_progress_clear erases a live line before other stderr output. */
void cli_progress_start(const struct cli_ctx *ctx, const char *command);
void cli_progress_draw(const char *what,
                       uint64_t bytes,
                       uint64_t total,
                       int done);
void cli_progress_clear(void);

/* Keyless verification flags (src/cli_keyless.c), shared by the verify
 * commands. A command appends cli_keyless_opts() to its option table. */
struct cli_keyless {
    struct sg_verify_identity id; /* --certificate-identity[-regexp],
                                     --certificate-oidc-issuer[-regexp],
                                     --certificate-github-workflow-* */
    const char *trusted_root;     /* --trusted-root FILE */
    int offline;                  /* --offline: accepted, the only mode */
};
#define CLI_KEYLESS_N_OPTS 13
/* Write the CLI_KEYLESS_N_OPTS options above into out[] (storing into
 * *k), with --rekor-url/--fulcio-url refused (cli_offline_only). */
void cli_keyless_opts(struct cli_opt *out, struct cli_keyless *k);
/* Is any identity flag set? */
int cli_keyless_wanted(const struct cli_keyless *k);
/* Usage rules: --key excludes the identity flags; without a key one
 * identity and one issuer flag (exact or regexp) are needed. 0 or
 * CLI_EXIT_USAGE (printed). */
int cli_keyless_check(const struct cli_command *cmd,
                      const struct cli_keyless *k,
                      int have_key);
/* The trusted root: --trusted-root, else $SIGSTORE_TRUSTED_ROOT, else
 * the built-in public-good snapshot. Prints on failure; exit code. */
int cli_keyless_trust(struct sg_sigstore_trust **out,
                      const struct cli_keyless *k);
/* Print "sigil: FLAG is not supported: sigil verifies offline" and
 * return CLI_EXIT_USAGE (for flags that need Rekor, Fulcio or TUF). */
int cli_offline_only(const char *flag);

/* verify-blob --bundle / verify-blob-attestation --bundle. */
struct cli_bundle_args {
    const struct cli_command *cmd;
    const struct cli_keyless *keyless;
    const char *bundle; /* --bundle FILE */
    const char *key;    /* --key PUB or NULL (keyless) */
    int ignore_tlog;    /* --insecure-ignore-tlog (key mode) */
    int attestation;    /* verify-blob-attestation */
    const char *type;   /* --type (attestation) */
    const char *file;   /* FILE or sha256:<hex> */
};
/* Verify and report; returns the exit code (0, 3 not verified, 1 error,
 * 2 usage). */
int cli_verify_blob_bundle(struct cli_ctx *ctx,
                           const struct cli_bundle_args *a);

#endif /* SIGIL_CLI_H */

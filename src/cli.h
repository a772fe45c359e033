/*
 * The sigil CLI: command table, shared option handling and helpers. Only
 * src/ prints or exits; the libraries report through sg_err.
 */
#ifndef SIGIL_CLI_H
#define SIGIL_CLI_H

#include "sigil/common.h"
#include "sigil/oci.h"
#include "sigil/layercache.h"
#include "sigil/sbom.h"
#include "sigil/sign.h"
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
    struct sg_ctx sg; /* limits, log/progress hooks, inflate backend: given
                         to every library call (reg.ctx points here) */
};

/* How cli_parse_args reports an argument it does not know. */
enum cli_unknown {
    CLI_UNKNOWN_PLAIN,     /* "unknown option X" */
    CLI_UNKNOWN_QUOTED,    /* "unknown option 'X'" */
    CLI_UNKNOWN_UNEXPECTED /* "unexpected argument 'X'" (options too) */
};

/* A command: its help, what runs it, and the grammar of its positional
 * arguments for cli_parse_args (the options are the command's own). */
struct cli_command {
    const char *name;
    const char *summary; /* one line for `sigil help` */
    const char *usage;   /* full text for `sigil help NAME` / --help */
    int (*run)(struct cli_ctx *ctx, int argc, char **argv); /* cli_run_fn */
    struct cli_positionals {
        int max;                  /* how many are accepted (0: none) */
        const char *too_many;     /* usage message for one more than max;
                                   * NULL: "unexpected argument 'X'" */
        enum cli_unknown unknown; /* how an unknown option is reported */
        int dashdash;             /* "--" ends the options */
    } pos;
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

/* A command's options and where its positional arguments go (at most
 * cmd->pos.max of them), for cli_parse_args. */
struct cli_args {
    const struct cli_opt *opts;
    size_t n_opts;
    const char **pos; /* positional arguments go here, in order */
    int n_pos;        /* out: how many were given */
};

/* Parse argv[first..argc) for cmd: shared options (cli_common_opt) first,
 * then a->opts in table order, then positionals into a->pos (the grammar
 * in cmd). Returns 0,
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
/*
 * Errors. The library's message names what failed (a file's path, a
 * layout's path, a reference); the CLI adds context once, only where it
 * adds information, and never by looking at the message text.
 */
/* Print "sigil: <last error>" to stderr, for messages that name what
 * failed already; returns the exit code for rc (1, or 3 for SG_EVERIFY). */
int cli_error(sg_err rc);
/* Print "sigil: <context>: <last error>"; returns as cli_error. */
int cli_fail(sg_err rc, const char *fmt, ...) SG_PRINTF(2, 3);
/* A failure of an operation on store s, opened from spec: registry
 * messages name the repository or host, so spec is added; local stores'
 * messages start with their path and stand alone. */
int cli_store_fail(sg_err rc, const struct sg_oci_store *s, const char *spec);
/* Print why a verify/verify-attestation candidate was rejected:
 * "sigil: SOURCE: REASON" (both from the library, untrusted text
 * escaped). */
void cli_print_rejected(const char *source, const char *reason);
/* Print a usage error and return CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    SG_PRINTF(2, 3);

/* Open a store, printing the failure. Returns an sg_err code. */
sg_err cli_open_store(struct sg_oci_store **out,
                      struct cli_ctx *ctx,
                      const char *spec,
                      unsigned flags);
/* cli_open_image flag: a digest reference is used as it is, without asking
 * the store (as cosign's ResolveDigest: signatures may live where the
 * image itself is not). Not an sg_oci_store_open flag. */
#define CLI_OPEN_DIGEST_AS_IS (1u << 16)
/* Open the store for IMAGE (flags as for sg_oci_store_open, plus
 * CLI_OPEN_DIGEST_AS_IS) and resolve its reference (tag or digest) to a
 * manifest digest, once: *s and *digest (malloc'd) belong to the caller,
 * also on failure (NULL or set). Prints the failure; returns an exit
 * code. */
int cli_open_image(struct sg_oci_store **s,
                   char **digest,
                   struct cli_ctx *ctx,
                   const char *image,
                   unsigned flags);
/* The length of IMAGE to print before "@DIGEST" in a banner (an IMAGE
 * that already ends in "@DIGEST" is not printed with it twice). */
int cli_image_len(const char *image, const char *digest);

/* Read the file at path into b (at most max bytes) with sg_file_read;
 * prints the failure. Returns an exit code. */
int cli_read_file(struct sg_buf *b, const char *path, size_t max);
/* The same, "-" reading standard input. */
int cli_read_input(struct sg_buf *b, const char *path, size_t max);
/* Write data to path atomically, or to stdout when path is "-" or NULL. */
sg_err cli_write_output(const char *path, const void *data, size_t len);
/* cli_write_output, printing the failure; returns an exit code. */
int cli_output(const char *path, const void *data, size_t len);
/* Read a password: env var `env` if set, else prompt on the TTY (twice
 * when confirm). No TTY and no variable → error. *out malloc'd. */
sg_err
cli_read_password(char **out, const char *env, const char *prompt, int confirm);
/* SOURCE_DATE_EPOCH (reproducible builds) into *t, *set = 1; when unset
 * *t = now, *set = 0. A value that is not a non-negative number is a usage
 * error of cmd (returned, printed), or with cmd NULL taken as unset. */
int cli_source_date_epoch(const struct cli_command *cmd,
                          long long *t,
                          int *set);

/* -a/--annotations KEY=VALUE[,KEY=VALUE...] values for cli_parse_args
 * (take = cli_take_annotation, arg = the struct); a bad value is a usage
 * error of cmd. */
struct cli_annotations {
    const struct cli_command *cmd;
    struct sg_sign_annotation v[SG_SIGN_ANNOTATIONS_MAX];
    size_t n;
};
int cli_take_annotation(void *arg, char *v);
/* Its cli_opt entry: -a, --annotations into the cli_annotations at a. */
#define CLI_OPT_ANNOTATIONS(a)                                             \
    {                                                                      \
        .name = "--annotations", .alt = "-a", .take = cli_take_annotation, \
        .arg = (a)                                                         \
    }
/* Commands call this after parsing -v/-q so the log hook sees it. */
void cli_set_verbosity(int v);
/* Is --help/-h among the args? */
int cli_wants_help(int argc, char **argv);
void cli_print_usage(const struct cli_command *cmd);

/* Every command, in the table src/cmd_help.c. */
extern const struct cli_command cli_cmd_manifest, cli_cmd_digest, cli_cmd_copy,
    cli_cmd_sbom, cli_cmd_diff, cli_cmd_convert, cli_cmd_generate_key_pair,
    cli_cmd_import_key_pair, cli_cmd_public_key, cli_cmd_sign,
    cli_cmd_sign_blob, cli_cmd_verify, cli_cmd_verify_blob, cli_cmd_triangulate,
    cli_cmd_attest, cli_cmd_attest_blob, cli_cmd_verify_attestation,
    cli_cmd_verify_blob_attestation, cli_cmd_tree, cli_cmd_download,
    cli_cmd_attach, cli_cmd_serve, cli_cmd_ls, cli_cmd_cache;

/* What runs them: argv[0] is the command's name; returns the exit code.
 * In src/cmd_oci.c, cmd_sbom.c, cmd_sbomtools.c, cmd_keys.c, cmd_sign.c
 * cmd_attest.c and cmd_ls.c. */
typedef int cli_run_fn(struct cli_ctx *ctx, int argc, char **argv);
cli_run_fn cli_run_manifest, cli_run_digest, cli_run_copy, cli_run_sbom,
    cli_run_diff, cli_run_convert, cli_run_generate_key_pair,
    cli_run_import_key_pair, cli_run_public_key, cli_run_sign,
    cli_run_sign_blob, cli_run_verify, cli_run_verify_blob, cli_run_triangulate,
    cli_run_attest, cli_run_attest_blob, cli_run_verify_attestation,
    cli_run_verify_blob_attestation, cli_run_tree, cli_run_download,
    cli_run_attach, cli_run_serve, cli_run_ls, cli_run_cache;

/* The sbom → attest (→ sign) pipeline step, in cmd_attest.c: attach the
 * SBOM bytes as a signed attestation to the digest in s, and with do_sign
 * also sign the image. Prints its own errors; returns an exit code. */
struct cli_pipeline {
    struct sg_oci_store *s;
    const char *digest;
    const char *key_path;
    const struct sg_sign_key *key; /* loaded already (batch mode: once for
                                      every image); NULL: load key_path */
    const void *sbom;
    size_t sbom_len;
    const char *predicate_type; /* "spdxjson" or "cyclonedx" */
    int do_sign;
};
int cli_pipeline_attest(struct cli_ctx *ctx, const struct cli_pipeline *p);

/* SBOM outputs (cmd_sbom.c), for sbom and convert: -o FORMAT[=FILE]
 * (take = cli_take_sbom_output, arg = the struct; FILE empty or "-" is
 * stdout). Every document is rendered before any is written: nothing is
 * written when one fails, and each file is written atomically. */
#define CLI_SBOM_OUTPUTS_MAX 8
/* IMAGE arguments of sbom (batch mode); longer lists: --from-file. */
#define CLI_SBOM_IMAGES_MAX 4096
struct cli_sbom_output {
    enum sg_sbom_format fmt;
    char name[32];    /* FORMAT as given */
    const char *file; /* NULL: stdout */
    struct sg_buf doc;
};
struct cli_sbom_outputs {
    const struct cli_command *cmd;
    struct cli_sbom_output v[CLI_SBOM_OUTPUTS_MAX];
    size_t n, n_stdout;
    struct sg_sbom_write_opts wo; /* created, deterministic */
};
int cli_take_sbom_output(void *arg, char *v);
/* After parsing: at most one output on stdout, SOURCE_DATE_EPOCH into
 * o->wo (setting deterministic). Returns 0 or a usage error (printed). */
int cli_sbom_outputs_check(struct cli_sbom_outputs *o);
/* Render every output of sbom, then write them; prints the failure and
 * returns an exit code. */
int cli_sbom_outputs_write(struct cli_sbom_outputs *o,
                           const struct sg_sbom *sbom);
void cli_sbom_outputs_release(struct cli_sbom_outputs *o);

/* Keys (src/cmd_keys.c). `spec` is a file or env://VAR. Private keys: the
 * password comes from COSIGN_PASSWORD or the terminal, asked with `prompt`
 * only for encrypted keys. On failure "sigil: SPEC: message" is printed
 * (naming spec once); returns an exit code. */
struct sg_sign_key;
int cli_key_private(struct sg_sign_key **out,
                    const char *spec,
                    const char *prompt);
int cli_key_public(struct sg_sign_key **out, const char *spec);
/* The prompt of signing commands. */
#define CLI_KEY_PROMPT "Enter password for private key: "

/* Progress (cli.c): copy, sbom, sign and attest draw per-blob progress
 * on a TTY stderr; other commands, a non-TTY stderr and -q draw nothing.
 * cli_progress_start installs the library hook for `command` (reading
 * ctx->verbosity live); cli_progress_draw is that hook's whole drawing
 * (thread-safe; done: 0 in progress, 1 finished, -1 failed);
 * cli_progress_clear erases a live line before other stderr output. */
void cli_progress_start(struct cli_ctx *ctx, const char *command);
void cli_progress_draw(const char *what,
                       uint64_t bytes,
                       uint64_t total,
                       int done);
void cli_progress_clear(void);
/* Erase a live progress line and write `line` (may be NULL) to stderr, as
 * one step under the progress lock (the log hook; any thread). */
void cli_progress_line(const char *line);

/* The layer cache flags (src/cli_cache.c) of the scanning commands:
 * --cache-dir D, --no-cache, --cache-max-size N. A command appends
 * cli_cache_opts() to its option table, then opens the cache with
 * cli_cache_open(). */
struct cli_cache {
    const char *dir;      /* --cache-dir; NULL: $XDG_CACHE_HOME/sigil, else
                             ~/.cache/sigil */
    int off;              /* --no-cache: in memory for this run only */
    const char *max_size; /* --cache-max-size N[K|M|G]; NULL: 1 GiB */
    const struct cli_command *cmd; /* for usage errors; NULL: "sigil:" */
};
#define CLI_CACHE_N_OPTS 3
void cli_cache_opts(struct cli_opt *out, struct cli_cache *c);
/* Open the cache the flags name (*out owned by the caller, freed with
 * sg_layer_cache_free). 0, CLI_EXIT_USAGE for a bad --cache-max-size, or
 * CLI_EXIT_FAIL, with the error printed. */
int cli_cache_open(struct sg_layer_cache **out,
                   struct cli_ctx *ctx,
                   const struct cli_cache *c);
/* The cache directory into out (--cache-dir, else $XDG_CACHE_HOME/sigil,
 * else ~/.cache/sigil): 0, or CLI_EXIT_FAIL printed when there is none. */
int cli_cache_dir(struct sg_buf *out, const struct cli_cache *c);
/* "N", "NK", "NM", "NG" (powers of 1024, N > 0) → bytes; nonzero (usage
 * error printed for cmd, may be NULL, naming `opt`) when bad. */
int cli_cache_size(uint64_t *out,
                   const struct cli_command *cmd,
                   const char *opt,
                   const char *v);

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
/* Image verification (verify, verify-attestation): with a key, no
 * identity flag and *out NULL; without, the identity flags checked
 * (cli_keyless_check) and *out = pol filled from them, with the trusted
 * root --trusted-root, else $SIGSTORE_TRUSTED_ROOT, else the built-in one.
 * Returns an exit code (usage errors printed). */
int cli_keyless_policy(const struct cli_command *cmd,
                       const struct cli_keyless *k,
                       int have_key,
                       struct sg_keyless_policy *pol,
                       const struct sg_keyless_policy **out);
/* The trusted root: --trusted-root, else $SIGSTORE_TRUSTED_ROOT, else
 * the built-in public-good snapshot. Prints on failure; exit code. */
int cli_keyless_trust(struct sg_sigstore_trust **out,
                      const struct cli_keyless *k);
/* Print "sigil: FLAG is not supported: sigil verifies offline" and
 * return CLI_EXIT_USAGE (for flags that need Rekor, Fulcio or TUF). */
int cli_offline_only(const char *flag);

/* Output of a verified keyless image signature, as cosign prints it:
 * cli_keyless_payload appends the simple-signing payload (len bytes) with
 * the item's facts (struct sg_verify_item.keyless, a JSON object) merged
 * into its "optional" object, keys in Go's map order, compact (a payload
 * that is not a JSON object is appended as it is); 0 or -1 (no memory or
 * facts not JSON). cli_keyless_print_facts prints cosign's lines
 * "Certificate subject: ...", "Certificate issuer URL: ..." and the GitHub
 * workflow ones to stderr (escaped); nothing for NULL facts. */
int cli_keyless_payload(struct sg_buf *out,
                        const char *payload,
                        size_t len,
                        const char *facts);
void cli_keyless_print_facts(const char *facts);

/* The signing commands' (sign, sign-blob, attest, attest-blob) flags that
 * would need Fulcio or Rekor: --rekor-url, --fulcio-url, --oidc-issuer,
 * --identity-token and --tlog-upload[=true] are refused with "FLAG is not
 * supported: sigil signs offline" (exit 2); --tlog-upload=false is
 * accepted (nothing is uploaded anyway). A command appends
 * cli_sign_offline_opts() to its option table and calls
 * cli_sign_offline_check() after parsing. */
struct cli_sign_offline {
    int tlog_upload; /* --tlog-upload or --tlog-upload=<not false> */
    int tlog_off;    /* --tlog-upload=false */
};
#define CLI_SIGN_OFFLINE_N_OPTS 7
void cli_sign_offline_opts(struct cli_opt *out, struct cli_sign_offline *so);
/* 0, or CLI_EXIT_USAGE with the one-line refusal printed. */
int cli_sign_offline_check(const struct cli_sign_offline *so);

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

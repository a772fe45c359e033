/* STUB: commands to be implemented. */
#include "cli.h"

#include <stdio.h>

static int run_attest(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil attest: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_attest = {
    "attest", "Attach a signed in-toto attestation",
    "usage: sigil attest\n", run_attest
};

static int run_attest_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil attest-blob: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_attest_blob = {
    "attest-blob", "Make a signed attestation for a file",
    "usage: sigil attest-blob\n", run_attest_blob
};

static int run_verify_attestation(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil verify-attestation: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_verify_attestation = {
    "verify-attestation", "Verify an image's attestations",
    "usage: sigil verify-attestation\n", run_verify_attestation
};

static int run_verify_blob_attestation(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil verify-blob-attestation: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_verify_blob_attestation = {
    "verify-blob-attestation", "Verify a file's attestation",
    "usage: sigil verify-blob-attestation\n", run_verify_blob_attestation
};

static int run_tree(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil tree: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_tree = {
    "tree", "Show what is attached to an image",
    "usage: sigil tree\n", run_tree
};

static int run_download(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil download: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_download = {
    "download", "Download signatures, attestations or SBOMs",
    "usage: sigil download\n", run_download
};

static int run_attach(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil attach: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_attach = {
    "attach", "Attach an SBOM under the legacy .sbom tag (deprecated)",
    "usage: sigil attach\n", run_attach
};

int cli_pipeline_attest(struct cli_ctx *ctx, struct sg_oci_store *s,
                        const char *digest, const char *key_path,
                        const void *sbom, size_t sbom_len,
                        const char *predicate_type, int do_sign)
{
    (void)ctx;
    (void)s;
    (void)digest;
    (void)key_path;
    (void)sbom;
    (void)sbom_len;
    (void)predicate_type;
    (void)do_sign;
    fprintf(stderr, "sigil sbom --attest: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

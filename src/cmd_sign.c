/* STUB: commands to be implemented. */
#include "cli.h"

#include <stdio.h>

static int run_sign(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil sign: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_sign = {
    "sign", "Sign an image (cosign-compatible)",
    "usage: sigil sign\n", run_sign
};

static int run_sign_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil sign-blob: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_sign_blob = {
    "sign-blob", "Sign a file",
    "usage: sigil sign-blob\n", run_sign_blob
};

static int run_verify(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil verify: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_verify = {
    "verify", "Verify an image's signatures",
    "usage: sigil verify\n", run_verify
};

static int run_verify_blob(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil verify-blob: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_verify_blob = {
    "verify-blob", "Verify a file's signature",
    "usage: sigil verify-blob\n", run_verify_blob
};

static int run_triangulate(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil triangulate: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_triangulate = {
    "triangulate", "Print where an image's signatures are stored",
    "usage: sigil triangulate\n", run_triangulate
};


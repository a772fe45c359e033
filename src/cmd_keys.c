/* STUB: commands to be implemented. */
#include "cli.h"

#include <stdio.h>

static int run_generate_key_pair(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil generate-key-pair: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_generate_key_pair = {
    "generate-key-pair", "Create a cosign-compatible key pair",
    "usage: sigil generate-key-pair\n", run_generate_key_pair
};

static int run_import_key_pair(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil import-key-pair: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_import_key_pair = {
    "import-key-pair", "Import a PEM key as cosign.key/cosign.pub",
    "usage: sigil import-key-pair\n", run_import_key_pair
};

static int run_public_key(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil public-key: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_public_key = {
    "public-key", "Print the public key of a private key",
    "usage: sigil public-key\n", run_public_key
};


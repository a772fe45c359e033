/*
 * Keyless identity and trusted-root flags of the image verify commands
 * (verify, verify-attestation). To be folded into src/cli_keyless.c
 * (the flags shared by every verify command) at merge.
 */
#ifndef SIGIL_CLI_KEYLESS_IMAGE_H
#define SIGIL_CLI_KEYLESS_IMAGE_H

#include "cli.h"
#include "sigil/verify.h"

struct cli_keyless_image {
    const char *trusted_root;     /* --trusted-root */
    struct sg_keyless_policy pol; /* the identity flags are parsed into it */
};

/* The cli_opt entries for a command's option table (cosign's names). */
#define CLI_KEYLESS_IMAGE_OPTS(kl)                                           \
    { .name = "--certificate-identity", .value = &(kl)->pol.identity },      \
        { .name = "--certificate-identity-regexp",                           \
          .value = &(kl)->pol.identity_regexp },                             \
        { .name = "--certificate-oidc-issuer", .value = &(kl)->pol.issuer }, \
        { .name = "--certificate-oidc-issuer-regexp",                        \
          .value = &(kl)->pol.issuer_regexp },                               \
        { .name = "--certificate-github-workflow-trigger",                   \
          .value = &(kl)->pol.gh_workflow_trigger },                         \
        { .name = "--certificate-github-workflow-sha",                       \
          .value = &(kl)->pol.gh_workflow_sha },                             \
        { .name = "--certificate-github-workflow-name",                      \
          .value = &(kl)->pol.gh_workflow_name },                            \
        { .name = "--certificate-github-workflow-repository",                \
          .value = &(kl)->pol.gh_workflow_repository },                      \
        { .name = "--certificate-github-workflow-ref",                       \
          .value = &(kl)->pol.gh_workflow_ref },                             \
    {                                                                        \
        .name = "--trusted-root", .value = &(kl)->trusted_root               \
    }

/* The usage lines of those flags, for a command's help text. */
#define CLI_KEYLESS_IMAGE_USAGE                                               \
    "Keyless (instead of --key):\n"                                           \
    "  --certificate-identity ID | --certificate-identity-regexp RE\n"        \
    "                          the certificate's SAN (URI, email or\n"        \
    "                          Sigstore identity); RE unanchored\n"           \
    "  --certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE\n" \
    "                          the OIDC issuer extension\n"                   \
    "  --certificate-github-workflow-{trigger,sha,name,repository,ref} V\n"   \
    "                          optional exact GitHub workflow checks\n"       \
    "  --trusted-root FILE     Sigstore trusted_root.json (default:\n"        \
    "                          $SIGSTORE_TRUSTED_ROOT)\n"

/* Decide the mode after parsing: with `key` (the --key value) no keyless
 * flag may be given and *pol is NULL; without it an identity and an
 * issuer are required and *pol is &kl->pol with the trusted root set
 * (--trusted-root, else $SIGSTORE_TRUSTED_ROOT). kl starts zeroed. Returns
 * CLI_EXIT_OK, or CLI_EXIT_USAGE after printing the usage error. */
int cli_keyless_image_policy(const struct cli_command *cmd,
                             struct cli_keyless_image *kl,
                             const char *key,
                             const struct sg_keyless_policy **pol);

#endif

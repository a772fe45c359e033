/*
 * Keyless flags of the image verify commands (cli_keyless_image.h).
 */
#include "cli_keyless_image.h"

#include <stdlib.h>
#include <string.h>

int cli_keyless_image_policy(const struct cli_command *cmd,
                             struct cli_keyless_image *kl,
                             const char *key,
                             const struct sg_keyless_policy **pol)
{
    const char *any = kl->identity          ? "--certificate-identity"
                      : kl->identity_regexp ? "--certificate-identity-regexp"
                      : kl->issuer          ? "--certificate-oidc-issuer"
                      : kl->issuer_regexp   ? "--certificate-oidc-issuer-regexp"
                      : kl->trusted_root    ? "--trusted-root"
                      : (kl->gh_trigger || kl->gh_sha || kl->gh_name ||
                         kl->gh_repository || kl->gh_ref)
                          ? "--certificate-github-workflow-*"
                          : NULL;

    *pol = NULL;
    if (key) {
        if (any)
            return cli_usage_error(cmd,
                                   "--key and %s do not mix: a key checks "
                                   "key-signed signatures, the identity flags "
                                   "keyless ones",
                                   any);
        return CLI_EXIT_OK;
    }
    if (!kl->identity && !kl->identity_regexp)
        return cli_usage_error(cmd, "--certificate-identity or "
                                    "--certificate-identity-regexp is "
                                    "required for keyless verification");
    if (!kl->issuer && !kl->issuer_regexp)
        return cli_usage_error(cmd, "--certificate-oidc-issuer or "
                                    "--certificate-oidc-issuer-regexp is "
                                    "required for keyless verification");
    if (kl->identity && kl->identity_regexp)
        return cli_usage_error(cmd, "--certificate-identity and "
                                    "--certificate-identity-regexp: give one");
    if (kl->issuer && kl->issuer_regexp)
        return cli_usage_error(cmd, "--certificate-oidc-issuer and "
                                    "--certificate-oidc-issuer-regexp: give "
                                    "one");
    memset(&kl->pol, 0, sizeof(kl->pol));
    kl->pol.trusted_root_path =
        kl->trusted_root ? kl->trusted_root : getenv("SIGSTORE_TRUSTED_ROOT");
    /* The embedded public-good root is the default once src/cli_keyless.c
     * is merged; until then a root must be named. */
    if (!kl->pol.trusted_root_path || !kl->pol.trusted_root_path[0])
        return cli_usage_error(cmd, "keyless verification needs "
                                    "--trusted-root FILE (or "
                                    "SIGSTORE_TRUSTED_ROOT)");
    kl->pol.identity = kl->identity;
    kl->pol.identity_regexp = kl->identity_regexp;
    kl->pol.issuer = kl->issuer;
    kl->pol.issuer_regexp = kl->issuer_regexp;
    kl->pol.gh_workflow_trigger = kl->gh_trigger;
    kl->pol.gh_workflow_sha = kl->gh_sha;
    kl->pol.gh_workflow_name = kl->gh_name;
    kl->pol.gh_workflow_repository = kl->gh_repository;
    kl->pol.gh_workflow_ref = kl->gh_ref;
    *pol = &kl->pol;
    return CLI_EXIT_OK;
}

/*
 * Keyless verification flags shared by the verify commands (cosign's
 * spelling): the identity policy, --trusted-root and the refusal of
 * flags that would need the network (sigil verifies offline), plus the
 * bundle verification of verify-blob and verify-blob-attestation.
 * The trusted root: --trusted-root FILE, else $SIGSTORE_TRUSTED_ROOT,
 * else the public-good snapshot built into the library.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli.h"
#include "sigil/sign.h"
#include "sigil/verify.h"

#define ARTIFACT_MAX (1024u * 1024u * 1024u)
#define BUNDLE_MAX   (128u * 1024u * 1024u)

int cli_offline_only(const char *flag)
{
    fprintf(stderr, "sigil: %s is not supported: sigil verifies offline\n",
            flag);
    return CLI_EXIT_USAGE;
}

static char rekor_url[] = "--rekor-url", fulcio_url[] = "--fulcio-url",
            oidc_issuer[] = "--oidc-issuer",
            identity_token[] = "--identity-token",
            tlog_upload[] = "--tlog-upload";

static int refuse(void *arg, char *v)
{
    (void)v;
    return cli_offline_only(arg);
}

static int refuse_sign(void *arg, char *v)
{
    (void)v;
    fprintf(stderr, "sigil: %s is not supported: sigil signs offline\n",
            (const char *)arg);
    return CLI_EXIT_USAGE;
}

void cli_sign_offline_opts(struct cli_opt *out, struct cli_sign_offline *so)
{
    const struct cli_opt opts[CLI_SIGN_OFFLINE_N_OPTS] = {
        /* exact spellings first: they win over the refusal below */
        { .name = "--tlog-upload=false", .flag = &so->tlog_off },
        { .name = "--tlog-upload=0", .flag = &so->tlog_off },
        { .name = "--tlog-upload", .flag = &so->tlog_upload, .eq_ok = 1 },
        { .name = "--rekor-url", .take = refuse_sign, .arg = rekor_url },
        { .name = "--fulcio-url", .take = refuse_sign, .arg = fulcio_url },
        { .name = "--oidc-issuer", .take = refuse_sign, .arg = oidc_issuer },
        { .name = "--identity-token",
          .take = refuse_sign,
          .arg = identity_token },
    };

    memcpy(out, opts, sizeof(opts));
}

int cli_sign_offline_check(const struct cli_sign_offline *so)
{
    return so->tlog_upload ? refuse_sign(tlog_upload, NULL) : CLI_EXIT_OK;
}

void cli_keyless_opts(struct cli_opt *out, struct cli_keyless *k)
{
    struct sg_verify_identity *id = &k->id;
    const struct cli_opt opts[CLI_KEYLESS_N_OPTS] = {
        { .name = "--certificate-identity", .value = &id->identity },
        { .name = "--certificate-identity-regexp",
          .value = &id->identity_regexp },
        { .name = "--certificate-oidc-issuer", .value = &id->issuer },
        { .name = "--certificate-oidc-issuer-regexp",
          .value = &id->issuer_regexp },
        { .name = "--certificate-github-workflow-trigger",
          .value = &id->gh_workflow_trigger },
        { .name = "--certificate-github-workflow-sha",
          .value = &id->gh_workflow_sha },
        { .name = "--certificate-github-workflow-name",
          .value = &id->gh_workflow_name },
        { .name = "--certificate-github-workflow-repository",
          .value = &id->gh_workflow_repository },
        { .name = "--certificate-github-workflow-ref",
          .value = &id->gh_workflow_ref },
        { .name = "--trusted-root", .value = &k->trusted_root },
        { .name = "--offline", .flag = &k->offline, .eq_ok = 1 },
        { .name = "--rekor-url", .take = refuse, .arg = rekor_url },
        { .name = "--fulcio-url", .take = refuse, .arg = fulcio_url },
    };

    memcpy(out, opts, sizeof(opts));
}

int cli_keyless_wanted(const struct cli_keyless *k)
{
    const struct sg_verify_identity *id = &k->id;

    return id->identity || id->identity_regexp || id->issuer ||
           id->issuer_regexp || id->gh_workflow_trigger ||
           id->gh_workflow_sha || id->gh_workflow_name ||
           id->gh_workflow_repository || id->gh_workflow_ref;
}

int cli_keyless_check(const struct cli_command *cmd,
                      const struct cli_keyless *k,
                      int have_key)
{
    const struct sg_verify_identity *id = &k->id;

    if (have_key && cli_keyless_wanted(k))
        return cli_usage_error(cmd, "--key and the --certificate-* identity "
                                    "flags do not mix: a key checks "
                                    "key-signed signatures, the identity "
                                    "flags keyless ones");
    if (have_key)
        return CLI_EXIT_OK;
    if (id->identity && id->identity_regexp)
        return cli_usage_error(cmd, "give one of --certificate-identity and "
                                    "--certificate-identity-regexp");
    if (id->issuer && id->issuer_regexp)
        return cli_usage_error(cmd, "give one of --certificate-oidc-issuer "
                                    "and --certificate-oidc-issuer-regexp");
    if (!id->identity && !id->identity_regexp)
        return cli_usage_error(cmd, "--certificate-identity or "
                                    "--certificate-identity-regexp is "
                                    "required for keyless verification");
    if (!id->issuer && !id->issuer_regexp)
        return cli_usage_error(cmd, "--certificate-oidc-issuer or "
                                    "--certificate-oidc-issuer-regexp is "
                                    "required for keyless verification");
    return CLI_EXIT_OK;
}

int cli_keyless_trust(struct sg_sigstore_trust **out,
                      const struct cli_keyless *k)
{
    const char *path = k->trusted_root;
    const unsigned char *data;
    size_t len;
    sg_err rc;

    *out = NULL;
    if (!path) {
        path = getenv("SIGSTORE_TRUSTED_ROOT");
        if (path && !*path)
            path = NULL;
    }
    if (path) {
        rc = sg_sigstore_trust_load(out, path);
        return rc ? cli_fail(rc, "trusted root %s", path) : CLI_EXIT_OK;
    }
    data = sg_verify_trust_builtin(&len, NULL);
    rc = sg_sigstore_trust_parse(out, data, len);
    return rc ? cli_fail(rc, "built-in trusted root") : CLI_EXIT_OK;
}

int cli_keyless_policy(const struct cli_command *cmd,
                       const struct cli_keyless *k,
                       int have_key,
                       struct sg_keyless_policy *pol,
                       const struct sg_keyless_policy **out)
{
    int ret = cli_keyless_check(cmd, k, have_key);

    *out = NULL;
    if (ret || have_key)
        return ret;
    memset(pol, 0, sizeof(*pol));
    pol->id = k->id;
    pol->trusted_root_path = k->trusted_root;
    if (!pol->trusted_root_path) {
        const char *env = getenv("SIGSTORE_TRUSTED_ROOT");

        pol->trusted_root_path = env && *env ? env : NULL;
    }
    if (!pol->trusted_root_path)
        pol->trusted_root_data =
            sg_verify_trust_builtin(&pol->trusted_root_len, NULL);
    *out = pol;
    return CLI_EXIT_OK;
}

/* "sha256:<64 hex>" naming no file: the artifact's digest. */
static int as_digest(const char *s, unsigned char out[32])
{
    struct stat sb;

    if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71 || stat(s, &sb) == 0)
        return 0;
    return sg_hex_decode(out, 32, s + 7, 64) == SG_OK;
}

int cli_verify_blob_bundle(struct cli_ctx *ctx, const struct cli_bundle_args *a)
{
    struct sg_sigstore_trust *root = NULL;
    struct sg_sign_key *key = NULL;
    struct sg_buf bundle = SG_BUF_INIT(BUNDLE_MAX),
                  data = SG_BUF_INIT(ARTIFACT_MAX);
    struct sg_verify_bundle_opts o;
    struct sg_verify_bundle_result res = { 0 };
    unsigned char sha[32];
    char esc[512], esc2[512];
    int digest_only, ret;
    sg_err rc;

    memset(&o, 0, sizeof(o));
    ret = cli_keyless_check(a->cmd, a->keyless, a->key != NULL);
    if (ret)
        return ret;
    ret = cli_keyless_trust(&root, a->keyless);
    if (!ret && a->key)
        ret = cli_key_public(&key, a->key);
    if (!ret)
        ret = cli_read_file(&bundle, a->bundle, BUNDLE_MAX);
    if (ret)
        goto done;
    digest_only = as_digest(a->file, sha);
    if (!digest_only) {
        ret = cli_read_file(&data, a->file, ARTIFACT_MAX);
        if (ret)
            goto done;
    }
    o.root = root;
    o.key = key;
    o.identity = key ? NULL : &a->keyless->id;
    o.ignore_tlog = a->ignore_tlog;
    o.attestation = a->attestation;
    o.type = a->type;
    rc = sg_verify_blob_bundle(&res, bundle.data, bundle.len,
                               digest_only ? NULL : data.data, data.len,
                               digest_only ? sha : NULL, &o);
    if (rc) {
        ret = cli_fail(rc, "%s %s", a->cmd->name,
                       sg_escape(esc, sizeof(esc), a->file));
        if (rc == SG_EINVAL)
            ret = CLI_EXIT_USAGE;
        goto done;
    }
    if (ctx->verbosity == 1) {
        fprintf(stderr, "Verified OK\n");
    } else if (ctx->verbosity > 1) {
        char ver[32];

        if (res.version_minor)
            snprintf(ver, sizeof(ver), "bundle v0.%d", res.version_minor);
        else
            snprintf(ver, sizeof(ver), "cosign bundle");
        if (res.san)
            fprintf(stderr, "Verified OK: %s, signed by %s (%s)\n", ver,
                    sg_escape(esc, sizeof(esc), res.san),
                    sg_escape(esc2, sizeof(esc2), res.issuer));
        else
            fprintf(stderr, "Verified OK: %s, key-based\n", ver);
    }
    ret = CLI_EXIT_OK;
done:
    sg_verify_bundle_result_release(&res);
    sg_sign_key_free(key);
    sg_sigstore_trust_free(root);
    sg_buf_release(&bundle);
    sg_buf_release(&data);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Output of verified keyless signatures (cosign's PrintVerification)   */

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of object o with its keys in byte order (Go's map order). */
static json_t *sorted_object(json_t *o)
{
    const char **keys = calloc(json_object_size(o) + 1, sizeof(*keys));
    json_t *r = keys ? json_object() : NULL, *v;
    const char *k;
    size_t n = 0;
    int bad = !r;

    json_object_foreach(o, k, v)
    {
        if (keys)
            keys[n++] = k;
    }
    if (keys)
        qsort(keys, n, sizeof(*keys), key_cmp);
    for (size_t i = 0; !bad && i < n; i++)
        bad = json_object_set(r, keys[i], json_object_get(o, keys[i]));
    free(keys);
    if (bad) {
        json_decref(r);
        return NULL;
    }
    return r;
}

int cli_keyless_payload(struct sg_buf *out,
                        const char *payload,
                        size_t len,
                        const char *facts)
{
    json_t *p = json_loadb(payload, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *f = json_loads(facts, JSON_REJECT_DUPLICATES, NULL);
    json_t *all = json_object(), *opt = NULL;
    char *txt = NULL;
    int ret = -1;

    if (json_is_object(p) && json_is_object(f) && all) {
        json_t *old = json_object_get(p, "optional");

        if ((!json_is_object(old) || !json_object_update(all, old)) &&
            !json_object_update(all, f) && (opt = sorted_object(all)) &&
            !json_object_set(p, "optional", opt) &&
            (txt = json_dumps(p, JSON_COMPACT)))
            ret = sg_buf_adds(out, txt) ? -1 : 0;
    }
    if (!json_is_object(p)) /* not cosign's payload: as it is */
        ret = sg_buf_add(out, payload, len) ? -1 : 0;
    free(txt);
    json_decref(opt);
    json_decref(all);
    json_decref(f);
    json_decref(p);
    return ret;
}

void cli_keyless_print_facts(const char *facts)
{
    static const char *const lines[][2] = {
        { "githubWorkflowTrigger", "GitHub Workflow Trigger" },
        { "githubWorkflowSha", "GitHub Workflow SHA" },
        { "githubWorkflowName", "GitHub Workflow Name" },
        { "githubWorkflowRepository", "GitHub Workflow Repository" },
        { "githubWorkflowRef", "GitHub Workflow Ref" },
    };
    json_t *f = facts ? json_loads(facts, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const char *v;
    char esc[1024];

    if (!json_is_object(f)) {
        json_decref(f);
        return;
    }
    /* certificate strings are untrusted: escaped */
    v = json_string_value(json_object_get(f, "Subject"));
    fprintf(stderr, "Certificate subject: %s\n",
            v ? sg_escape(esc, sizeof(esc), v) : "");
    v = json_string_value(json_object_get(f, "Issuer"));
    if (v)
        fprintf(stderr, "Certificate issuer URL: %s\n",
                sg_escape(esc, sizeof(esc), v));
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        v = json_string_value(json_object_get(f, lines[i][0]));
        if (v)
            fprintf(stderr, "%s: %s\n", lines[i][1],
                    sg_escape(esc, sizeof(esc), v));
    }
    json_decref(f);
}

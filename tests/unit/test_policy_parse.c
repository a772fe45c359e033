/*
 * ClusterImagePolicy loading (server/policy.c) and matching
 * (server/match.c): both apiVersions, each authority kind, refusals by
 * name, unknown fields warned about once, bounds on untrusted YAML,
 * policy-controller's glob table, spec.match, the jq policy runner,
 * keyless authorities (identities, trusted roots by trustRootRef,
 * signature sources, what is refused) and the examples of
 * testdata/serve/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/policy_int.h"
#include "sigil/verify.h"

struct logcap {
    int warnings;
    char all[4096];
};

static void hook(enum sg_log_level level, const char *msg, void *payload)
{
    struct logcap *l = payload;

    if (level == SG_LOG_WARN) {
        size_t n = strlen(l->all);
        l->warnings++;
        snprintf(l->all + n, sizeof(l->all) - n, "%s\n", msg);
    }
}

static const char pem[] =
    "        -----BEGIN PUBLIC KEY-----\n"
    "        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0V0TXt9Nmucfo/TI2gqPiUnbMoIi\n"
    "        /0HvJI6YSe2h8DI5pU0ENUNfgHZQErDgywSvFebuwKnHz6Ut9nLc+2bkDw==\n"
    "        -----END PUBLIC KEY-----\n";

/* Parse text; returns rc, the set in *out (NULL on failure). */
static sg_err
parse(struct sg_admit_policies **out, const char *text, struct logcap *lc)
{
    struct sg_ctx ctx;
    size_t docs = 0;
    sg_err rc;

    sg_ctx_init(&ctx);
    if (lc) {
        memset(lc, 0, sizeof(*lc));
        ctx.log = hook;
        ctx.payload = lc;
    }
    assert_int_equal(sg_pa_new(out, 7), SG_OK);
    rc = sg_pa_parse(*out, text, strlen(text), "test.yaml", &docs, &ctx);
    if (rc) {
        sg_admit_policies_unref(*out);
        *out = NULL;
    }
    return rc;
}

static char *with_key(const char *head, const char *tail)
{
    size_t n = strlen(head) + strlen(pem) + strlen(tail) + 1;
    char *s = malloc(n);

    snprintf(s, n, "%s%s%s", head, pem, tail);
    return s;
}

static const char key_head[] =
    "apiVersion: policy.sigstore.dev/v1beta1\n"
    "kind: ClusterImagePolicy\n"
    "metadata:\n  name: signed\n"
    "spec:\n"
    "  images:\n  - glob: \"ghcr.io/team/**\"\n  - glob: \"docker.io/*\"\n"
    "  authorities:\n"
    "  - name: k1\n"
    "    key:\n"
    "      data: |\n";

static void policy__key_authority_v1beta1(void **state)
{
    struct sg_admit_policies *p;
    char *y = with_key(key_head, "");

    (void)state;
    assert_int_equal(parse(&p, y, NULL), SG_OK);
    assert_int_equal(sg_admit_policies_count(p), 1);
    assert_int_equal(sg_admit_policies_generation(p), 7);
    assert_string_equal(p->v[0].name, "signed");
    assert_int_equal(p->v[0].n_globs, 2);
    assert_string_equal(p->v[0].globs[0], "ghcr.io/team/**");
    assert_int_equal(p->v[0].warn, 0);
    assert_int_equal(p->v[0].n_auth, 1);
    assert_int_equal(p->v[0].auth[0].kind, SG_PA_AUTH_KEY);
    assert_non_null(p->v[0].auth[0].key);
    assert_string_equal(p->v[0].auth[0].name, "k1");
    sg_admit_policies_unref(p);
    free(y);
}

static void policy__v1alpha1_static_match_warn_multi_doc(void **state)
{
    struct sg_admit_policies *p;
    const char *y =
        "# comment\n"
        "apiVersion: policy.sigstore.dev/v1alpha1\n"
        "kind: ClusterImagePolicy\n"
        "metadata: {name: a}\n"
        "spec:\n"
        "  mode: warn\n"
        "  images: [{glob: \"**\"}]\n"
        "  match:\n"
        "  - {group: apps, version: v1, resource: deployments,\n"
        "     selector: {matchLabels: {tier: prod}}}\n"
        "  authorities:\n"
        "  - static: {action: fail, message: \"no\"}\n"
        "  - static: {action: pass}\n"
        "---\n"
        "---\n"
        /* JSON is YAML */
        "{\"apiVersion\": \"policy.sigstore.dev/v1beta1\", \"kind\": "
        "\"ClusterImagePolicy\", \"metadata\": {\"name\": \"b\"}, "
        "\"spec\": {\"images\": [{\"glob\": \"x.io/*\"}], "
        "\"authorities\": [{\"static\": {\"action\": \"pass\"}}]}}\n";
    const char *lk[] = { "tier", "x" }, *lv[] = { "prod", "y" };
    const char *bad[] = { "dev" };
    struct sg_admit_object deploy = { "apps", "v1", "deployments", "ns", lk,
                                      lv,     2 };
    struct sg_admit_object pod = { "", "v1", "pods", "ns", lk, lv, 2 };
    struct sg_admit_object dev = {
        "apps", "v1", "deployments", "ns", lk, bad, 1
    };

    (void)state;
    assert_int_equal(parse(&p, y, NULL), SG_OK);
    assert_int_equal(sg_admit_policies_count(p), 2);
    assert_int_equal(p->v[0].warn, 1);
    assert_int_equal(p->v[0].n_auth, 2);
    assert_int_equal(p->v[0].auth[0].kind, SG_PA_AUTH_STATIC);
    assert_int_equal(p->v[0].auth[0].static_pass, 0);
    assert_string_equal(p->v[0].auth[0].static_message, "no");
    assert_int_equal(p->v[0].auth[1].static_pass, 1);
    assert_string_equal(p->v[1].name, "b");
    /* spec.match */
    assert_int_equal(p->v[0].n_match, 1);
    assert_true(sg_pa_match_object(&p->v[0], &deploy));
    assert_false(sg_pa_match_object(&p->v[0], &pod));
    assert_false(sg_pa_match_object(&p->v[0], &dev));
    assert_true(sg_pa_match_object(&p->v[1], &pod)); /* no match: all */
    sg_admit_policies_unref(p);
}

static void policy__attestation_jq(void **state)
{
    struct sg_admit_policies *p;
    char *y = with_key(key_head,
                       "    attestations:\n"
                       "    - name: prov\n"
                       "      predicateType: https://slsa.dev/provenance/v1\n"
                       "      policy:\n"
                       "        type: jq\n"
                       "        data: '.predicate.ok == true'\n");
    const char *yes = "{\"predicate\":{\"ok\":true}}";
    const char *no = "{\"predicate\":{\"ok\":1}}";
    int pass = -1;

    (void)state;
    assert_int_equal(parse(&p, y, NULL), SG_OK);
    assert_int_equal(p->v[0].auth[0].n_att, 1);
    assert_string_equal(p->v[0].auth[0].att[0].predicate_type,
                        "https://slsa.dev/provenance/v1");
    assert_string_equal(p->v[0].auth[0].att[0].jq, ".predicate.ok == true");
    sg_admit_policies_unref(p);
    free(y);
    /* The runner: true passes, false and errors do not. */
    assert_int_equal(
        sg_pa_jq_eval(&pass, ".predicate.ok == true", yes, strlen(yes)), SG_OK);
    assert_int_equal(pass, 1);
    assert_int_equal(
        sg_pa_jq_eval(&pass, ".predicate.ok == true", no, strlen(no)),
        SG_EVERIFY);
    assert_int_equal(pass, 0);
    assert_non_null(strstr(sg_error_last(), "did not evaluate to true"));
    assert_int_equal(sg_pa_jq_eval(&pass, "error(\"boom\")", "{}", 2),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "boom"));
    assert_int_equal(sg_pa_jq_eval(&pass, "empty", "{}", 2), SG_EVERIFY);
    assert_int_equal(sg_pa_jq_check(".a | ]["), SG_EPARSE);
}

/* Each refusal names what is refused. */
static void policy__refusals_by_name(void **state)
{
    static const struct {
        const char *tail; /* appended after the key data */
        const char *want;
    } cases[] = {
        { "    attestations:\n    - name: a\n      predicateType: x\n"
          "      policy: {type: cue, data: 'x: 1'}\n",
          "cue policies are not supported" },
        { "    attestations:\n    - name: a\n      predicateType: x\n"
          "      policy: {type: rego, data: 'package x'}\n",
          "rego policies are not supported" },
        { "    attestations:\n    - name: a\n      predicateType: x\n"
          "      policy: {type: jq, data: '.a | ]['}\n",
          "does not compile" },
        { "    attestations:\n    - name: a\n"
          "      policy: {type: jq, data: 'true'}\n",
          "predicateType: required" },
        { "  - name: k2\n    key: {secretRef: {name: s}}\n", "key.secretRef" },
        { "  - name: k2\n    key: {kms: 'awskms:///x'}\n", "key.kms" },
        { "  - name: k2\n    keyless:\n      identities:\n"
          "      - {issuer: https://i, subject: s}\n"
          "      trustRootRef: tr\n",
          "keyless.trustRootRef: no trusted root named \"tr\" (give sigil "
          "serve --trust-root tr=FILE)" },
        { "  - name: k2\n", "exactly one of key, keyless, static" },
        { "  - static: {action: maybe}\n", "static.action" },
        { "  match:\n  - {resource: pods, selector: {matchExpressions: []}}\n",
          "matchExpressions" },
        { "  policy: {type: cue, data: x}\n", "spec.policy" },
    };
    struct sg_admit_policies *p;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *y = with_key(key_head, cases[i].tail);
        sg_err rc = parse(&p, y, NULL);
        if (rc == SG_OK || !strstr(sg_error_last(), cases[i].want))
            fail_msg("case %zu: rc %d, message \"%s\", want \"%s\"", i, (int)rc,
                     sg_error_last(), cases[i].want);
        assert_null(p);
        free(y);
    }
}

#define PROD_ROOT \
    SG_TESTDATA_DIR "/sigstore-conformance/trusted_root.production.json"

static const char kl_head[] = "apiVersion: policy.sigstore.dev/v1beta1\n"
                              "kind: ClusterImagePolicy\n"
                              "metadata:\n  name: kl\n"
                              "spec:\n"
                              "  images:\n  - glob: \"ghcr.io/org/**\"\n"
                              "  authorities:\n"
                              "  - name: ci\n";

static char *kl(const char *tail)
{
    size_t n = strlen(kl_head) + strlen(tail) + 1;
    char *s = malloc(n);

    snprintf(s, n, "%s%s", kl_head, tail);
    return s;
}

/* Parse with the production root as the default and as "prod". */
static sg_err
parse_roots(struct sg_admit_policies **out, const char *text, struct logcap *lc)
{
    static const struct sg_server_trust_root named[] = { { "prod",
                                                           PROD_ROOT } };
    const struct sg_admit_roots r = { PROD_ROOT, named, 1 };
    struct sg_ctx ctx;
    size_t docs = 0;
    sg_err rc;

    sg_ctx_init(&ctx);
    if (lc) {
        memset(lc, 0, sizeof(*lc));
        ctx.log = hook;
        ctx.payload = lc;
    }
    assert_int_equal(sg_pa_new(out, 7), SG_OK);
    assert_int_equal(sg_pa_roots_load(*out, &r), SG_OK);
    rc = sg_pa_parse(*out, text, strlen(text), "test.yaml", &docs, &ctx);
    if (rc) {
        sg_admit_policies_unref(*out);
        *out = NULL;
    }
    return rc;
}

static void policy__keyless_authority(void **state)
{
    struct sg_admit_policies *p;
    struct logcap lc;
    const struct sg_pa_authority *a;
    size_t blen = 0;
    const unsigned char *builtin = sg_verify_trust_builtin(&blen, NULL);
    char *y =
        kl("    keyless:\n"
           "      url: https://fulcio.sigstore.dev\n"
           "      identities:\n"
           "      - issuer: https://token.actions.githubusercontent.com\n"
           "        subject: https://github.com/org/a/.github/workflows/"
           "ci.yml@refs/heads/main\n"
           "      - issuerRegExp: '^https://accounts\\.google\\.com$'\n"
           "        subjectRegExp: '@org\\.example$'\n"
           "      - {issuer: '', issuerRegExp: x, subject: s}\n"
           "    source:\n"
           "    - oci: registry.example:5000/sigs/store\n"
           "      signaturePullSecrets: [{name: pull}]\n"
           "    - oci: ghcr.io/org/sigs\n"
           "      signaturePullSecrets: [{name: pull}]\n"
           "    ctlog: {url: https://rekor.sigstore.dev}\n"
           "    attestations:\n"
           "    - {name: sbom, predicateType: https://cyclonedx.org/bom}\n");

    (void)state;
    /* No roots given: the default is the built-in public-good root, as
     * `sigil verify` uses without --trusted-root. */
    if (parse(&p, y, &lc) != SG_OK)
        fail_msg("%s", sg_error_last());
    a = &p->v[0].auth[0];
    assert_int_equal(a->kind, SG_PA_AUTH_KEYLESS);
    assert_null(a->key);
    assert_ptr_equal(a->root, &p->roots[0]);
    assert_ptr_equal(a->root->data, builtin);
    assert_int_equal(a->root->len, blen);
    assert_int_equal(a->n_ids, 3);
    assert_string_equal(a->ids[0].issuer,
                        "https://token.actions.githubusercontent.com");
    assert_string_equal(a->ids[0].subject, "https://github.com/org/a/.github/"
                                           "workflows/ci.yml@refs/heads/main");
    assert_null(a->ids[0].issuer_re);
    assert_null(a->ids[0].subject_re);
    assert_string_equal(a->ids[1].issuer_re,
                        "^https://accounts\\.google\\.com$");
    assert_string_equal(a->ids[1].subject_re, "@org\\.example$");
    assert_null(a->ids[1].issuer);
    /* "" is absent (Go's omitempty), so this one has one issuer */
    assert_null(a->ids[2].issuer);
    assert_string_equal(a->ids[2].issuer_re, "x");
    assert_int_equal(a->n_sources, 2);
    assert_string_equal(a->sources[0], "registry.example:5000/sigs/store");
    assert_string_equal(a->sources[1], "ghcr.io/org/sigs");
    assert_int_equal(a->n_att, 1);
    assert_string_equal(a->att[0].predicate_type, "https://cyclonedx.org/bom");
    /* keyless.url, ctlog.url, signaturePullSecrets (twice): once each */
    assert_int_equal(lc.warnings, 3);
    assert_non_null(strstr(lc.all, "keyless.url: ignored"));
    assert_non_null(strstr(lc.all, "ctlog.url: ignored"));
    assert_non_null(strstr(lc.all, "signaturePullSecrets: ignored"));
    sg_admit_policies_unref(p);
    free(y);

    /* --trusted-root replaces the default; trustRootRef names another
     * (ctlog and rfc3161timestamp may name the same one) */
    y = kl("    keyless:\n      trustRootRef: prod\n"
           "      identities: [{issuer: i, subject: s}]\n"
           "    ctlog: {trustRootRef: prod}\n"
           "    rfc3161timestamp: {trustRootRef: prod}\n"
           "  - name: default\n"
           "    keyless: {identities: [{issuer: i, subject: s}]}\n");
    if (parse_roots(&p, y, &lc) != SG_OK)
        fail_msg("%s", sg_error_last());
    assert_int_equal(p->n_roots, 2);
    assert_string_equal(p->roots[1].name, "prod");
    assert_ptr_equal(p->v[0].auth[0].root, &p->roots[1]);
    assert_ptr_equal(p->v[0].auth[1].root, &p->roots[0]);
    assert_null(p->roots[0].name);
    assert_ptr_not_equal(p->roots[0].data, builtin);
    assert_int_equal(p->roots[0].len, p->roots[1].len);
    assert_memory_equal(p->roots[0].data, p->roots[1].data, p->roots[0].len);
    assert_int_equal(lc.warnings, 0);
    sg_admit_policies_unref(p);
    free(y);
}

/* What keyless cannot honour is refused by name. */
static void policy__keyless_refusals(void **state)
{
    static const struct {
        const char *tail;
        const char *want;
    } cases[] = {
        { "    keyless:\n      ca-cert: {data: x}\n"
          "      identities: [{issuer: i, subject: s}]\n",
          "keyless.ca-cert: a custom certificate authority is not supported" },
        { "    keyless:\n      insecureIgnoreSCT: true\n"
          "      identities: [{issuer: i, subject: s}]\n",
          "keyless.insecureIgnoreSCT: not supported" },
        { "    keyless:\n      insecureIgnoreSCT: maybe\n"
          "      identities: [{issuer: i, subject: s}]\n",
          "keyless.insecureIgnoreSCT: not a boolean" },
        { "    keyless: {identities: [{issuer: i, subject: s}]}\n"
          "    ctlog: {insecureIgnoreSCT: true, url: https://r}\n",
          "ctlog.insecureIgnoreSCT: not supported" },
        { "    keyless: {identities: [{issuer: i, subject: s}]}\n"
          "    ctlog: {}\n",
          "ctlog: an empty ctlog turns transparency log verification off" },
        { "    keyless: {identities: [{issuer: i, subject: s}]}\n"
          "    ctlog: {trustRootRef: prod}\n",
          "ctlog.trustRootRef: must be the keyless trustRootRef" },
        { "    keyless: {trustRootRef: prod, identities: [{issuer: i, "
          "subject: s}]}\n"
          "    rfc3161timestamp: {trustRootRef: other}\n",
          "rfc3161timestamp.trustRootRef: must be the keyless trustRootRef" },
        { "    keyless: {trustRootRef: nope, identities: [{issuer: i, "
          "subject: s}]}\n",
          "keyless.trustRootRef: no trusted root named \"nope\"" },
        { "    keyless: {identities: []}\n",
          "keyless.identities: at least one identity is required" },
        { "    keyless: {url: https://fulcio.sigstore.dev}\n",
          "keyless.identities: at least one identity is required" },
        { "    keyless: {identities: [{issuer: i}]}\n",
          "subject or subjectRegExp is required" },
        { "    keyless: {identities: [{subjectRegExp: s}]}\n",
          "issuer or issuerRegExp is required" },
        { "    keyless: {identities: [{issuer: i, issuerRegExp: i, subject: "
          "s}]}\n",
          "give one of issuer and issuerRegExp" },
        { "    keyless: {identities: [{issuer: i, subject: s, subjectRegExp: "
          "s}]}\n",
          "give one of subject and subjectRegExp" },
        { "    keyless: {identities: [{issuer: i, subjectRegExp: '(open'}]}\n",
          "keyless.identities[].subjectRegExp: bad regular expression" },
        { "    keyless: {identities: [{issuerRegExp: '[z-a]', subject: s}]}\n",
          "keyless.identities[].issuerRegExp: bad regular expression" },
        { "    keyless: {identities: [{issuer: i, subject: s}]}\n"
          "    source: [{oci: reg.io/sigs, tagPrefix: pre-}]\n",
          "source[].tagPrefix: not supported" },
        { "    keyless: {identities: [{issuer: i, subject: s}]}\n"
          "    source: [{signaturePullSecrets: [{name: x}]}]\n",
          "source[].oci: a repository is required" },
        { "    keyless: {identities: [{issuer: i, subject: s}]}\n"
          "    source: [{oci: 'reg.io/sigs:v1'}]\n",
          "source[].oci \"reg.io/sigs:v1\": a repository, not an image" },
        { "    keyless: {identities: [{issuer: i, subject: s}]}\n"
          "    key: {data: x}\n",
          "exactly one of key, keyless, static" },
    };
    struct sg_admit_policies *p;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *y = kl(cases[i].tail);
        sg_err rc = parse_roots(&p, y, NULL);
        if (rc == SG_OK || !strstr(sg_error_last(), cases[i].want) ||
            strchr(sg_error_last(), '\n'))
            fail_msg("case %zu: rc %d, message \"%s\", want \"%s\"", i, (int)rc,
                     sg_error_last(), cases[i].want);
        assert_null(p);
        free(y);
    }
}

/* Trusted roots are read whole at load: a missing or invalid file, or a
 * name given twice, refuses the load naming it. */
static void policy__trust_roots_load(void **state)
{
    struct sg_admit_policies *p;
    struct sg_server_trust_root named[2] = { { "a", PROD_ROOT },
                                             { "a", PROD_ROOT } };
    struct sg_admit_roots r = { NULL, named, 2 };
    const struct sg_admit_roots bad = { SG_TESTDATA_DIR "/serve/static.yaml",
                                        NULL, 0 };
    const struct sg_admit_roots missing = { NULL, named, 1 };

    (void)state;
    assert_int_equal(sg_pa_new(&p, 1), SG_OK);
    assert_int_equal(sg_pa_roots_load(p, &r), SG_EINVAL);
    assert_non_null(strstr(sg_error_last(), "trusted root a named twice"));
    sg_admit_policies_unref(p);

    assert_int_equal(sg_pa_new(&p, 1), SG_OK);
    assert_int_not_equal(sg_pa_roots_load(p, &bad), SG_OK);
    assert_non_null(strstr(sg_error_last(), "trusted root "));
    assert_non_null(strstr(sg_error_last(), "serve/static.yaml"));
    sg_admit_policies_unref(p);

    named[0].path = SG_TESTDATA_DIR "/serve/no-such-root.json";
    assert_int_equal(sg_pa_new(&p, 1), SG_OK);
    assert_int_not_equal(sg_pa_roots_load(p, &missing), SG_OK);
    assert_non_null(strstr(sg_error_last(), "a: trusted root "));
    assert_non_null(strstr(sg_error_last(), "no-such-root.json"));
    sg_admit_policies_unref(p);

    /* through the loader: the policies are not loaded either */
    assert_int_not_equal(
        sg_admit_policies_load(&p, SG_TESTDATA_DIR "/serve", &bad, 2, NULL),
        SG_OK);
    assert_null(p);
}

static void policy__unknown_kind_and_version_refuse_the_file(void **state)
{
    struct sg_admit_policies *p;
    char *ok = with_key(key_head, "");
    char *y;
    size_t n = strlen(ok) + 200;

    (void)state;
    y = malloc(n);
    /* A good document first: the whole file is still refused. */
    snprintf(y, n,
             "%s---\napiVersion: policy.sigstore.dev/v1beta1\n"
             "kind: ImagePolicy\nspec: {}\n",
             ok);
    assert_int_equal(parse(&p, y, NULL), SG_EUNSUPPORTED);
    assert_non_null(
        strstr(sg_error_last(), "unsupported kind \"ImagePolicy\""));
    assert_non_null(strstr(sg_error_last(), "test.yaml"));
    assert_null(strchr(sg_error_last(), '\n'));
    snprintf(y, n,
             "apiVersion: policy.sigstore.dev/v2\n"
             "kind: ClusterImagePolicy\n");
    assert_int_equal(parse(&p, y, NULL), SG_EUNSUPPORTED);
    assert_non_null(strstr(
        sg_error_last(), "unsupported apiVersion \"policy.sigstore.dev/v2\""));
    snprintf(y, n, "kind: ClusterImagePolicy\n");
    assert_int_equal(parse(&p, y, NULL), SG_EUNSUPPORTED);
    free(y);
    free(ok);
}

static void policy__unknown_fields_warned_once(void **state)
{
    struct sg_admit_policies *p;
    struct logcap lc;
    char *one = with_key(key_head, "    colour: blue\n");
    size_t n = 2 * strlen(one) + 100;
    char *y = malloc(n);

    (void)state;
    snprintf(y, n, "%s  extra: 1\n---\n%s", one, one);
    assert_int_equal(parse(&p, y, &lc), SG_OK);
    assert_int_equal(sg_admit_policies_count(p), 2);
    /* colour (twice in the file) once, spec.extra once. */
    assert_int_equal(lc.warnings, 2);
    assert_non_null(strstr(lc.all, "spec.authorities[].colour: unknown "
                                   "field, ignored"));
    assert_non_null(strstr(lc.all, "spec.extra"));
    sg_admit_policies_unref(p);
    free(y);
    free(one);
    /* Accepted but ignored fields are named too. */
    y = with_key(key_head, "    ctlog: {url: https://rekor.example}\n");
    assert_int_equal(parse(&p, y, &lc), SG_OK);
    assert_int_equal(lc.warnings, 1);
    assert_non_null(strstr(lc.all, "ctlog"));
    sg_admit_policies_unref(p);
    free(y);
}

static void policy__bounds_and_malformed(void **state)
{
    struct sg_admit_policies *p;
    char *y;
    size_t n;

    (void)state;
    /* Nesting. */
    n = 4 * 100 + 10;
    y = calloc(1, n);
    memset(y, '[', 100);
    memset(y + 100, ']', 100);
    assert_int_equal(parse(&p, y, NULL), SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "nested deeper"));
    free(y);
    /* Alias expansion ("billion laughs") is counted per use. */
    assert_int_equal(parse(&p,
                           "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                           "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                           "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                           "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                           "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
                           NULL),
                     SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "YAML nodes"));
    assert_int_equal(parse(&p, "a: [\n", NULL), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "YAML"));
    assert_int_equal(parse(&p, "a: 1\na: 2\n", NULL), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "duplicate key"));
    assert_int_equal(parse(&p, "- 1\n", NULL), SG_EPARSE);
    /* An empty file is an empty set. */
    assert_int_equal(parse(&p, "", NULL), SG_OK);
    assert_int_equal(sg_admit_policies_count(p), 0);
    sg_admit_policies_unref(p);
    /* A glob policy-controller would reject. */
    y = with_key("apiVersion: policy.sigstore.dev/v1beta1\n"
                 "kind: ClusterImagePolicy\nmetadata: {name: g}\n"
                 "spec:\n  images: [{glob: \"[a-z]*\"}]\n  authorities:\n"
                 "  - key:\n      data: |\n",
                 "");
    assert_int_equal(parse(&p, y, NULL), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "invalid glob \"[a-z]*\""));
    free(y);
}

/* policy-controller's pkg/apis/glob/glob_test.go TestGlobMatch, plus
 * sigil's own rows (segment edges). */
static void policy__glob_table(void **state)
{
    static const struct {
        const char *image, *glob;
        int want; /* 1, 0, -1 error */
    } t[] = {
        { "foo", "index.docker.io/library/foo:latest", 1 },
        { "foo", "index.docker.io/library/foo:*", 1 },
        { "foo", "index.docker.io/library/*", 1 },
        { "foo", "index.docker.io/library/*:latest", 1 },
        { "foo", "index.docker.io/*/*", 1 },
        { "foo", "index.docker.io/**", 1 },
        { "foo", "index.docker.**", 1 },
        { "foo", "inde**", 1 },
        { "foo", "**", 1 },
        { "foo", "foo", 1 },
        { "foo", "foo*", 1 },
        { "foo", "foo**", 1 },
        { "myuser/myapp", "index.docker.io/myuser/myapp:latest", 1 },
        { "myuser/myapp", "index.docker.io/myuser/myapp:*", 1 },
        { "myuser/myapp", "index.docker.io/myuser/*", 1 },
        { "myuser/myapp", "index.docker.io/myuser/*:latest", 1 },
        { "myuser/myapp", "index.docker.io/*/*", 1 },
        { "myuser/myapp", "index.docker.io/**", 1 },
        { "myuser/myapp", "index.docker.**", 1 },
        { "myuser/myapp", "inde**", 1 },
        { "myuser/myapp", "**", 1 },
        { "myuser/myapp", "myuser/myapp", 1 },
        { "myuser/myapp", "myuser/myapp*", 1 },
        { "myuser/myapp", "myuser/myapp**", 1 },
        { "ghcr.io/foo/bar", "ghcr.io/*/*", 1 },
        { "ghcr.io/foo/bar", "ghcr.io/**", 1 },
        { "ghcr.io/foo", "ghcr.io/*/*", 0 },
        { "ghcr.io/foo", "ghcr.io/**", 1 },
        { "ghcr.io/foo", "ghc**", 1 },
        { "ghcr.io/foo", "**", 1 },
        { "ghcr.io/foo", "*/**", 1 },
        { "ghcr.io/foo", "ghcr.io/foo*", 1 },
        { "ghcr.io/foo", "ghcr.io/foo**", 1 },
        { "prefix-ghcr.io/foo", "ghcr.io/foo", 0 },
        { "ghcr.io/foo-suffix", "ghcr.io/foo", 0 },
        { "ghcrxio/foo", "ghcr.io/**", 0 },
        { "invalid&name", "**", -1 },
        { "invalid-glob", ".+", -1 },
        { "invalid-glob", "[a-z]*", -1 },
        { "foo", "*", 1 },
        { "myuser/myapp", "*/*", 1 },
        { "ghcr.io/foo@sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9"
          "fe96f5628ce2336350",
          "ghcr.io/foo@sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808ff9"
          "fe96f5628ce2336350",
          1 },
        /* sigil's rows */
        { "ghcr.io/a/b/c:1", "ghcr.io/*/c:*", 0 },
        { "ghcr.io/a/b/c:1", "ghcr.io/**/c:*", 1 },
        { "ghcr.io/a/b/c:1", "ghcr.io/a/*/c:1", 1 },
        { "localhost:5000/app:v1", "localhost:5000/*", 1 },
        { "docker.io/library/nginx:1.25", "index.docker.io/library/nginx:*",
          1 },
        { "nginx:1.25", "index.docker.io/library/nginx", 0 },
        { "ghcr.io/foo:v1@sha256:5504f2a95018e3d8a52d80d9e1a128c6ea337581808"
          "ff9fe96f5628ce2336350",
          "ghcr.io/foo@sha256:*", 1 },
        { "ghcr.io/foo", "ghcr.io/foo:*", 1 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int got = sg_pa_glob_match(t[i].glob, t[i].image);
        if (got != t[i].want)
            fail_msg("row %zu: glob %s image %s: got %d want %d", i, t[i].glob,
                     t[i].image, got, t[i].want);
    }
    assert_true(sg_pa_glob_match_str("a*b*c", "aXXbYYc"));
    assert_false(sg_pa_glob_match_str("a*b*c", "aX/bYYc"));
    assert_true(sg_pa_glob_match_str("a**c", "aX/bYYc"));
}

static void policy__load_examples(void **state)
{
    struct sg_admit_policies *p;
    struct logcap lc;
    struct sg_ctx ctx;

    (void)state;
    memset(&lc, 0, sizeof(lc));
    sg_ctx_init(&ctx);
    ctx.log = hook;
    ctx.payload = &lc;
    /* The directory: every example, sorted by file name. */
    assert_int_equal(
        sg_admit_policies_load(&p, SG_TESTDATA_DIR "/serve", NULL, 3, &ctx),
        SG_OK);
    assert_int_equal(sg_admit_policies_count(p), 5);
    assert_string_equal(p->v[0].name, "apps-provenance");
    assert_string_equal(p->v[1].name, "team-images-signed");
    assert_string_equal(p->v[2].name, "example-org-keyless");
    assert_int_equal(p->v[2].auth[0].kind, SG_PA_AUTH_KEYLESS);
    assert_string_equal(p->v[2].auth[0].ids[0].subject_re,
                        "^https://github\\.com/example-org/[^/]+/\\.github/"
                        "workflows/release\\.yml@refs/tags/v");
    assert_string_equal(p->v[3].name, "base-images-allowed");
    assert_string_equal(p->v[4].name, "no-untrusted-registry");
    assert_int_equal(lc.warnings, 0);
    assert_int_equal(sg_admit_policies_generation(p), 3);
    sg_admit_policies_unref(p);
    assert_int_equal(
        sg_admit_policies_load(&p, SG_TESTDATA_DIR "/serve/static.yaml", NULL,
                               1, &ctx),
        SG_OK);
    assert_int_equal(sg_admit_policies_count(p), 2);
    sg_admit_policies_unref(p);
    assert_int_not_equal(
        sg_admit_policies_load(&p, SG_TESTDATA_DIR "/serve/missing.yaml", NULL,
                               1, &ctx),
        SG_OK);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy__key_authority_v1beta1),
        cmocka_unit_test(policy__v1alpha1_static_match_warn_multi_doc),
        cmocka_unit_test(policy__attestation_jq),
        cmocka_unit_test(policy__refusals_by_name),
        cmocka_unit_test(policy__keyless_authority),
        cmocka_unit_test(policy__keyless_refusals),
        cmocka_unit_test(policy__trust_roots_load),
        cmocka_unit_test(policy__unknown_kind_and_version_refuse_the_file),
        cmocka_unit_test(policy__unknown_fields_warned_once),
        cmocka_unit_test(policy__bounds_and_malformed),
        cmocka_unit_test(policy__glob_table),
        cmocka_unit_test(policy__load_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * sigil serve: the Kubernetes admission webhook (server/, docs/serve.md).
 * Collects the options and the registry credentials, then runs the server
 * until SIGTERM; every log line (reviews and the library's messages) is
 * one JSON object on stderr.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigil/server.h"

/* A review or event line from the server (any thread). */
static void serve_log_line(const char *line, void *payload)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)payload;
    if (!sg_buf_adds(&b, line) && !sg_buf_addc(&b, '\n'))
        cli_progress_line(b.data);
    sg_buf_release(&b);
}

/* The library's messages, as JSON lines too. */
static void
serve_log_hook(enum sg_log_level level, const char *msg, void *payload)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    const int *verbosity = payload;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *o;

    if (verbosity && (int)level > *verbosity)
        return;
    o = json_pack("{s:s, s:s}", "level", names[level], "msg", msg);
    if (o && !sg_json_dump_buf(&b, o, JSON_COMPACT))
        serve_log_line(b.data, NULL);
    sg_buf_release(&b);
    json_decref(o);
}

/* "10m", "30s", "1h", "500ms" or plain seconds; -1 when malformed. */
static int64_t parse_duration_ms(const char *s)
{
    int64_t v = 0;
    int nd = 0;

    while (*s >= '0' && *s <= '9' && nd < 12) {
        v = v * 10 + (*s++ - '0');
        nd++;
    }
    if (!nd)
        return -1;
    if (!*s || !strcmp(s, "s"))
        return v * 1000;
    if (!strcmp(s, "ms"))
        return v;
    if (!strcmp(s, "m"))
        return v * 60000;
    if (!strcmp(s, "h"))
        return v * 3600000;
    return -1;
}

/* --trust-root NAME=FILE, repeatable: the trusted roots keyless
 * authorities name with trustRootRef. The strings stay in argv. */
#define TRUST_ROOTS_MAX 64
struct trust_roots {
    struct sg_server_trust_root v[TRUST_ROOTS_MAX];
    size_t n;
};

static int take_trust_root(void *arg, char *v)
{
    struct trust_roots *t = arg;
    char *eq = strchr(v, '=');

    if (!eq || eq == v || !eq[1])
        return cli_usage_error(&cli_cmd_serve,
                               "--trust-root %s: expected NAME=FILE", v);
    *eq = '\0';
    for (size_t i = 0; i < t->n; i++) {
        if (!strcmp(t->v[i].name, v))
            return cli_usage_error(&cli_cmd_serve,
                                   "--trust-root %s given twice", v);
    }
    if (t->n >= TRUST_ROOTS_MAX)
        return cli_usage_error(&cli_cmd_serve, "more than %d --trust-root",
                               TRUST_ROOTS_MAX);
    t->v[t->n].name = v;
    t->v[t->n++].path = eq + 1;
    return 0;
}

int cli_run_serve(struct cli_ctx *ctx, int argc, char **argv)
{
    struct trust_roots roots = { .n = 0 };
    const char *policy = NULL, *cert = NULL, *key = NULL, *listen = NULL;
    const char *root = NULL, *ttl = NULL, *size = NULL, *no_match = NULL;
    int insecure_http = 0;
    struct sg_server_opts o;
    struct sg_oci_registry_opts reg;
    const struct cli_opt opts[] = {
        { .name = "--policy", .value = &policy },
        { .name = "--tls-cert", .value = &cert },
        { .name = "--tls-key", .value = &key },
        { .name = "--listen", .value = &listen },
        { .name = "--trusted-root", .value = &root },
        { .name = "--trust-root", .take = take_trust_root, .arg = &roots },
        { .name = "--cache-ttl", .value = &ttl },
        { .name = "--cache-size", .value = &size },
        { .name = "--no-match", .value = &no_match },
        { .name = "--insecure-http", .flag = &insecure_http },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts) };
    sg_err rc;

    if (cli_parse_args(ctx, &cli_cmd_serve, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    memset(&o, 0, sizeof(o));
    if (!policy)
        return cli_usage_error(&cli_cmd_serve, "--policy is required");
    if (!insecure_http && (!cert || !key))
        return cli_usage_error(&cli_cmd_serve,
                               "--tls-cert and --tls-key are required "
                               "(or --insecure-http for tests)");
    if (insecure_http && (cert || key))
        return cli_usage_error(&cli_cmd_serve,
                               "--insecure-http takes no certificate");
    if (ttl && (o.cache_ttl_ms = parse_duration_ms(ttl)) <= 0)
        return cli_usage_error(&cli_cmd_serve,
                               "--cache-ttl %s: expected a duration such as "
                               "10m, 30s or 500ms",
                               ttl);
    if (size) {
        char *end = NULL;
        unsigned long long v = strtoull(size, &end, 10);
        if (!*size || *end || !v || v > 100000000ull)
            return cli_usage_error(
                &cli_cmd_serve, "--cache-size %s: expected 1..100000000", size);
        o.cache_size = (size_t)v;
    }
    if (!no_match || !strcmp(no_match, "deny"))
        o.no_match = 0;
    else if (!strcmp(no_match, "allow"))
        o.no_match = 1;
    else if (!strcmp(no_match, "warn"))
        o.no_match = 2;
    else
        return cli_usage_error(&cli_cmd_serve,
                               "--no-match must be deny, allow or warn");

    ctx->sg.log = serve_log_hook;
    ctx->sg.payload = &ctx->verbosity;
    ctx->sg.progress = NULL;
    o.listen = listen;
    o.tls_cert = cert;
    o.tls_key = key;
    o.insecure_http = insecure_http;
    o.policy_path = policy;
    /* A server has no whole-command deadline: each review has its own
     * (the API server's ?timeout=), given to the engine per image. */
    reg = *cli_registry_opts(ctx);
    reg.deadline_ms = 0;
    reg.timeout_ms = 0;
    o.registry = &reg;
    /* the default trusted root as `sigil verify` finds it: the flag,
     * else $SIGSTORE_TRUSTED_ROOT, else (NULL) the built-in one */
    if (!root) {
        const char *env = getenv("SIGSTORE_TRUSTED_ROOT");
        root = env && *env ? env : NULL;
    }
    o.trusted_root_path = root;
    o.trust_roots = roots.v;
    o.n_trust_roots = roots.n;
    o.ctx = &ctx->sg;
    o.log = serve_log_line;
    rc = sg_server_run(&o);
    if (rc)
        return cli_fail(rc, "serve");
    return CLI_EXIT_OK;
}

/*
 * Helpers shared by the commands: common options and the table-driven
 * argument parser, registry options and credentials (docker config.json
 * and credential helpers), opening stores and resolving image digests,
 * error printing, reading input files, atomic output and password prompts,
 * and the progress lines drawn on a TTY.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

void cli_print_usage(const struct cli_command *cmd)
{
    printf("%s", cmd->usage);
}

const char *cli_opt_value(
    int argc, char **argv, int *i, const char *name, const char *alt, int *bad)
{
    const char *a = argv[*i];
    size_t n;
    const char *names[2] = { name, alt };

    for (int k = 0; k < 2; k++) {
        if (!names[k])
            continue;
        n = strlen(names[k]);
        if (strncmp(a, names[k], n) != 0)
            continue;
        if (a[n] == '=' && names[k][1] == '-')
            return a + n + 1;
        if (a[n] != '\0')
            continue;
        if (*i + 1 >= argc) {
            fprintf(stderr, "sigil: option %s needs a value\n", names[k]);
            *bad = 1;
            return NULL;
        }
        (*i)++;
        return argv[*i];
    }
    return NULL;
}

/* Does argv[*i] match flag option o? */
static int flag_matches(const struct cli_opt *o, const char *a)
{
    size_t n = strlen(o->name);

    if (strcmp(a, o->name) == 0 || (o->alt && strcmp(a, o->alt) == 0))
        return 1;
    return o->eq_ok && strncmp(a, o->name, n) == 0 && a[n] == '=';
}

/* Try the command's own options at argv[*i]: 1 consumed, 0 not one of
 * them, -1 usage error (printed). */
static int command_opt(const struct cli_args *a, int argc, char **argv, int *i)
{
    for (size_t k = 0; k < a->n_opts; k++) {
        const struct cli_opt *o = &a->opts[k];
        const char *v;
        int bad = 0;

        if (!o->value && !o->take) {
            if (!flag_matches(o, argv[*i]))
                continue;
            if (o->flag)
                *o->flag = 1;
            return 1;
        }
        v = cli_opt_value(argc, argv, i, o->name, o->alt, &bad);
        if (bad)
            return -1;
        if (!v)
            continue;
        if (o->value)
            *o->value = v;
        else if (o->take(o->arg, argv[*i] + (v - argv[*i])))
            return -1;
        return 1;
    }
    return 0;
}

int cli_parse_args(struct cli_ctx *ctx,
                   const struct cli_command *cmd,
                   int argc,
                   char **argv,
                   int first,
                   struct cli_args *a)
{
    int only_pos = 0;

    a->n_pos = 0;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        int r;

        if (!only_pos && cmd->pos.dashdash && strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (!only_pos && arg[0] == '-' && arg[1]) {
            r = cli_common_opt(ctx, argc, argv, &i);
            if (r == 0)
                r = command_opt(a, argc, argv, &i);
            if (r < 0)
                return CLI_EXIT_USAGE;
            if (r > 0)
                continue;
            if (cmd->pos.unknown == CLI_UNKNOWN_PLAIN)
                return cli_usage_error(cmd, "unknown option %s", arg);
            if (cmd->pos.unknown == CLI_UNKNOWN_QUOTED)
                return cli_usage_error(cmd, "unknown option '%s'", arg);
            return cli_usage_error(cmd, "unexpected argument '%s'", arg);
        }
        if (a->n_pos >= cmd->pos.max) {
            if (cmd->pos.too_many && cmd->pos.max > 0)
                return cli_usage_error(cmd, "%s", cmd->pos.too_many);
            return cli_usage_error(cmd, "unexpected argument '%s'", arg);
        }
        a->pos[a->n_pos++] = arg;
    }
    return 0;
}

static sg_err read_stdin_password(char **out)
{
    struct sg_buf b = SG_BUF_INIT(64 * 1024);
    char chunk[4096];
    ssize_t n;
    sg_err rc = SG_OK;

    while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = sg_error_errno("stdin", errno);
            break;
        }
        rc = sg_buf_add(&b, chunk, (size_t)n);
        if (rc)
            break;
    }
    sg_wipe(chunk, sizeof(chunk));
    while (!rc && b.len &&
           (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
        b.data[--b.len] = '\0';
    if (!rc)
        rc = sg_buf_take(out, NULL, &b);
    sg_buf_release(&b);
    return rc;
}

int cli_common_opt(struct cli_ctx *ctx, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *v;
    int bad = 0;

    if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
        ctx->verbosity++;
        cli_set_verbosity(ctx->verbosity);
        return 1;
    }
    if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
        ctx->verbosity = 0;
        cli_set_verbosity(0);
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--platform", NULL, &bad))) {
        ctx->platform = v;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--ca-file", NULL, &bad))) {
        ctx->ca_file = v;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--insecure-registry", NULL, &bad))) {
        const char **p =
            realloc(ctx->insecure, (ctx->n_insecure + 2) * sizeof(*p));
        if (!p) {
            fprintf(stderr, "sigil: out of memory\n");
            return -1;
        }
        ctx->insecure = p;
        p[ctx->n_insecure++] = v;
        p[ctx->n_insecure] = NULL;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--username", "-u", &bad))) {
        ctx->username = v;
        return 1;
    }
    if (strcmp(a, "--password-stdin") == 0) {
        if (read_stdin_password(&ctx->password)) {
            fprintf(stderr, "sigil: --password-stdin: %s\n", sg_error_last());
            return -1;
        }
        return 1;
    }
    return bad ? -1 : 0;
}

/* Run `docker-credential-<helper> get` with the server on stdin. */
static sg_err run_cred_helper(const struct cli_ctx *ctx,
                              struct sg_oci_credentials *out,
                              const char *helper,
                              const char *host)
{
    int in[2] = { -1, -1 }, outp[2] = { -1, -1 };
    struct sg_buf prog = SG_BUF_INIT(4096), answer = SG_BUF_INIT(1 << 20);
    char chunk[4096];
    pid_t pid;
    int status = 0;
    sg_err rc = SG_OK;

    if (sg_buf_addf(&prog, "docker-credential-%s", helper))
        return SG_ENOMEM;
    if (pipe(in) != 0 || pipe(outp) != 0) {
        rc = sg_error_errno("pipe", errno);
        goto done;
    }
    pid = fork();
    if (pid < 0) {
        rc = sg_error_errno("fork", errno);
        goto done;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(in[0], STDIN_FILENO);
        dup2(outp[1], STDOUT_FILENO);
        if (devnull >= 0)
            dup2(devnull, STDERR_FILENO);
        close(in[1]);
        close(outp[0]);
        execlp(prog.data, prog.data, "get", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    in[0] = -1;
    close(outp[1]);
    outp[1] = -1;
    {
        /* The helper may have exited already (e.g. not installed): a
         * write to its closed stdin must not kill us with SIGPIPE; its
         * exit status tells what happened. */
        struct sigaction ign, old;
        memset(&ign, 0, sizeof(ign));
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, &old);
        if (write(in[1], host, strlen(host)) < 0) {
            /* EPIPE: see above */
        }
        sigaction(SIGPIPE, &old, NULL);
    }
    close(in[1]);
    in[1] = -1;
    for (;;) {
        ssize_t n = read(outp[0], chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (!rc)
            rc = sg_buf_add(&answer, chunk, (size_t)n);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc)
        goto done;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        /* "credentials not found" is not an error: anonymous. */
        sg_debug(&ctx->sg, "%s get %s: no credentials (exit %d)", prog.data,
                 host, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        goto done;
    }
    rc = sg_oci_cred_helper_parse(out, answer.data, answer.len);
    if (rc)
        sg_error_prefix(rc, "%s", prog.data);
done:
    for (int k = 0; k < 2; k++) {
        if (in[k] >= 0)
            close(in[k]);
        if (outp[k] >= 0)
            close(outp[k]);
    }
    sg_wipe(answer.data, answer.len);
    sg_buf_release(&answer);
    sg_buf_release(&prog);
    return rc;
}

static sg_err
get_credentials(struct sg_oci_credentials *out, const char *host, void *payload)
{
    struct cli_ctx *ctx = payload;
    struct sg_buf path = SG_BUF_INIT(4096), cfg = SG_BUF_INIT(16 << 20);
    const char *dir = getenv("DOCKER_CONFIG");
    const char *home = getenv("HOME");
    char *helper = NULL;
    sg_err rc = SG_OK;

    memset(out, 0, sizeof(*out));
    if (ctx->username) {
        out->username = strdup(ctx->username);
        out->password = strdup(ctx->password ? ctx->password : "");
        if (!out->username || !out->password)
            return sg_error_oom();
        return SG_OK;
    }
    if (dir)
        rc = sg_buf_addf(&path, "%s/config.json", dir);
    else if (home)
        rc = sg_buf_addf(&path, "%s/.docker/config.json", home);
    else
        return SG_OK;
    if (rc)
        return rc;
    rc = sg_file_read(&cfg, path.data, 16 << 20);
    if (rc == SG_ENOTFOUND) {
        sg_error_clear();
        rc = SG_OK;
        goto done;
    }
    if (rc)
        goto done;
    rc = sg_oci_docker_config_lookup(out, &helper, cfg.data, cfg.len, host);
    if (rc) {
        sg_error_prefix(rc, "%s", path.data);
        goto done;
    }
    if (helper && !out->username && !out->registry_token)
        /* docker login stores Docker Hub under its v1 URL */
        rc = run_cred_helper(ctx, out, helper,
                             strcmp(host, "docker.io") == 0
                                 ? "https://index.docker.io/v1/"
                                 : host);
done:
    free(helper);
    sg_wipe(cfg.data, cfg.len);
    sg_buf_release(&cfg);
    sg_buf_release(&path);
    return rc;
}

const struct sg_oci_registry_opts *cli_registry_opts(struct cli_ctx *ctx)
{
    ctx->reg.get_credentials = get_credentials;
    ctx->reg.cred_payload = ctx;
    ctx->reg.ca_file = ctx->ca_file;
    ctx->reg.insecure_hosts = ctx->insecure;
    ctx->reg.ctx = &ctx->sg;
    return &ctx->reg;
}

/* Is rc a transport error? Their messages name the registry host or URL,
 * not the image the user gave. */
static int transport_error(sg_err rc)
{
    return rc == SG_ENET || rc == SG_EHTTP || rc == SG_EAUTH;
}

sg_err cli_open_store(struct sg_oci_store **out,
                      struct cli_ctx *ctx,
                      const char *spec,
                      unsigned flags)
{
    sg_err rc = sg_oci_store_open(out, spec, cli_registry_opts(ctx), flags);

    /* Opening names the path or reference itself; a registry's transport
     * errors name its host, and then the image adds information. */
    if (rc && transport_error(rc))
        cli_fail(rc, "%s", spec);
    else if (rc)
        cli_error(rc);
    return rc;
}

int cli_store_fail(sg_err rc, const struct sg_oci_store *s, const char *spec)
{
    /* Local stores' messages start with their path; a registry's name
     * the repository or host, not the reference the user gave. */
    if (sg_oci_store_kind(s) == SG_OCI_STORE_REGISTRY)
        return cli_fail(rc, "%s", spec);
    return cli_error(rc);
}

int cli_open_image(struct sg_oci_store **s,
                   char **digest,
                   struct cli_ctx *ctx,
                   const char *image,
                   unsigned flags)
{
    const char *ref;
    sg_err rc;

    *digest = NULL;
    if (cli_open_store(s, ctx, image, flags & ~CLI_OPEN_DIGEST_AS_IS))
        return CLI_EXIT_FAIL;
    ref = sg_oci_store_default_ref(*s);
    if ((flags & CLI_OPEN_DIGEST_AS_IS) && sg_digest_valid(ref)) {
        *digest = strdup(ref);
        rc = *digest ? SG_OK : sg_error_oom();
    } else {
        rc = sg_oci_store_head_manifest(*s, ref, NULL, digest, NULL);
    }
    return rc ? cli_store_fail(rc, *s, image) : CLI_EXIT_OK;
}

int cli_image_len(const char *image, const char *digest)
{
    size_t n = strlen(image), d = strlen(digest);

    if (n > d && image[n - d - 1] == '@' && strcmp(image + n - d, digest) == 0)
        n -= d + 1;
    return n > INT_MAX ? INT_MAX : (int)n;
}

/* "sigil: [context: ]message", the message being the library's last one
 * (or the code's name when none was recorded). */
static int print_error(sg_err rc, const char *context)
{
    const char *msg = sg_error_last()[0] ? sg_error_last() : sg_err_name(rc);

    cli_progress_clear();
    if (context)
        fprintf(stderr, "sigil: %s: %s\n", context, msg);
    else
        fprintf(stderr, "sigil: %s\n", msg);
    return rc == SG_EVERIFY ? CLI_EXIT_VERIFY : CLI_EXIT_FAIL;
}

void cli_print_rejected(const char *source, const char *reason)
{
    cli_progress_clear();
    fprintf(stderr, "sigil: %s: %s\n", source, reason);
}

int cli_error(sg_err rc)
{
    return print_error(rc, NULL);
}

int cli_fail(sg_err rc, const char *fmt, ...)
{
    char ctxmsg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ctxmsg, sizeof(ctxmsg), fmt, ap);
    va_end(ap);
    return print_error(rc, ctxmsg);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "sigil %s: %s (see 'sigil help %s')\n", cmd->name, msg,
            cmd->name);
    return CLI_EXIT_USAGE;
}

int cli_read_file(struct sg_buf *b, const char *path, size_t max)
{
    sg_err rc = sg_file_read(b, path, max);

    /* sg_file_read's messages start with the path. */
    return rc ? cli_error(rc) : CLI_EXIT_OK;
}

int cli_read_input(struct sg_buf *b, const char *path, size_t max)
{
    char tmp[65536];
    size_t n;
    sg_err rc = SG_OK;

    if (strcmp(path, "-") != 0)
        return cli_read_file(b, path, max);
    b->max = max;
    while (!rc && (n = fread(tmp, 1, sizeof(tmp), stdin)) > 0)
        rc = sg_buf_add(b, tmp, n);
    if (!rc && ferror(stdin))
        rc = sg_error_set(SG_EIO, "read error");
    return rc ? cli_fail(rc, "stdin") : CLI_EXIT_OK;
}

sg_err cli_write_output(const char *path, const void *data, size_t len)
{
    const unsigned char *p = data;

    if (path && strcmp(path, "-") != 0)
        return sg_file_write_atomic(path, data, len, 0644);
    while (len) {
        ssize_t n = write(STDOUT_FILENO, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sg_error_errno("stdout", errno);
        }
        p += n;
        len -= (size_t)n;
    }
    return SG_OK;
}

int cli_output(const char *path, const void *data, size_t len)
{
    sg_err rc = cli_write_output(path, data, len);

    /* Both ways' messages name the file or "stdout". */
    return rc ? cli_error(rc) : CLI_EXIT_OK;
}

int cli_source_date_epoch(const struct cli_command *cmd, long long *t, int *set)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    long long v;

    *t = (long long)time(NULL);
    if (set)
        *set = 0;
    if (!e || !e[0])
        return CLI_EXIT_OK;
    errno = 0;
    v = strtoll(e, &end, 10);
    if (errno || !end || *end || v < 0)
        return cmd ? cli_usage_error(cmd, "SOURCE_DATE_EPOCH: not a number: %s",
                                     e)
                   : CLI_EXIT_OK;
    *t = v;
    if (set)
        *set = 1;
    return CLI_EXIT_OK;
}

int cli_take_annotation(void *arg, char *v)
{
    struct cli_annotations *a = arg;

    if (sg_sign_annotation_parse(a->v, &a->n, v))
        return cli_usage_error(a->cmd, "%s", sg_error_last());
    return CLI_EXIT_OK;
}

static sg_err prompt_once(char **out, const char *prompt, int fd)
{
    struct termios old, noecho;
    char line[1024];
    size_t n = 0;
    sg_err rc = SG_OK;

    if (tcgetattr(fd, &old) != 0)
        return sg_error_errno("terminal", errno);
    noecho = old;
    noecho.c_lflag &= ~(tcflag_t)ECHO;
    if (write(fd, prompt, strlen(prompt)) < 0 ||
        tcsetattr(fd, TCSAFLUSH, &noecho) != 0)
        return sg_error_errno("terminal", errno);
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || c == '\n')
            break;
        if (n + 1 < sizeof(line))
            line[n++] = c;
    }
    line[n] = '\0';
    tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* cosmetic only */
    }
    *out = strdup(line);
    if (!*out)
        rc = sg_error_oom();
    sg_wipe(line, sizeof(line));
    return rc;
}

sg_err
cli_read_password(char **out, const char *env, const char *prompt, int confirm)
{
    const char *v = env ? getenv(env) : NULL;
    char *again = NULL;
    int fd;
    sg_err rc;

    *out = NULL;
    if (v) {
        *out = strdup(v);
        return *out ? SG_OK : sg_error_oom();
    }
    fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0 || !isatty(fd)) {
        if (fd >= 0)
            close(fd);
        return sg_error_set(SG_EAUTH,
                            "no password: set %s or run on a terminal",
                            env ? env : "the password variable");
    }
    rc = prompt_once(out, prompt, fd);
    if (!rc && confirm) {
        rc = prompt_once(&again, "Enter password for private key again: ", fd);
        if (!rc && strcmp(*out, again) != 0)
            rc = sg_error_set(SG_EAUTH, "passwords do not match");
    }
    close(fd);
    if (again) {
        sg_wipe(again, strlen(again));
        free(again);
    }
    if (rc && *out) {
        sg_wipe(*out, strlen(*out));
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Progress on a TTY                                                    */
/*
 * The library reports bytes per blob (sg_progress); this draws them. While
 * blobs are in flight one live line is redrawn in place ("\r" + erase to
 * end of line), at most 10 times a second; when a blob finishes, the live
 * line is replaced by a permanent one, e.g.
 *   sha256:0123456789ab… 12.3 MiB  45.6 MiB/s  done
 * sbom's parallel scan reports from several threads: everything below
 * runs under one mutex. Nothing is drawn unless cli_progress_start
 * installed the hook (stderr a TTY) and the verbosity is at least 1.
 */

#define PROGRESS_SLOTS     64
#define PROGRESS_REDRAW_NS 100000000LL /* live line: at most 10 per second */

struct progress_slot {
    char what[96];   /* blob name; "" = free slot */
    long long start; /* ns (CLOCK_MONOTONIC) of its first report */
};

static struct {
    pthread_mutex_t lock;
    const struct cli_ctx *ctx; /* verbosity read live (-q may come late) */
    int live;                  /* a live line is on screen */
    long long last_draw;       /* ns of the last live redraw */
    struct progress_slot slots[PROGRESS_SLOTS];
} progress = { .lock = PTHREAD_MUTEX_INITIALIZER };

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "512 B", "12.3 KiB", "1.5 GiB" (powers of 1024). */
static void human_bytes(char *out, size_t cap, double n)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    size_t u = 0;

    while (n >= 1024.0 && u + 1 < CLI_N(unit)) {
        n /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, cap, "%.0f B", n);
    else
        snprintf(out, cap, "%.1f %s", n, unit[u]);
}

/* "sha256:" and 12 hex digits then "…"; other names cut at 40. Bytes
 * that are not printable ASCII become '?' (a name is registry data). */
static void short_name(char *out, size_t cap, const char *what)
{
    const char *colon = strchr(what, ':');
    size_t keep = colon ? (size_t)(colon - what) + 13 : 40;
    size_t len = strlen(what), n = 0;

    if (len <= keep + 1)
        keep = len;
    for (size_t i = 0; i < keep && n + 4 < cap; i++) {
        unsigned char c = (unsigned char)what[i];
        out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (keep < len && n + 4 < cap) {
        memcpy(out + n, "\xe2\x80\xa6", 3); /* U+2026 … */
        n += 3;
    }
    out[n] = '\0';
}

static struct progress_slot *progress_slot(const char *what, long long now)
{
    struct progress_slot *free_slot = NULL;

    for (size_t i = 0; i < PROGRESS_SLOTS; i++) {
        struct progress_slot *p = &progress.slots[i];
        if (p->what[0] && strncmp(p->what, what, sizeof(p->what) - 1) == 0)
            return p;
        if (!p->what[0] && !free_slot)
            free_slot = p;
    }
    if (!free_slot)
        free_slot = &progress.slots[0]; /* more in flight than slots */
    snprintf(free_slot->what, sizeof(free_slot->what), "%s", what);
    free_slot->start = now;
    return free_slot;
}

void cli_progress_draw(const char *what,
                       uint64_t bytes,
                       uint64_t total,
                       int done)
{
    char name[64], got[32], all[32], rate[32], line[192];
    struct progress_slot *slot;
    long long now = now_ns();
    double secs;

    if (!progress.ctx || progress.ctx->verbosity < 1)
        return;
    if (!what)
        what = "";
    pthread_mutex_lock(&progress.lock);
    slot = progress_slot(what, now);
    if (done < 0) {
        /* Failed: forget it; the error message follows on a clean line. */
        slot->what[0] = '\0';
        if (progress.live)
            fputs("\r\033[K", stderr);
        progress.live = 0;
        goto done;
    }
    /* The first report (0 bytes) only starts the clock. */
    if (!done && (bytes == 0 || now - progress.last_draw < PROGRESS_REDRAW_NS))
        goto done;
    secs = (double)(now - slot->start) / 1e9;
    short_name(name, sizeof(name), what);
    human_bytes(got, sizeof(got), (double)bytes);
    /* Timed from the 0-byte report that opens each transfer. */
    human_bytes(rate, sizeof(rate),
                (double)bytes / (secs > 1e-6 ? secs : 1e-6));
    if (done) {
        snprintf(line, sizeof(line), "%s %s  %s/s  done\n", name, got, rate);
        slot->what[0] = '\0';
        progress.live = 0;
    } else {
        human_bytes(all, sizeof(all), (double)total);
        if (total)
            snprintf(line, sizeof(line), "%s %s / %s  %s/s", name, got, all,
                     rate);
        else
            snprintf(line, sizeof(line), "%s %s  %s/s", name, got, rate);
        progress.live = 1;
        progress.last_draw = now;
    }
    fprintf(stderr, "\r\033[K%s", line);
done:
    pthread_mutex_unlock(&progress.lock);
}

void cli_progress_clear(void)
{
    cli_progress_line(NULL);
}

void cli_progress_line(const char *line)
{
    pthread_mutex_lock(&progress.lock);
    if (progress.live)
        fputs("\r\033[K", stderr);
    progress.live = 0;
    if (line)
        fputs(line, stderr);
    pthread_mutex_unlock(&progress.lock);
}

static void progress_hook(
    const char *what, uint64_t bytes, uint64_t total, int done, void *payload)
{
    (void)payload;
    cli_progress_draw(what, bytes, total, done);
}

void cli_progress_start(struct cli_ctx *ctx, const char *command)
{
    static const char *const with_progress[] = { "copy", "sbom", "sign",
                                                 "attest" };

    for (size_t i = 0; i < CLI_N(with_progress); i++) {
        if (strcmp(command, with_progress[i]) == 0) {
            if (!isatty(STDERR_FILENO))
                return;
            progress.ctx = ctx;
            ctx->sg.progress = progress_hook;
            return;
        }
    }
}

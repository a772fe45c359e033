/* No process-wide settings: two ctxs with different limits, used
 * alternately and from two threads at once on the same input, give
 * different verdicts, and each warning reaches only its own ctx's hook
 * (an admission server runs many verifications at once this way). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "sbom/sbom_int.h"
#include "sigil/oci.h"

/* 249 bytes: over manifest-max=100, under the default. */
static const char manifest[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
    "manifest.v1+json\",\"config\":{\"mediaType\":\"application/"
    "vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"sha256:"
    "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"}"
    ",\"layers\":[]}";

/* A dpkg status with one bad stanza: a warning naming the database. */
static const char status[] = "Package: ok\nStatus: install ok installed\n"
                             "Version: 1\n\n"
                             "Version: 2\nStatus: install ok installed\n";

struct log {
    pthread_mutex_t mu;
    char last[512];
    int warnings;
};

static void hook(enum sg_log_level level, const char *msg, void *payload)
{
    struct log *l = payload;

    pthread_mutex_lock(&l->mu);
    if (level == SG_LOG_WARN)
        l->warnings++;
    snprintf(l->last, sizeof(l->last), "%s", msg);
    pthread_mutex_unlock(&l->mu);
}

struct side {
    struct sg_ctx ctx;
    struct log log;
    const char *db_path;
    int limit_hits, parsed, bad; /* results of run() */
};

static void side_init(struct side *s, size_t manifest_max, const char *db)
{
    memset(s, 0, sizeof(*s));
    sg_ctx_init(&s->ctx);
    s->ctx.limits.manifest_max = manifest_max;
    s->ctx.log = hook;
    s->ctx.payload = &s->log;
    pthread_mutex_init(&s->log.mu, NULL);
    s->db_path = db;
}

/* One round on the shared inputs with this side's ctx. */
static void round_once(struct side *s)
{
    struct sg_oci_manifest *m = NULL;
    struct sg_sbom *sb = NULL;
    sg_err rc = sg_oci_manifest_parse(&m, manifest, sizeof(manifest) - 1, NULL,
                                      &s->ctx);

    if (rc == SG_ELIMIT)
        s->limit_hits++;
    else if (rc == SG_OK)
        s->parsed++;
    else
        s->bad++;
    sg_oci_manifest_free(m);
    sg_error_clear();
    if (sg_sbom_create(&sb) != SG_OK ||
        sg_sbom__dpkg_parse(sb, status, sizeof(status) - 1, 1, s->db_path, NULL,
                            &s->ctx) != SG_OK ||
        sb->n_pkgs != 1)
        s->bad++;
    sg_sbom_free(sb);
}

static void *run(void *arg)
{
    for (int i = 0; i < 200; i++)
        round_once(arg);
    return NULL;
}

static void check(const struct side *tight, const struct side *loose, int n)
{
    assert_int_equal(tight->bad, 0);
    assert_int_equal(loose->bad, 0);
    assert_int_equal(tight->limit_hits, n);
    assert_int_equal(tight->parsed, 0);
    assert_int_equal(loose->limit_hits, 0);
    assert_int_equal(loose->parsed, n);
    /* each ctx's warnings went to its own hook, naming its database */
    assert_int_equal(tight->log.warnings, n);
    assert_int_equal(loose->log.warnings, n);
    assert_non_null(strstr(tight->log.last, "tight/status: stanza 2"));
    assert_non_null(strstr(loose->log.last, "loose/status: stanza 2"));
}

static void ctx__alternating_calls_keep_their_limits(void **state)
{
    struct side tight, loose;

    (void)state;
    assert_true(sizeof(manifest) - 1 > 100);
    side_init(&tight, 100, "tight/status");
    side_init(&loose, SG_LIMIT_MANIFEST_MAX, "loose/status");
    for (int i = 0; i < 10; i++) {
        round_once(&tight);
        round_once(&loose);
    }
    check(&tight, &loose, 10);
}

static void ctx__two_threads_at_once(void **state)
{
    struct side tight, loose;
    pthread_t ta, tb;

    (void)state;
    side_init(&tight, 100, "tight/status");
    side_init(&loose, SG_LIMIT_MANIFEST_MAX, "loose/status");
    assert_int_equal(pthread_create(&ta, NULL, run, &tight), 0);
    assert_int_equal(pthread_create(&tb, NULL, run, &loose), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    check(&tight, &loose, 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ctx__alternating_calls_keep_their_limits),
        cmocka_unit_test(ctx__two_threads_at_once),
    };

    return cmocka_run_group_tests_name("sbom_ctx", tests, NULL, NULL);
}

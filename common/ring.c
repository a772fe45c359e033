/*
 * A bounded single-producer/single-consumer byte ring between two
 * threads: the producer writes (blocking while full), the consumer reads
 * (blocking while empty). The producer's end — clean or with an error —
 * travels in-band after the last byte; the consumer can abort so that a
 * blocked writer returns instead of hanging.
 */
#include "sigil/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sg_err sg_ring_init(struct sg_ring *r, size_t cap)
{
    memset(r, 0, sizeof(*r));
    SG_ASSERT_ARG(cap > 0);
    r->buf = malloc(cap);
    if (!r->buf)
        return sg_error_oom();
    r->cap = cap;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv_data, NULL);
    pthread_cond_init(&r->cv_space, NULL);
    return SG_OK;
}

void sg_ring_release(struct sg_ring *r)
{
    if (!r->buf)
        return;
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv_data);
    pthread_cond_destroy(&r->cv_space);
    free(r->buf);
    r->buf = NULL;
}

/* The two sides wake each other only on transitions (and the writer only
 * once half the ring is free), so they do not ping-pong per chunk. */
sg_err sg_ring_write(const void *p, size_t len, void *ring)
{
    struct sg_ring *r = ring;
    const unsigned char *src = p;

    pthread_mutex_lock(&r->mu);
    while (len > 0) {
        size_t tail, chunk;
        while (r->len == r->cap && !r->aborted) {
            r->writer_waiting = 1;
            pthread_cond_wait(&r->cv_space, &r->mu);
            r->writer_waiting = 0;
        }
        if (r->aborted) {
            r->write_refused = 1;
            pthread_mutex_unlock(&r->mu);
            return sg_error_set(SG_EINTERNAL, "the reader stopped early");
        }
        tail = (r->head + r->len) % r->cap;
        chunk = r->cap - r->len;
        if (chunk > r->cap - tail)
            chunk = r->cap - tail;
        if (chunk > len)
            chunk = len;
        memcpy(r->buf + tail, src, chunk);
        r->len += chunk;
        src += chunk;
        len -= chunk;
        if (r->reader_waiting)
            pthread_cond_signal(&r->cv_data);
    }
    pthread_mutex_unlock(&r->mu);
    return SG_OK;
}

void sg_ring_close(struct sg_ring *r, sg_err rc)
{
    pthread_mutex_lock(&r->mu);
    r->closed = 1;
    r->writer_rc = rc;
    if (rc)
        snprintf(r->writer_msg, sizeof(r->writer_msg), "%s", sg_error_last());
    pthread_cond_broadcast(&r->cv_data);
    pthread_mutex_unlock(&r->mu);
}

sg_err sg_ring_read(void *p, size_t cap, size_t *n, void *ring)
{
    struct sg_ring *r = ring;
    sg_err rc = SG_OK;

    *n = 0;
    pthread_mutex_lock(&r->mu);
    while (r->len == 0 && !r->closed) {
        r->reader_waiting = 1;
        pthread_cond_wait(&r->cv_data, &r->mu);
        r->reader_waiting = 0;
    }
    if (r->len) {
        size_t chunk = r->len < cap ? r->len : cap;
        if (chunk > r->cap - r->head)
            chunk = r->cap - r->head;
        memcpy(p, r->buf + r->head, chunk);
        r->head = (r->head + chunk) % r->cap;
        r->len -= chunk;
        *n = chunk;
        if (r->writer_waiting && r->len <= r->cap / 2)
            pthread_cond_signal(&r->cv_space);
    } else if (r->writer_rc) {
        /* the writer failed (digest, size, transport): never report EOF */
        rc = sg_error_set(r->writer_rc, "%s", r->writer_msg);
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

void sg_ring_abort(struct sg_ring *r)
{
    pthread_mutex_lock(&r->mu);
    r->aborted = 1;
    pthread_cond_broadcast(&r->cv_space);
    pthread_mutex_unlock(&r->mu);
}

sg_err sg_ring_status(struct sg_ring *r, int *refused)
{
    sg_err rc;

    pthread_mutex_lock(&r->mu);
    rc = r->writer_rc;
    if (refused)
        *refused = r->write_refused;
    if (rc)
        rc = sg_error_set(rc, "%s", r->writer_msg);
    pthread_mutex_unlock(&r->mu);
    return rc;
}

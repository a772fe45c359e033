/*
 * Small file helpers: bounded whole-file reads, atomic writes (temp file
 * in the same directory, fsync, rename: nothing is ever half-written) and
 * mkdir -p.
 */
#include "sigil/common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

sg_err sg_read_some(int fd, void *buf, size_t cap, size_t *n, const char *what)
{
    for (;;) {
        ssize_t r = read(fd, buf, cap);
        if (r >= 0) {
            *n = (size_t)r;
            return SG_OK;
        }
        if (errno != EINTR)
            return sg_error_errno(what, errno);
    }
}

sg_err sg_file_read(struct sg_buf *out, const char *path, size_t max)
{
    char chunk[65536];
    int fd;
    sg_err rc = SG_OK;

    out->max = max;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sg_error_errno(path, errno);
    for (;;) {
        size_t n;
        rc = sg_read_some(fd, chunk, sizeof(chunk), &n, path);
        if (rc || n == 0)
            break;
        rc = sg_buf_add(out, chunk, n);
        if (rc) {
            if (rc == SG_ELIMIT)
                sg_error_set(SG_ELIMIT, "%s: larger than %zu bytes", path, max);
            break;
        }
    }
    close(fd);
    if (rc)
        sg_buf_release(out);
    return rc;
}

sg_err sg_write_all(int fd, const void *p, size_t len, const char *what)
{
    const unsigned char *c = p;

    while (len) {
        ssize_t n = write(fd, c, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sg_error_errno(what, errno);
        }
        c += n;
        len -= (size_t)n;
    }
    return SG_OK;
}

sg_err sg_file_write_atomic(const char *path,
                            const void *data,
                            size_t len,
                            unsigned mode)
{
    struct sg_buf tmp = SG_BUF_INIT(SG_BUF_NOLIMIT);
    int fd = -1;
    sg_err rc;

    rc = sg_buf_addf(&tmp, "%s.tmp.XXXXXX", path);
    if (rc)
        return rc;
    fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = sg_error_errno(path, errno);
        goto done;
    }
    if (fchmod(fd, (mode_t)mode) != 0) {
        rc = sg_error_errno(path, errno);
        goto done;
    }
    rc = sg_write_all(fd, data, len, path);
    if (rc)
        goto done;
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        rc = sg_error_errno(path, errno);
        goto done;
    }
    fd = -1;
    if (rename(tmp.data, path) != 0) {
        rc = sg_error_errno(path, errno);
        goto done;
    }
done:
    if (fd >= 0)
        close(fd);
    if (rc && tmp.len)
        unlink(tmp.data);
    sg_buf_release(&tmp);
    return rc;
}

sg_err sg_mkdir_p(const char *path, unsigned mode)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = sg_buf_adds(&b, path);

    if (rc)
        return rc;
    for (char *p = b.data + 1; !rc; p++) {
        int last = (*p == '\0');
        if (*p == '/' || last) {
            *p = '\0';
            if (mkdir(b.data, (mode_t)mode) != 0 && errno != EEXIST)
                rc = sg_error_errno(b.data, errno);
            if (last)
                break;
            *p = '/';
        }
    }
    sg_buf_release(&b);
    return rc;
}

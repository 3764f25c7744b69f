/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bounded, interruption-safe file helpers. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

ssize_t ds_write_all(int fd, const void *buf, size_t len);
ssize_t ds_read_all(int fd, void *buf, size_t len);
/* Reads at most size-1 bytes of path (relative to dirfd) and NUL-terminates. */
ssize_t ds_read_file_at(int dirfd, const char *path, char *buf, size_t size);
ssize_t ds_read_file(const char *path, char *buf, size_t size);
/* /proc/PID/status into buf (NUL-terminated): its length, or -ESRCH when pid is gone or unreadable. */
ssize_t ds_proc_status(pid_t pid, char *buf, size_t size);
/* Largest file droidspaces reads whole to edit it (an ad-block /etc/hosts is a few MiB). */
#define DS_FILE_MAX ((size_t)64 << 20)
/*
 * Reads fd to its end into a malloc'd, NUL-terminated *out (the caller
 * frees it); returns the length, or -EFBIG past max bytes (never a cut).
 */
ssize_t ds_read_fd_whole(int fd, char **out, size_t max);
/*
 * Opens path for reading when it is a regular file (never blocking on a
 * FIFO); -EINVAL otherwise.  nofollow: a symlink as the last component is
 * refused (-ELOOP).
 */
int ds_open_regular(const char *path, int nofollow);
/* "FIFO", "device node", "symlink", ... for messages. */
const char *ds_file_kind(mode_t mode);
/* Creates or truncates path and writes s. Never follows a final symlink. */
int ds_write_file(const char *path, const char *s, mode_t mode);
/*
 * Writes path through a temporary file and rename(2), so readers see the old
 * or the new file.  The temporary file is unnamed (O_TMPFILE) or has a
 * random name opened with O_EXCL|O_NOFOLLOW, so nothing planted can catch
 * the write; a destination that is neither a regular file nor a symlink
 * (replaced, not followed) is refused: -EISDIR, else -EINVAL.  DS_WRITE_DURABLE: fsync before the rename (for what a
 * host crash must not lose; a pidfile needs none, the boot_id check voids it
 * anyway).  DS_WRITE_IF_CHANGED: leave a regular file that holds s with this
 * mode as it is (no rewrite, no fsync on every restart).
 */
#define DS_WRITE_DURABLE 1
#define DS_WRITE_IF_CHANGED 2
int ds_write_file_atomic(const char *path, const char *s, mode_t mode, int flags);
/* mkdir -p; existing directories are fine. */
int ds_mkdir_p(const char *path, mode_t mode);
/* Strips trailing newline characters in place; returns s. */
char *ds_chomp(char *s);
/* True when file (a whole-line word search) contains needle. */
int ds_file_has_word(const char *path, const char *needle);

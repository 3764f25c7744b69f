/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Run inside a container by tests/e2e/18-ready.bats: sends one datagram to
 * the guest's notify socket (/run/host/notify) as a hostile guest could.
 *
 *   notifyprobe [-1] [-f] [-n SIZE] [TEXT]
 *     TEXT     the datagram (C escapes \n \e \a \xHH are decoded)
 *     -n SIZE  instead: "STATUS=" followed by SIZE-7 bytes of 'x'
 *     -1       with credentials that claim PID 1 of the guest (its root may:
 *              CAP_SYS_ADMIN over the PID namespace); the monitor then takes
 *              it for init's
 *     -f       with a file descriptor attached (SCM_RIGHTS), which the monitor must close
 *
 * Prints "sent N" (bytes) or "error: ..." and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static size_t decode(const char *s, char *out)
{
	size_t o = 0;
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			out[o++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[o++] = '\n'; break;
		case 'e': out[o++] = 0x1b; break;
		case 'a': out[o++] = 0x07; break;
		case '0': out[o++] = '\0'; break;
		case 'x': {
			char hex[3] = { s[1], s[1] ? s[2] : 0, 0 };
			out[o++] = (char)strtol(hex, NULL, 16);
			s += 2;
			break;
		}
		default: out[o++] = *s;
		}
	}
	return o;
}

int main(int argc, char **argv)
{
	int as_init = 0, with_fd = 0, opt;
	long size = -1;
	while ((opt = getopt(argc, argv, "1fn:")) != -1) {
		if (opt == '1')
			as_init = 1;
		else if (opt == 'f')
			with_fd = 1;
		else if (opt == 'n')
			size = atol(optarg);
		else
			return 2;
	}
	char *buf = malloc(size > 0 ? (size_t)size + 8 : 65536);
	if (!buf)
		return 1;
	size_t n;
	if (size >= 7) {
		memcpy(buf, "STATUS=", 7);
		memset(buf + 7, 'x', (size_t)size - 7);
		n = (size_t)size;
	} else {
		n = decode(optind < argc ? argv[optind] : "", buf);
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, "/run/host/notify");
	int sndbuf = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
	} control;
	memset(&control, 0, sizeof(control));
	struct iovec iov = { .iov_base = buf, .iov_len = n };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len = 0;
	struct cmsghdr *c = (struct cmsghdr *)control.b;
	if (as_init) {
		struct ucred u = { .pid = 1, .uid = getuid(), .gid = getgid() };
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(u));
		memcpy(CMSG_DATA(c), &u, sizeof(u));
		len += CMSG_SPACE(sizeof(u));
		c = (struct cmsghdr *)(control.b + len);
	}
	if (with_fd) {
		int passed = open("/", O_RDONLY | O_DIRECTORY);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &passed, sizeof(int));
		len += CMSG_SPACE(sizeof(int));
	}
	if (len) {
		msg.msg_control = control.b;
		msg.msg_controllen = len;
	}
	if (fd < 0 || sendmsg(fd, &msg, 0) < 0) {
		printf("error: %s\n", strerror(errno));
		return 1;
	}
	printf("sent %zu\n", n);
	return 0;
}

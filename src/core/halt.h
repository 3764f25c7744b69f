/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Stopping a guest the way its own init wants to be stopped, escalating to
 * SIGKILL after the timeout, then cleaning up what the monitor could not.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <sys/types.h>

enum ds_init_kind {
	DS_INIT_UNKNOWN,
	DS_INIT_SYSTEMD,
	DS_INIT_SYSVINIT,
	DS_INIT_BUSYBOX,
	DS_INIT_OPENRC,
	DS_INIT_RUNIT,
	DS_INIT_S6,
};

/* Classifies an init by the path of its executable (as the guest sees it). */
enum ds_init_kind ds_init_kind_from_exe(const char *exe);
enum ds_init_kind ds_init_detect(pid_t pid);
const char *ds_init_kind_name(enum ds_init_kind kind);
/* Asks init to halt with its own mechanism. */
int ds_halt_send(pid_t pid);
/*
 * From the text of /proc/PID/status: 1 when sig is in SigCgt or SigBlk
 * (delivered, or kept pending), 0 when in neither (a PID-namespace init
 * would lose it), -1 when the text has neither line.
 */
int ds_status_takes_signal(const char *status, int sig);
/* stop: halt (sent again once init takes the signal, see halt.c), wait up to cfg->settings.stop_timeout s, SIGKILL, clean up. */
int ds_stop(struct ds_config *cfg, struct ds_error *err);
/* sizeof(struct init_request) in sysvinit's initreq.h. */
#define DS_INITREQ_SIZE 384
/* Builds sysvinit's initctl request for a runlevel change. */
void ds_initctl_request(char runlevel, unsigned char out[DS_INITREQ_SIZE]);

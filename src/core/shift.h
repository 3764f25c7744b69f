/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * --private-users-ownership: how the rootfs's files become guest root's.
 *
 * map: the monitor idmaps the rootfs into init's user namespace (files keep
 * their ids on disk). chown: the ids on disk are shifted once by
 * fs/idshift.c into the container's range, and the shift is recorded in the
 * saved settings (private_users_shift) so that the next start with the same
 * range does nothing, a start with another range shifts from the recorded
 * one, and a start with --private-users=no (or map) shifts them back to the
 * rootfs's own. The record says "shifting" before a walk and the range
 * after it: a walk that was interrupted is finished by the next start.
 * auto (the default): map where the kernel and the filesystem can idmap
 * the rootfs, else chown; a rootfs already shifted stays shifted.
 * The record is of the tree at the path the saved settings name, and holds
 * while that tree's root directory is owned in the recorded range.
 */
#pragma once

#include "config.h"
#include "util/error.h"

/*
 * The ownership step of one start, after the range was claimed and before
 * the monitor forks (the name's lock held): decides cfg->rt.shifted and
 * brings the ids on disk where this start needs them, saving the record.
 */
int ds_shift_prepare(struct ds_config *cfg, struct ds_error *err);

/*
 * remove: a rootfs whose ids are shifted (the saved record) is shifted back
 * to its own before its range is released. 0 when nothing was to do.
 */
int ds_shift_undo(struct ds_config *cfg, const struct ds_settings *saved, struct ds_error *err);

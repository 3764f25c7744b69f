/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The systemd of a guest's rootfs, read without trusting it: whether its
 * /sbin/init is systemd, and which version (what decides the cgroup layout
 * it can boot on; nspawn reads the same library name to decide).
 */
#pragma once

/*
 * NNN of a file name "libsystemd-shared-NNN.so", also with a packager's
 * tag after the number ("libsystemd-shared-255.10-3.fc40.so"); 0 for any
 * other name or a number outside 1..99999.
 */
int ds_sdversion_from_name(const char *name);
/*
 * The version of the systemd that /sbin/init below rootfd is, from its
 * libsystemd-shared-NNN.so in usr/lib/systemd, usr/lib64/systemd or a
 * multiarch usr/lib/TRIPLET/systemd (Debian); symlinks resolved inside the
 * root. 0 when /sbin/init is not systemd's binary or no version shows.
 */
int ds_sdversion_of_root(int rootfd);

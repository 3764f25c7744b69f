# shellcheck shell=bash
# tests/e2e/lib/host.bash: host state: a comparable snapshot of the host and its diff.
# Sourced by tests/e2e/helpers.bash (with the other lib/*.bash files).

# --------------------------------------------------------------------------
# host state

_ds_own_cgroups() {
	# /sys/fs/cgroup paths of this process, one per hierarchy.
	local ctrl path m
	while IFS=: read -r _ ctrl path; do
		if [[ -z $ctrl ]]; then
			# cgroup2: wherever it is mounted (/sys/fs/cgroup or .../unified)
			for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
				[[ -e $m/cgroup.controllers ]] && echo "$m${path%/}"
			done
		else
			ctrl=${ctrl#name=}
			for m in /sys/fs/cgroup/"$ctrl" /sys/fs/cgroup/"${ctrl%%,*}"; do
				[[ -d $m ]] && echo "$m${path%/}" && break
			done
		fi
	done </proc/self/cgroup
}

_ds_cgroup_tree() {
	local own d keep o
	mapfile -t own < <(_ds_own_cgroups | sort -u)
	find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort | while IFS= read -r d; do
		keep=0
		for o in "${own[@]}"; do
			[[ $d == "$o" || $d == "$o"/* ]] && keep=1 && break
		done
		if [[ $keep == 0 ]] && [[ $d =~ $DS_TEST_CGROUP_IGNORE ]]; then
			continue
		fi
		echo "$d"
	done
}

_ds_mounts() {
	# mount point, fs type, source, mount options, super options, propagation
	# (peer group numbers dropped).  Mount points registered by fixture_copy
	# are left out; everything else counts, including mounts below them.
	local -A skip=()
	local m
	if [[ -n ${DS_TEST_DIR:-} && -f $DS_TEST_DIR/.mounts ]]; then
		while IFS= read -r m; do skip[$m]=1; done <"$DS_TEST_DIR/.mounts"
	fi
	local line pre post mp opts optional fstype src super tags w
	while IFS= read -r line; do
		pre=${line%% - *}
		post=${line#* - }
		read -r _ _ _ _ mp opts optional <<<"$pre"
		read -r fstype src super <<<"$post"
		printf -v mp '%b' "${mp//\\/\\0}"
		[[ -n ${skip[$mp]:-} ]] && continue
		# peer group numbers dropped (shared:12 -> shared), without a fork per line
		tags=""
		for w in ${optional:-}; do tags+="${tags:+ }${w%%:*}"; done
		printf '%s %s %s %s %s %s\n' "$mp" "$fstype" "$src" "$opts" "$super" "${tags:-private}"
	done </proc/self/mountinfo | sort
}

_ds_dev_nodes() {
	find /dev -xdev -print0 2>/dev/null | sort -z |
		xargs -0 -r stat -c '%F %a %U:%G %t:%T %N' 2>/dev/null
}

_ds_foreign_ns_procs() {
	# Processes (not kernel threads) living in another PID or mount namespace
	# than ours: leaked container processes show up here.  No PIDs, so the
	# list is comparable.  One find reads every namespace link (procfs files
	# have no size, so cmdline is read, not tested with -s).
	local mypid mymnt line p ns kind c comm tag
	local -A pidns=() mntns=()
	mypid=$(readlink /proc/self/ns/pid)
	mymnt=$(readlink /proc/self/ns/mnt)
	while IFS= read -r line; do
		p=${line%% *}
		ns=${line#* }
		kind=${p##*/}
		p=${p#/proc/}
		p=${p%%/*}
		if [[ $kind == pid ]]; then pidns[$p]=$ns; else mntns[$p]=$ns; fi
	done < <(find /proc/[0-9]*/ns/pid /proc/[0-9]*/ns/mnt -maxdepth 0 -printf '%p %l\n' 2>/dev/null)
	for p in "${!pidns[@]}"; do
		[[ ${pidns[$p]} == "$mypid" && ${mntns[$p]:-$mymnt} == "$mymnt" ]] && continue
		c=
		IFS= read -r -d '' c 2>/dev/null <"/proc/$p/cmdline" || true
		[[ -n $c ]] || continue # a kernel thread, a zombie, or gone
		IFS= read -r comm 2>/dev/null <"/proc/$p/comm" || continue
		tag=
		[[ ${pidns[$p]} != "$mypid" ]] && tag+=" other-pidns"
		[[ ${mntns[$p]:-$mymnt} != "$mymnt" ]] && tag+=" other-mntns"
		echo "$comm$tag"
	done | sort | uniq -c
}

# host_snapshot FILE: write a comparable description of the host state.
host_snapshot() {
	local out=$1 k f v
	{
		echo "## hostname"
		hostname
		cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname

		echo "## root filesystem options"
		findmnt -no OPTIONS /

		echo "## sysctl (selected)"
		for k in kernel.hostname kernel.domainname net.ipv4.ip_forward \
			net.ipv4.conf.all.forwarding net.ipv6.conf.all.forwarding \
			net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 \
			kernel.printk kernel.sysrq vm.overcommit_memory kernel.pid_max \
			kernel.core_pattern fs.file-max fs.nr_open fs.protected_regular \
			net.ipv4.ping_group_range net.core.default_qdisc; do
			f=/proc/sys/${k//.//}
			if [[ -r $f ]]; then
				v=
				IFS= read -r -d '' v <"$f" || true # the whole value (to EOF: status 1), without a fork
				v=${v//$'\n'/ }
				printf '%s = %s\n' "$k" "${v//$'\t'/ }"
			else
				printf '%s = <absent>\n' "$k"
			fi
		done

		echo "## sysctl (all, minus counters)"
		grep -r . /proc/sys 2>/dev/null | grep -Ev "$DS_TEST_SYSCTL_IGNORE" | sort

		echo "## links"
		ip -o link show | sed -E 's/^[0-9]+: //; s/ qlen [0-9]+//; s/\\ +/ /g'
		echo "## addresses"
		ip -o addr show | sed -E 's/^[0-9]+: //; s/\\.*//; s/ (valid|preferred)_lft [^ ]+//g'
		echo "## routes"
		ip -4 route show table all
		ip -6 route show table all | sed -E 's/ expires [0-9]+sec//'
		echo "## rules"
		ip -4 rule show
		ip -6 rule show
		if command -v iptables-save >/dev/null 2>&1; then
			echo "## iptables"
			iptables-save 2>/dev/null | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'
		fi
		if command -v nft >/dev/null 2>&1; then
			echo "## nftables"
			nft list ruleset 2>/dev/null
		fi

		echo "## mounts"
		_ds_mounts
		echo "## swaps"
		tail -n +2 /proc/swaps | awk '{print $1, $2}'
		echo "## loop devices"
		losetup -l -n -O NAME,BACK-FILE,RO,AUTOCLEAR 2>/dev/null | sort

		echo "## cgroup hierarchies"
		cut -d: -f1,2 /proc/self/cgroup
		awk '!/^#/ {print $1, $2, $4}' /proc/cgroups
		echo "## cgroup tree"
		_ds_cgroup_tree
		if [[ -r /proc/sys/fs/binfmt_misc/status ]]; then
			echo "## binfmt_misc"
			ls /proc/sys/fs/binfmt_misc
		fi

		echo "## /dev/pts entries"
		find /dev/pts -mindepth 1 -maxdepth 1 | wc -l
		echo "## /dev nodes"
		_ds_dev_nodes
		echo "## top level of /"
		ls -A /

		echo "## processes in other namespaces"
		_ds_foreign_ns_procs

		echo "## workspace"
		if [[ -n ${DROIDSPACES_WORKSPACE:-} && -d $DROIDSPACES_WORKSPACE/Pids ]]; then
			(cd "$DROIDSPACES_WORKSPACE/Pids" && find . -mindepth 1 | sort)
		fi
		echo "## default workspace /var/lib/Droidspaces (must stay untouched)"
		if [[ -d /var/lib/Droidspaces ]]; then
			find /var/lib/Droidspaces | sort
		fi
	} >"$out" 2>&1
}

# host_diff BEFORE AFTER: print the differences; status 1 if any.
host_diff() {
	diff -u --label "host before" --label "host after" "$1" "$2"
}

# --------------------------------------------------------------------------
# the host's filesystems

# fs_opts DIR: the mount options of the host filesystem that holds DIR.
fs_opts() { findmnt -no FS-OPTIONS -T "$1"; }
fs_vfs_opts() { findmnt -no VFS-OPTIONS -T "$1"; }

# quick_state: the parts of the host state a start/stop cycle could leak,
# cheap enough for every cycle (the load test and tests/soak/soak.sh).
quick_state() {
	echo "## mounts"
	_ds_mounts
	echo "## loop devices"
	losetup -l -n -O NAME,BACK-FILE 2>/dev/null | sort
	echo "## cgroups"
	find /sys/fs/cgroup -path '*droidspaces*' 2>/dev/null | sort
	echo "## pts"
	find /dev/pts -mindepth 1 -maxdepth 1 | wc -l
	echo "## pidfiles, sockets"
	find "$DROIDSPACES_WORKSPACE/Pids" "$DROIDSPACES_WORKSPACE/Sockets" -mindepth 1 2>/dev/null | sort
	echo "## processes in other namespaces"
	_ds_foreign_ns_procs
	echo "## monitors of this workspace"
	count_monitors
	echo "## caller fds"
	find /proc/$$/fd -mindepth 1 -maxdepth 1 | wc -l
}

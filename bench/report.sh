#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/report.sh RESULTS_DIR: the markdown tables of a bench/run.sh run
# (RESULTS_DIR/raw.tsv: group, metric, variant, iteration, value, unit).
# Per metric: median, min-max, sample count, and the ratio of each row's
# median to droidspaces' (the row whose name starts with "droidspaces").
set -euo pipefail
dir=${1:?usage: bench/report.sh RESULTS_DIR}
raw=$dir/raw.tsv
[[ -s $raw ]] || { echo "report: no samples in $raw" >&2; exit 1; }

echo "## Machine and command"
echo
sed 's/^/    /' "$dir/machine.txt"
echo

awk -F'\t' '
function isort(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
}
function median(key,    n, i, v, a) {
	n = split(vals[key], v, " ")
	for (i = 1; i <= n; i++) a[i] = v[i] + 0
	isort(a, n)
	lo[key] = a[1]; hi[key] = a[n]; cnt[key] = n
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function fmt(x, unit) {
	if (unit == "ms") return x < 10 ? sprintf("%.2f", x) : (x < 100 ? sprintf("%.1f", x) : sprintf("%.0f", x))
	if (unit == "MiB/s") return sprintf("%.0f", x)
	return sprintf("%d", x)
}
{
	g = $1; m = $2; v = $3; key = g SUBSEP m SUBSEP v
	if (!(g in gseen)) { gseen[g] = 1; gorder[++ng] = g }
	if (!((g SUBSEP m) in mseen)) { mseen[g SUBSEP m] = 1; morder[g, ++nm[g]] = m; unit[g, m] = $6 }
	if (!(key in vseen)) { vseen[key] = 1; vorder[g, m, ++nv[g, m]] = v }
	vals[key] = vals[key] " " $5
}
END {
	title["start"] = "Start overhead: busybox rootfs, init writes a marker on a bind-mounted host directory and exits"
	title["boot"] = "Boot: Debian 12 with systemd, volatile overlay for all"
	title["run"] = "Run latency: `true` in a running busybox guest"
	title["console"] = "Console throughput: zeros from `head -c` in the guest to a reader on the host"
	title["memory"] = "Memory and size"
	title["net"] = "Network throughput: TCP zeros from the guest to a receiver beyond the uplink (namespaces of our own)"
	title["scale"] = "Scale: N volatile busybox containers (droidspaces)"
	title["podman"] = "podman run --rm ... true over the busybox fixture, through each OCI runtime"
	for (gi = 1; gi <= ng; gi++) {
		g = gorder[gi]
		printf "## %s\n\n", (g in title) ? title[g] : g
		if (g == "scale") {
			# Pivot: one row per N, one column per metric (medians).
			printf "| N |"
			for (mi = 1; mi <= nm[g]; mi++) printf " %s (%s) |", morder[g, mi], unit[g, morder[g, mi]]
			printf "\n|---|"
			for (mi = 1; mi <= nm[g]; mi++) printf "---:|"
			printf "\n"
			m1 = morder[g, 1]
			for (vi = 1; vi <= nv[g, m1]; vi++) {
				v = vorder[g, m1, vi]
				printf "| %s |", substr(v, 3)
				for (mi = 1; mi <= nm[g]; mi++) {
					m = morder[g, mi]; key = g SUBSEP m SUBSEP v
					printf " %s |", (key in vseen) ? fmt(median(key), unit[g, m]) : "-"
				}
				printf "\n"
			}
			printf "\n"
			continue
		}
		for (mi = 1; mi <= nm[g]; mi++) {
			m = morder[g, mi]; u = unit[g, m]
			if (u == "count") {
				# Failures: how many samples each variant lost, nothing to compare.
				printf "### %s\n\n| | samples |\n|---|---:|\n", m
				for (vi = 1; vi <= nv[g, m]; vi++) {
					v = vorder[g, m, vi]
					median(g SUBSEP m SUBSEP v)
					printf "| %s | %d |\n", v, cnt[g SUBSEP m SUBSEP v]
				}
				printf "\n"
				continue
			}
			better = (u == "MiB/s") ? "higher is better" : "lower is better"
			printf "### %s (%s, %s)\n\n", m, u, better
			ref = ""
			for (vi = 1; vi <= nv[g, m]; vi++) {
				v = vorder[g, m, vi]
				med[v] = median(g SUBSEP m SUBSEP v)
				if (ref == "" && v ~ /^droidspaces/) ref = v
			}
			printf "| | median | min - max | n | %s |\n|---|---:|---:|---:|---:|\n", ref == "" ? "" : "÷ droidspaces"
			for (vi = 1; vi <= nv[g, m]; vi++) {
				v = vorder[g, m, vi]; key = g SUBSEP m SUBSEP v
				r = ""
				if (ref != "" && v != ref && med[ref] > 0) r = sprintf("%.2f", med[v] / med[ref])
				if (v == ref) r = "1"
				printf "| %s | %s | %s - %s | %d | %s |\n", v, fmt(med[v], u), fmt(lo[key], u), fmt(hi[key], u), cnt[key], r
			}
			printf "\n"
		}
	}
}' "$raw"

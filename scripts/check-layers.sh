#!/usr/bin/env bash
# Two rules on the #include "..." graph of src/:
# 1. Every include points down a floor (or sideways within one), never up:
#    util,tty = 1; fs,host,ns = 2; core,oci = 3; cli,cmd = 4; main = 5. config.h is below all.
# 2. No cycles between modules, sideways ones included.  A module is src/a/b.c with
#    src/a/b.h; it depends on every module whose header it includes.  Each strongly
#    connected component of more than one module is a cycle, reported with one
#    concrete path through it.
# Usage: check-layers.sh [SRC_DIR]   (default: src, from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-src}

floor() {
	case $1 in
	util | tty) echo 1 ;; fs | host | ns) echo 2 ;; core | oci) echo 3 ;; cli | cmd) echo 4 ;; *) echo 5 ;;
	esac
}

bad=0
declare -A deps=()
for f in "$src"/*.[ch] "$src"/*/*.[ch]; do
	[[ -e $f ]] || continue
	rel=${f#"$src"/}
	mod=${rel%.[ch]}
	deps[$mod]+=""
	from=$(floor "$(basename "$(dirname "$rel")")")
	while read -r inc; do
		[[ $inc == config.h ]] && continue
		to=$(floor "${inc%%/*}")
		if ((to > from)); then
			echo "layering: $f includes $inc (floor $to above $from)"
			bad=1
		fi
		dep=${inc%.h}
		[[ $dep == "$mod" ]] || deps[$mod]+=" $dep"
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\(.*\)"/\1/p' "$f")
done

# Tarjan's strongly connected components (recursive: the graph is a few dozen modules).
declare -A index=() low=() onstack=()
stack=()
next=0
sccs=()
connect() {
	local v=$1 w
	index[$v]=$next
	low[$v]=$next
	next=$((next + 1))
	stack+=("$v")
	onstack[$v]=1
	for w in ${deps[$v]-}; do
		if [[ -z ${index[$w]-} ]]; then
			connect "$w"
			((low[$w] < low[$v])) && low[$v]=${low[$w]}
		elif [[ -n ${onstack[$w]-} ]]; then
			((index[$w] < low[$v])) && low[$v]=${index[$w]}
		fi
	done
	if ((low[$v] == index[$v])); then
		local members=()
		while :; do
			w=${stack[-1]}
			unset 'stack[-1]'
			unset 'onstack[$w]'
			members+=("$w")
			[[ $w == "$v" ]] && break
		done
		((${#members[@]} > 1)) && sccs+=("$(printf '%s\n' "${members[@]}" | sort | tr '\n' ' ' | sed 's/ $//')")
	fi
	return 0
}
for v in $(printf '%s\n' "${!deps[@]}" | sort); do
	[[ -n ${index[$v]-} ]] || connect "$v"
done

# One shortest cycle through the first member of a component, by breadth-first search inside it.
cycle_path() {
	local within=" $1 " start=${1%% *} v w i
	local -A parent=()
	local queue=("$start")
	for ((i = 0; i < ${#queue[@]}; i++)); do
		v=${queue[i]}
		for w in ${deps[$v]-}; do
			[[ $within == *" $w "* ]] || continue
			if [[ $w == "$start" ]]; then
				local path=$start
				while [[ $v != "$start" ]]; do
					path="$v -> $path"
					v=${parent[$v]}
				done
				echo "$start -> $path"
				return
			fi
			[[ -n ${parent[$w]-} ]] && continue
			parent[$w]=$v
			queue+=("$w")
		done
	done
}

for scc in "${sccs[@]}"; do
	echo "layering: include cycle: $(cycle_path "$scc")"
	bad=1
done
exit $bad

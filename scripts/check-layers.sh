#!/usr/bin/env bash
# Every include points down a floor (or sideways within one), never up:
# util,tty = 1; fs,host,ns = 2; core = 3; cli,cmd = 4; main = 5. config.h is below all.
set -euo pipefail
cd "$(dirname "$0")/.."
floor() {
	case $1 in
	util | tty) echo 1 ;; fs | host | ns) echo 2 ;; core) echo 3 ;; cli | cmd) echo 4 ;; *) echo 5 ;;
	esac
}
bad=0
for f in src/*/*.c src/*/*.h; do
	from=$(floor "$(basename "$(dirname "$f")")")
	while read -r inc; do
		[[ $inc == config.h ]] && continue
		to=$(floor "${inc%%/*}")
		if ((to > from)); then
			echo "layering: $f includes $inc (floor $to above $from)"
			bad=1
		fi
	done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$f")
done
exit $bad

#!/usr/bin/env bash
# Prints the reliability figures of the last `make test` as Markdown: what
# the e2e suite (tests/e2e, figure lines), the soak (tests/soak/soak.sh) and
# the fuzz smoke run (build/fuzz/logs) recorded.  The README's Reliability
# section is a copy of this output from a full run.
set -euo pipefail
cd "$(dirname "$0")/.."
fig=${DS_FIGURES:-build/figures}
missing=0
echo "Figures of \`make test\` ($(date -u '+%Y-%m-%d'), $(uname -r), $(nproc) cores):"
echo
if [[ -s $fig/e2e.txt ]]; then
	sed 's/^/- e2e: /' "$fig/e2e.txt"
else
	echo "- e2e: no figures (run make e2e)"
	missing=1
fi
if [[ -s $fig/soak.txt ]]; then
	sed 's/^/- soak: /' "$fig/soak.txt"
else
	echo "- soak: no figures (run make soak-short or make soak)"
	missing=1
fi
total=0
shown=0
for log in build/fuzz/logs/*.log; do
	[[ -e $log ]] || continue
	line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)
	[[ -n $line ]] || continue
	runs=$(awk '{print $2}' <<<"$line")
	total=$((total + runs))
	shown=1
	echo "- fuzz: $(basename "$log" .log): $runs executions, no crash ($(awk '{print $5}' <<<"$line") s)"
done
if [[ $shown == 1 ]]; then
	echo "- fuzz: $total executions in all"
else
	echo "- fuzz: no figures (run make fuzz-smoke)"
	missing=1
fi
exit "$missing"

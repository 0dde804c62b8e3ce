#!/usr/bin/env bash
# Fuzz every FuzzXxx of every package that has tests, each for FUZZTIME (default 3s).
#
# Go ≤ 1.26's fuzz coordinator can fail a run that found nothing: when -fuzztime's deadline
# fires, it may read the parent context's error before the workers' context is cancelled and
# report a bare "context deadline exceeded" (go.dev/issue/75804, fixed in Go 1.27). Such a run
# writes no failing input, so a target whose run failed only that way is run again (twice at
# most); a run that wrote a failing input, or failed any other way, fails at once.
set -euo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-3s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# coordinator_race LOG: the run failed, and only with the coordinator's bare deadline.
coordinator_race() {
	grep -q '^    context deadline exceeded$' "$1" &&
		! grep -q 'Failing input written to' "$1" &&
		[ "$(grep -c -- '^--- FAIL' "$1")" -eq 1 ] &&
		! grep -qE 'panic:|fuzzing process hung|_test\.go:[0-9]+:' "$1"
}

pkgs=$($GO list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./...)
for pkg in $pkgs; do
	names=$($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	for name in $names; do
		for try in 1 2 3; do
			echo "fuzzing $pkg $name for $FUZZTIME"
			if $GO test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" 2>&1 | tee "$log"; then
				break
			fi
			if [ "$try" -lt 3 ] && coordinator_race "$log"; then
				echo "fuzz: $name stopped on Go's fuzz-deadline race (go.dev/issue/75804) with no failing input; running it again"
				continue
			fi
			exit 1
		done
	done
done

#!/usr/bin/env bash
# Fuzzes every Go fuzz target of the repository, one after the other: each
# `func Fuzz...` in a _test.go file, found by `go test -list '^Fuzz'`, so a
# new target needs no change here. `make fuzz` runs it for FUZZTIME (1m)
# per target; `make test` runs it for a few seconds per target
# (LM_TEST_FUZZTIME). Plain `go test` already runs every target's seed
# corpus (testdata/fuzz/<FuzzName>/ beside the target).
#
# usage: scripts/fuzz.sh [--list] [REGEXP]
#   --list   print the targets ("package name" per line) and exit
#   REGEXP   fuzz only the targets whose name matches (default: all)
#
# Environment:
#   FUZZTIME        how long to fuzz each target: a duration (1m, 30s) or a
#                   count of inputs (10000x), as go test -fuzztime (default 1m)
#   FUZZ_PARALLEL   fuzzing processes per target, go test -parallel
#                   (default GOMAXPROCS)
#   FUZZ_MINIMIZE_TIME
#                   go test -fuzzminimizetime (default 5s: the default 60s
#                   stalls a short run on every new interesting input)
#
# A failing target does not stop the others. For each failure the script
# prints the file where Go saved the failing input (testdata/fuzz/<FuzzName>/
# in the target's package) and the command that replays it, and exits 1.
# Keep that file: once the bug is fixed it is a seed like the others. The
# inputs that widened coverage stay in Go's cache ($(go env GOCACHE)/fuzz),
# so each run goes on from where the last one stopped.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LM_REPO_ROOT"

list=0
only=""
for arg in "$@"; do
  case "$arg" in
    -l | --list) list=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    -*) lm_die "unknown option '$arg' (want --list or a regular expression of target names)" ;;
    *) only="$arg" ;;
  esac
done
fuzztime="${FUZZTIME:-1m}"
[[ "$fuzztime" =~ ^([0-9]+x|([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+)$ ]] ||
  lm_die "FUZZTIME must be a duration such as 30s or 2m, or a count such as 10000x; got '$fuzztime'"
parallel=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then
  [[ "$FUZZ_PARALLEL" =~ ^[1-9][0-9]*$ ]] || lm_die "FUZZ_PARALLEL must be a positive integer, got '$FUZZ_PARALLEL'"
  parallel=(-parallel "$FUZZ_PARALLEL")
fi

# find_targets: prints "PACKAGE NAME" for every fuzz target. grep narrows
# the packages (so the heavy acceptance-test binaries are not built), then
# go test -list names the targets the build really holds.
find_targets() {
  local dirs=() out pkg names=() line
  mapfile -t dirs < <(git ls-files --cached --others --exclude-standard '*_test.go' |
    xargs -r grep -l -E '^func Fuzz[A-Z0-9_]' 2>/dev/null | xargs -r -n1 dirname | sort -u | sed 's|^|./|')
  [ "${#dirs[@]}" -gt 0 ] || return 0
  out="$(go test -list '^Fuzz' "${dirs[@]}" 2>&1)" || {
    printf '%s\n' "$out" >&2
    lm_die "go test -list '^Fuzz' failed"
  }
  # go test -list prints a package's names, then "ok <package> <time>".
  while IFS= read -r line; do
    case "$line" in
      Fuzz*) names+=("$line") ;;
      ok*)
        pkg="$(awk '{ print $2 }' <<<"$line")"
        for n in "${names[@]}"; do printf '%s %s\n' "$pkg" "$n"; done
        names=()
        ;;
    esac
  done <<<"$out"
}

targets=()
while IFS= read -r t; do
  [ -z "$only" ] || [[ "${t#* }" =~ $only ]] && targets+=("$t")
done < <(find_targets)

if [ "$list" = 1 ]; then
  [ "${#targets[@]}" -eq 0 ] || printf '%s\n' "${targets[@]}"
  exit 0
fi
[ "${#targets[@]}" -gt 0 ] || lm_die "no fuzz target${only:+ matches '$only'}"

# deadline_race: whether target $1 failed only with the bare "context
# deadline exceeded" that Go's fuzz coordinator (before Go 1.27) reports
# when -fuzztime ends while a worker is mid-input: golang/go#75804, no input
# failed. TestFuzzDeadlineRaceWorkaround (internal/lm) fails on a toolchain
# with the fix, to have this deleted.
deadline_race() {
  [ "$(grep -A1 -E "^--- FAIL: $1 \(" "$log" | sed -n '2s/^[[:space:]]*//p')" = "context deadline exceeded" ] &&
    [ "$(grep -c -E '^--- FAIL: ' "$log")" = 1 ]
}

# execs_done: the inputs run, from the last progress line of the log.
execs_done() {
  sed -n 's/.*execs: \([0-9]*\) .*/\1/p' "$log" | tail -n 1
}

log="$(mktemp "${TMPDIR:-/tmp}/lm-fuzz.XXXXXX")"
trap 'rm -f "$log"' EXIT
failures=()
for t in "${targets[@]}"; do
  pkg="${t% *}"
  name="${t#* }"
  dir="$(go list -f '{{.Dir}}' "$pkg")"
  rel="${dir#"$LM_REPO_ROOT"/}"
  echo
  echo "=== fuzz $name ($rel) for $fuzztime"
  start=$SECONDS
  set +e
  go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZ_MINIMIZE_TIME:-5s}" "${parallel[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -eq 0 ]; then
    # The fuzz time includes re-running the corpus (seeds and Go's cache)
    # first: a short run may end before any new input.
    execs="$(execs_done)"
    baseline="$(sed -n 's|.*gathering baseline coverage: \([0-9]*/[0-9]*\) .*|\1|p' "$log" | tail -n 1)"
    if [ -n "$execs" ]; then
      did="$execs inputs"
    else
      did="corpus re-run only (${baseline:-?} entries), no time left to fuzz"
    fi
    echo "--- fuzz $name: ok, $did in $((SECONDS - start))s"
    continue
  fi
  # go test prints "Failing input written to testdata/fuzz/<name>/<hash>",
  # relative to the package directory.
  saved="$(sed -n 's/^[[:space:]]*Failing input written to \(.*\)$/\1/p' "$log" | tail -n 1)"
  # A corpus entry that fails is reported as "failure while testing seed
  # corpus entry: <name>/<entry>" instead.
  seed="$(sed -n 's/^failure while testing seed corpus entry: .*\/\(.*\)$/\1/p' "$log" | tail -n 1)"
  if [ -z "$saved" ] && [ -z "$seed" ] && deadline_race "$name"; then
    echo "--- fuzz $name: ok, $(execs_done) inputs in $((SECONDS - start))s; the FAIL above is Go's fuzz-time race (golang/go#75804, fixed in Go 1.27), not an input: none was written"
    continue
  fi
  if [ -n "$saved" ]; then
    failures+=("$name: failing input saved as $rel/$saved; replay: go test ./$rel -run '^$name/${saved##*/}\$'")
  elif [ -n "$seed" ]; then
    failures+=("$name: the corpus entry $seed fails (in $rel/testdata/fuzz/$name/ or Go's cache); replay: go test ./$rel -run '^$name/$seed\$'")
  else
    failures+=("$name: failed before fuzzing (build or setup); see its output above")
  fi
  echo "--- fuzz $name: FAILED"
done

echo
if [ "${#failures[@]}" -gt 0 ]; then
  for f in "${failures[@]}"; do
    echo "fuzz: $f"
  done
  echo "fuzz: FAILED: ${#failures[@]} of ${#targets[@]} targets, $fuzztime each"
  exit 1
fi
echo "fuzz: ok: ${#targets[@]} targets, $fuzztime each"

#!/usr/bin/env bash
# Coverage-guided fuzzing of Recorder's parsers with afl-fuzz (Debian's afl++) and SharpFuzz.
#
#   fuzz.sh TARGET SECONDS      fuzz one target (see `fuzz.sh list`) for SECONDS
#   fuzz.sh all SECONDS         every target, SECONDS each, one after the other
#   fuzz.sh smoke [SECONDS]     every target briefly (default 10 s each): what CI runs
#   fuzz.sh list                the targets
#
# It publishes the harness program (Debug, reusing the normal build), instruments the Recorder
# assemblies of that copy with `sharpfuzz` (a local dotnet tool, .config/dotnet-tools.json), checks
# that every seed and saved crash replays cleanly, and runs afl-fuzz on tests/Recorder.Fuzzing/seeds/
# TARGET. Findings go to artifacts/fuzz/findings/TARGET (FUZZ_WORK overrides artifacts/fuzz). Each
# target ends with one line "fuzz TARGET: N execs in S s, P paths, C crashes, H hangs"; crashing
# inputs are copied to artifacts/fuzz/crashes/TARGET. Exit status: 0 no crash, 1 a target crashed
# (or its seeds did), 2 bad arguments or a missing tool. FUZZ_REUSE=1 skips publishing and
# instrumenting when artifacts/fuzz/bin already holds an instrumented copy of unchanged code.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$root/artifacts/fuzz}
# Replays run the uninstrumented build that publishing leaves in bin/: instrumented code needs the
# coverage map that only afl-fuzz sets up.
plain="$here/bin/Debug/net10.0/Recorder.Fuzzing"
targets=(pcap pcapng ledger-line checkpoint proof manifest query-body)
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

usage() { echo "usage: fuzz.sh TARGET SECONDS | all SECONDS | smoke [SECONDS] | list" >&2; exit 2; }

publish() {
    command -v afl-fuzz >/dev/null || { echo "fuzz.sh: afl-fuzz is missing (apt-get install afl++)" >&2; exit 2; }
    # FUZZ_REUSE=1 runs the instrumented copy already in $work/bin (after a first run, code unchanged).
    if [ "${FUZZ_REUSE:-0}" = 1 ] && [ -x "$work/bin/Recorder.Fuzzing" ]; then
        return
    fi
    rm -rf "$work/bin"
    # Debug, so that it reuses the build `dotnet test` or `dotnet build` already made.
    dotnet publish "$here/Recorder.Fuzzing.csproj" -c Debug -o "$work/bin" --nologo -v quiet >/dev/null
    (cd "$root" && dotnet tool restore >/dev/null)
    # Only Recorder's own assemblies carry coverage: the parsers live there. The harness program is
    # left out (SharpFuzz's rule: never the assembly that calls Fuzzer.Run).
    for dll in "$work"/bin/Recorder.*.dll; do
        [ "$(basename "$dll")" = Recorder.Fuzzing.dll ] && continue
        (cd "$root" && dotnet tool run sharpfuzz "$dll" >/dev/null)
    done
}

stat() { grep -E "^$1 +:" "$2" | sed 's/.*: *//'; }

run_target() {
    local target=$1 seconds=$2 out="$work/findings/$1"
    rm -rf "$out"
    mkdir -p "$out"
    # A seed or saved crash that crashes would make afl-fuzz refuse to start; say which instead.
    local replay=("$here/seeds/$target")
    [ -d "$here/crashes/$target" ] && replay+=("$here/crashes/$target")
    if ! "$plain" "$target" "${replay[@]}" >"$out/replay.log" 2>&1; then
        cat "$out/replay.log" >&2
        echo "fuzz $target: a seed or saved crash crashes; not fuzzed"
        return 1
    fi

    # afl-fuzz's own checks that do not apply to a .NET program run as root on a shared machine:
    # no native instrumentation to find (SharpFuzz reports coverage), the CPU governor, core dumps
    # piped to a handler, binding to a core others use.
    AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    AFL_NO_UI=1 AFL_QUIET=1 \
        timeout --signal=INT $((seconds + 60)) \
        afl-fuzz -V "$seconds" -i "$here/seeds/$target" -o "$out" -t 5000 -m none \
            -- "$work/bin/Recorder.Fuzzing" "$target" >"$out/afl.log" 2>&1 || true

    local stats="$out/default/fuzzer_stats"
    if [ ! -f "$stats" ]; then
        tail -n 20 "$out/afl.log" >&2
        echo "fuzz $target: afl-fuzz did not run"
        return 1
    fi

    local crashes
    crashes=$(find "$out/default/crashes" -name 'id:*' -type f | wc -l)
    echo "fuzz $target: $(stat execs_done "$stats") execs in $(stat run_time "$stats") s," \
        "$(stat corpus_count "$stats") paths, $crashes crashes, $(stat saved_hangs "$stats") hangs"
    if [ "$crashes" -gt 0 ]; then
        mkdir -p "$work/crashes/$target"
        cp "$out"/default/crashes/id:* "$work/crashes/$target/"
        "$plain" "$target" "$work/crashes/$target" 2>&1 | head -n 40 >&2 || true
        return 1
    fi
}

run_all() {
    local seconds=$1 failed=0
    publish
    for target in "${targets[@]}"; do
        run_target "$target" "$seconds" || failed=1
    done
    return $failed
}

case "${1:-}" in
    list) printf '%s\n' "${targets[@]}" ;;
    smoke) run_all "${2:-10}" ;;
    all) [ $# -eq 2 ] || usage; run_all "$2" ;;
    "") usage ;;
    *)
        [ $# -eq 2 ] || usage
        printf '%s\n' "${targets[@]}" | grep -qx -- "$1" || usage
        publish
        run_target "$1" "$2"
        ;;
esac

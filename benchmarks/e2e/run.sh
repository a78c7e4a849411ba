#!/usr/bin/env bash
# End-to-end throughput of the nmsg CLI (and of nmsgtool, when it is on PATH) on 1M-message files.
#
#   benchmarks/e2e/run.sh            # the Native AOT binary when clang is installed (JIT=1: dotnet .../nmsg.dll)
#   NMSG=/path/to/nmsg benchmarks/e2e/run.sh   # e.g. the Native AOT binary from
#                                    #   dotnet publish src/Nmsg.Tool -c Release -r linux-x64 -p:PublishAot=true
#   N=200000 WORK=/tmp/nmsg-e2e RUNS=5 benchmarks/e2e/run.sh   # RUNS: runs per job, the median is reported
#
# The inputs are made with nmsg itself: the reference vectors' JSON lines (plain/ipconn, plain/dns,
# plain/dnsqr-pcap) repeated to N lines, then converted with -j (which is also the -j job's timing).
# Each job prints messages/s (N / wall time) and peak RSS from /usr/bin/time -v (bash time and /proc otherwise).
# Every run's input is read once just before it, and each generated input is flushed to disk first (not timed, for
# both tools): the tool is timed, not the disk.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VEC="$ROOT/tests/Nmsg.Wire.Tests/vectors"
N=${N:-1000000}
WORK=${WORK:-$(mktemp -d /tmp/nmsg-e2e.XXXXXX)}
mkdir -p "$WORK"

# The shipped form of the CLI is the Native AOT binary (the JIT adds ~0.5 s of start-up and warm-up to every
# run); build it when the native toolchain is present, else fall back to the framework-dependent build.
if [[ -z "${NMSG:-}" && "${JIT:-0}" != 1 ]] && command -v clang >/dev/null; then
  dotnet publish "$ROOT/src/Nmsg.Tool" -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/aot" -v q -nologo >/dev/null
  NMSG="$WORK/aot/nmsg"
fi
if [[ -z "${NMSG:-}" ]]; then
  dotnet build "$ROOT/src/Nmsg.Tool" -c Release -v q -nologo >/dev/null
  NMSG_CMD=(dotnet "$ROOT/src/Nmsg.Tool/bin/Release/net10.0/nmsg.dll")
else
  NMSG_CMD=("$NMSG")
fi
REF=$(command -v nmsgtool || true)
HAVE_TIME=0
[[ -x /usr/bin/time ]] && HAVE_TIME=1

# measure_once NAME OUTPUT INPUT -- command...: prints "seconds peak_kib" on stdout (and the job's stderr to
# $WORK/NAME.err). OUTPUT (the file the job writes, or -) is removed first, for both tools: on ext4 a file truncated
# to zero is flushed to disk on close (auto_da_alloc), which would time the disk rather than the tool. INPUT (the file
# the job reads, or -) is read once first, for both tools, for the same reason: this VM's page cache does not keep
# big files for long (fincore: 278 MB of a 1.4 GB JSON input resident minutes after it was written), and reading
# the 1.5 GB dnsqr JSON from the disk alone takes 1.2-2.0 s (0.11 s from the page cache), which timed the disk.
measure_once() {
  local name=$1 output=$2 input=$3; shift 4
  [[ $output != - ]] && rm -f "$output"
  [[ $input != - ]] && cat "$input" >/dev/null
  if (( HAVE_TIME )); then
    /usr/bin/time -v -o "$WORK/$name.time" "$@" 2>"$WORK/$name.err" >/dev/null || { echo "job $name failed: $(tail -3 "$WORK/$name.err")" >&2; return 1; }
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; secs = s }
                /Maximum resident set size/ { rss = $2 }
                END { printf "%.3f %d\n", secs, rss }' "$WORK/$name.time"
  else
    local start end
    start=$(date +%s.%N)
    "$@" 2>"$WORK/$name.err" >/dev/null &
    local pid=$! peak=0 r
    while kill -0 $pid 2>/dev/null; do
      r=$(awk '/VmHWM/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0); (( r > peak )) && peak=$r; sleep 0.05
    done
    wait $pid
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc) $peak"
  fi
}

# measure NAME OUTPUT INPUT -- command...: runs the job RUNS times (default 3; a 2-core VM is noisy) and prints the median
# seconds and the largest peak RSS.
measure() {
  local name=$1 runs=${RUNS:-3} i out
  local -a secs=() rsss=()
  for (( i = 0; i < runs; i++ )); do
    out=$(measure_once "$@") || return 1
    secs+=("${out% *}"); rsss+=("${out#* }")
  done
  printf '%s\n' "${secs[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%s ", v[int((NR + 1) / 2)] }'
  printf '%s\n' "${rsss[@]}" | sort -n | tail -1
}

report() { # report JOB TYPE seconds rss [ref_seconds]
  local rate; rate=$(awk -v n="$N" -v s="$3" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  if [[ -n "${5:-}" ]]; then
    printf "%-8s %-7s %10s msg/s %8.2f s %8d KiB   nmsgtool %8.2f s  speed-up x%.2f\n" "$1" "$2" "$rate" "$3" "$4" "$5" "$(awk -v a="$5" -v b="$3" 'BEGIN { print (b > 0 ? a / b : 0) }')"
  else
    printf "%-8s %-7s %10s msg/s %8.2f s %8d KiB\n" "$1" "$2" "$rate" "$3" "$4"
  fi
}

free_port() { python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "nmsg: ${NMSG_CMD[*]}   nmsgtool: ${REF:-not found}   N=$N   work=$WORK"
for type in ipconn dns dnsqr; do
  src="$VEC/plain/$type.json"; [[ $type == dnsqr ]] && src="$VEC/plain/dnsqr-pcap.json"
  awk -v n="$N" '{ line[NR] = $0 } END { for (i = 0; i < n; i++) print line[i % NR + 1] }' "$src" > "$WORK/$type.json"
  # The input just written is still dirty in the page cache (1.5 GB for dnsqr): flush it now, so that the kernel's
  # writeback of it does not run during the -j job's timed runs (for either tool).
  sync

  read -r s rss < <(measure "$type-j" "$WORK/$type.nmsg" "$WORK/$type.json" -- "${NMSG_CMD[@]}" -j "$WORK/$type.json" -w "$WORK/$type.nmsg")
  ref=""; [[ -n "$REF" ]] && read -r ref _ < <(measure "$type-j-ref" "$WORK/$type.ref.nmsg" "$WORK/$type.json" -- "$REF" -j "$WORK/$type.json" -w "$WORK/$type.ref.nmsg")
  report "-j -w" "$type" "$s" "$rss" "$ref"

  for job in w o J z; do
    case $job in
      w) out="$WORK/out.nmsg"; args=(-w "$out"); label="-r -w" ;;
      o) out="$WORK/out.pres"; args=(-o "$out"); label="-r -o" ;;
      J) out="$WORK/out.json"; args=(-J "$out"); label="-r -J" ;;
      z) out="$WORK/out.z.nmsg"; args=(-z -w "$out"); label="-r -z -w" ;;
    esac
    read -r s rss < <(measure "$type-$job" "$out" "$WORK/$type.nmsg" -- "${NMSG_CMD[@]}" -r "$WORK/$type.nmsg" "${args[@]}")
    ref=""; [[ -n "$REF" ]] && read -r ref _ < <(measure "$type-$job-ref" "$out" "$WORK/$type.nmsg" -- "$REF" -r "$WORK/$type.nmsg" "${args[@]}")
    report "$label" "$type" "$s" "$rss" "$ref"
  done

  # UDP loopback: a listener (-dd prints its totals at exit), a sender timed end to end, then SIGTERM to the listener (a background job of a script ignores SIGINT).
  port=$(free_port)
  "${NMSG_CMD[@]}" -dd -l "127.0.0.1/$port" -w /dev/null 2>"$WORK/$type-udp-recv.err" &
  recv=$!
  sleep 2 # let the listener bind (a benchmark, not a test)
  # Paced (containers/s, UDP_RATE, default 12000: about 1.5M ipconn messages/s in 8 KiB containers): the
  # target is the rate received without loss, not how fast a sender can overrun a socket buffer.
  read -r s rss < <(measure_once "$type-udp" - "$WORK/$type.nmsg" -- "${NMSG_CMD[@]}" -r "$WORK/$type.nmsg" -s "127.0.0.1/$port,${UDP_RATE:-12000},100")
  sleep 1
  kill -TERM $recv; wait $recv || true
  got=$(grep -o 'payloads_in [0-9]*' "$WORK/$type-udp-recv.err" | awk '{ print $2 }')
  report "-s/-l" "$type" "$s" "$rss"
  echo "         received ${got:-?} of $N over UDP loopback"
  rm -f "$WORK/out.nmsg" "$WORK/out.pres" "$WORK/out.json" "$WORK/out.z.nmsg" "$WORK/$type.json"
done
echo "(inputs left in $WORK)"

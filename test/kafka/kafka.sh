#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, broker + controller in one JVM) for tests and
# development, run from the Maven Central jars named in test/kafka/pom.xml. No Docker needed.
#
#   bash test/kafka/kafka.sh start    # fetch jars if missing, format a fresh data dir, start, wait until ready
#   bash test/kafka/kafka.sh stop     # SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT seconds
#   bash test/kafka/kafka.sh status   # exit 0 when running, 3 when not
#   bash test/kafka/kafka.sh fetch    # only fetch the jars into test/kafka/lib (e.g. a CI warm-up step)
#
# `start` when the broker already runs does not start a second one: it waits until that one answers
# and prints "kafka: already running ...". A fresh start prints "kafka: started ...".
# Every fresh start throws the previous data away.
#
# Shared use by test runs (test/support/kafka.mjs):
#   start --lease PID   start or join, holding a lease for process PID (a jest run);
#   release PID         drop that lease; the broker stops when the last live lease goes, but only if a
#                       leased start started it. A plain `start` (by hand, by CI) pins the broker: test
#                       runs then never stop it; `stop` always does.
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_NUM_PARTITIONS (3),
# KAFKA_START_TIMEOUT (60 s), KAFKA_STOP_TIMEOUT (30 s), KAFKA_HEAP_OPTS (-Xmx512m -Xms64m),
# KAFKA_JVM_OPTS (start-up oriented flags, see below).
# Needs: java (17+), mvn (only to fetch the jars once), node with this repo's node_modules (kafkajs).
set -euo pipefail

HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
LIB="$HERE/lib"
RUN="$HERE/run"
DATA="$RUN/data"
PID_FILE="$RUN/kafka.pid"
LOG_FILE="$RUN/kafka.log"
PROPS="$RUN/server.properties"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-3}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms64m}"
# A test broker on a small machine: start-up time beats peak throughput. Measured on 2 busy cores,
# median of 5 fresh starts (format + start + ready + warm-up), Kafka 4.1.2: default JVM 3.7 s,
# these flags (C1 only, serial GC) 3.1 s, these flags + the CDS archive below 2.0 s.
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData}"
# Class-data sharing: the first broker started records the classes it loads into a dynamic CDS
# archive (written when that broker stops), and later starts map it. KAFKA_CDS=1 on, 0 off;
# unset: on, except under CI (CI set), where a fresh clone would pay the recording and never reuse it.
KAFKA_CDS="${KAFKA_CDS:-$([[ -n "${CI:-}" ]] && echo 0 || echo 1)}"
CDS_ARCHIVE="$LIB/kafka.jsa"
CDS_DUMP="$RUN/kafka.jsa.recording"
BROKERS="127.0.0.1:$KAFKA_PORT"

log() { printf 'kafka: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH: $2"
}

now_ms() { date +%s%3N; }

# --- jars -----------------------------------------------------------------------------------------

pom_stamp() { sha256sum "$HERE/pom.xml" | cut -d' ' -f1; }

fetch_jars() {
  local stamp tmp
  stamp="$(pom_stamp)"
  if [[ -f "$LIB/.fetched" && "$(cat "$LIB/.fetched")" == "$stamp" ]]; then
    return 0
  fi
  need mvn "install Maven (apt-get install -y maven) to fetch the broker's jars from Maven Central"
  mkdir -p "$RUN"
  tmp="$RUN/lib.fetching"
  rm -rf "$tmp"
  log "fetching the broker's jars from Maven Central into test/kafka/lib (once)"
  # Runtime scope: kafka_2.13 declares its own server modules as runtime dependencies.
  if ! mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$RUN/mvn.log" 2>&1; then
    cat "$RUN/mvn.log" >&2
    die "mvn could not fetch the jars (its output is above and in $RUN/mvn.log)"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "mvn ran but no kafka_2.13 jar arrived in $tmp"
  printf '%s\n' "$stamp" >"$tmp/.fetched"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
}

# --- process --------------------------------------------------------------------------------------

# The pid in the pid file, when that process is alive and is this directory's broker.
running_pid() {
  local pid state
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "kafka.Kafka $PROPS" || return 1
  printf '%s\n' "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_ready() { # pid
  node "$HERE/wait-ready.mjs" "$BROKERS" "$KAFKA_START_TIMEOUT" "$1"
}

random_cluster_id() { # 16 random bytes, URL-safe base64 without padding, not starting with '-' (as Kafka's Uuid does)
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && { printf '%s\n' "$id"; return; }
  done
}

render_config() {
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_NUM_PARTITIONS@|$KAFKA_NUM_PARTITIONS|g" \
      -e "s|@KAFKA_OFFSETS_PARTITIONS@|1|g" \
      -e "s|@KAFKA_LOG_DIR@|$DATA|g" \
      "$HERE/server.properties.template" >"$PROPS"
}

lock() {
  mkdir -p "$RUN"
  exec 9>"$RUN/.lock"
  flock -w $((KAFKA_START_TIMEOUT + KAFKA_STOP_TIMEOUT + 120)) 9 || die "another kafka.sh holds $RUN/.lock"
}

cds_opts() { # use | record
  [[ "$KAFKA_CDS" == 1 ]] || return 0
  if [[ -s "$CDS_ARCHIVE" ]]; then
    echo "-XX:SharedArchiveFile=$CDS_ARCHIVE -Xshare:auto -Xlog:cds=off,cds+dynamic=off"
  elif [[ "$1" == record ]]; then
    echo "-XX:ArchiveClassesAtExit=$CDS_DUMP -Xlog:cds=off,cds+dynamic=off"
  fi
}

java_cmd() { # main class and arguments follow
  # shellcheck disable=SC2086,SC2046 # the option strings are meant to be split
  java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS $(cds_opts use) \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    -cp "$LIB/*" "$@"
}

LEASES="$RUN/leases"
AUTO_STOP="$RUN/auto-stop" # present: started by a leased start, stops when the last lease is released

take_lease() { # owner pid, or empty for none (a start by hand pins the broker)
  if [[ -n "$1" ]]; then
    mkdir -p "$LEASES"
    : >"$LEASES/$1"
  else
    rm -f "$AUTO_STOP"
  fi
}

live_leases() { # prints the number of leases whose owner process is alive, dropping the others
  local f n=0
  mkdir -p "$LEASES"
  for f in "$LEASES"/*; do
    [[ -e "$f" ]] || continue
    if kill -0 "$(basename "$f")" 2>/dev/null; then n=$((n + 1)); else rm -f "$f"; fi
  done
  echo "$n"
}

start() { # [owner pid of a lease]
  local lease="${1:-}"
  [[ -z "$lease" || "$lease" =~ ^[0-9]+$ ]] || die "--lease takes a process id, got '$lease'"
  need java "install Java 17+ (apt-get install -y openjdk-17-jre-headless)"
  need node "node runs the readiness probe (kafkajs from this repo's node_modules)"
  lock
  local pid t0
  t0="$(now_ms)"

  if pid="$(running_pid)"; then
    BROKERS="$(cat "$RUN/brokers" 2>/dev/null || echo "$BROKERS")"
    wait_ready "$pid" >/dev/null || die "a broker runs (pid $pid) but does not answer on $BROKERS; see $LOG_FILE"
    take_lease "$lease"
    echo "kafka: already running (pid $pid) on $BROKERS"
    return 0
  fi
  rm -f "$PID_FILE" "$RUN/brokers" "$AUTO_STOP"
  rm -rf "$LEASES"

  port_in_use "$KAFKA_PORT" && die "127.0.0.1:$KAFKA_PORT is taken by a process not started from $HERE; stop it or set KAFKA_PORT"
  port_in_use "$KAFKA_CONTROLLER_PORT" && die "127.0.0.1:$KAFKA_CONTROLLER_PORT is taken; set KAFKA_CONTROLLER_PORT"

  fetch_jars

  local t_format t_ready
  t_format="$(now_ms)"
  rm -rf "$DATA"
  mkdir -p "$DATA"
  render_config
  java_cmd kafka.tools.StorageTool format -t "$(random_cluster_id)" -c "$PROPS" --standalone \
    >"$RUN/format.log" 2>&1 || { cat "$RUN/format.log" >&2; die "formatting $DATA failed"; }

  # Detached from this shell: own session, no inherited stdio or lock descriptor, so the caller
  # (a jest global setup, a CI step) neither waits on it nor kills it by accident.
  t_format=$(( $(now_ms) - t_format ))
  rm -f "$CDS_DUMP"
  local cds
  cds="$(cds_opts record)"
  (
    cd "$RUN"
    # shellcheck disable=SC2086 # the option strings are meant to be split
    exec setsid nohup java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS $cds \
      -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
      -cp "$LIB/*" kafka.Kafka "$PROPS" </dev/null >"$LOG_FILE" 2>&1 9>&-
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  printf '%s\n' "$BROKERS" >"$RUN/brokers"

  local rc=0
  t_ready="$(wait_ready "$pid")" || rc=$?
  if (( rc != 0 )); then
    log "last lines of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" >&2 || true
    stop_pid "$pid"
    rm -f "$PID_FILE" "$RUN/brokers"
    (( rc == 2 )) && die "the broker process exited during start-up (see above)"
    die "the broker did not become ready within ${KAFKA_START_TIMEOUT}s"
  fi
  take_lease "$lease"
  [[ -z "$lease" ]] || : >"$AUTO_STOP"
  echo "kafka: started (pid $pid) on $BROKERS in $(( $(now_ms) - t0 )) ms (format ${t_format} ms; broker ${t_ready})"
}

gone() { # pid
  local state
  kill -0 "$1" 2>/dev/null || return 0
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
  [[ -z "$state" || "$state" == Z ]]
}

wait_gone() { # pid seconds
  local deadline=$(( $(now_ms) + $2 * 1000 ))
  until gone "$1"; do
    (( $(now_ms) < deadline )) || return 1
    sleep 0.1
  done
}

stop_pid() { # pid
  kill -TERM "$1" 2>/dev/null || true
  if ! wait_gone "$1" "$KAFKA_STOP_TIMEOUT"; then
    log "pid $1 still up after ${KAFKA_STOP_TIMEOUT}s; SIGKILL"
    kill -KILL "$1" 2>/dev/null || true
    rm -f "$CDS_DUMP" # cut short: not a whole archive
    wait_gone "$1" 10 || die "pid $1 survived SIGKILL"
  fi
  # A broker that recorded a CDS archive wrote it on its way out; keep it beside the jars it describes.
  if [[ -s "$CDS_DUMP" && -d "$LIB" ]]; then
    mv -f "$CDS_DUMP" "$CDS_ARCHIVE"
  fi
  rm -f "$CDS_DUMP"
}

stop() {
  lock
  local pid t0
  t0="$(now_ms)"
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "kafka: not running"
    return 0
  fi
  stop_pid "$pid"
  rm -f "$PID_FILE" "$RUN/brokers" "$AUTO_STOP"
  rm -rf "$LEASES"
  echo "kafka: stopped (pid $pid) in $(( $(now_ms) - t0 )) ms"
}

release() { # owner pid
  [[ "${1:-}" =~ ^[0-9]+$ ]] || die "release takes the process id given to start --lease"
  lock
  rm -f "$LEASES/$1"
  local pid others
  others="$(live_leases)"
  if ! pid="$(running_pid)"; then
    echo "kafka: released; not running"
  elif [[ ! -e "$AUTO_STOP" ]]; then
    echo "kafka: released; broker (pid $pid) left running: started by hand"
  elif (( others > 0 )); then
    echo "kafka: released; broker (pid $pid) left running for $others other run(s)"
  else
    stop_pid "$pid"
    rm -f "$PID_FILE" "$RUN/brokers" "$AUTO_STOP"
    rm -rf "$LEASES"
    echo "kafka: released; stopped (pid $pid), the last run using it is done"
  fi
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka: running (pid $pid) on $(cat "$RUN/brokers" 2>/dev/null || echo "$BROKERS"), log $LOG_FILE"
  else
    echo "kafka: not running"
    exit 3
  fi
}

case "${1:-}" in
  start)
    if [[ "${2:-}" == --lease ]]; then start "${3:?start --lease needs a process id}"; elif [[ -z "${2:-}" ]]; then start; else die "usage: $0 start [--lease PID]"; fi ;;
  stop) stop ;;
  release) release "${2:-}" ;;
  status) status ;;
  fetch) lock; fetch_jars; echo "kafka: jars in $LIB" ;;
  *) echo "usage: $0 start [--lease PID] | stop | release PID | status | fetch" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Side-by-side benchmark: in one invocation, one after the other, with the same message size and the
# same number of SMTP sessions,
#   1. the bare SMTP wire: smtp-source -> smtp-sink,
#   2. Postfix relaying to smtp-sink (no signing),
#   3. Postfix + OpenDKIM (milter on a UNIX socket, RSA-2048, relaxed/simple) relaying to smtp-sink,
#   4. Mailtree: bench/send.sh (API -> queue -> DKIM -> sink, then SMTP submission -> DKIM -> sink),
# then a table of delivered msg/s end to end, accept msg/s and CPU per message, and the ratios against
# the targets of the performance issue. Debian's postfix, opendkim and opendkim-tools are installed
# with apt-get when missing; every Postfix and OpenDKIM here is a private instance (own configuration,
# queue and ports on 127.0.0.1) that is stopped and removed on exit. See bench/README.md.
#
# Usage: bench/peers.sh        (as root: it installs packages and starts Postfix instances)
# Environment: BENCH_MESSAGE_BYTES (10240), BENCH_SESSIONS (16: smtp-source sessions, Mailtree's API
#              clients and SMTP submission clients), BENCH_PEER_MESSAGES (6000, per Postfix path),
#              BENCH_WIRE_MESSAGES (30000), BENCH_MAILTREE_SECONDS (12, send.sh's API phase),
#              BENCH_SMTP_SECONDS (12, send.sh's SMTP submission phase), BENCH_RAW_SECONDS (5),
#              BENCH_STALL_TIMEOUT (60 s without a new message at the sink = failure),
#              BENCH_PATHS ("wire postfix opendkim mailtree": a subset runs only those),
#              BENCH_SPOOL (/var/spool: where the temporary directory goes; same disk as a normal
#              Postfix queue), BENCH_STRICT (1 = exit 4 when a target is short), BENCH_PORT_BASE (12600),
#              BENCH_PG_WAIT (180: seconds to wait for 25 free PostgreSQL connections before Mailtree),
#              plus send.sh's and server.sh's (BENCH_DB defaults to mailtree_peersbench here).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SIZE="${BENCH_MESSAGE_BYTES:-10240}"
SESSIONS="${BENCH_SESSIONS:-16}"
PEER_MESSAGES="${BENCH_PEER_MESSAGES:-6000}"
WIRE_MESSAGES="${BENCH_WIRE_MESSAGES:-30000}"
MAILTREE_SECONDS="${BENCH_MAILTREE_SECONDS:-12}"
SMTP_SECONDS="${BENCH_SMTP_SECONDS:-12}"
STALL="${BENCH_STALL_TIMEOUT:-60}"
PATHS=" ${BENCH_PATHS:-wire postfix opendkim mailtree} "
SENDER="news@bench.example.test"
RECIPIENT="reader@example.org"
DOMAIN="bench.example.test"
HZ="$(getconf CLK_TCK)"
SMTP_SOURCE=/usr/sbin/smtp-source
SMTP_SINK=/usr/sbin/smtp-sink

log() { printf '[peers] %s\n' "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wants() { [[ "$PATHS" == *" $1 "* ]]; }

if [[ "$(id -u)" != 0 ]]; then
    log "run as root: it installs Debian packages and starts private Postfix instances"; exit 1
fi

# --- packages ------------------------------------------------------------------------------------
# Postfix is preseeded to "No configuration", so the package sets up no system MTA on port 25. Should
# the packages start a system postfix or opendkim anyway (a host without policy-rc.d), the ones this
# install started are stopped again; one that was running before is left alone and never used.
install_packages() {
    local missing=()
    [[ -x /usr/sbin/postfix && -x "$SMTP_SOURCE" && -x "$SMTP_SINK" ]] || missing+=(postfix)
    [[ -x /usr/sbin/opendkim ]] || missing+=(opendkim)
    command -v opendkim-genkey >/dev/null 2>&1 || missing+=(opendkim-tools)
    (( ${#missing[@]} == 0 )) && return 0
    local postfix_before=no opendkim_before=no
    pgrep -x master >/dev/null 2>&1 && postfix_before=yes
    pgrep -x opendkim >/dev/null 2>&1 && opendkim_before=yes
    log "installing ${missing[*]} (apt-get)"
    printf '%s\n' "postfix postfix/main_mailer_type select No configuration" \
        "postfix postfix/mailname string $DOMAIN" | debconf-set-selections
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}")
    "${apt[@]}" >&2 || { apt-get update -q >&2 && "${apt[@]}" >&2; }
    if [[ "$postfix_before" == no ]] && postfix status >/dev/null 2>&1; then
        log "the postfix package started a system instance; stopping it (this benchmark runs its own)"
        postfix stop >/dev/null 2>&1 || true
    fi
    if [[ "$opendkim_before" == no && -f /run/opendkim/opendkim.pid ]]; then
        log "the opendkim package started a system instance; stopping it"
        kill "$(cat /run/opendkim/opendkim.pid)" 2>/dev/null || true
    fi
}
if wants wire || wants postfix || wants opendkim; then
    install_packages
fi

# --- work directory, ports, clean-up --------------------------------------------------------------
# Not in the usual temporary directory: OpenDKIM refuses a configuration or key below a world-writable
# directory. /var/spool is where a Postfix queue normally lives (and on the same disk as PostgreSQL).
WORK="$(mktemp -d "${BENCH_SPOOL:-/var/spool}/mailtree-peers.XXXXXX")"
chmod 755 "$WORK"
NEXT_PORT="${BENCH_PORT_BASE:-12600}"
free_port() { # prints the next free loopback port from NEXT_PORT (call without a subshell)
    while port_in_use "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
    FREE_PORT=$NEXT_PORT
    NEXT_PORT=$((NEXT_PORT + 1))
}

POSTFIX_CONFS=()
OPENDKIM_PID=""
SINK_PID=""
DUMP_SINK_PID=""
SEND_PID=""
stop_pid() { # pid [seconds]: TERM, wait up to 10 s (or seconds), then KILL
    local pid="$1"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 $(( ${2:-10} * 10 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
master_pid() { # conf dir -> the pid of its running master, or nothing
    local queue pid
    queue="$(postconf -c "$1" -h queue_directory 2>/dev/null)" || return 0
    pid="$(tr -d ' ' <"$queue/pid/master.pid" 2>/dev/null)" || return 0
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
    return 0
}
stop_postfix() { # conf dir
    local pid
    pid="$(master_pid "$1")"
    [[ -n "$pid" ]] || return 0
    postfix -c "$1" stop >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    trap - EXIT
    stop_pid "$SEND_PID" 45 # send.sh gives its server 30 s to stop
    for conf in "${POSTFIX_CONFS[@]}"; do stop_postfix "$conf"; done
    stop_pid "$OPENDKIM_PID"
    stop_pid "$SINK_PID"
    stop_pid "$DUMP_SINK_PID"
    if [[ $rc -ne 0 && $rc -ne 4 ]]; then
        # Keep the logs to look at, not the queues and dumps.
        rm -rf "$WORK"/*/queue "$WORK/dump"
        log "FAILED (exit $rc); logs kept in $WORK (maillog of each Postfix, opendkim.log, mailtree.log)"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- measuring ------------------------------------------------------------------------------------
machine_jiffies() { # "busy total" of all CPUs so far (busy: user nice system irq softirq steal)
    awk '$1 == "cpu" { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6; exit }' /proc/stat
}
# CPU jiffies (user + system, plus those of reaped children) of the given pids and all their descendants.
tree_jiffies() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v roots="$*" '
        {
            pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ")
            parent[pid] = f[2]; own[pid] = f[12] + f[13] + f[14] + f[15]
        }
        END {
            n = split(roots, r, " "); for (i = 1; i <= n; i++) root[r[i]] = 1
            total = 0
            for (pid in own) {
                for (p = pid; p != "" && p > 1; p = parent[p]) if (p in root) { total += own[pid]; break }
            }
            print total
        }'
}
# CPU jiffies of the PostgreSQL backends connected to database $1 (server processes of other databases
# and the shared background writers are left out).
pg_jiffies() {
    local pids
    # A backend's title: "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE" (Debian names the cluster).
    pids="$(ps -eo pid=,args= | awk -v db="$1" '$2 == "postgres:" && index($0 " ", " " db " ") { print $1 }')"
    [[ -n "$pids" ]] || { echo 0; return 0; }
    (cd /proc && cat $(printf "%s/stat " $pids) 2>/dev/null || true) \
        | awk '{ sub(/^.*\) /, ""); s += $12 + $13 } END { print s + 0 }'
}
# A sleep without a fork: reading from a descriptor nothing ever writes to.
exec {NAP_FD}<> <(:)
nap() { read -r -t "$1" -u "$NAP_FD" _ || true; }
per_message_ms() { # jiffies messages -> milliseconds of CPU per message
    awk -v j="$1" -v hz="$HZ" -v n="$2" 'BEGIN { printf "%.2f", n ? j * 1000 / hz / n : 0 }'
}
seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# smtp-sink -c writes "sess=N quit=N mesg=N\r" whenever a session ends, QUIT comes or a message's
# final dot arrives. SINK_COUNT is the last mesg= written; sink_update reads what was appended since the
# last call in 64 KB chunks and keeps only the tail, with builtins only: no process per poll, so polling
# adds next to nothing to the CPU figures (a read loop per record would cost seconds at 50,000 messages).
SINK_COUNT=0
SINK_TAIL=""
sink_update() {
    local chunk tail="$SINK_TAIL" complete
    while true; do
        chunk=""
        IFS= read -r -N 65536 -u "$SINK_FD" chunk || { tail="$tail$chunk"; break; }
        tail="$tail$chunk"
        (( ${#tail} > 256 )) && tail="${tail:${#tail}-256}"
    done
    (( ${#tail} > 256 )) && tail="${tail:${#tail}-256}"
    if [[ "$tail" == *$'\r'* ]]; then
        complete="${tail%$'\r'*}"
        [[ "$complete" =~ mesg=([0-9]+)$ ]] && SINK_COUNT="${BASH_REMATCH[1]}"
    fi
    SINK_TAIL="$tail"
    return 0
}
# Waits until the sink has counted $1 messages, with no new one for STALL seconds meaning failure.
# Sets DELIVERED_AT (epoch seconds, microseconds) of the poll that saw the last one.
await_sink() {
    local target="$1" last="$SINK_COUNT" progress="$EPOCHSECONDS" next_report=$((EPOCHSECONDS + 10))
    while true; do
        sink_update
        if (( SINK_COUNT >= target )); then DELIVERED_AT="$EPOCHREALTIME"; return 0; fi
        if (( SINK_COUNT > last )); then last="$SINK_COUNT"; progress="$EPOCHSECONDS"; fi
        if (( EPOCHSECONDS - progress > STALL )); then
            log "the sink has $SINK_COUNT of $target messages, none new for $STALL s"; return 1
        fi
        if (( EPOCHSECONDS >= next_report )); then
            log "  sink at $SINK_COUNT of $target, load $(loadavg)"; next_report=$((EPOCHSECONDS + 10))
        fi
        nap 0.05
    done
}

start_sink() { # the one sink every peer path relays to, for the whole run
    local out="$WORK/sink.out"
    free_port; SINK_PORT=$FREE_PORT
    : >"$out"
    "$SMTP_SINK" -c -u postfix "127.0.0.1:$SINK_PORT" 256 >"$out" 2>"$WORK/sink.err" &
    SINK_PID=$!
    exec {SINK_FD}<"$out"
    for _ in $(seq 1 50); do port_in_use "$SINK_PORT" && break; sleep 0.1; done
    port_in_use "$SINK_PORT" || { log "smtp-sink did not start: $(cat "$WORK/sink.err")"; exit 1; }
    # A second sink that writes every message to a file, for the one message per Postfix path whose
    # headers are checked (DKIM-Signature present and as configured, or absent).
    free_port; DUMP_PORT=$FREE_PORT
    mkdir -p "$WORK/dump"; chown postfix: "$WORK/dump"
    "$SMTP_SINK" -u postfix -d "$WORK/dump/%H%M%S." "127.0.0.1:$DUMP_PORT" 64 >/dev/null 2>"$WORK/dump-sink.err" &
    DUMP_SINK_PID=$!
    for _ in $(seq 1 50); do port_in_use "$DUMP_PORT" && break; sleep 0.1; done
    log "smtp-sink on 127.0.0.1:$SINK_PORT (pid $SINK_PID), header-check sink on 127.0.0.1:$DUMP_PORT"
}

# smtp-source: SESSIONS parallel sessions, each reusing its connection (-d, like Mailtree's clients),
# COUNT messages of SIZE bytes of body, a distinct recipient each (-N).
inject() { # port count [recipient]
    "$SMTP_SOURCE" -d -N -s "$SESSIONS" -l "$SIZE" -m "$2" -M "$DOMAIN" -f "$SENDER" -t "${3:-$RECIPIENT}" \
        "127.0.0.1:$1" 2>>"$WORK/smtp-source.err"
}

# Results, one line per path: name|e2e msg/s|accept msg/s|machine ms/msg|own ms/msg|own what|busy %|load
RESULTS=()
declare -A E2E ACCEPT MACHINE_MS OWN_MS

# Measures one SMTP path: COUNT messages injected at PORT, timed until the sink has them all.
# PARTS: NAME=PID for each process (and its descendants) whose CPU is this path's own: the MTA and its
# milter, or the sink for the bare wire.
measure_smtp() { # key label port count NAME=PID...
    local key="$1" label="$2" port="$3" count="$4"; shift 4
    local parts=("$@") busy0 total0 busy1 total1 base t0 t1 load0 part
    local -a own0=() own1=()
    sink_update
    base="$SINK_COUNT"
    load0="$(loadavg)"
    log "$label: $count messages of $SIZE bytes, $SESSIONS sessions (load $load0)"
    for part in "${parts[@]}"; do own0+=("$(tree_jiffies "${part#*=}")"); done # outside the machine's window
    read -r busy0 total0 < <(machine_jiffies)
    t0="$EPOCHREALTIME"
    inject "$port" "$count" || { log "$label: smtp-source failed: $(tail -n 5 "$WORK/smtp-source.err")"; exit 1; }
    t1="$EPOCHREALTIME"
    await_sink $((base + count)) || exit 1
    read -r busy1 total1 < <(machine_jiffies)
    for part in "${parts[@]}"; do own1+=("$(tree_jiffies "${part#*=}")"); done
    local accept_s e2e_s
    accept_s="$(seconds_between "$t0" "$t1")"
    e2e_s="$(seconds_between "$t0" "$DELIVERED_AT")"
    ACCEPT[$key]="$(awk -v n="$count" -v s="$accept_s" 'BEGIN { printf "%.0f", n / s }')"
    E2E[$key]="$(awk -v n="$count" -v s="$e2e_s" 'BEGIN { printf "%.0f", n / s }')"
    MACHINE_MS[$key]="$(awk -v j=$((busy1 - busy0)) -v hz="$HZ" -v n="$count" 'BEGIN { printf "%.2f", j * 1000 / hz / n }')"
    local i own_total=0 own_label=""
    for i in "${!parts[@]}"; do
        own_total=$((own_total + own1[i] - own0[i]))
        own_label+="${own_label:+ + }${parts[i]%%=*}"
        if (( ${#parts[@]} > 1 )); then own_label+=" $(per_message_ms $((own1[i] - own0[i])) "$count")"; fi
    done
    OWN_MS[$key]="$(per_message_ms "$own_total" "$count")"
    local busy_pct
    busy_pct="$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) 'BEGIN { printf "%.0f", t ? 100 * b / t : 0 }')"
    if [[ -s "$WORK/smtp-source.err" ]]; then
        log "$label: smtp-source said: $(sort "$WORK/smtp-source.err" | uniq -c | sort -rn | head -n 3 | tr '\n' ';')"
        : >"$WORK/smtp-source.err"
    fi
    log "$label: accepted in $accept_s s (${ACCEPT[$key]} msg/s), all at the sink after $e2e_s s (${E2E[$key]} msg/s);" \
        "machine CPU ${MACHINE_MS[$key]} ms/msg (busy $busy_pct %), own CPU ${OWN_MS[$key]} ms/msg ($own_label); load $(loadavg)"
    RESULTS+=("$label|${E2E[$key]}|${ACCEPT[$key]}|${MACHINE_MS[$key]}|${OWN_MS[$key]}|$own_label|$busy_pct|$load0 -> $(loadavg)")
}

# --- Postfix --------------------------------------------------------------------------------------
OPENDKIM_SOCKET=""
start_opendkim() {
    local dir="$WORK/opendkim"
    mkdir -p "$dir"
    opendkim-genkey -b 2048 -d "$DOMAIN" -s bench -D "$dir"
    cat >"$dir/opendkim.conf" <<EOF
# Signing only, for one domain, as Debian's opendkim.conf would with a single key.
Syslog                  no
Mode                    s
Canonicalization        relaxed/simple
SignatureAlgorithm      rsa-sha256
OversignHeaders         From
Domain                  $DOMAIN
Selector                bench
KeyFile                 $dir/bench.private
Socket                  local:$dir/opendkim.sock
UMask                   000
UserID                  opendkim
EOF
    chown -R opendkim: "$dir"
    chmod 755 "$dir"
    /usr/sbin/opendkim -f -x "$dir/opendkim.conf" >"$WORK/opendkim.log" 2>&1 &
    OPENDKIM_PID=$!
    for _ in $(seq 1 50); do [[ -S "$dir/opendkim.sock" ]] && break; sleep 0.1; done
    [[ -S "$dir/opendkim.sock" ]] || { log "opendkim did not start: $(cat "$WORK/opendkim.log")"; exit 1; }
    OPENDKIM_SOCKET="$dir/opendkim.sock"
    log "opendkim (pid $OPENDKIM_PID) on $OPENDKIM_SOCKET, RSA-2048 key for $DOMAIN, relaxed/simple"
}

# A private Postfix: its own main.cf and master.cf, queue and data directory, smtpd on a free loopback
# port, everything relayed to the sink, no local delivery, no chroot, no DNS.
start_postfix() { # name milter-socket-or-empty; sets POSTFIX_PORT and POSTFIX_MASTER
    local dir="$WORK/$1" milter="$2"
    mkdir -p "$dir/conf" "$dir/queue" "$dir/data"
    chown postfix: "$dir/data"
    free_port; POSTFIX_PORT=$FREE_PORT
    local processes=$(( SESSIONS * 4 > 100 ? SESSIONS * 4 : 100 ))
    cat >"$dir/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:local delivery is disabled
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_peername_lookup = no
relayhost = [127.0.0.1]:$SINK_PORT
default_transport = smtp
relay_transport = smtp
transport_maps = inline:{ {check.example.test = smtp:[127.0.0.1]:$DUMP_PORT} }
smtp_tls_security_level = none
smtpd_tls_security_level = none
default_process_limit = $processes
maximal_queue_lifetime = 10m
bounce_queue_lifetime = 10m
biff = no
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
EOF
    if [[ -n "$milter" ]]; then
        printf 'smtpd_milters = unix:%s\nmilter_default_action = tempfail\n' "$milter" >>"$dir/conf/main.cf"
    fi
    cat >"$dir/conf/master.cf" <<EOF
127.0.0.1:$POSTFIX_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    POSTFIX_CONFS+=("$dir/conf")
    # postfix(1) reports to syslog, or to a terminal; here the reasons are in the maillog file.
    postfix -c "$dir/conf" start >/dev/null 2>&1 \
        || { log "postfix $1 did not start:"; tail -n 20 "$dir/maillog" >&2 2>/dev/null; exit 1; }
    for _ in $(seq 1 100); do port_in_use "$POSTFIX_PORT" && break; sleep 0.1; done
    port_in_use "$POSTFIX_PORT" || { log "postfix $1 is not listening:"; tail -n 20 "$dir/maillog" >&2; exit 1; }
    POSTFIX_MASTER="$(master_pid "$dir/conf")"
    log "postfix $1 (master pid $POSTFIX_MASTER) on 127.0.0.1:$POSTFIX_PORT, relayhost [127.0.0.1]:$SINK_PORT, $dir/maillog"
}

# One message through the path to the dump sink; its headers must show (or not show) the signature.
check_headers() { # port expect-dkim(yes|no) label
    local before after file
    before="$(find "$WORK/dump" -type f | wc -l)"
    "$SMTP_SOURCE" -l "$SIZE" -m 1 -M "$DOMAIN" -f "$SENDER" -t "check@check.example.test" "127.0.0.1:$1"
    for _ in $(seq 1 300); do
        after="$(find "$WORK/dump" -type f | wc -l)"
        (( after > before )) && break
        sleep 0.1
    done
    (( after > before )) || { log "$3: the header-check message did not arrive in 30 s"; exit 1; }
    sleep 0.2 # the dump file is complete once the sink has answered the final dot
    file="$(ls -t "$WORK"/dump/* | head -n 1)"
    local signature
    signature="$(awk '/^DKIM-Signature:/ { on = 1 } on && /^[^ \t]/ && !/^DKIM-Signature:/ { exit } on' "$file" | tr -d ' \t\r\n')"
    if [[ "$2" == yes ]]; then
        local b="${signature##*;b=}"
        [[ "$signature" == *"a=rsa-sha256;"* && "$signature" == *"c=relaxed/simple;"* \
            && "$signature" == *"d=$DOMAIN;"* && ${#b} -ge 340 && ${#b} -le 344 ]] \
            || { log "$3: no RSA-2048 relaxed/simple DKIM-Signature for $DOMAIN: ${signature:-none}"; exit 1; }
        log "$3: delivered message carries DKIM-Signature a=rsa-sha256 c=relaxed/simple d=$DOMAIN (${#b}-character b=, 2048 bits)"
    else
        [[ -z "$signature" ]] || { log "$3: unexpected DKIM-Signature: $signature"; exit 1; }
        log "$3: delivered message is unsigned, as expected"
    fi
}

run_postfix_path() { # key label milter(yes|no)
    local key="$1" label="$2" name="postfix-$1" socket=""
    if [[ "$3" == yes ]]; then start_opendkim; socket="$OPENDKIM_SOCKET"; fi
    start_postfix "$name" "$socket"
    check_headers "$POSTFIX_PORT" "$3" "$label"
    # Warm-up: every Postfix process type started once, OpenDKIM's threads up.
    sink_update
    local base="$SINK_COUNT"
    inject "$POSTFIX_PORT" $((SESSIONS * 5)) && await_sink $((base + SESSIONS * 5)) || exit 1
    local parts=("Postfix=$POSTFIX_MASTER")
    [[ "$3" == yes ]] && parts+=("OpenDKIM=$OPENDKIM_PID")
    measure_smtp "$key" "$label" "$POSTFIX_PORT" "$PEER_MESSAGES" "${parts[@]}"
    local dir="$WORK/$name" deferred
    deferred="$(grep -c 'status=deferred' "$dir/maillog" || true)"
    (( deferred == 0 )) || log "$label: $deferred deferral(s) in the maillog: $(grep -m 1 'status=deferred' "$dir/maillog")"
    stop_postfix "$dir/conf"
    if [[ "$3" == yes ]]; then stop_pid "$OPENDKIM_PID"; OPENDKIM_PID=""; fi
}

# --- Mailtree -------------------------------------------------------------------------------------
# bench/send.sh with the same size and sessions. Its output is read as it comes, to take machine CPU
# (/proc/stat) and Mailtree's own CPU (the server JVM and its PostgreSQL backends) at the start and end
# of each phase: the API phase runs from "send: N threads" to the end of its drain (the queue summary,
# or the next phase's first line), the SMTP submission phase from "smtp: N clients" to the report.
MT_BUSY=(); MT_TOTAL=(); MT_JVM=(); MT_PG=(); MT_LOAD=()
mailtree_mark() { # index: even = a phase starts, odd = it ends (own CPU is read outside the machine's window)
    local busy total
    if (( $1 % 2 == 0 )); then MT_JVM[$1]="$(tree_jiffies "${SERVER_PID:-0}")"; MT_PG[$1]="$(pg_jiffies "$BENCH_DB")"; fi
    read -r busy total < <(machine_jiffies)
    MT_BUSY[$1]="$busy"; MT_TOTAL[$1]="$total"
    if (( $1 % 2 == 1 )); then MT_JVM[$1]="$(tree_jiffies "${SERVER_PID:-0}")"; MT_PG[$1]="$(pg_jiffies "$BENCH_DB")"; fi
    MT_LOAD[$1]="$(loadavg)"
    return 0
}
number_in() { # regex line -> the first capture, commas removed
    [[ "$2" =~ $1 ]] && echo "${BASH_REMATCH[1]//,/}"
    return 0
}
# On a shared PostgreSQL others' test suites can hold nearly every connection; Mailtree then fails to
# start ("too many clients"). Wait (BENCH_PG_WAIT seconds, 180) for room for its pool and psql.
await_pg_connections() {
    [[ "${BENCH_DATABASE:-postgresql}" == postgresql ]] || return 0
    local free deadline=$((EPOCHSECONDS + ${BENCH_PG_WAIT:-180})) needed=25 # its pool of 20, psql
    while true; do
        free="$(psql -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" -d postgres -Atc \
            "select current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
                    - count(*) from pg_stat_activity where backend_type = 'client backend'" 2>/dev/null)" || free=0
        (( ${free:-0} >= needed )) && return 0
        if (( EPOCHSECONDS >= deadline )); then
            log "PostgreSQL has $free free connection(s), Mailtree needs about $needed; starting anyway"; return 0
        fi
        log "PostgreSQL has $free free connection(s) (others' work), Mailtree needs about $needed; waiting"
        sleep 5
    done
}
run_mailtree() {
    export BENCH_DB="${BENCH_DB:-mailtree_peersbench}"
    await_pg_connections
    local out="$WORK/mailtree.log" fifo="$WORK/mailtree.fifo" line phase=0
    mkfifo "$fifo"
    # Its HTTP and submission ports from this script's range: server.sh's first free port from 18080 can
    # race with another benchmark starting at the same moment (its health check then finds the other
    # server, whose operator token is not ours).
    if [[ -z "${BENCH_PORT:-}" ]]; then free_port; export BENCH_PORT=$FREE_PORT; fi
    if [[ -z "${BENCH_SUBMISSION_PORT:-}" ]]; then free_port; export BENCH_SUBMISSION_PORT=$FREE_PORT; fi
    log "Mailtree: bench/send.sh $MAILTREE_SECONDS (API) + ${SMTP_SECONDS} s SMTP submission, $SESSIONS clients each," \
        "$SIZE-byte messages, database $BENCH_DB (load $(loadavg))"
    BENCH_MESSAGE_BYTES="$SIZE" BENCH_THREADS="$SESSIONS" BENCH_SMTP_CLIENTS="$SESSIONS" \
        BENCH_SMTP_SECONDS="$SMTP_SECONDS" BENCH_RAW_SECONDS="${BENCH_RAW_SECONDS:-5}" \
        BENCH_STALL_TIMEOUT="$STALL" \
        bash "$SCRIPT_DIR/send.sh" "$MAILTREE_SECONDS" >"$fifo" 2>&1 &
    SEND_PID=$!
    SERVER_PID=""
    local api_delivered="" smtp_delivered=""
    while IFS= read -r line; do
        printf '%s\n' "$line" >>"$out"
        printf '  | %s\n' "$line" >&2
        case "$line" in
            "send: "*" threads, batches of "*)
                # The server is up: find its JVM among send.sh's children.
                local pid
                for pid in $(ps -o pid= --ppid "$SEND_PID"); do
                    grep -qa -- '-jar' "/proc/$pid/cmdline" 2>/dev/null && SERVER_PID="$pid"
                done
                [[ -n "$SERVER_PID" ]] || log "Mailtree: server JVM not found; own CPU will be PostgreSQL only"
                mailtree_mark 0; phase=1 ;;
            "queue: "*|"queue (database):"*|"smtp: warm-up"*|"== send benchmark =="*)
                if (( phase == 1 )); then mailtree_mark 1; phase=2; fi ;;&
            "smtp: "*" clients, one connection each"*)
                mailtree_mark 2; phase=3 ;;
            "== send benchmark =="*)
                if (( phase == 3 )); then mailtree_mark 3; phase=4; fi ;;
        esac
        case "$line" in
            "send:      "*"msg/s accepted"*) ACCEPT[mt_api]="$(number_in '= ([0-9,]+) msg/s accepted' "$line")" ;;
            "delivered: first accept -> last delivery"*) E2E[mt_api]="$(number_in '= ([0-9,]+) msg/s end to end' "$line")" ;;
            "delivered: "*" of "*" accepted"*) api_delivered="$(number_in '^delivered: ([0-9,]+) of' "$line")" ;;
            "delivered: "*"while sending"*) MT_BUSY_IDLE="$line" ;;
            "smtp:      "*"msg/s accepted"*) ACCEPT[mt_smtp]="$(number_in '= ([0-9,]+) msg/s accepted' "$line")" ;;
            "smtp:      delivered "*)
                smtp_delivered="$(number_in '^smtp: +delivered ([0-9,]+) of' "$line")"
                E2E[mt_smtp]="$(number_in '= ([0-9,]+) msg/s end to end' "$line")" ;;
        esac
    done <"$fifo"
    local rc=0
    wait "$SEND_PID" || rc=$?
    SEND_PID=""
    if (( rc != 0 )); then log "Mailtree: send.sh exited with $rc (see $out)"; fi
    per_message() { # from to messages
        [[ -n "${MT_BUSY[$2]:-}" && -n "${3:-}" && "${3:-0}" != 0 ]] || { echo "?"; return; }
        awk -v j=$(( MT_BUSY[$2] - MT_BUSY[$1] )) -v hz="$HZ" -v n="$3" 'BEGIN { printf "%.2f", j * 1000 / hz / n }'
    }
    own_per_message() { # from to messages [jvm|pg]
        [[ -n "${MT_JVM[$2]:-}" && -n "${3:-}" && "${3:-0}" != 0 ]] || { echo "?"; return; }
        local jvm=$(( MT_JVM[$2] - MT_JVM[$1] )) pg=$(( MT_PG[$2] - MT_PG[$1] ))
        case "${4:-}" in
            jvm) per_message_ms "$jvm" "$3" ;;
            pg) per_message_ms "$pg" "$3" ;;
            *) per_message_ms $((jvm + pg)) "$3" ;;
        esac
    }
    busy_share() { # from to
        [[ -n "${MT_TOTAL[$2]:-}" ]] || { echo "-"; return; }
        awk -v b=$(( MT_BUSY[$2] - MT_BUSY[$1] )) -v t=$(( MT_TOTAL[$2] - MT_TOTAL[$1] )) 'BEGIN { printf "%.0f", t ? 100 * b / t : 0 }'
    }
    MACHINE_MS[mt_api]="$(per_message 0 1 "$api_delivered")"; OWN_MS[mt_api]="$(own_per_message 0 1 "$api_delivered")"
    MACHINE_MS[mt_smtp]="$(per_message 2 3 "$smtp_delivered")"; OWN_MS[mt_smtp]="$(own_per_message 2 3 "$smtp_delivered")"
    mailtree_row() { # label key from to delivered
        local split
        split="Mailtree $(own_per_message "$3" "$4" "$5" jvm) + PostgreSQL $(own_per_message "$3" "$4" "$5" pg)"
        RESULTS+=("$1|${E2E[$2]:-?}|${ACCEPT[$2]:-?}|${MACHINE_MS[$2]}|${OWN_MS[$2]}|$split|$(busy_share "$3" "$4")|${MT_LOAD[$3]:-?} -> ${MT_LOAD[$4]:-?}")
    }
    mailtree_row "Mailtree API -> queue -> DKIM -> sink" mt_api 0 1 "$api_delivered"
    mailtree_row "Mailtree SMTP submission -> DKIM -> sink" mt_smtp 2 3 "$smtp_delivered"
    MAILTREE_RC=$rc
}

# --- the run --------------------------------------------------------------------------------------
LOAD_START="$(loadavg)"
STARTED="$EPOCHSECONDS"
log "$(nproc) CPUs, load average before: $LOAD_START; $SIZE-byte messages, $SESSIONS sessions; work dir $WORK"
MAILTREE_RC=0
MT_BUSY_IDLE=""
if wants wire || wants postfix || wants opendkim; then
    start_sink
fi
if wants wire; then
    inject "$SINK_PORT" "$SESSIONS" && await_sink "$SESSIONS" || exit 1 # warm-up
    measure_smtp wire "bare wire: smtp-source -> smtp-sink" "$SINK_PORT" "$WIRE_MESSAGES" "smtp-sink=$SINK_PID"
fi
wants postfix && run_postfix_path postfix "Postfix -> smtp-sink, no DKIM" no
wants opendkim && run_postfix_path opendkim "Postfix + OpenDKIM -> smtp-sink" yes
if wants wire || wants postfix || wants opendkim; then
    stop_pid "$SINK_PID"; SINK_PID=""
    stop_pid "$DUMP_SINK_PID"; DUMP_SINK_PID=""
fi
wants mailtree && run_mailtree

# --- the table ------------------------------------------------------------------------------------
echo
echo "== side by side: $SIZE-byte messages, $SESSIONS sessions, $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC') =="
printf '%-42s %11s %12s %14s %10s  %-32s %5s  %s\n' "path" "msg/s e2e" "accept msg/s" "machine ms/msg" "own ms/msg" \
    "own = CPU of (ms/msg)" "busy" "load before -> after"
for row in "${RESULTS[@]}"; do
    IFS='|' read -r label e2e accept machine own own_label busy load <<<"$row"
    [[ "$busy" == "-" ]] || busy="$busy%"
    printf '%-42s %11s %12s %14s %10s  %-32s %5s  %s\n' "$label" "$e2e" "$accept" "$machine" "$own" "$own_label" "$busy" "$load"
done
[[ -n "$MT_BUSY_IDLE" ]] && echo "Mailtree API phase: ${MT_BUSY_IDLE#delivered: }"
SATURATED=0
for row in "${RESULTS[@]}"; do
    IFS='|' read -r _ _ _ _ _ _ busy _ <<<"$row"
    [[ "$busy" =~ ^[0-9]+$ ]] && (( busy >= 95 )) && SATURATED=1
done
if (( SATURATED == 1 )); then
    echo "note: the machine was busy 95 % or more during some paths (other work on the host): their machine ms/msg"
    echo "      is mostly that work, and their rates are what was left over; compare own ms/msg, and rates at a similar load"
fi

SHORT=0
ratio_line() { # label numerator denominator target
    local verdict
    if [[ -z "${2:-}" || -z "${3:-}" || "$2" == "?" || "$3" == "?" || "$3" == 0 ]]; then
        printf 'ratio: %-66s %7s  target >= %-4s %s\n' "$1" "n/a" "$4" "(not measured)"; return
    fi
    read -r value verdict < <(awk -v a="$2" -v b="$3" -v t="$4" 'BEGIN { r = a / b; printf "%.2f %s\n", r, (r >= t ? "PASS" : "short") }')
    [[ "$verdict" == PASS ]] || SHORT=1
    printf 'ratio: %-66s %7s  target >= %-4s %s\n' "$1" "${value}x" "$4" "$verdict"
}
echo
ratio_line "Mailtree delivered / Postfix + OpenDKIM delivered" "${E2E[mt_api]:-}" "${E2E[opendkim]:-}" 3
ratio_line "Mailtree delivered / Postfix delivered (no DKIM)" "${E2E[mt_api]:-}" "${E2E[postfix]:-}" 1.4
ratio_line "Mailtree SMTP submission accepted / Postfix accepted" "${ACCEPT[mt_smtp]:-}" "${ACCEPT[postfix]:-}" 1
info_ratio() { # label numerator denominator
    [[ -n "${2:-}" && -n "${3:-}" && "$2" != "?" && "$3" != "?" && "$3" != 0 ]] || return 0
    printf 'info:  %-66s %7s\n' "$1" "$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2fx", a / b }')"
}
info_ratio "Mailtree SMTP submission delivered / Postfix + OpenDKIM delivered" "${E2E[mt_smtp]:-}" "${E2E[opendkim]:-}"
info_ratio "Mailtree SMTP submission accepted / Postfix + OpenDKIM accepted" "${ACCEPT[mt_smtp]:-}" "${ACCEPT[opendkim]:-}"
info_ratio "machine CPU per message, Mailtree API / Postfix + OpenDKIM" "${MACHINE_MS[mt_api]:-}" "${MACHINE_MS[opendkim]:-}"
info_ratio "own CPU per message, Mailtree API / Postfix + OpenDKIM" "${OWN_MS[mt_api]:-}" "${OWN_MS[opendkim]:-}"
info_ratio "Postfix delivered / bare wire" "${E2E[postfix]:-}" "${E2E[wire]:-}"
echo "load:  before $LOAD_START; after $(loadavg); $((EPOCHSECONDS - STARTED)) s in all"

if (( MAILTREE_RC != 0 )); then exit "$MAILTREE_RC"; fi
if (( SHORT == 1 )) && [[ "${BENCH_STRICT:-0}" == 1 ]]; then exit 4; fi
exit 0

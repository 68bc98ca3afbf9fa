#!/usr/bin/env bash
# PostgreSQL point-in-time recovery drill, for real, on a private throw-away cluster:
#   initdb (archive_mode=on, archive_command into an archive directory, archive_timeout) → pg_basebackup →
#   write rows, note the time, write more rows → "lose" the primary → restore the base backup into a new data
#   directory with restore_command + recovery_target_time → start it → exactly the rows before the time exist.
# Exit 0 and "PITR drill ok" when they do. Touches nothing but its own directory (removed unless KEEP=1).
#
#   scripts/pitr_drill.sh                    # PGBIN=/usr/lib/postgresql/15/bin by default
#   PGBIN=/usr/lib/postgresql/16/bin KEEP=1 scripts/pitr_drill.sh
#
# PostgreSQL refuses to run as root: as root the server programs run as the `postgres` OS user (runuser).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ROWS_BEFORE=${ROWS_BEFORE:-100}
ROWS_AFTER=${ROWS_AFTER:-50}
KEEP=${KEEP:-0}

for prog in initdb pg_ctl pg_basebackup psql; do
    [ -x "$PGBIN/$prog" ] || { echo "pitr_drill: $PGBIN/$prog not found (set PGBIN)" >&2; exit 3; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pitr-drill.XXXXXX")
chmod 755 "$WORK"
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$WORK"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PSQL=("$PGBIN/psql" -X -q -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)

cleanup() {
    for dir in primary restored; do
        if [ -f "$WORK/$dir/postmaster.pid" ]; then
            as_pg "$PGBIN/pg_ctl" -D "$WORK/$dir" -m immediate stop >/dev/null 2>&1 || true
        fi
    done
    if [ "$KEEP" = 1 ]; then echo "pitr_drill: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

step() { echo "pitr_drill: $*"; }

step "initdb in $WORK/primary (port $PORT)"
as_pg mkdir "$WORK/archive"
as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg tee -a "$WORK/primary/postgresql.conf" >/dev/null <<EOF
# --- the WAL archiving recipe of docs/OPERATIONS.md ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f'
archive_timeout = 60
EOF
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null

as_pg "${PSQL[@]}" -c "CREATE TABLE drill (id integer PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT clock_timestamp())"

step "base backup (pg_basebackup)"
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$WORK/base" -Fp -X stream -c fast

step "write $ROWS_BEFORE rows, note the time, write $ROWS_AFTER more"
for i in $(seq 1 "$ROWS_BEFORE"); do echo "INSERT INTO drill (id) VALUES ($i);"; done | as_pg "${PSQL[@]}" >/dev/null
sleep 1
TARGET=$(as_pg "${PSQL[@]}" -c "SELECT clock_timestamp()")
sleep 1
for i in $(seq $((ROWS_BEFORE + 1)) $((ROWS_BEFORE + ROWS_AFTER))); do
    echo "INSERT INTO drill (id) VALUES ($i);"
done | as_pg "${PSQL[@]}" >/dev/null

# Close the current segment so the rows after the target are archived now rather than at archive_timeout.
SEGMENT=$(as_pg "${PSQL[@]}" -c "SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 1 120); do
    [ -f "$WORK/archive/$SEGMENT" ] && break
    sleep 0.5
done
[ -f "$WORK/archive/$SEGMENT" ] || { echo "pitr_drill: $SEGMENT was never archived" >&2; cat "$WORK/primary.log" >&2; exit 1; }
step "archived up to $SEGMENT; recovery target $TARGET"

step "the primary is lost; restore the base backup with restore_command and recovery_target_time"
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -m fast -w stop >/dev/null
as_pg cp -a "$WORK/base" "$WORK/restored"
as_pg touch "$WORK/restored/recovery.signal"
as_pg tee -a "$WORK/restored/postgresql.auto.conf" >/dev/null <<EOF
archive_mode = off
restore_command = 'cp $WORK/archive/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
EOF
STARTED=$(date +%s.%N)
as_pg "$PGBIN/pg_ctl" -D "$WORK/restored" -l "$WORK/restored.log" -w -t 120 start >/dev/null
for _ in $(seq 1 240); do
    [ "$(as_pg "${PSQL[@]}" -c "SELECT pg_is_in_recovery()")" = f ] && break
    sleep 0.5
done
READY=$(date +%s.%N)

RESULT=$(as_pg "${PSQL[@]}" -c "SELECT count(*) || ' ' || min(id) || ' ' || max(id) FROM drill")
step "restored: rows/min/max = $RESULT (restore to promoted: $(python3 -c "print(f'{$READY - $STARTED:.1f}')") s)"
if [ "$RESULT" != "$ROWS_BEFORE 1 $ROWS_BEFORE" ]; then
    echo "pitr_drill: FAILED: expected exactly the $ROWS_BEFORE rows before $TARGET" >&2
    tail -n 30 "$WORK/restored.log" >&2
    exit 1
fi
echo "PITR drill ok: $ROWS_BEFORE rows before $TARGET restored, $ROWS_AFTER after it not replayed"

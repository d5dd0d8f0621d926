#!/bin/sh
# systemctl for the installer test: no systemd runs here, so this stands in for it below
# $REACHMAP_INSTALL_ROOT. "start" first has systemd-analyze verify the unit the installer wrote (any
# complaint fails it), then starts the unit's ExecStart directly, as the unit's user, with the
# program's and the state directory's paths moved below the root. Its own files (a log of the calls,
# the agent's pid and output) are kept in $EMULATOR_DIR, outside the root.
set -eu
ROOT=${REACHMAP_INSTALL_ROOT:?}
UNITS=$ROOT/etc/systemd/system
WANTS=$UNITS/multi-user.target.wants
EMULATOR_DIR=${EMULATOR_DIR:?}
PIDFILE=$EMULATOR_DIR/agent.pid
printf '%s\n' "$*" >>"$EMULATOR_DIR/systemctl.log"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  unit=$UNITS/$1
  complaints=$(systemd-analyze verify "$unit" 2>&1) || { printf '%s\n' "$complaints" >&2; exit 1; }
  [ -z "$complaints" ] || { printf 'systemd-analyze verify: %s\n' "$complaints" >&2; exit 1; }
  running && return 0
  user=$(sed -n 's/^User=//p' "$unit")
  uid=$(awk -F: -v user="$user" '$1 == user { print $3 }' "$ROOT/etc/passwd")
  gid=$(awk -F: -v user="$user" '$1 == user { print $4 }' "$ROOT/etc/passwd")
  command=$(sed -n 's/^ExecStart=//p' "$unit" | sed "s# /opt/# $ROOT/opt/#")
  # The unit's assignments, then its drop-ins', as systemd reads them.
  environment=$(cat "$unit" "$unit.d"/*.conf 2>/dev/null | sed -n 's/^Environment=//p' | sed "s#=/var/lib/#=$ROOT/var/lib/#")
  # shellcheck disable=SC2086 # the unit's words, unquoted as systemd splits them
  env $environment ${AGENT_EXTRA_ENV:-} setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
    $command ${AGENT_EXTRA_ARGS:-} >>"$EMULATOR_DIR/agent.log" 2>&1 &
  echo $! >"$PIDFILE"
}

stop() {
  running || return 0
  pid=$(cat "$PIDFILE")
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PIDFILE"
}

case $1 in
  daemon-reload) ;;
  enable | disable)
    action=$1
    shift
    now=0
    [ "$1" = --now ] && { now=1; shift; }
    if [ "$action" = enable ]; then
      [ -L "$WANTS/$1" ] || { mkdir -p "$WANTS" && ln -s "../$1" "$WANTS/$1"; }
      [ "$now" = 0 ] || start "$1"
    else
      rm -f "$WANTS/$1"
      rmdir "$WANTS" 2>/dev/null || true
      [ "$now" = 0 ] || stop
    fi
    ;;
  start) start "$2" ;;
  stop) stop ;;
  restart) stop && start "$2" ;;
  is-active) running ;;
  *) echo "systemctl emulator: $1 not emulated" >&2; exit 1 ;;
esac

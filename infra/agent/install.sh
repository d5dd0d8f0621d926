#!/bin/sh
# reachmap agent installer. A collector serves it at /agent/install.sh with its own URL and public key
# filled in; an operator runs, as root:
#
#   curl -fsSL https://collector.example.org/agent/install.sh | sudo sh -s -- --token rmt_...
#
# It checks for Node.js 24, downloads the agent and verifies its SHA-256 and the collector's Ed25519
# signature, creates the system user and the state directory, installs and starts the systemd unit,
# enrols with the token and prints the agent id and network. Running it again changes only what
# differs; --uninstall removes everything it installed. docs/operators.md describes each step.
set -eu

COLLECTOR_URL='@REACHMAP_COLLECTOR_URL@'
COLLECTOR_KEY='@REACHMAP_COLLECTOR_KEY@'
# Installs below another root when set, like DESTDIR (packaging tests, image builds); empty on a machine.
ROOT=${REACHMAP_INSTALL_ROOT:-}
AGENT_USER=reachmap-agent
PROGRAM_DIR=/opt/reachmap-agent
BUNDLE_NAME=reachmap-agent.mjs
STATE_DIR=/var/lib/reachmap-agent
UNIT_NAME=reachmap-agent.service
UNIT_FILE=/etc/systemd/system/$UNIT_NAME
COMMAND_FILE=/usr/local/bin/reachmap-agent
NODE_MAJOR=24

say() { printf '%s\n' "$*"; }
die() {
  printf 'reachmap-agent install: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
Usage: install.sh --token TOKEN [enrolment options]
       install.sh --uninstall

  --token TOKEN         one-time enrolment token from the collector's operator
  --country CC          ISO 3166-1 country the agent measures from (e.g. RU); leave it and
  --asn N               the autonomous system number (e.g. 12389) out to take the network the
                        collector detects (when it has a GeoIP database)
  --override-reason R   why you declare another network than the collector detects
  --update POLICY       self-update: auto (the default), off, or a version such as 0.2.0 to pin;
                        kept across re-runs until given again
  --region CODE         ISO 3166-2 region (default: the detected one, if any)
  --address-echo URL    where the agent learns its public address (default: the collector's offer)
  --network-type TYPE   fixed | mobile | datacenter | unknown
  --label TEXT          a name for this agent in the collector's list
  --collector URL       the collector (default: the one this script came from)
  --collector-key KEY   its Ed25519 public key, base64url (default: the one this script came from)
  --uninstall           stop the agent and remove everything this script installed
EOF
}

token=''
update=''
uninstall=0
enrol_args=''
# Enrolment options are passed on to "reachmap-agent enroll", quoted for a later eval.
add_enrol_arg() { enrol_args="$enrol_args $1 '$(printf '%s' "$2" | sed "s/'/'\\\\''/g")'"; }
while [ $# -gt 0 ]; do
  case $1 in
    --token) token=${2:?--token needs a value}; shift 2 ;;
    --collector) COLLECTOR_URL=${2:?--collector needs a URL}; shift 2 ;;
    --collector-key) COLLECTOR_KEY=${2:?--collector-key needs a key}; shift 2 ;;
    --country | --asn | --region | --network-type | --label | --override-reason | --address-echo)
      add_enrol_arg "$1" "${2:?$1 needs a value}"; shift 2 ;;
    --update) update=${2:?--update needs auto, off or a version}; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

[ "$(id -u)" = 0 ] || die 'run me as root: curl -fsSL <collector>/agent/install.sh | sudo sh -s -- --token ...'

agent_uid() { awk -F: -v user="$AGENT_USER" '$1 == user { print $3 }' "$ROOT/etc/passwd"; }
agent_gid() { awk -F: -v user="$AGENT_USER" '$1 == user { print $4 }' "$ROOT/etc/passwd"; }
# With numeric ids, so it also works for a user that exists only below $ROOT.
as_agent() { setpriv --reuid="$(agent_uid)" --regid="$(agent_gid)" --clear-groups -- "$@"; }

if [ "$uninstall" = 1 ]; then
  if [ -f "$ROOT$STATE_DIR/identity.json" ]; then
    agent_id=$(sed -n 's/^ *"agent_id": *"\([^"]*\)".*/\1/p' "$ROOT$STATE_DIR/identity.json")
    say "removing agent $agent_id; ask the collector's operator to revoke it: reachmap admin agents revoke $agent_id"
  fi
  if [ -f "$ROOT$UNIT_FILE" ]; then
    systemctl disable --now "$UNIT_NAME" || true
    rm -rf "$ROOT$UNIT_FILE" "$ROOT$UNIT_FILE.d"
    systemctl daemon-reload
  fi
  rm -rf "$ROOT$PROGRAM_DIR" "$ROOT$STATE_DIR" "$ROOT$COMMAND_FILE"
  if [ -n "$ROOT" ]; then prefix_opt="--prefix $ROOT"; else prefix_opt=''; fi
  # shellcheck disable=SC2086 # prefix_opt is zero or two words
  if [ -n "$(agent_uid)" ]; then userdel $prefix_opt "$AGENT_USER"; fi
  # userdel keeps the user's group unless login.defs says USERGROUPS_ENAB yes.
  # shellcheck disable=SC2086
  if grep -q "^$AGENT_USER:" "$ROOT/etc/group"; then groupdel $prefix_opt "$AGENT_USER"; fi
  say 'reachmap agent removed'
  exit 0
fi

case $COLLECTOR_URL in
  http://* | https://*) COLLECTOR_URL=${COLLECTOR_URL%/} ;;
  *) die 'no collector URL: download this script from your collector (<collector>/agent/install.sh) or pass --collector URL' ;;
esac
case $update in
  '' | auto | off) ;;
  *) printf '%s' "$update" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' || die "--update must be auto, off or a version such as 0.2.0" ;;
esac
printf '%s' "$COLLECTOR_KEY" | grep -Eq '^[A-Za-z0-9_-]{43}$' ||
  die 'no collector key: download this script from your collector or pass --collector-key KEY'

# Node.js 24: the agent is one JavaScript file and needs nothing else.
node_path=$(command -v node || true)
node_major=0
[ -n "$node_path" ] && node_major=$("$node_path" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt "$NODE_MAJOR" ]; then
  die "Node.js $NODE_MAJOR or later is needed (found: ${node_path:-none}${node_path:+, major $node_major}).
On Debian, Ubuntu and Raspberry Pi OS (arm64, armhf, amd64), from NodeSource, as root:
  curl -fsSL https://deb.nodesource.com/setup_$NODE_MAJOR.x -o nodesource_setup.sh
  sh nodesource_setup.sh && apt-get install -y nodejs
then run this installer again."
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for file in "$BUNDLE_NAME" "$BUNDLE_NAME.sha256" "$BUNDLE_NAME.sig" "$UNIT_NAME"; do
  curl -fsS -o "$work/$file" "$COLLECTOR_URL/agent/$file" || die "cannot download $COLLECTOR_URL/agent/$file"
done
(cd "$work" && sha256sum -c --quiet "$BUNDLE_NAME.sha256") || die "$BUNDLE_NAME does not match its SHA-256"
# The Ed25519 signature over the manifest (RFC 8785 canonical JSON of flat strings and integers),
# then the manifest's size and hash of the file: the same checks as the agent's self-update.
# shellcheck disable=SC2016 # JavaScript, not shell, in single quotes
# `--` ends node's options: a base64url key starts with "-" once in 64 keys, and node read it as one.
version=$("$node_path" -e '
  const { createHash, createPublicKey, verify } = require("node:crypto");
  const { readFileSync } = require("node:fs");
  const [key, signedPath, bundlePath] = process.argv.slice(1);
  const { manifest, signature } = JSON.parse(readFileSync(signedPath, "utf8"));
  const canonical = `{${Object.keys(manifest).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(manifest[k])}`).join(",")}}`;
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: key }, format: "jwk" });
  if (!verify(null, Buffer.from(canonical), publicKey, Buffer.from(signature.value, "base64")))
    throw new Error("the collector key did not sign this agent");
  const bytes = readFileSync(bundlePath);
  if (bytes.length !== manifest.size || createHash("sha256").update(bytes).digest("hex") !== manifest.sha256)
    throw new Error("the agent is not the one the signed manifest describes");
  console.log(manifest.version);
' -- "$COLLECTOR_KEY" "$work/$BUNDLE_NAME.sig" "$work/$BUNDLE_NAME") || die "signature check failed: not installing"
say "reachmap-agent $version from $COLLECTOR_URL: SHA-256 and collector signature verified"

changed=''
# Installs $1 as $2 with mode $3 (owned by the agent when $4 is "agent") unless the same bytes are there.
put_file() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then return 0; fi
  if [ "${4:-}" = agent ]; then
    install -D -m "$3" -o "$(agent_uid)" -g "$(agent_gid)" "$1" "$2"
  else
    install -D -m "$3" "$1" "$2"
  fi
  say "installed $2"
  changed="$changed $2"
}

if [ -z "$(agent_uid)" ]; then
  # No login, no home; the state directory is the only place it writes besides its program directory.
  if [ -n "$ROOT" ]; then prefix_opt="--prefix $ROOT"; else prefix_opt=''; fi
  # shellcheck disable=SC2086 # prefix_opt is zero or two words
  useradd $prefix_opt --system --user-group --no-create-home --home-dir "$STATE_DIR" \
    --shell /usr/sbin/nologin "$AGENT_USER"
  say "created system user $AGENT_USER"
fi
uid=$(agent_uid)
for dir in "$PROGRAM_DIR" "$STATE_DIR"; do
  if [ ! -d "$ROOT$dir" ] || [ "$(stat -c %u "$ROOT$dir")" != "$uid" ]; then
    # The program directory belongs to the agent too: signed self-updates replace the file there.
    install -d -o "$uid" -g "$(agent_gid)" -m 0700 "$ROOT$dir"
    say "created $dir"
  fi
done
put_file "$work/$BUNDLE_NAME" "$ROOT$PROGRAM_DIR/$BUNDLE_NAME" 0644 agent
# The unit names /usr/bin/node; Node 24 may live elsewhere (a NodeSource or a tarball install).
sed "s#^ExecStart=/usr/bin/node #ExecStart=$node_path #" "$work/$UNIT_NAME" >"$work/unit"
put_file "$work/unit" "$ROOT$UNIT_FILE" 0644
# The operator's update policy, as a drop-in so the collector's unit stays as served.
update_dropin="$ROOT$UNIT_FILE.d/update.conf"
case $update in
  '') ;;
  auto)
    if [ -f "$update_dropin" ]; then
      rm -rf "$ROOT$UNIT_FILE.d"
      say "removed $update_dropin"
      changed="$changed $update_dropin"
    fi
    ;;
  *)
    printf '[Service]\nEnvironment=REACHMAP_AGENT_UPDATE=%s\n' "$update" >"$work/update.conf"
    put_file "$work/update.conf" "$update_dropin" 0644
    ;;
esac
cat >"$work/command" <<EOF
#!/bin/sh
# The reachmap agent's command line on the service's state directory (installed by install.sh).
export REACHMAP_AGENT_DIR="\${REACHMAP_AGENT_DIR:-$STATE_DIR}"
exec "$node_path" "$PROGRAM_DIR/$BUNDLE_NAME" "\$@"
EOF
put_file "$work/command" "$ROOT$COMMAND_FILE" 0755

bundle="$ROOT$PROGRAM_DIR/$BUNDLE_NAME"
if [ -f "$ROOT$STATE_DIR/identity.json" ]; then
  say 'already enrolled: keeping the identity in the state directory'
else
  [ -n "$token" ] || die 'not enrolled yet: pass --token TOKEN (from the collector operator)'
  eval "set -- $enrol_args"
  (umask 077 && as_agent "$node_path" "$bundle" enroll --state-dir "$ROOT$STATE_DIR" \
    --collector "$COLLECTOR_URL" --token "$token" "$@") || die 'enrolment failed (see above); nothing is running yet, fix and run again'
  changed="$changed enrolment"
fi

case $changed in
  *"$UNIT_FILE"*) systemctl daemon-reload ;;
esac
case $changed in
  # A new program or unit takes effect only when the service starts again.
  *"$BUNDLE_NAME"* | *"$UNIT_FILE"*) systemctl enable "$UNIT_NAME" && systemctl restart "$UNIT_NAME" ;;
  *) systemctl enable --now "$UNIT_NAME" ;;
esac

[ -n "$changed" ] || say 'nothing changed: already installed, enrolled and running'
as_agent "$node_path" "$bundle" status --state-dir "$ROOT$STATE_DIR" | grep -E '^(agent|network|collector|version) '
say "status:  sudo reachmap-agent status   (JSON: --json)"
say "logs:    journalctl -u reachmap-agent"
say "remove:  curl -fsSL $COLLECTOR_URL/agent/install.sh | sudo sh -s -- --uninstall"

#!/usr/bin/env bash
# Installs everything the build, the tests and the lab need on a Debian 12 machine, idempotently:
# the C libraries of the stack, nsd and openssl from apt, and the lab's Python packages in a venv.
# With --build-only, only what building and running the scan needs (no lab).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build_only=false
[ "${1:-}" = "--build-only" ] && build_only=true

apt_packages=(libcurl4-openssl-dev libc-ares-dev libsqlite3-dev libxml2-dev libssl-dev libpsl-dev libarchive-dev libgmime-3.0-dev pkg-config ca-certificates publicsuffix)
$build_only || apt_packages+=(nsd openssl postfix sasl2-bin libsasl2-modules dovecot-imapd chromium chromium-driver fonts-dejavu-core)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ! $build_only && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then missing+=(python3-venv); fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    # Postfix unconfigured: the package must not set up or start a system mail server; the lab
    # runs its own instance on 127.0.20.1 only.
    echo "postfix postfix/main_mailer_type select No configuration" | "${sudo_cmd[@]}" debconf-set-selections
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The package starts a system IMAP server; the lab runs its own instance on 127.0.50.1 only.
    if [[ " ${missing[*]} " == *" dovecot-imapd "* ]]; then
        "${sudo_cmd[@]}" systemctl disable --now dovecot >/dev/null 2>&1 || "${sudo_cmd[@]}" service dovecot stop >/dev/null 2>&1 || true
    fi
fi

$build_only && exit 0

venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "install-deps: preparing the lab's Python environment" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi

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
# When apt or pip cannot reach their repositories, one line names what is still missing and the
# command that installs it; their own words go to a log file that the line names.
log=$(mktemp /tmp/notice-audit-install-XXXXXX.log)
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    # Postfix unconfigured: the package must not set up or start a system mail server; the lab
    # runs its own instance on 127.0.20.1 only.
    echo "postfix postfix/main_mailer_type select No configuration" | "${sudo_cmd[@]}" debconf-set-selections
    if ! { "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > "$log" 2>&1; then
        still=()
        for package in "${missing[@]}"; do
            if [ "$package" = python3-venv ]; then python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || still+=("$package")
            else dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || still+=("$package"); fi
        done
        echo "install-deps: apt could not install ${still[*]} (its repositories could not be reached or refused; apt's words in $log): install them with: ${sudo_cmd[*]:+${sudo_cmd[*]} }apt-get update && ${sudo_cmd[*]:+${sudo_cmd[*]} }apt-get install -y --no-install-recommends ${still[*]}" >&2
        exit 1
    fi
    # The package starts a system IMAP server; the lab runs its own instance on 127.0.50.1 only.
    if [[ " ${missing[*]} " == *" dovecot-imapd "* ]]; then
        "${sudo_cmd[@]}" systemctl disable --now dovecot >/dev/null 2>&1 || "${sudo_cmd[@]}" service dovecot stop >/dev/null 2>&1 || true
    fi
fi

if $build_only; then rm -f "$log"; exit 0; fi

# The lab's Python packages live in a venv per requirements file, outside the checkout and shared
# by every clone on the machine (Tests/Lab/.venv links to it): a second clone, or CI's, needs no
# PyPI. Built under a lock, marked complete only when pip finished.
want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/notice-audit
venv="$cache/lab-venv-${want:0:16}"
mkdir -p "$cache"
exec 9> "$cache/.lock"
flock 9
if [ ! -e "$venv/.complete" ]; then
    echo "install-deps: preparing the lab's Python environment ($venv)" >&2
    rm -rf "$venv"
    if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"; } > "$log" 2>&1; then
        installed=$("$venv/bin/python" -m pip list --format=freeze --disable-pip-version-check 2>/dev/null | tr 'A-Z_' 'a-z-' || true)
        still=()
        while read -r requirement; do
            requirement=${requirement%%#*}
            [ -n "${requirement// /}" ] || continue
            grep -qx "$(printf '%s' "$requirement" | tr 'A-Z_' 'a-z-')" <<< "$installed" || still+=("$requirement")
        done < "$here/requirements.txt"
        echo "install-deps: pip could not install ${still[*]} (PyPI could not be reached or refused; pip's words in $log): install them with: make deps (or $venv/bin/pip install -r $here/requirements.txt)" >&2
        exit 1
    fi
    touch "$venv/.complete"
fi
flock -u 9
if [ "$(readlink "$here/.venv" 2>/dev/null)" != "$venv" ]; then
    rm -rf "$here/.venv"
    ln -s "$venv" "$here/.venv"
fi
rm -f "$log"

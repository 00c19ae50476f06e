#!/usr/bin/env bash
# Runs a command (CI: the README's test command) so that a test reading outside the repository
# fails where CI would otherwise hide it. CI's clone has ../shared beside it and a user's clone has
# nothing: here ../shared is covered, in a mount namespace of this run's own, by an empty folder
# that holds only realworld/policy-texts (the providers' texts, the one outside folder tests may
# read, gated). A test that reads anything else of ../shared then fails as it would in a user's clone.
# Without ../shared the command runs as it is. Usage: Tests/hermetic.sh COMMAND [ARGUMENT]...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(dirname "$root")/shared
if [ ! -d "$shared" ]; then
    exec "$@"
fi
if [ "$(id -u)" -ne 0 ] || ! command -v unshare > /dev/null; then
    echo "hermetic: $shared is beside the clone, and hiding it needs root and unshare(1); run the command in a clone with nothing beside it instead" >&2
    exit 1
fi
echo "hermetic: $shared hidden from the tests but for realworld/policy-texts"
exec unshare --mount --propagation private bash -euo pipefail -c '
    shared=$1; shift
    texts=$shared/realworld/policy-texts
    keep=$(mktemp -d /tmp/notice-audit-policy-texts-XXXXXX)
    [ -d "$texts" ] && mount --bind "$texts" "$keep"
    mount -t tmpfs -o size=1m,mode=755 notice-audit-hidden "$shared"
    if mountpoint -q "$keep"; then
        mkdir -p "$shared/realworld/policy-texts"
        mount --bind -o ro "$keep" "$shared/realworld/policy-texts"
        umount "$keep"
    fi
    rmdir "$keep"
    exec "$@"' hermetic "$shared" "$@"

"""Who holds the lab's addresses (127.0.10-13.x, .20.1, .30.1, .40.1, .50.1) before a lab starts.

Reads /proc: the listening TCP and bound UDP sockets on those addresses, the processes that own them,
and from each process's command line or environment the checkout whose lab it belongs to. A leftover
of this checkout's lab (its pid file lost) is stopped, saying so; a lab of another checkout, or any
other program, is named with the command that stops it, and the exit status is 1."""
import argparse
import os
import re
import signal
import sys
import time

LAB_ADDRESS = re.compile(r"^127\.0\.(10|11|12|13|20|30|40|50)\.\d+$")


def bound_sockets():
    """{inode: 'ADDRESS:PORT'} of the lab addresses' listening TCP and bound UDP sockets."""
    found = {}
    for table, listening_only in (("/proc/net/tcp", True), ("/proc/net/udp", False)):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if listening_only and state != "0A":
                continue
            hex_address, hex_port = local.split(":")
            address = ".".join(str(int(hex_address[i:i + 2], 16)) for i in (6, 4, 2, 0))
            if LAB_ADDRESS.match(address) and inode != "0":
                found[inode] = f"{address}:{int(hex_port, 16)}"
    return found


def holders(sockets):
    """{pid: set of 'ADDRESS:PORT'} of the processes that hold those sockets."""
    held = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        for link in links:
            match = re.fullmatch(r"socket:\[(\d+)\]", link)
            if match and match.group(1) in sockets:
                held.setdefault(int(pid), set()).add(sockets[match.group(1)])
    return held


def describe(pid):
    """(program name, the checkout whose Tests/Lab the process belongs to, or None)."""
    def read(name):
        try:
            return open(f"/proc/{pid}/{name}", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""
    text = read("cmdline") + " " + read("environ")
    name = read("comm").strip() or "?"
    match = re.search(r"(/\S*?)/Tests/Lab/", text)
    return name, (os.path.realpath(match.group(1)) if match else None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, help="this checkout")
    parser.add_argument("--wait", type=float, default=3.0, help="seconds to let stopping processes go")
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    deadline = time.monotonic() + args.wait
    while True:
        held = holders(bound_sockets())
        if not held or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if not held:
        return 0
    own, foreign = [], []
    for pid, addresses in sorted(held.items()):
        name, checkout = describe(pid)
        (own if checkout == root else foreign).append((pid, name, checkout, sorted(addresses)))
    if foreign:
        checkouts = {}
        for pid, name, checkout, addresses in foreign:
            entry = checkouts.setdefault(checkout, ([], set()))
            entry[0].append(f"{pid} {name}")
            entry[1].update(addresses)
        for checkout, (processes, addresses) in checkouts.items():
            shown = ", ".join(sorted(addresses)[:3]) + (", ..." if len(addresses) > 3 else "")
            if checkout:
                print(f"lab: the lab of another checkout, {checkout}, holds {len(addresses)} of this lab's addresses ({shown}): "
                      f"stop it with {checkout}/Tests/Lab/lab.sh stop", file=sys.stderr)
            else:
                pids = " ".join(process.split()[0] for process in processes)
                print(f"lab: programs that are no lab of this checkout hold {len(addresses)} of its addresses ({shown}; "
                      f"pids {', '.join(processes)}): stop them (kill {pids})", file=sys.stderr)
        return 1
    pids = [pid for pid, *_ in own]
    print(f"lab: a lab of this checkout was still running without its pid files (pids {', '.join(map(str, pids))}): stopped it", file=sys.stderr)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        for _ in range(30):
            if not holders(bound_sockets()):
                return 0
            time.sleep(0.1)
    return 0 if not holders(bound_sockets()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Waits until every lab server answers, or fails after a deadline."""
import argparse
import json
import socket
import ssl
import sys
import time

from dnslib import DNSRecord


def read_env(path):
    values = {}
    with open(path) as handle:
        for line in handle:
            key, _, value = line.strip().partition("=")
            if key:
                values[key] = value
    return values


def dns_ready(address, zone="lab.test"):
    host, _, port = address.rpartition(":")
    try:
        reply = DNSRecord.parse(DNSRecord.question(zone, "SOA").send(host, int(port), timeout=0.2))
        return len(reply.rr) == 1
    except (OSError, socket.timeout, Exception):
        return False


def dns_replies(address):
    """Any DNS reply at all (the lying resolvers answer every name with NXDOMAIN, an A or SERVFAIL)."""
    host, _, port = address.rpartition(":")
    try:
        DNSRecord.parse(DNSRecord.question("lab.test", "A").send(host, int(port), timeout=0.2))
        return True
    except (OSError, socket.timeout, Exception):
        return False


def tcp_ready(host, port):
    try:
        with socket.create_connection((host, int(port)), timeout=0.2):
            return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--env", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    env = read_env(args.env)
    checks = {
        "nsd": lambda: dns_ready(env["LAB_DNS"]),
        "fault-dns": lambda: dns_ready(env["LAB_FAULT_DNS"]),
        "latency-dns": lambda: dns_ready(env["LAB_LATENCY_DNS"]),
        "smtp starttls": lambda: tcp_ready(env["LAB_SMTP_ADDRESS"], env["LAB_SMTP_STARTTLS_PORT"]),
        "smtp tls": lambda: tcp_ready(env["LAB_SMTP_ADDRESS"], env["LAB_SMTP_TLS_PORT"]),
        "smtp plain": lambda: tcp_ready(env["LAB_SMTP_ADDRESS"], env["LAB_SMTP_PLAIN_PORT"]),
        "smtp scenarios": lambda: all(tcp_ready(env["LAB_SMTP_ADDRESS"], port) for port in json.loads(env["LAB_SMTP_PORTS"]).values()),
        "postfix starttls": lambda: tcp_ready(env["LAB_SMTP_ADDRESS"], env["LAB_POSTFIX_STARTTLS_PORT"]),
        "postfix tls": lambda: tcp_ready(env["LAB_SMTP_ADDRESS"], env["LAB_POSTFIX_TLS_PORT"]),
        "https": lambda: tcp_ready(env["LAB_HTTPS_ADDRESS"], env["LAB_HTTPS_PORT"]),
        "https rogue": lambda: tcp_ready(env["LAB_HTTPS_ADDRESS"], env["LAB_HTTPS_ROGUE_PORT"]),
        "proxy": lambda: tcp_ready(env["LAB_PROXY_ADDRESS"], env["LAB_PROXY_PORT"]),
        "lying dns nxdomain": lambda: dns_replies(env["LAB_LYING_DNS_NXDOMAIN"]),
        "lying dns a-for-all": lambda: dns_replies(env["LAB_LYING_DNS_A_FOR_ALL"]),
        "lying dns servfail": lambda: dns_replies(env["LAB_LYING_DNS_SERVFAIL"]),
    }
    sections = env.get("LAB_SPF_SUITE_SECTIONS")
    if sections:
        with open(sections) as handle:
            for line in handle:
                index, nsd_address, proxy_address = line.split()
                checks["suite nsd " + index] = (lambda a: lambda: dns_ready(a, "."))(nsd_address)
                checks["suite proxy " + index] = (lambda a: lambda: dns_ready(a, "."))(proxy_address)
    deadline = time.monotonic() + args.seconds
    pending = dict(checks)
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            if pending[name]():
                del pending[name]
        if pending:
            time.sleep(0.05)
    if pending:
        print("lab: not ready: " + ", ".join(sorted(pending)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The SPF benchmark's workload through pyspf, the reference check_host(), for the ratio in
docs/benchmarks.md. Same zone, same record, same relay address as SPFBenchmark/main.swift."""
import sys
import time

import spf

TXT = {
    "ufl.edu": "v=spf1 ip4:128.227.0.0/16 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx include:_spf.google.com include:spf.protection.outlook.com include:spf-na.exlibrisgroup.com a:mail.ufl.edu ip4:198.51.100.0/24 exists:%{i}._spf.ufl.edu ~all",
    "_spf.google.com": "v=spf1 ip4:172.217.0.0/19 ip4:108.177.8.0/21 ip4:173.194.0.0/16 ip6:2607:f8b0:4000::/36 ~all",
    "spf.protection.outlook.com": "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 -all",
    "spf-na.exlibrisgroup.com": "v=spf1 ip4:203.0.113.0/26 ip4:203.0.113.128/26 -all",
}
A = {"ufl.edu": "128.227.9.98", "mx1.ufl.edu": "128.227.9.10", "mail.ufl.edu": "128.227.9.11"}
MX = {"ufl.edu": (10, "mx1.ufl.edu")}


def lookup(name, qtype, strict=True, timeout=None, level=0):
    name = name.lower().rstrip(".")
    if qtype == "TXT" and name in TXT:
        return [((name, "TXT"), (TXT[name].encode(),))]
    if qtype == "A" and name in A:
        return [((name, "A"), A[name])]
    if qtype == "MX" and name in MX:
        return [((name, "MX"), MX[name])]
    return []


spf.DNSLookup = lookup
# Rounds of `iterations` evaluations, best and median reported, as in SPFBenchmark/main.swift.
iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
result = spf.check2(i="203.0.113.20", s="circulation@ufl.edu", h="mail.example.org")
assert result[0] == "pass", result
rates = []
for _ in range(rounds):
    start = time.perf_counter()
    for _ in range(iterations):
        assert spf.check2(i="203.0.113.20", s="circulation@ufl.edu", h="mail.example.org")[0] == "pass"
    rates.append(iterations / (time.perf_counter() - start))
rates.sort()
print("pyspf: %d rounds of %d evaluations: best %.0f evaluations/s, median %.0f" % (rounds, iterations, rates[-1], rates[len(rates) // 2]))

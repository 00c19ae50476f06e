"""The scan benchmark's SPF and DMARC work through checkdmarc, for the ratio in docs/benchmarks.md.
Usage: spf_checkdmarc.py NAMESERVER INVENTORY [COUNT]"""
import json
import sys
import time

import checkdmarc

nameserver, inventory = sys.argv[1], sys.argv[2]
with open(inventory) as handle:
    domains = [i["sender_domains"][0] for i in json.load(handle)["institutions"]]
if len(sys.argv) > 3:
    domains = domains[: int(sys.argv[3])]
start = time.perf_counter()
checked = 0
for domain in domains:
    checkdmarc.spf.check_spf(domain, nameservers=[nameserver], timeout=5.0)
    checkdmarc.dmarc.check_dmarc(domain, nameservers=[nameserver], timeout=5.0)
    checked += 1
elapsed = time.perf_counter() - start
print("checkdmarc: %d domains (SPF and DMARC) in %.2f s: %.1f domains/s" % (checked, elapsed, checked / elapsed))

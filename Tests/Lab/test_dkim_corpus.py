"""notice-audit's DKIM key-record judgement against an independent implementation (dkimpy's tag
parser and public-key parser) on the corpus the lab generates at start: every selector of
dkim.lab.test, read through the lab's DNS by the built binary. Zero disagreements allowed.

The statuses follow ../shared/domain.md "DKIM"; dkimpy decides what parses and how many bits an
RSA key has, the thresholds (2048, 1024) are the rule's."""
import base64
import binascii
import collections
import json
import subprocess

import dkim.crypto
import dkim.util

from labenv import BINARY, lab_env



def oracle(records):
    """(status, key_type, key_bits) as dkimpy sees the records at one name."""
    if not records:
        return ("missing", None, None)
    if len(records) > 1:
        return ("invalid", None, None)
    try:
        tags = dkim.util.parse_tag_value(records[0].encode())
    except Exception:
        return ("invalid", None, None)
    names = list(tags)
    if b"v" in tags and (tags[b"v"] != b"DKIM1" or names[0] != b"v"):
        return ("invalid", None, None)
    kind = tags.get(b"k", b"rsa")
    if kind not in (b"rsa", b"ed25519"):
        return ("invalid", None, None)
    if b"s" in tags:
        services = [part.strip() for part in tags[b"s"].split(b":")]
        if b"*" not in services and b"email" not in services:
            return ("invalid", None, None)
    if b"p" not in tags:
        return ("invalid", None, None)
    key = b"".join(tags[b"p"].split())
    if not key:
        return ("revoked", None, None)
    try:
        der = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return ("invalid", None, None)
    if kind == b"ed25519":
        return ("ok", "ed25519", 256) if len(der) == 32 else ("invalid", None, None)
    try:
        bits = dkim.crypto.parse_public_key(der)["modulus"].bit_length()
    except Exception:
        return ("invalid", None, None)
    status = "ok" if bits >= 2048 else "weak" if bits >= 1024 else "too_weak"
    return (status, "rsa", bits)


def test_every_generated_key_record_is_judged_as_dkimpy_judges_it():
    env = lab_env()
    with open(env["LAB_DKIM_MANIFEST"]) as handle:
        manifest = json.load(handle)
    selectors = manifest["selectors"]
    assert len(selectors) >= 200
    command = [BINARY, "dkim", manifest["domain"], "--json", "--dns-server", env["LAB_DNS"], "--timeout", "10"]
    for entry in selectors:
        command += ["--selector", entry["selector"]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr  # some selectors are broken on purpose
    seen = {item["selector"]: item for item in json.loads(result.stdout)["selectors"]}
    disagreements = []
    for entry in selectors:
        expected = oracle(entry["records"])
        item = seen[entry["selector"]]
        got = (item["status"], item["key_type"], item["key_bits"])
        if got != expected:
            disagreements.append(f"{entry['selector']}: notice-audit {got}, dkimpy {expected}: {entry['records']!r:.200} {item['problems']}")
    assert disagreements == [], "\n".join(disagreements)
    # The corpus reaches every status a key record can have, and the special names.
    counts = collections.Counter(item["status"] for item in seen.values())
    assert {"ok", "weak", "too_weak", "revoked", "invalid"} <= set(counts), counts
    assert seen["alias"]["status"] == "ok" and seen["twice"]["status"] == "invalid"
    assert any(len(record) > 255 for entry in selectors for record in entry["records"]), "records split into several strings"


def test_a_missing_selector_and_a_dns_failure_are_told_apart():
    env = lab_env()
    missing = subprocess.run([BINARY, "dkim", "dkim.lab.test", "--selector", "nosuch", "--json", "--dns-server", env["LAB_DNS"]],
                             capture_output=True, text=True, timeout=60)
    assert json.loads(missing.stdout)["selectors"][0]["status"] == "missing"
    outage = subprocess.run([BINARY, "dkim", "blackhole.fault.lab.test", "--selector", "s1", "--json", "--dns-server", env["LAB_FAULT_DNS"], "--timeout", "1"],
                            capture_output=True, text=True, timeout=60)
    assert outage.returncode == 1
    assert json.loads(outage.stdout)["selectors"][0]["status"] == "temperror"

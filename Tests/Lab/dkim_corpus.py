"""Generates the lab's DKIM key records (make test runs it at lab start): the zone dkim.lab.test
with a few hundred selectors, and a manifest of what each selector publishes, for the comparison
of notice-audit's judgement with dkimpy's (test_dkim_corpus.py).

RSA keys of 512 to 4096 bits as SubjectPublicKeyInfo and as bare PKCS#1 RSAPublicKey, Ed25519
keys (RFC 8463), revoked keys, records split into several strings, a CNAME, two records at one
name, and broken records of every kind the checker must call invalid. Deterministic in shape;
the keys are new each time.
"""
import argparse
import base64
import json
import random
import subprocess

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ORIGIN = "dkim.lab.test"


def rsa_public_key(bits):
    if bits >= 1024:
        return rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    # openssl makes the sizes under 1024 that the cryptography package refuses to generate.
    pem = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}"],
                         check=True, capture_output=True).stdout
    return serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True).public_key()


def rsa_der(key, form):
    encoding = serialization.PublicFormat.SubjectPublicKeyInfo if form == "spki" else serialization.PublicFormat.PKCS1
    return key.public_bytes(serialization.Encoding.DER, encoding)


def ed25519_raw():
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def b64(data):
    return base64.b64encode(data).decode()


def records(rng):
    out = []  # (selector, [texts], cname target or None)
    n = 0

    def add(texts, cname=None):
        nonlocal n
        n += 1
        out.append((f"s{n:03d}", texts if isinstance(texts, list) else [texts], cname))

    # A pool of keys (4096-bit ones are slow to make), each published in many records: both DER
    # forms, with and without v=, k=, h=, s= and t= tags.
    pool = {bits: [rsa_public_key(bits) for _ in range(count)]
            for bits, count in [(512, 3), (768, 2), (1023, 2), (1024, 4), (1536, 2), (2047, 2), (2048, 4), (3072, 2), (4096, 1)]}
    cache = {}
    prefixes = ["v=DKIM1; k=rsa; ", "v=DKIM1; ", "k=rsa; ", "", "v=DKIM1; h=sha256; k=rsa; s=email; "]
    flags = ["", " t=y;", " t=y:s;", " t=s;"]
    for bits, keys in pool.items():
        for key_index, key in enumerate(keys):
            for form in ("spki", "pkcs1"):
                der = rsa_der(key, form)
                cache.setdefault(bits, der)
                for variant in range(6 if bits not in (3072, 4096) else 4):
                    prefix = prefixes[(variant + key_index) % len(prefixes)]
                    flag = flags[rng.randrange(len(flags))]
                    add(f"{prefix}{flag} p={b64(der)}".replace(";  ", "; ").strip())
    for _ in range(12):
        add(f"v=DKIM1; k=ed25519; p={b64(ed25519_raw())}")
    # p= folded with white space (FWS inside the value is allowed and ignored).
    der = cache[2048]
    folded = " ".join(b64(der)[i:i + 60] for i in range(0, len(b64(der)), 60))
    add(f"v=DKIM1; k=rsa; p={folded}")
    add(f"v=DKIM1;k=rsa;p={b64(der)};")
    # Revoked.
    for text in ["v=DKIM1; p=", "v=DKIM1; k=rsa; p=", "p=", "v=DKIM1; k=ed25519; p=;", "k=rsa; t=y; p= "]:
        add(text)
    # Invalid: every kind.
    invalid = [
        f"v=DKIM2; p={b64(der)}",
        f"k=rsa; v=DKIM1; p={b64(der)}",
        f"v=DKIM1; k=dsa; p={b64(der)}",
        f"v=DKIM1; k=RSA; p={b64(der)}",
        f"v=DKIM1; s=tls; p={b64(der)}",
        f"v=DKIM1; s=other:tls; p={b64(der)}",
        f"v=DKIM1; p={b64(der)}; p={b64(der)}",
        "v=DKIM1; k=rsa",
        "v=DKIM1; k=rsa; p=not*base64!",
        f"v=DKIM1; p={b64(der)[:-1]}",
        f"v=DKIM1; p={b64(der[:100])}",
        f"v=DKIM1; p={b64(der[:len(der) // 2])}",
        f"v=DKIM1; k=ed25519; p={b64(ed25519_raw()[:31])}",
        f"v=DKIM1; k=ed25519; p={b64(ed25519_raw() + b'x')}",
        f"v=DKIM1; k=ed25519; p={b64(der)}",
        f"v=DKIM1; p={b64(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))}",
        "this is not a DKIM record",
        "v=DKIM1; ; p=abc",
        "v=DKIM1; 1k=rsa; p=",
        f"v=DKIM1; k=rsa; p={b64(bytes(rng.randrange(256) for _ in range(270)))}",
    ]
    for text in invalid:
        add(text)
    # s= that includes email, and the wildcard: usable.
    add(f"v=DKIM1; s=email:tls; p={b64(cache[1024])}")
    add(f"v=DKIM1; s=*; p={b64(cache[2048])}")
    # Named keys the demo consortium points at (by CNAME from demo.test), a CNAME to a good key,
    # and two records at one name.
    out.append(("good2048", [f"v=DKIM1; k=rsa; p={b64(cache[2048])}"], None))
    out.append(("revoked", ["v=DKIM1; k=rsa; p="], None))
    out.append(("alias", [], "good2048"))
    out.append(("twice", [f"v=DKIM1; p={b64(cache[2048])}", f"v=DKIM1; p={b64(cache[1024])}"], None))
    return out


def zone_text(entries):
    lines = [f"$ORIGIN {ORIGIN}.", "$TTL 300",
             "@ IN SOA ns1.lab.test. hostmaster.lab.test. 2026112901 3600 600 86400 60",
             "@ IN NS ns1.lab.test."]
    for selector, texts, cname in entries:
        name = f"{selector}._domainkey"
        if cname:
            lines.append(f"{name} IN CNAME {cname}._domainkey.{ORIGIN}.")
            continue
        for text in texts:
            # Split into 255-byte character-strings (RFC 1035 §3.3.14); one record.
            chunks = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
            quoted = " ".join('"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"' for chunk in chunks)
            lines.append(f"{name} IN TXT {quoted}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zone", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    entries = records(random.Random(args.seed))
    with open(args.zone, "w") as handle:
        handle.write(zone_text(entries))
    by_name = {selector: texts for selector, texts, _ in entries}
    manifest = [{"selector": s, "records": by_name[c] if c else t, "cname": c} for s, t, c in entries]
    with open(args.manifest, "w") as handle:
        json.dump({"domain": ORIGIN, "selectors": manifest}, handle, indent=1)


if __name__ == "__main__":
    main()

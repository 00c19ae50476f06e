"""Turns the zone data of the RFC 7208 test suite into zones a real DNS server serves.

Each section of the suite has its own zone data (the same names differ between sections), so each
section gets its own root zone, served by its own nsd on 127.0.11.N:PORT, behind the fault proxy on
127.0.12.N:PORT, which makes the suite's TIMEOUT names never answer. SPF-type records become TXT
records for names without TXT records of their own, as the suite's reference driver does; a
TIMEOUT makes every type not listed before it time out, also as the reference driver does.

Writes, under the output folder: sNN/root.zone, sNN/rules.json, and sections.env (one line a
section: index, nsd address, proxy address).
"""
import argparse
import json
import os

import yaml


def escape_label_text(text):
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if byte < 0x21 or byte > 0x7E or char in '.\\;()"$@':
            out.append("\\%03d" % byte)
        else:
            out.append(char)
    return "".join(out)


def owner(name):
    name = name.rstrip(".")
    return ".".join(escape_label_text(label) for label in name.split(".")) + "."


def txt_string(text):
    out = []
    for byte in text.encode("utf-8"):
        if byte < 0x20 or byte > 0x7E or byte in (0x22, 0x5C):
            out.append("\\%03d" % byte)
        else:
            out.append(chr(byte))
    return '"' + "".join(out) + '"'


def section_zone(zonedata):
    lines = [
        "$TTL 300",
        ". IN SOA ns.suite.invalid. hostmaster.suite.invalid. 1 3600 600 86400 60",
        ". IN NS ns.suite.invalid.",
    ]
    rules = []
    for name, entries in zonedata.items():
        has_txt = any(isinstance(entry, dict) and "TXT" in entry for entry in entries)
        before_timeout = set()
        for entry in entries:
            if entry == "TIMEOUT":
                rules.append({"name": name.rstrip(".").lower(), "exact": True, "action": "blackhole", "except_types": sorted(before_timeout)})
                break
            if not isinstance(entry, dict):
                continue
            for rtype, value in entry.items():
                if value == "NONE":
                    continue
                if rtype in ("A", "AAAA", "MX", "PTR", "CNAME", "TXT"):
                    before_timeout.add(rtype)
                if rtype == "SPF" and has_txt:
                    continue
                if rtype in ("SPF", "TXT"):
                    strings = value if isinstance(value, list) else [value]
                    data = " ".join(txt_string(str(s)) for s in strings) if strings else '""'
                    lines.append("%s IN TXT %s" % (owner(name), data))
                elif rtype in ("A", "AAAA"):
                    lines.append("%s IN %s %s" % (owner(name), rtype, value))
                elif rtype == "MX":
                    lines.append("%s IN MX %d %s" % (owner(name), int(value[0]), owner(str(value[1]))))
                elif rtype in ("PTR", "CNAME"):
                    lines.append("%s IN %s %s" % (owner(name), rtype, owner(str(value))))
    return "\n".join(lines) + "\n", rules


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--port", type=int, default=5300)
    args = parser.parse_args()
    with open(args.suite, "rb") as handle:
        sections = list(yaml.safe_load_all(handle))
    env = []
    for index, section in enumerate(sections):
        folder = os.path.join(args.out, "s%02d" % index)
        os.makedirs(folder, exist_ok=True)
        zone, rules = section_zone(section.get("zonedata") or {})
        with open(os.path.join(folder, "root.zone"), "w") as handle:
            handle.write(zone)
        with open(os.path.join(folder, "rules.json"), "w") as handle:
            json.dump({"rules": rules}, handle, indent=1)
        env.append("%d 127.0.11.%d:%d 127.0.12.%d:%d" % (index, index + 1, args.port, index + 1, args.port))
    with open(os.path.join(args.out, "sections.env"), "w") as handle:
        handle.write("\n".join(env) + "\n")


if __name__ == "__main__":
    main()

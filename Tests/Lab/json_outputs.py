"""Every JSON output of notice-audit over the lab, for the schema tests (test_json_schemas.py): each
`--json` command in the cases that give its keys different values (a pass and a failure, present and
absent values), and scan.json of every lab world. Returns {schema name: [(what, document)]}."""
import json
import os
import subprocess

from labenv import BINARY, FIXTURES, HERE, lab_env, lab_scan_arguments


def run_json(arguments, *, env=None, accept=(0, 1)):
    done = subprocess.run([BINARY, *arguments], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode in accept, f"{' '.join(arguments)} exited {done.returncode}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return json.loads(done.stdout)


def command_outputs(folder):
    """The `--json` outputs of every command, run against the lab with their state in `folder`."""
    lab = lab_env()
    dns = ["--dns-server", lab["LAB_DNS"], "--timeout", "10"]
    page = f"https://{lab['LAB_HTTPS_HOSTNAME']}:{lab['LAB_HTTPS_PORT']}/exlibris/"
    ca = ["--ca-file", lab["LAB_CA_FILE"]]
    db = ["--db", os.path.join(folder, "history.sqlite")]
    out = {}

    def add(schema, what, document):
        out.setdefault(schema, []).append((what, document))

    for domain, ip in (("good-include.demo.test", "192.0.2.17"), ("toomany.demo.test", "192.0.2.17"), ("missing.demo.test", "192.0.2.17")):
        add("spf", f"spf {domain} --ip {ip}", run_json(["spf", domain, "--ip", ip, "--json", *dns]))
    add("spf-ranges", "spf --range", run_json(["spf", "good-ip.demo.test", "--range", "192.0.2.16/28", "--range", "198.51.100.0/30", "--json", *dns]))
    for name in ("toomany", "void", "invalid", "badchild", "deep", "loop"):
        add("spf-tree", f"spf {name}.tree --tree", run_json(["spf", f"{name}.tree.lab.test", "--tree", "--json", *dns]))
    add("spf-tree", "spf --tree without record", run_json(["spf", "nospf.lab.test", "--tree", "--json", *dns]))

    env = dict(os.environ, RELAY_PASSWORD=lab["LAB_SMTP_PASSWORD"])
    smtp = lab["LAB_SMTP_HOSTNAME"]
    add("relay", "relay with AUTH", run_json(["relay", f"{smtp}:{lab['LAB_SMTP_STARTTLS_PORT']}", "--security", "starttls", "--user", lab["LAB_SMTP_USER"],
                                              "--password-env", "RELAY_PASSWORD", "--json", *dns, *ca], env=env))
    add("relay", "relay refused", run_json(["relay", f"{smtp}:{lab['LAB_SMTP_CLOSED_PORT']}", "--security", "starttls", "--json", *dns, *ca], accept=(1, 3)))

    add("ranges-fetch", "ranges fetch v1", run_json(["ranges", "fetch", "--url", page + "v1.html", "--json", *db, *dns, *ca]))
    add("ranges-fetch", "ranges fetch v2", run_json(["ranges", "fetch", "--url", page + "v2.html", "--json", *db, *dns, *ca]))
    add("ranges-show", "ranges show", run_json(["ranges", "show", "--json", *db]))
    add("ranges-diff", "ranges diff", run_json(["ranges", "diff", "--json", *db]))

    add("inbox", "inbox bulk", run_json(["inbox", "inbox.demo.test", "--region", "NA", "--no-dnsbl", "--json", *db, *dns], accept=(0, 1)))
    add("inbox", "inbox standard with DKIM", run_json(["inbox", "inbox-dkim.demo.test", "--selector", "s1", "--class", "standard", "--region", "NA", "--no-dnsbl", "--json", *db, *dns], accept=(0, 1)))
    add("dmarc", "dmarc with record", run_json(["dmarc", "good-include.demo.test", "--json", *dns]))
    add("dmarc", "dmarc without record", run_json(["dmarc", "nospf.lab.test", "--json", *dns]))
    add("dkim", "dkim", run_json(["dkim", "inbox-dkim.demo.test", "--selector", "s1", "--selector", "nosuch", "--json", *dns]))
    add("dns-check", "dns check", run_json(["dns", "check", "--catalog-url", page + "v1.html", "--json", *db, *dns, *ca]))
    add("dns-check", "dns check, lying resolver", run_json(["dns", "check", "--catalog-url", page + "v1.html", "--json", *db, *ca,
                                                             "--dns-server", lab["LAB_LYING_DNS_A_FOR_ALL"], "--timeout", "5"]))

    reports_db = ["--db", os.path.join(folder, "reports.sqlite")]
    add("dmarc-reports-ingest", "dmarc-reports ingest",
        run_json(["dmarc-reports", "ingest", os.path.join(FIXTURES, "rua-samples"), "--json", *reports_db]))
    add("dmarc-reports-list", "dmarc-reports list", run_json(["dmarc-reports", "list", "--json", *reports_db]))

    add("inventory-validate", "inventory validate (valid)", run_json(["inventory", "validate", os.path.join(HERE, "demo", "inventory.json"), "--json"]))
    broken = os.path.join(folder, "broken-inventory.json")
    with open(broken, "w") as handle:
        handle.write('{"consortium": "X", "institutions": [{"id": "a", "name": "A", "sender_domains": ["a.test"], "delivery": "pigeon"}]}')
    add("inventory-validate", "inventory validate (invalid)", run_json(["inventory", "validate", broken, "--json"], accept=(2,)))
    return out


def scan_outputs(folder):
    """scan.json of a lab scan of the one-institution and demo inventories, and `history --json` of it."""
    out = {}
    scan_folder = os.path.join(folder, "scan")
    for inventory in ("inventory.json", "one-institution.json"):
        done = subprocess.run([BINARY, "scan", "--inventory", os.path.join(HERE, "demo", inventory), *lab_scan_arguments(scan_folder, dns="LAB_DNS", timeout="10")],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        with open(os.path.join(scan_folder, "Reports", "latest", "scan.json")) as handle:
            out.setdefault("scan", []).append((f"scan {inventory}", json.load(handle)))
    db = ["--db", os.path.join(scan_folder, "history.sqlite")]
    institutions = [entry["institution_id"] for _, document in out["scan"] for entry in document["institutions"]]
    out["history"] = [(f"history {institution}", run_json(["history", "--institution", institution, "--json", *db])) for institution in institutions[:3]]
    return out

"""What the lab's self-tests share: the running lab's addresses (run/lab.env) and the binary under test."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
# Data written by others, copied into the repository with its licences (Tests/Fixtures/*/README.md).
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
BINARY = os.environ.get("NOTICE_AUDIT_BIN", os.path.join(ROOT, ".build", "debug", "notice-audit"))


def lab_env():
    """run/lab.env (or $LAB_ENV) as a dictionary."""
    path = os.environ.get("LAB_ENV", os.path.join(HERE, "run", "lab.env"))
    with open(path) as handle:
        return dict(line.strip().split("=", 1) for line in handle if "=" in line)


def lab_scan_arguments(folder, dns="LAB_FAULT_DNS", timeout="5", page="exlibris/v1.html"):
    """The lab arguments of every end-to-end scan, as LabScan builds them for the Swift tests:
    history and reports in `folder`, the lab's catalog page, name server (by its lab.env key) and CA,
    and the timeout of one network step. The scan's other arguments come after."""
    lab = lab_env()
    folder = str(folder)
    return ["--db", os.path.join(folder, "history.sqlite"), "--reports", os.path.join(folder, "Reports"),
            "--catalog-url", f"https://{lab['LAB_HTTPS_HOSTNAME']}:{lab['LAB_HTTPS_PORT']}/{page}",
            "--dns-server", lab[dns], "--ca-file", lab["LAB_CA_FILE"], "--timeout", timeout]

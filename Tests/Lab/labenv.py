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

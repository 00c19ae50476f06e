"""Checks of deploy/ with the validators this machine can run: systemd-analyze verify for the
units, kubernetes-validate for the CronJob, dockerfile-parse for the Dockerfile, and the cron line
through notice-audit's own cron parser. Docker itself is not run (no engine here)."""
import os
import re
import shutil
import signal
import subprocess

import pytest
from dockerfile_parse import DockerfileParser

from labenv import lab_scan_arguments

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
BINARY = os.environ.get("NOTICE_AUDIT_BIN", os.path.join(ROOT, ".build", "debug", "notice-audit"))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path):
    # verify insists that ExecStart exists: point it at the built binary, change nothing else.
    for name in ("notice-audit.service", "notice-audit.timer"):
        with open(os.path.join(DEPLOY, "systemd", name)) as handle:
            text = handle.read().replace("/usr/local/bin/notice-audit", BINARY)
        (tmp_path / name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "notice-audit.service"), str(tmp_path / "notice-audit.timer")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_systemd_service_is_hardened_and_timer_persistent():
    service = open(os.path.join(DEPLOY, "systemd", "notice-audit.service")).read()
    for line in ("DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=notice-audit", "LoadCredential=", "EnvironmentFile="):
        assert line in service
    assert "Persistent=true" in open(os.path.join(DEPLOY, "systemd", "notice-audit.timer")).read()


def test_kubernetes_cronjob_validates_against_the_schema():
    result = subprocess.run([os.path.join(os.path.dirname(__file__), ".venv", "bin", "kubernetes-validate"), "-k", "1.30.0", "--strict",
                             os.path.join(DEPLOY, "kubernetes", "cronjob.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed") == 4


def test_kubernetes_cronjob_never_overlaps_and_keeps_state():
    text = open(os.path.join(DEPLOY, "kubernetes", "cronjob.yaml")).read()
    assert "concurrencyPolicy: Forbid" in text
    assert "timeZone: America/New_York" in text
    assert "persistentVolumeClaim" in text and "secretRef" in text


def test_dockerfile_is_multistage_slim_and_non_root():
    parser = DockerfileParser(path=os.path.join(DEPLOY, "Dockerfile"))
    froms = [i["value"] for i in parser.structure if i["instruction"] == "FROM"]
    assert froms[0].startswith("swift:") and froms[-1] == "debian:bookworm-slim"
    users = [i["value"] for i in parser.structure if i["instruction"] == "USER"]
    assert users and not users[-1].startswith("0") and users[-1] != "root"
    runtime = parser.content.split("FROM debian:bookworm-slim", 1)[1]
    for package in ("libcurl4", "libc-ares2", "libsqlite3-0", "libarchive13", "libgmime-3.0-0", "ca-certificates", "publicsuffix"):
        assert package in runtime
    assert any(i["instruction"] == "VOLUME" for i in parser.structure)


def test_crontab_line_is_a_valid_schedule_and_uses_flock():
    lines = [line for line in open(os.path.join(DEPLOY, "crontab")) if re.match(r"^[0-9*@]", line)]
    assert len(lines) == 1
    expression = " ".join(lines[0].split()[:5])
    result = subprocess.run([BINARY, "schedule", "next", "--cron", expression, "--tz", "America/New_York",
                             "--after", "2026-11-26T12:00:00-05:00", "--count", "1"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-11-27T03:30:00-05:00"
    assert "flock -n 9" in open(os.path.join(DEPLOY, "notice-audit-cron.sh")).read()


def test_cron_wrapper_is_valid_bash():
    assert subprocess.run(["bash", "-n", os.path.join(DEPLOY, "notice-audit-cron.sh")]).returncode == 0


def test_cron_wrapper_says_skipped_and_exits_3_when_a_scan_holds_the_lock(tmp_path):
    """Issue 12 item 12: a held lock is a clear "skipped" and exit 3, never a silent exit 1."""
    state, config = tmp_path / "state", tmp_path / "config"
    state.mkdir()
    config.mkdir()
    lock = state / "history.sqlite.lock"
    env = dict(os.environ, NOTICE_AUDIT_STATE=str(state), NOTICE_AUDIT_CONFIG=str(config), NOTICE_AUDIT_BIN=BINARY)
    wrapper = os.path.join(DEPLOY, "notice-audit-cron.sh")
    # A session of its own: killing it ends flock and the sleep that inherited the lock.
    holder = subprocess.Popen(["flock", str(lock), "sleep", "60"], start_new_session=True)
    try:
        # Wait for the holder to have the lock (the event, with a generous bound).
        for _ in range(600):
            if subprocess.run(["flock", "-n", str(lock), "true"]).returncode != 0:
                break
            subprocess.run(["sleep", "0.05"])
        result = subprocess.run(["bash", wrapper], capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 3, result.stderr
        assert "skipped: a scan is already running" in result.stderr
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    # Without the lock held, the scan runs and its own status comes through (no inventory: 2).
    result = subprocess.run(["bash", wrapper], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "inventory" in result.stderr


def make_scan(tmp_path, *arguments):
    return subprocess.run(
        [os.path.join(DEPLOY, "make-scan.sh"), *lab_scan_arguments(tmp_path), *arguments],
        env=dict(os.environ, NOTICE_AUDIT_BIN=BINARY), capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not os.path.exists(os.environ.get("LAB_ENV", os.path.join(ROOT, "Tests", "Lab", "run", "lab.env"))), reason="the lab is not running")
def test_make_scan_ends_with_the_digest_and_fails_only_when_the_scan_could_not_run(tmp_path):
    # Some institutions noncompliant: the binary exits 1, make scan does not fail.
    inventory = tmp_path / "inventory.json"
    inventory.write_text('{"consortium": "T", "defaults": {"region": "NA", "delivery": "spf", "sender_class": "standard"}, "institutions": ['
                         '{"id": "good-ip", "name": "Good", "sender_domains": ["good-ip.demo.test"]},'
                         '{"id": "missing", "name": "Missing", "sender_domains": ["missing.demo.test"]}]}')
    done = make_scan(tmp_path, "--inventory", str(inventory))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("run 1: 1 compliant, 1 noncompliant, 0 unknown of 2")
    assert any(re.match(r"^  missing\s+noncompliant\s+SPF_NOT_AUTHORIZED\s+missing\.demo\.test does not authorize", line) for line in lines), done.stdout
    summary = next(line for line in lines if line.startswith("summary:"))
    dashboard = next(line for line in lines if line.startswith("dashboard:"))
    assert os.path.exists(summary.split(None, 1)[1]) and os.path.exists(dashboard.split(None, 1)[1])
    assert "some institutions are not compliant" in done.stdout
    # The scan could not run (invalid inventory): make scan fails with the binary's status.
    inventory.write_text('{"consortium": "T", "institutions": [{"id": "Bad Id"}]}')
    done = make_scan(tmp_path, "--inventory", str(inventory))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "could not run (exit 2)" in done.stderr


def test_every_deployment_ingests_the_report_mailbox_before_the_scan():
    """Issue 21: cron, the systemd unit and the Kubernetes CronJob read the DMARC report mailbox
    first, and a mailbox that cannot be read never stops the scan."""
    service = open(os.path.join(DEPLOY, "systemd", "notice-audit.service")).read()
    pre = [line for line in service.splitlines() if line.startswith("ExecStartPre=")]
    assert pre and pre[0].startswith("ExecStartPre=-") and "dmarc-reports ingest --imap" in pre[0]
    assert service.index("ExecStartPre=") < service.index("ExecStart=/usr/local/bin/notice-audit scan")
    job = open(os.path.join(DEPLOY, "kubernetes", "cronjob.yaml")).read()
    assert "initContainers:" in job and "dmarc-reports ingest --imap" in job and "defaultMode: 0400" in job and "exit 0" in job
    cron = open(os.path.join(DEPLOY, "notice-audit-cron.sh")).read()
    assert cron.index("dmarc-reports ingest --imap") < cron.index('"$binary" scan')


def test_cron_wrapper_ingests_then_scans_and_a_dead_mailbox_does_not_stop_it(tmp_path):
    state, config = tmp_path / "state", tmp_path / "config"
    state.mkdir()
    config.mkdir()
    log = tmp_path / "calls"
    fake = tmp_path / "notice-audit"
    fake.write_text('#!/usr/bin/env bash\necho "$1 $2" >> "%s"\n[ "$1" = dmarc-reports ] && exit 3\nexit 1\n' % log)
    fake.chmod(0o755)
    (config / "imap-credentials").write_text("user:secret\n")
    (config / "imap-credentials").chmod(0o600)
    env = dict(os.environ, NOTICE_AUDIT_STATE=str(state), NOTICE_AUDIT_CONFIG=str(config), NOTICE_AUDIT_BIN=str(fake),
               NOTICE_AUDIT_IMAP_URL="imaps://imap.example.edu/INBOX")
    result = subprocess.run(["bash", os.path.join(DEPLOY, "notice-audit-cron.sh")], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1, result.stderr
    assert log.read_text().splitlines() == ["dmarc-reports ingest", "scan --trigger"]
    assert "could not be read (exit 3); the scan runs without new reports" in result.stderr

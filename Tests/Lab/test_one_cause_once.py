"""Issue 32 item 3 over every lab world: the demo's two nights and every other inventory of the lab
(one institution, the 1,000-institution benchmark consortium), scanned by the binary under test.
In findings.csv and scan.json no (institution, code, target) appears twice, and no letter to
campus IT has two steps that change the same DNS name ("One cause, one finding",
../shared/domain.md)."""
import csv
import io
import json
import os
import pathlib
import re
import subprocess

import pytest


HERE = pathlib.Path(__file__).resolve().parent
LAB_ENV = pathlib.Path(os.environ.get("LAB_ENV", HERE / "run" / "lab.env"))

pytestmark = pytest.mark.skipif(not LAB_ENV.exists(), reason="the lab is not running (make lab-start)")

# The DNS name a step of "What to do" changes: the record it publishes, replaces or edits.
CHANGED_NAME = re.compile(
    r"(?:TXT record at|SPF record of|rua tag of|one TXT record starting with v=DMARC1 at|DKIM key of selector \S+ at|record at)\s+`?([A-Za-z0-9_.-]+[A-Za-z0-9])`?")


def test_no_cause_is_said_twice_in_findings_csv_or_scan_json(every_world):
    assert len(every_world) == 4
    for name, run in every_world:
        rows = list(csv.DictReader(io.StringIO((run / "findings.csv").read_text(), newline="")))
        assert rows, name
        keys = [(row["institution"], row["code"], row["target"].lower().rstrip(".")) for row in rows]
        twice = {key for key in keys if keys.count(key) > 1}
        assert not twice, f"{name}: findings.csv says {sorted(twice)} twice"
        scan = json.loads((run / "scan.json").read_text())
        for institution in scan["institutions"]:
            keys = [(finding["code"], finding["target"].lower().rstrip(".")) for finding in institution["findings"]]
            twice = {key for key in keys if keys.count(key) > 1}
            assert not twice, f"{name}: scan.json says {sorted(twice)} twice for {institution['institution_id']}"
        keys = [(finding["code"], finding["target"]) for finding in scan["run"]["findings"]] if "run" in scan else []
        assert len(keys) == len(set(keys)), f"{name}: a run-level cause twice"


def test_no_letter_has_two_steps_changing_the_same_name(every_world):
    letters = 0
    for name, run in every_world:
        folder = run / "institutions"
        for letter in sorted(folder.glob("*.md")) if folder.exists() else []:
            letters += 1
            text = letter.read_text()
            todo = text.split("## What to do", 1)[1].split("## Check it yourself", 1)[0]
            steps = re.split(r"\n(?=\d+\. )", "\n" + todo.strip())
            changed = []
            for step in steps:
                match = CHANGED_NAME.search(step)
                if match:
                    changed.append(match.group(1).lower())
            twice = {name for name in changed if changed.count(name) > 1}
            assert not twice, f"{name}: {letter.name} has two steps that change {sorted(twice)}:\n{todo}"
            # "What is wrong": one line per cause.
            wrong = text.split("## What is wrong", 1)[1].split("\n## ", 1)[0]
            codes = re.findall(r"^- .*\(`([A-Z_]+)`\)$", wrong, re.MULTILINE)
            assert codes, f"{letter.name}: no line in What is wrong"
    assert letters >= 20, "the demo writes a letter to most of its institutions"


def test_no_letter_contradicts_its_own_matrix(every_world):
    """../shared/domain.md, "A letter never contradicts its own matrix": where every provider takes
    the notices (the consortium's SPF rule decides, receivers check Alma's envelope), the letter
    says the consortium's rule and why receivers take them today, never that the notices land in
    spam; "Why the notices suffer" gives only reasons the matrix shows."""
    accepting = 0
    for name, run in every_world:
        folder = run / "institutions"
        for letter in sorted(folder.glob("*.md")) if folder.exists() else []:
            text = letter.read_text()
            if "## What Gmail" not in text:
                continue
            matrix = text.split("## What Gmail", 1)[1].split("\n## ", 1)[0]
            providers = [line for line in matrix.splitlines() if line.startswith("- **")]
            if not providers or not all(line.endswith("accepts them as far as DNS can show.") for line in providers):
                continue
            wrong = text.split("## What is wrong", 1)[1].split("\n## ", 1)[0]
            # The deciding finding comes first: the consortium's SPF rule for a From domain.
            codes = re.findall(r"^- .*\(`([A-Z_]+)`\)$", wrong, re.MULTILINE)
            if not codes or codes[0] not in ("SPF_NOT_AUTHORIZED", "SPF_NO_RECORD", "SPF_PERMERROR", "SPF_LOOKUP_LIMIT", "EXLIBRIS_INCLUDE_INCOMPLETE"):
                continue
            accepting += 1
            why = text.split("## Why the notices suffer", 1)[1].split("\n## ", 1)[0]
            assert "makes notices land in spam" not in wrong, f"{name}: {letter.name} says the notices suffer while every provider takes them:\n{wrong}"
            assert "consortium's rule" in wrong and "still take the notices today" in wrong, f"{name}: {letter.name}:\n{wrong}"
            assert "When the Ex Libris servers are not in it, the notices are marked as spam or refused" not in why, f"{name}: {letter.name}:\n{why}"
            assert "with quarantine or reject, such notices go to spam" not in why or "DMARC_MISALIGNED" in text, f"{name}: {letter.name}:\n{why}"
    assert accepting >= 5, "missing, nospf, softfail, toomany, broken and partial are such letters in the demo"

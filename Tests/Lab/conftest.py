"""Fixtures the lab's test modules share."""
import os
import pathlib
import re
import subprocess

import pytest

from labenv import BINARY, lab_scan_arguments

HERE = pathlib.Path(__file__).resolve().parent
LAB_ENV = pathlib.Path(os.environ.get("LAB_ENV", HERE / "run" / "lab.env"))


def worlds(tmp_path_factory):
    """(name, folder of the run whose reports are checked) for every lab world."""
    out = tmp_path_factory.mktemp("worlds")
    env = dict(os.environ, LAB_ENV=str(LAB_ENV))
    demo = out / "demo"
    done = subprocess.run([str(HERE / "demo" / "scan-nights.sh"), str(demo)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    runs = sorted(path for path in (demo / "Reports").iterdir() if path.is_dir() and re.search(r"-run\d+$", path.name))
    found = [(f"demo night {index + 1}", run) for index, run in enumerate(runs)]
    for inventory in ("one-institution.json", "bench-inventory.json"):
        folder = out / inventory
        scan = subprocess.run(
            [BINARY, "scan", "--inventory", str(HERE / "demo" / inventory), *lab_scan_arguments(folder, dns="LAB_DNS", timeout="10"), "--concurrency", "32"],
            capture_output=True, text=True, timeout=600, env=env)
        assert scan.returncode in (0, 1), scan.stdout + scan.stderr
        found.append((inventory, folder / "Reports" / "latest"))
    return found


@pytest.fixture(scope="session")
def every_world(tmp_path_factory):
    return worlds(tmp_path_factory)



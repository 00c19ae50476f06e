"""Next fire times from cronsim (cronie's DST rules), for the schedule comparison test.
Reads [{"expr", "tz", "after" (ISO 8601 with offset), "count"}] as JSON on stdin and writes a list
of lists of ISO 8601 times (UTC, "Z") on stdout."""
import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from cronsim import CronSim

cases = json.load(sys.stdin)
out = []
for case in cases:
    zone = ZoneInfo(case["tz"])
    after = datetime.fromisoformat(case["after"]).astimezone(zone)
    it = CronSim(case["expr"], after)
    times = []
    for _ in range(case["count"]):
        try:
            times.append(next(it).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        except StopIteration:
            break
    out.append(times)
json.dump(out, sys.stdout)

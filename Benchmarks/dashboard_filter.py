"""The dashboard's filter in headless Chromium: time from a change of the filter to the page laid
out again, for several filters, on an index.html given as argument. Prints each and the worst.
Usage: Tests/Lab/.venv/bin/python Benchmarks/dashboard_filter.py INDEX_HTML [REPEATS]"""
import pathlib
import statistics
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

page = pathlib.Path(sys.argv[1]).resolve()
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(page.as_uri())
    load = driver.execute_script("var t=performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime;")
    rows = driver.execute_script("return document.querySelectorAll('#matrix tbody tr').length")
    print(f"{page.name}: {page.stat().st_size} bytes, {rows} rows, loaded in {load:.0f} ms")
    # One filter step: set the control, fire its event, force style and layout, read the count.
    step = """
        var kind = arguments[0], value = arguments[1];
        var element = document.getElementById(kind === 'text' ? 'filter-text' : 'filter-' + kind);
        var start = performance.now();
        element.value = value;
        element.dispatchEvent(new Event(kind === 'text' ? 'input' : 'change'));
        document.body.offsetHeight;
        var shown = 0; document.querySelectorAll('#matrix tbody tr').forEach(function (r) { if (!r.hidden) shown++; });
        return [performance.now() - start, shown];
    """
    worst = 0.0
    for kind, value in [("text", "bench"), ("text", "SPF_NOT_AUTHORIZED"), ("text", "inst0999"), ("text", "zzz-no-match"), ("text", ""),
                        ("status", "noncompliant"), ("status", "compliant"), ("status", ""), ("method", "relay"), ("method", "")]:
        times = []
        for _ in range(repeats):
            elapsed, shown = driver.execute_script(step, kind, value)
            times.append(elapsed)
            driver.execute_script(step, kind, "")  # back to everything
        worst = max(worst, max(times))
        print(f"  filter {kind}={value!r}: {shown} shown, median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms")
    print(f"worst filter step: {worst:.1f} ms")
finally:
    driver.quit()

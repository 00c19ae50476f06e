"""The dashboard (index.html) in a real browser: Debian's Chromium, headless, driven by selenium, on
the demo run's page opened from file:// (issue 15).

The demo consortium is scanned over two nights into a temporary folder by the binary under test
(Tests/Lab/demo/scan-nights.sh, lab running). A screenshot is written to Tests/Lab/run/dashboard.png.
"""
import csv
import json
import os
import pathlib
import subprocess

import pytest
from axe_selenium_python import Axe
from prometheus_client.parser import text_string_to_metric_families
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LAB_ENV = pathlib.Path(os.environ.get("LAB_ENV", HERE / "run" / "lab.env"))

pytestmark = pytest.mark.skipif(not LAB_ENV.exists(), reason="the lab is not running (make lab-start)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's two nights, scanned by the binary under test."""
    out = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, LAB_ENV=str(LAB_ENV))
    done = subprocess.run([str(HERE / "demo" / "scan-nights.sh"), str(out)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    latest = out / "Reports" / "latest"
    assert (latest / "index.html").exists()
    return out, latest, done.stdout


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600",
                     "--disable-background-networking", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def summary_rows(latest):
    with open(latest / "summary.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def findings_by_institution(latest):
    with open(latest / "findings.csv", newline="", encoding="utf-8") as handle:
        codes = {}
        for row in csv.DictReader(handle):
            if row["institution"]:
                codes.setdefault(row["institution"], set()).add(row["code"])
        return codes


def visible_rows(driver):
    return [row for row in driver.find_elements(By.CSS_SELECTOR, "#matrix tbody tr") if row.is_displayed()]


def requested_urls(driver):
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_the_dashboard_works_in_a_real_browser(demo, browser):
    _, latest, _ = demo
    page = (latest / "index.html").resolve()
    browser.get(page.as_uri())
    assert browser.title.startswith("Alma notice delivery: DEMO, run 2")

    # Nothing but the file itself (and data: URLs) is requested; no console error.
    urls = requested_urls(browser)
    assert urls, "the performance log saw no request at all"
    assert all(url.startswith(("file:", "data:")) for url in urls), urls
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors

    # One row per institution, as in summary.csv; no hostile record ran a script.
    rows = summary_rows(latest)
    assert len(visible_rows(browser)) == len(rows)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    hostile = browser.find_element(By.ID, "i-relay-hostile")
    browser.execute_script("arguments[0].open = true", hostile)
    assert "<script>alert('banner')</script>" in hostile.text, "the hostile banner is shown as text"
    assert browser.execute_script("return document.querySelectorAll('script').length") == 1

    # The filter: status, method and free text, with the count said.
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("noncompliant")
    noncompliant = [row["institution"] for row in rows if row["status"] == "noncompliant"]
    shown = visible_rows(browser)
    assert sorted(row.get_attribute("data-id") for row in shown) == sorted(noncompliant)
    assert browser.find_element(By.ID, "shown").text == f"{len(noncompliant)} of {len(rows)} institutions shown"
    Select(browser.find_element(By.ID, "filter-method")).select_by_value("relay")
    expected = sorted(row["institution"] for row in rows if row["status"] == "noncompliant" and row["method"] == "relay")
    assert sorted(row.get_attribute("data-id") for row in visible_rows(browser)) == expected
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-method")).select_by_value("")
    box = browser.find_element(By.ID, "filter-text")
    box.send_keys("DKIM_REVOKED")
    assert [row.get_attribute("data-id") for row in visible_rows(browser)] == ["dkim-revoked"]
    assert not browser.find_element(By.ID, "i-missing").is_displayed(), "the details follow the filter"
    box.clear()
    box.send_keys(" ")  # clear() fires no input event
    assert len(visible_rows(browser)) == len(rows)

    # The sort: by institution name, both ways, and back to worst first by status.
    header = browser.find_element(By.XPATH, "//table[@id='matrix']//th[button[text()='Institution']]")
    header.find_element(By.TAG_NAME, "button").click()
    names = [row.find_element(By.CSS_SELECTOR, "th a").text for row in visible_rows(browser)]
    assert names == sorted(names, key=str.lower) and header.get_attribute("aria-sort") == "ascending"
    header.find_element(By.TAG_NAME, "button").click()
    names = [row.find_element(By.CSS_SELECTOR, "th a").text for row in visible_rows(browser)]
    assert names == sorted(names, key=str.lower, reverse=True)
    browser.find_element(By.XPATH, "//table[@id='matrix']//th/button[text()='Status']").click()
    statuses = [row.get_attribute("data-status") for row in visible_rows(browser)]
    rank = {"noncompliant": 0, "unknown": 1, "compliant": 2}
    assert statuses == sorted(statuses, key=rank.get)

    # Expanding an institution shows its finding codes.
    codes = findings_by_institution(latest)
    for institution in ("missing", "relay-expired", "dkim-revoked"):
        details = browser.find_element(By.ID, f"i-{institution}")
        assert not details.get_attribute("open")
        details.find_element(By.TAG_NAME, "summary").click()
        assert details.get_attribute("open")
        for code in codes[institution]:
            assert code in details.text, (institution, code)
    # A link in the matrix opens its institution.
    link = browser.find_element(By.CSS_SELECTOR, "#matrix a[href='#i-softfail']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)  # clear of the sticky header
    link.click()
    assert browser.find_element(By.ID, "i-softfail").get_attribute("open")

    # Issue 20: the Gmail / Yahoo / Outlook.com columns (issue 33: and iCloud, last) and, per
    # institution, the receivers' rules.
    browser.get(page.as_uri())
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#matrix thead th")]
    gmail = headers.index("Gmail")
    assert headers[gmail:gmail + 4] == ["Gmail", "Yahoo", "Outlook.com", "iCloud"], headers
    row = browser.find_element(By.CSS_SELECTOR, "#matrix tr[data-id='inbox-bulk']")
    cells = row.find_elements(By.CSS_SELECTOR, "th, td")
    assert cells[gmail].text.startswith("fail") and "5.7.32" in cells[gmail].text, cells[gmail].text
    assert cells[gmail + 2].text.startswith("fail") and "5.7.515" in cells[gmail + 2].text
    standard = browser.find_element(By.CSS_SELECTOR, "#matrix tr[data-id='inbox-standard']").find_elements(By.CSS_SELECTOR, "th, td")
    assert [cell.text for cell in standard[gmail:gmail + 4]] == ["pass", "pass", "pass", "pass"], "p=none passes iCloud too"
    details = browser.find_element(By.ID, "i-inbox-bulk")
    details.find_element(By.TAG_NAME, "summary").click()
    table = details.find_element(By.CSS_SELECTOR, "table.inbox")
    rows = {tr.find_element(By.TAG_NAME, "code").text: tr.find_elements(By.TAG_NAME, "td") for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert list(rows) == ["spf_or_dkim", "spf", "dkim", "dmarc_record", "alignment", "dmarc_policy", "ptr", "tls", "blocklists", "spam_rate"]
    assert rows["alignment"][0].text == "fail" and rows["alignment"][1].text == "the institution"
    assert "Gmail 5.7.32 / 4.7.32" in rows["alignment"][2].text and "Outlook.com 5.7.515" in rows["alignment"][2].text
    assert rows["spf"][1].text == "Ex Libris" and rows["tls"][0].text == "not observable"
    assert "iCloud required" in rows["dkim"][2].text and "iCloud" not in rows["alignment"][2].text

    # Issue 21: what receivers saw, from the demo's mailbox (ingested over IMAP before night 1).
    saw = browser.find_element(By.ID, "i-good-include")
    saw.find_element(By.TAG_NAME, "summary").click()
    assert "What receivers saw" in saw.text and "40 notices in 1 report; DMARC pass 75 %" in saw.text, saw.text
    assert "PREDICTION_CONTRADICTED" in saw.text

    # axe-core: no serious or critical violation (with the receivers' rules of one institution open).
    axe = Axe(browser)
    axe.inject()
    results = axe.run()
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], axe.report(serious)

    # The screenshot of the page's top, next to the test output (docs/dashboard.png is one).
    shot = HERE / "run" / "dashboard.png"
    browser.get(page.as_uri())
    browser.set_window_size(1280, 1400)
    browser.execute_script("window.scrollTo(0, 0)")
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_the_page_works_without_javascript(demo):
    """Plain tables: every institution row is in the HTML; the controls stay hidden without the script."""
    _, latest, _ = demo
    html = (latest / "index.html").read_text(encoding="utf-8")
    assert html.count("<tr data-id=") == len(summary_rows(latest))
    assert '<div id="controls" class="controls" hidden>' in html


def test_the_list_of_runs_links_every_run(demo, browser):
    out, _, _ = demo
    browser.get((out / "Reports" / "index.html").resolve().as_uri())
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "tbody a")]
    assert len(links) == 2 and links[0].endswith("-run2/index.html") and links[1].endswith("-run1/index.html")
    assert all(url.startswith(("file:", "data:")) for url in requested_urls(browser))


def test_metrics_parse_with_prometheus_client(demo):
    out, latest, _ = demo
    text = (out / "notice_audit.prom").read_text(encoding="utf-8")
    families = {family.name: family for family in text_string_to_metric_families(text)}
    rows = summary_rows(latest)
    by_status = {sample.labels["status"]: sample.value for sample in families["notice_audit_institutions"].samples}
    for status in ("compliant", "noncompliant", "unknown"):
        assert by_status[status] == sum(1 for row in rows if row["status"] == status)
    ones = {(s.labels["institution"], s.labels["status"]) for s in families["notice_audit_institution_status"].samples if s.value == 1}
    assert ones == {(row["institution"], row["status"]) for row in rows}
    assert families["notice_audit_last_run_exit_status"].samples[0].value == 1
    assert families["notice_audit_last_run_dns_queries"].samples[0].value > 0
    assert families["notice_audit_catalog_age_seconds"].samples[0].value >= 0
    start = families["notice_audit_last_run_start_timestamp_seconds"].samples[0].value
    end = families["notice_audit_last_run_end_timestamp_seconds"].samples[0].value
    assert 0 <= end - start == pytest.approx(families["notice_audit_last_run_duration_seconds"].samples[0].value, abs=0.01)
    assert not list(out.glob(".notice_audit.prom*")), "no temporary file is left"

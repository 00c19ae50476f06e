"""Issue 21: our reading of DMARC aggregate reports against parsedmarc's (PyPI parsedmarc 11.1.0),
field by field where parsedmarc reports the raw values, on its own 20 sample inputs, copied unchanged with parsedmarc's licence into
Tests/Fixtures/rua-samples/parsedmarc/. parsedmarc fills some absent fields with
defaults (adkim "r", SPF scope "mfrom", envelope_from from the SPF domain); where our value is null
(the report lacks the field) that default is not compared."""
import json
import os
import subprocess

import parsedmarc

from labenv import BINARY, FIXTURES

SAMPLES = os.path.join(FIXTURES, "rua-samples", "parsedmarc", "parsedmarc-aggregate")


def ours(tmp_path):
    db = str(tmp_path / "history.sqlite")
    subprocess.run([BINARY, "dmarc-reports", "ingest", SAMPLES, "--db", db, "--json"], check=False, capture_output=True)
    listed = subprocess.run([BINARY, "dmarc-reports", "list", "--json", "--db", db], check=True, capture_output=True, text=True)
    # parsedmarc lower-cases an organization name that is a domain ("Outlook.com"); we keep it as given.
    # A report without <org_name> is listed with null (as written); it is kept under its email's domain.
    return {((report["org_name"] or (report["email"] or "").rpartition("@")[2]).lower(), report["report_id"]): report
            for report in json.loads(listed.stdout)["reports"]}


def theirs():
    reports, refused = {}, []
    for folder, subfolders, names in os.walk(SAMPLES):
        subfolders.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            try:
                parsed = parsedmarc.parse_report_file(path, offline=True)
            except Exception as error:  # parsedmarc refuses: so must we
                refused.append(name)
                continue
            if parsed["report_type"] != "aggregate" or name == "invalid_xml.xml":
                continue  # we refuse invalid_xml.xml (below); its report id is veeam.com's
            report = parsed["report"]
            # A report id seen twice is the first one read, as the ingest keeps it (files in name order).
            reports.setdefault((report["report_metadata"]["org_name"].lower(), report["report_metadata"]["report_id"]), report)
    return reports, refused


def same(ours_value, theirs_value):
    if ours_value is None:
        return True  # the report lacks it; parsedmarc may have filled a default
    return str(ours_value).lower() == str(theirs_value).lower()


def test_the_same_reports_and_records_as_parsedmarc(tmp_path):
    mine = ours(tmp_path)
    their, refused = theirs()
    # parsedmarc recovers invalid_xml.xml (a bare "<" in a value) with lxml's recovering parser; we
    # refuse it with the reason (a recovered tree may have lost data). Its report id is the one of
    # veeam.com's well-formed report, so the distinct reports are the same 18.
    assert refused == []
    assert parsedmarc.parse_report_file(os.path.join(SAMPLES, "aggregate", "invalid_xml.xml"), offline=True)["report"]["report_metadata"]["report_id"] \
        == "sonexushealth.com:1530233361"
    assert len(their) == 18 and sum(len(report["records"]) for report in their.values()) == 2305
    assert set(mine) == set(their), set(mine) ^ set(their)
    compared = 0
    for key, report in mine.items():
        other = their[key]
        metadata, published = other["report_metadata"], other["policy_published"]
        assert report["begin"].replace("T", " ").rstrip("Z") == metadata["begin_date"] or other["records"][0].get("normalized_timespan"), key
        assert same(report["domain"], published["domain"]), key
        for field in ("p", "sp", "np", "adkim", "aspf", "pct", "testing", "discovery_method"):
            assert same(report["policy"][field], published.get(field)), (key, field)
            compared += 1
        assert len(report["records"]) == len(other["records"]), key
        for record, their_record in zip(report["records"], other["records"]):
            evaluated = their_record["policy_evaluated"]
            assert record["source_ip"] == their_record["source"]["ip_address"], key
            assert record["count"] == their_record["count"], key
            for field in ("disposition", "dkim", "spf"):
                assert same(record[field], evaluated[field]), (key, field, record[field], evaluated[field])
            assert same(record["header_from"], their_record["identifiers"]["header_from"]), key
            assert same(record["envelope_from"], their_record["identifiers"]["envelope_from"]), key
            dkim_results = [result for result in record["dkim_results"] if result["domain"] is not None]
            assert len(dkim_results) == len(their_record["auth_results"]["dkim"]), key
            for mine_dkim, their_dkim in zip(dkim_results, their_record["auth_results"]["dkim"]):
                for field in ("domain", "selector", "result"):
                    assert same(mine_dkim[field], their_dkim[field]), (key, field)
            # parsedmarc drops an SPF result with an empty <domain> (veeam.com's); we keep it as given.
            spf_results = [result for result in record["spf_results"] if result["domain"] is not None]
            assert len(spf_results) == len(their_record["auth_results"]["spf"]), key
            for mine_spf, their_spf in zip(spf_results, their_record["auth_results"]["spf"]):
                for field in ("domain", "scope", "result"):
                    assert same(mine_spf[field], their_spf[field]), (key, field)
            compared += 1
    assert compared > 2305

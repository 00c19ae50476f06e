"""notice-audit's two DMARC readings (issue 24, ../shared/domain.md "DMARC: two readings") through the
built binary and the lab's nsd, with the RFC 9989 reading compared against checkdmarc 6.0.4, which
discovers policies by RFC 9989 only. Where checkdmarc departs from the RFC text, the test says which
side the RFC supports, with the section."""
import json
import subprocess

import dns.resolver
import pytest
from checkdmarc import dmarc as checkdmarc

from labenv import BINARY, lab_env



def readings(domain):
    """`notice-audit dmarc DOMAIN --json` against the lab's nsd."""
    run = subprocess.run([BINARY, "dmarc", domain, "--json", "--dns-server", lab_env()["LAB_DNS"]],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def checkdmarc_location(domain):
    """(location, record) as checkdmarc finds them, or the name of the exception it raises."""
    host, port = lab_env()["LAB_DNS"].split(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port)
    try:
        found = checkdmarc.query_dmarc_record(domain, resolver=resolver, ignore_unrelated_records=True)
    except Exception as error:  # checkdmarc signals its findings as exceptions
        return type(error).__name__
    return found["location"], found["record"]


# (From domain, RFC 9989 status, its record's domain, its policy, RFC 7489 status, its policy, differ)
EXAMPLES = [
    # Two records at the From domain: RFC 7489 applies nothing, RFC 9989 the parent's sp=quarantine.
    ("lib.twin.test", "found", "twin.test", "quarantine", "none", None, True),
    # A record only between the From domain and the organizational domain: only RFC 9989 finds it.
    ("alma.lib.deep.test", "found", "lib.deep.test", "reject", "none", None, True),
    # psd=n: the same record, other organizational domains.
    ("lib.psd.test", "found", "lib.psd.test", "reject", "found", "reject", True),
    # pct=0 and t=y: the same policy both ways (neither softens it).
    ("pct.test", "found", "pct.test", "reject", "found", "reject", False),
    ("testing.test", "found", "testing.test", "reject", "found", "reject", False),
    # np for a From domain that does not exist (RFC 9989 only) against sp (RFC 7489).
    ("gone.np.test", "found", "np.test", "reject", "found", "quarantine", True),
    ("exists.np.test", "found", "np.test", "quarantine", "found", "quarantine", False),
]


@pytest.mark.parametrize("domain,status9989,where,policy9989,status7489,policy7489,differ", EXAMPLES)
def test_each_example_is_read_both_ways(domain, status9989, where, policy9989, status7489, policy7489, differ):
    result = readings(domain)
    assert result["rfc9989"]["status"] == status9989
    assert result["rfc9989"]["record_domain"] == where
    assert result["rfc9989"]["policy"] == policy9989
    assert result["rfc7489"]["status"] == status7489
    assert result["rfc7489"]["policy"] == policy7489
    assert result["differ"] is differ
    assert len(result["rfc9989"]["queries"]) <= 8
    codes = {finding["code"] for finding in result["findings"]}
    assert ("DMARC_READINGS_DIFFER" in codes) is differ


def test_the_walk_asks_up_to_the_top_level_domain_and_stops_at_psd():
    deep = readings("alma.lib.deep.test")["rfc9989"]
    assert deep["queries"] == ["_dmarc.alma.lib.deep.test", "_dmarc.lib.deep.test", "_dmarc.deep.test", "_dmarc.test"]
    assert deep["org_domain"] == "lib.deep.test"
    psd = readings("lib.psd.test")
    assert psd["rfc9989"]["queries"] == ["_dmarc.lib.psd.test"]
    assert psd["rfc9989"]["org_domain"] == "lib.psd.test"
    assert psd["rfc7489"]["org_domain"] == "psd.test"


def test_pct_and_testing_are_said_and_never_soften():
    assert "DMARC_PCT_IGNORED" in {f["code"] for f in readings("pct.test")["findings"]}
    testing = readings("testing.test")
    assert testing["rfc9989"]["testing"] is True
    assert testing["rfc7489"]["testing"] is False
    assert "DMARC_TESTING" in {f["code"] for f in testing["findings"]}


@pytest.mark.parametrize("domain", ["alma.lib.deep.test", "lib.psd.test", "pct.test", "testing.test", "exists.np.test", "good-include.demo.test"])
def test_the_rfc9989_reading_agrees_with_checkdmarc(domain):
    ours = readings(domain)["rfc9989"]
    theirs = checkdmarc_location(domain)
    assert theirs == (ours["record_domain"], ours["record"]), theirs


def test_where_checkdmarc_departs_from_rfc9989_the_rfc_is_followed():
    # Several records at the From domain: RFC 9989 §4.10 step 2 discards them all and the walk goes
    # on; checkdmarc stops with MultipleDMARCRecords instead.
    assert checkdmarc_location("lib.twin.test") == "MultipleDMARCRecords"
    assert readings("lib.twin.test")["rfc9989"]["record_domain"] == "twin.test"
    # An NXDOMAIN From domain: RFC 9989 §4.10.1 applies the organizational domain's np; checkdmarc
    # stops with "the domain does not exist".
    assert checkdmarc_location("gone.np.test") == "DMARCRecordNotFound"
    assert readings("gone.np.test")["rfc9989"]["policy"] == "reject"

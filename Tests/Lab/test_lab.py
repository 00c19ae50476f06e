"""Self-tests of the loopback lab: each fails when its server is down or misbehaves."""
import base64
import smtplib
import socket
import ssl
import urllib.request

import pytest
from dnslib import DNSRecord, QTYPE, RCODE

from labenv import lab_env



ENV = lab_env()


def query(server, name, qtype, tcp=False, timeout=1.0):
    host, _, port = server.rpartition(":")
    return DNSRecord.parse(DNSRecord.question(name, qtype).send(host, int(port), tcp=tcp, timeout=timeout))


def tls_context():
    return ssl.create_default_context(cafile=ENV["LAB_CA_FILE"])


def test_nsd_serves_the_lab_zone():
    reply = query(ENV["LAB_DNS"], "lab.test", "TXT")
    assert reply.header.aa == 1
    assert [str(rr.rdata) for rr in reply.rr] == ['"v=spf1 ip4:192.0.2.0/24 -all"']


def test_nsd_answers_nxdomain_for_unknown_names():
    reply = query(ENV["LAB_DNS"], "missing.lab.test", "A")
    assert reply.header.rcode == RCODE.NXDOMAIN


def test_fault_server_forwards_ordinary_names():
    reply = query(ENV["LAB_FAULT_DNS"], "smtp.lab.test", "A")
    assert [str(rr.rdata) for rr in reply.rr] == [ENV["LAB_SMTP_ADDRESS"]]


@pytest.mark.parametrize("name, rcode", [("servfail.fault.lab.test", RCODE.SERVFAIL), ("refused.fault.lab.test", RCODE.REFUSED)])
def test_fault_server_injects_error_codes(name, rcode):
    assert query(ENV["LAB_FAULT_DNS"], name, "TXT").header.rcode == rcode


def test_fault_server_black_hole_never_answers():
    with pytest.raises(socket.timeout):
        query(ENV["LAB_FAULT_DNS"], "blackhole.fault.lab.test", "TXT", timeout=0.5)


def test_fault_server_truncates_udp_and_answers_over_tcp():
    udp = query(ENV["LAB_FAULT_DNS"], "truncate.fault.lab.test", "TXT")
    assert udp.header.tc == 1 and udp.rr == []
    tcp = query(ENV["LAB_FAULT_DNS"], "truncate.fault.lab.test", "TXT", tcp=True)
    assert [str(rr.rdata) for rr in tcp.rr] == ['"v=spf1 ip4:192.0.2.1 -all"']


def test_fault_server_delays_slow_names():
    import time
    start = time.monotonic()
    query(ENV["LAB_FAULT_DNS"], "slow.fault.lab.test", "TXT")
    assert time.monotonic() - start >= 0.28


def starttls_session():
    smtp = smtplib.SMTP(timeout=5)
    smtp._host = ENV["LAB_SMTP_HOSTNAME"]  # the name smtplib checks the certificate against
    smtp.connect(ENV["LAB_SMTP_ADDRESS"], int(ENV["LAB_SMTP_STARTTLS_PORT"]))
    return smtp


def test_smtp_starttls_relay_offers_auth_only_after_tls_and_accepts_the_lab_account():
    with starttls_session() as smtp:
        smtp.ehlo("probe.lab.test")
        assert smtp.has_extn("starttls")
        assert not smtp.has_extn("auth")
        smtp.starttls(context=tls_context())
        smtp.ehlo("probe.lab.test")
        assert "PLAIN" in smtp.esmtp_features["auth"] and "LOGIN" in smtp.esmtp_features["auth"]
        code, _ = smtp.login(ENV["LAB_SMTP_USER"], ENV["LAB_SMTP_PASSWORD"])
        assert code == 235


def test_smtp_starttls_relay_rejects_a_wrong_password():
    with starttls_session() as smtp:
        smtp.starttls(context=tls_context())
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.login(ENV["LAB_SMTP_USER"], "wrong-password")


def test_smtp_implicit_tls_relay_presents_the_lab_certificate_and_offers_auth():
    smtp = smtplib.SMTP_SSL(timeout=5, context=tls_context())
    smtp._host = ENV["LAB_SMTP_HOSTNAME"]  # the name smtplib checks the certificate against
    with smtp:
        smtp.connect(ENV["LAB_SMTP_ADDRESS"], int(ENV["LAB_SMTP_TLS_PORT"]))
        code, _ = smtp.ehlo("probe.lab.test")
        assert code == 250
        assert smtp.has_extn("auth")
        assert smtp.sock.getpeercert()["subject"] == ((("commonName", "smtp.lab.test"),),)


def test_postfix_submission_offers_auth_only_after_starttls_and_accepts_the_lab_account():
    smtp = smtplib.SMTP(timeout=5)
    smtp._host = ENV["LAB_SMTP_HOSTNAME"]
    with smtp:
        smtp.connect(ENV["LAB_SMTP_ADDRESS"], int(ENV["LAB_POSTFIX_STARTTLS_PORT"]))
        smtp.ehlo("probe.lab.test")
        assert smtp.has_extn("starttls") and not smtp.has_extn("auth")
        smtp.starttls(context=tls_context())
        smtp.ehlo("probe.lab.test")
        assert smtp.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.login(ENV["LAB_SMTP_USER"], "wrong-password")
        code, _ = smtp.login(ENV["LAB_SMTP_USER"], ENV["LAB_SMTP_PASSWORD"])
        assert code == 235


def test_postfix_implicit_tls_presents_the_lab_certificate():
    smtp = smtplib.SMTP_SSL(timeout=5, context=tls_context())
    smtp._host = ENV["LAB_SMTP_HOSTNAME"]
    with smtp:
        code, banner = smtp.connect(ENV["LAB_SMTP_ADDRESS"], int(ENV["LAB_POSTFIX_TLS_PORT"]))
        assert code == 220 and b"Postfix" in banner
        assert smtp.sock.getpeercert()["subject"] == ((("commonName", "smtp.lab.test"),),)


def test_smtp_log_records_commands_but_not_auth_payloads():
    with smtplib.SMTP(ENV["LAB_SMTP_ADDRESS"], int(ENV["LAB_SMTP_PLAIN_PORT"]), timeout=5) as smtp:
        smtp.ehlo("logcheck.lab.test")
    with open(ENV["LAB_SMTP_LOG"]) as handle:
        log = handle.read()
    assert "plain EHLO logcheck.lab.test" in log
    password = ENV["LAB_SMTP_PASSWORD"]
    assert password not in log
    assert base64.b64encode(f"\0{ENV['LAB_SMTP_USER']}\0{password}".encode()).decode() not in log


def test_https_server_serves_fixture_pages_with_the_lab_certificate():
    address, port = ENV["LAB_HTTPS_ADDRESS"], int(ENV["LAB_HTTPS_PORT"])
    with socket.create_connection((address, port), timeout=5) as raw:
        with tls_context().wrap_socket(raw, server_hostname=ENV["LAB_HTTPS_HOSTNAME"]) as tls:
            tls.sendall(f"GET /index.html HTTP/1.0\r\nHost: {ENV['LAB_HTTPS_HOSTNAME']}\r\n\r\n".encode())
            response = b""
            while chunk := tls.recv(4096):
                response += chunk
    assert response.split(b"\r\n", 1)[0] in (b"HTTP/1.0 200 OK", b"HTTP/1.1 200 OK")
    assert b"notice-audit lab HTTPS server" in response


def test_https_server_is_not_trusted_without_the_lab_ca():
    address, port = ENV["LAB_HTTPS_ADDRESS"], int(ENV["LAB_HTTPS_PORT"])
    with socket.create_connection((address, port), timeout=5) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            ssl.create_default_context().wrap_socket(raw, server_hostname=ENV["LAB_HTTPS_HOSTNAME"])

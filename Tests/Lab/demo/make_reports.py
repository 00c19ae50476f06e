"""Writes the demo consortium's DMARC aggregate reports as mail messages (a gzip attachment, as
receivers send them) into the lab's IMAP Maildir, dated now: one institution whose notices
receivers saw failing although predicted compliant (good-include), Alma mail from an address in no
relay set (drift, good-ip), and a bulk sender whose notices carried DKIM (inbox-bulk).
Usage: make_reports.py MAILDIR"""
import gzip
import os
import sys
import time
import uuid
from email.message import EmailMessage

MAILDIR = sys.argv[1]
END = int(time.time()) - 3600
EXLIBRIS_PASS = "<spf><domain>exlibrisgroup.com</domain><result>pass</result></spf>"


def report(org, report_id, domain, rows):
    records = "".join(
        f"<record><row><source_ip>{ip}</source_ip><count>{count}</count><policy_evaluated><disposition>none</disposition>"
        f"<dkim>{dkim}</dkim><spf>{spf}</spf></policy_evaluated></row><identifiers><header_from>{frm}</header_from></identifiers>"
        f"<auth_results>{auth}</auth_results></record>"
        for ip, count, frm, dkim, spf, auth in rows)
    return (f'<?xml version="1.0"?><feedback><report_metadata><org_name>{org}</org_name><email>noreply-dmarc@{org.lower()}</email>'
            f"<report_id>{report_id}</report_id><date_range><begin>{END - 86399}</begin><end>{END}</end></date_range></report_metadata>"
            f"<policy_published><domain>{domain}</domain><p>none</p></policy_published>{records}</feedback>")


def deliver(org, domain, xml):
    message = EmailMessage()
    message["From"] = f"noreply-dmarc@{org.lower()}"
    message["To"] = "dmarc@consortium.test"
    message["Subject"] = f"Report domain: {domain} Submitter: {org}"
    message.set_content("This is an aggregate report.")
    name = f"{org.lower()}!{domain}!{END - 86399}!{END}.xml.gz"
    message.add_attachment(gzip.compress(xml.encode()), maintype="application", subtype="gzip", filename=name)
    path = os.path.join(MAILDIR, "new", f"{time.time_ns()}.{uuid.uuid4().hex}.demo")
    with open(path, "wb") as handle:
        handle.write(bytes(message))
    os.chmod(path, 0o666)


run = uuid.uuid4().hex[:8]
deliver("google.com", "good-include.demo.test", report("google.com", f"demo-{run}-1", "good-include.demo.test", [
    ("198.51.100.7", 30, "good-include.demo.test", "pass", "pass", EXLIBRIS_PASS),
    ("192.0.2.17", 10, "good-include.demo.test", "fail", "fail", EXLIBRIS_PASS)]))
deliver("Yahoo", "good-ip.demo.test", report("Yahoo", f"demo-{run}-2", "good-ip.demo.test", [
    ("198.51.100.7", 25, "good-ip.demo.test", "pass", "pass", EXLIBRIS_PASS),
    ("203.0.113.77", 4, "good-ip.demo.test", "fail", "fail", EXLIBRIS_PASS)]))
deliver("Outlook.com", "inbox.demo.test", report("Outlook.com", f"demo-{run}-3", "inbox.demo.test", [
    ("192.0.2.20", 30, "inbox.demo.test", "pass", "fail",
     "<dkim><domain>inbox.demo.test</domain><selector>alma</selector><result>pass</result></dkim>" + EXLIBRIS_PASS)]))

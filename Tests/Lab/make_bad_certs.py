"""Certificates the lab's broken relays present: expired (signed by the lab CA, valid last year),
issued for another name (signed by the lab CA), and self-signed. Writes PEM files to --out."""
import argparse
import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def load(path, loader):
    with open(path, "rb") as handle:
        return loader(handle.read())


def issue(subject_name, names, issuer_cert, issuer_key, key, not_before, not_after):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_name)])
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_cert.subject if issuer_cert else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before)
               .not_valid_after(not_after)
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    return builder.sign(issuer_key or key, hashes.SHA256())


def write(folder, name, cert, key):
    with open(os.path.join(folder, name + ".pem"), "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(folder, name + ".key"), "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ca-cert", required=True)
    parser.add_argument("--ca-key", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    ca_cert = load(args.ca_cert, x509.load_pem_x509_certificate)
    ca_key = load(args.ca_key, lambda data: serialization.load_pem_private_key(data, None))
    now = datetime.datetime.now(datetime.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    write(args.out, "expired", issue("smtp.lab.test", ["smtp.lab.test"], ca_cert, ca_key, key, now - datetime.timedelta(days=400), now - datetime.timedelta(days=35)), key)
    write(args.out, "other-name", issue("other.lab.test", ["other.lab.test"], ca_cert, ca_key, key, now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)), key)
    write(args.out, "self-signed", issue("smtp.lab.test", ["smtp.lab.test"], None, None, key, now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)), key)
    write(args.out, "expiring", issue("smtp.lab.test", ["smtp.lab.test"], ca_cert, ca_key, key, now - datetime.timedelta(days=300), now + datetime.timedelta(days=10)), key)


if __name__ == "__main__":
    main()

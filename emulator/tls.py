"""Local TLS: a certificate authority of the emulator's own, and a server certificate it signs.

Amplify always opens `wss://` for subscriptions (it rewrites `http://` too), so the local
API must speak TLS that the frontend's runtime trusts, without anyone turning certificate
checks off. The emulator keeps a CA in its data dir (`tls/local-ca.pem` and its key),
created on first start and kept across restarts, so a developer trusts it once
(NODE_EXTRA_CA_CERTS, a browser or the OS store). The server certificate is issued anew
at every start: it is cheap (P-256), always matches the current CA and host names, and
nothing trusts it directly. The CA is name-constrained to this machine's names, so
trusting it exposes no other site even if its key leaked. Keys are EC P-256, which
browsers, Node and Python all accept.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE, CA_KEY_FILE = "local-ca.pem", "local-ca-key.pem"
SERVER_FILE, SERVER_KEY_FILE = "server.pem", "server-key.pem"
CA_NAME = "Cloud Music local API CA"
CA_YEARS = 10
# Browsers refuse server certificates valid for more than 398 days, even under a CA the user added.
SERVER_DAYS = 397
SERVER_DNS_NAMES = ("localhost",)
SERVER_IPS = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class LocalTls:
    """Where the CA and this start's server certificate are."""

    ca_file: Path
    certificate_file: Path
    key_file: Path


def ensure(directory: Path) -> LocalTls:
    """The CA in `directory` (created if missing) and a fresh server certificate signed by it."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_certificate = _local_ca(directory)
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in SERVER_DNS_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in SERVER_IPS]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True, certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    tls = LocalTls(directory / CA_FILE, directory / SERVER_FILE, directory / SERVER_KEY_FILE)
    _write_private(tls.key_file, _private_pem(key))
    tls.certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return tls


def _local_ca(directory: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The CA kept in `directory`, or a new one when there is none (or it has expired)."""
    ca_file, key_file = directory / CA_FILE, directory / CA_KEY_FILE
    if ca_file.exists() and key_file.exists():
        certificate = x509.load_pem_x509_certificate(ca_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and certificate.not_valid_after_utc > _now():
            return key, certificate
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False, certificates=True), critical=True)
        .add_extension(_only_this_machine(), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_file, _private_pem(key))
    ca_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key, certificate


def _only_this_machine() -> x509.NameConstraints:
    """The CA may vouch for this machine's names only: trusting it cannot expose any real site."""
    return x509.NameConstraints(
        permitted_subtrees=[
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_network("127.0.0.0/8")),
            x509.IPAddress(ipaddress.ip_network("::1/128")),
        ],
        excluded_subtrees=None,
    )


def _key_usage(*, signing: bool, certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certificates,
        crl_sign=certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    """Readable by the owner only: whoever holds the CA key can impersonate any site to this machine."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)

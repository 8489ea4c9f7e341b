"""Local certificate, key, CSR, bundle and keystore checks: what is inside, does it fit together.

    report = check_files(paths, password=None, now=now)
    session.record(list(report.findings), source="file")

detect.py sniffs and parses each file (raising FileProblem for anything unusable), inspect.py lists
and judges each certificate, match.py relates keys, CSRs and issuers by public key, and convert.py
writes or spells out conversions. No network; key material never leaves memory.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

from assistant.certinfo import cert_facts, issued_by, key_desc, self_signed
from assistant.files.detect import FileProblem, Loaded, load
from assistant.files.inspect import FileInventory, inventory, judge_cert, name_of
from assistant.files.match import in_order, key_matches, leaves, path_from, spki
from assistant.i18n import _, ngettext
from assistant.model import Facts, Finding, Status

__all__ = ["FileProblem", "FileReport", "check_files", "load_all", "judge"]

_KEYSTORES = ("pkcs12", "jks")
_PATH_FACTS = {"pkcs12": "pfx_file", "jks": "keystore_file", "csr": "csr_file"}


@dataclass(frozen=True, slots=True)
class FileReport:
    """Everything one file check established. Holds no cryptography objects and no key material."""

    findings: tuple[Finding, ...]
    facts: Facts
    inventory: tuple[FileInventory, ...]
    problems: tuple[tuple[str, str], ...] = ()
    """(file, kind) for each file that could not be read; kind as FileProblem.kind."""
    elapsed_s: float = 0.0

    @property
    def needs_password(self) -> bool:
        return any(kind == "password_needed" for _file, kind in self.problems)


def check_files(
    paths: Iterable[str | Path], *, password: bytes | None = None, now: datetime | None = None
) -> FileReport:
    """Read, list and judge the files together (a certificate in one, its key in another)."""
    started = time.monotonic()
    loaded, problems = load_all(paths, password)
    report = judge(loaded, problems, now or datetime.now(UTC))
    return FileReport(
        report.findings, report.facts, report.inventory, report.problems, round(time.monotonic() - started, 3)
    )


def load_all(
    paths: Iterable[str | Path], password: bytes | None
) -> tuple[list[Loaded], list[tuple[Path, FileProblem]]]:
    loaded: list[Loaded] = []
    problems: list[tuple[Path, FileProblem]] = []
    for raw in paths:
        path = Path(raw)
        try:
            loaded.append(load(path, password))
        except FileProblem as problem:
            problems.append((path, problem))
        except Exception as error:  # noqa: BLE001 - the contract: a bad file is a message, never a traceback
            problems.append(
                (path, FileProblem(_("{file} could not be read: {error}").format(file=path, error=error), "damaged"))
            )
    return loaded, problems


def judge(loaded: list[Loaded], problems: list[tuple[Path, FileProblem]], now: datetime) -> FileReport:
    """Pure: parsed files and `now` in, the report out."""
    findings: list[Finding] = []
    facts: Facts = {}
    for _path, problem in problems:
        facts_here: Facts = {"key_encrypted": True} if problem.kind in ("password_needed", "wrong_password") else {}
        findings.append(Finding("file.format", Status.ERROR, str(problem), None, facts_here))

    certs, where = _unique_certs(loaded)
    servers = leaves(certs, [key for item in loaded for key in item.keys])
    for item in loaded:  # a keystore's key entry names its server certificate outright
        for entry in item.entries:
            if entry.chain and entry.chain[0] not in servers:
                servers.append(next(c for c in certs if c == entry.chain[0]))
    for item in loaded:
        findings.append(_format_finding(item))
        facts.setdefault(_PATH_FACTS.get(item.format, ""), str(item.path))
        if item.keys:
            facts.setdefault("key_file", str(item.path))
    facts.pop("", None)
    for cert in certs:
        findings += judge_cert(cert, where[id(cert)].name, now, server=cert in servers)
    if servers:
        facts.update(cert_facts(servers[0], now))
        facts["cert_file"] = str(where[id(servers[0])])
    locked = any(problem.kind == "password_needed" for _path, problem in problems)
    for server in servers:
        findings += _key_findings(server, where[id(server)], loaded, locked)
        if not self_signed(server):
            findings.append(_completeness(server, certs, where))
    findings += _csr_findings(loaded, servers)
    for item in loaded:
        findings += _order_findings(item)
        if item.format in _KEYSTORES:
            findings += _keystore_findings(item)
        if item.keys and item.format not in _KEYSTORES:
            findings.append(_encryption_finding(item))
    for finding in findings:
        facts.update(finding.facts)
    if loaded:  # one value for several files: the server certificate's file, else the first file
        main = next((item for item in loaded if servers and servers[0] in item.certs), loaded[0])
        facts["file_format"] = main.format
    inventories = [inventory(item, certs) for item in loaded]
    inventories += [FileInventory(str(path), "unknown", "", (), str(problem)) for path, problem in problems]
    return FileReport(
        tuple(findings), facts, tuple(inventories), tuple((str(p), problem.kind) for p, problem in problems)
    )


def _unique_certs(loaded: list[Loaded]) -> tuple[list[x509.Certificate], dict[int, Path]]:
    """Every certificate once (the same one often sits in the PFX and in the chain file)."""
    certs: list[x509.Certificate] = []
    where: dict[int, Path] = {}
    for item in loaded:
        for cert in item.certs:
            if cert not in certs:
                certs.append(cert)
                where[id(cert)] = item.path
    return certs, where


def _f(check: str, status: Status, text: str, diagnosis: str | None = None, **facts: object) -> Finding:
    return Finding(check, status, text, diagnosis, dict(facts))  # type: ignore[arg-type]


def _format_finding(item: Loaded) -> Finding:
    parts = []
    if item.certs:
        parts.append(
            ngettext("{count} certificate", "{count} certificates", len(item.certs)).format(count=len(item.certs))
        )
    keys = max(len(item.keys), len(item.entries))
    if keys:
        parts.append(ngettext("{count} private key", "{count} private keys", keys).format(count=keys))
    if item.csrs:
        parts.append(ngettext("{count} CSR", "{count} CSRs", len(item.csrs)).format(count=len(item.csrs)))
    parts += item.other
    text = _("{file}: {format}, holding {contents}.").format(
        file=item.path.name, format=format_name(item), contents=", ".join(parts) or _("nothing usable")
    )
    return _f("file.format", Status.INFO, text, None, file_format=item.format)


def format_name(item: Loaded) -> str:
    names = {
        "pem": "PEM",
        "der": _("DER (binary X.509)"),
        "pkcs7": _("PKCS#7 bundle (.p7b)"),
        "pkcs12": "PKCS#12 (.pfx/.p12)",
        "jks": _("Java keystore ({type})").format(type=(item.store_type or "jks").upper()),
        "pkcs8": _("PKCS#8 private key"),
        "csr": _("certificate signing request (CSR)"),
    }
    name = names.get(item.format, item.format)
    if item.format in ("pkcs7", "pkcs8", "csr"):
        name = f"{name} ({item.encoding})"
    return name


def _key_findings(server: x509.Certificate, cert_path: Path, loaded: list[Loaded], locked: bool) -> list[Finding]:
    name = name_of(server.subject)
    keys = [(item, key) for item in loaded for key in item.keys]
    match = next(((item, key) for item, key in keys if key_matches(server, key)), None)
    if match is not None:
        kind, bits = key_desc(match[1])
        return [
            _f(
                "file.key_present",
                Status.PASS,
                _("A private key for {name} is in {file}.").format(name=name, file=match[0].path.name),
                "private-key-missing",
                key_present=True,
            ),
            _f(
                "file.key_match",
                Status.PASS,
                _(
                    "The private key in {key_file} belongs to the certificate {name} in {cert_file}: the public keys are the same ({kind}, {bits} bits)."
                ).format(key_file=match[0].path.name, name=name, cert_file=cert_path.name, kind=kind, bits=bits),
                "key-mismatch",
                key_matches_cert=True,
            ),
        ]
    if keys:
        item, key = keys[0]
        kind, bits = key_desc(key)
        cert_kind, cert_bits = key_desc(server.public_key())
        return [
            _f(
                "file.key_match",
                Status.FAIL,
                _(
                    "The private key in {key_file} ({kind}, {bits} bits) does not belong to the certificate {name} in {cert_file} ({cert_kind}, {cert_bits} bits): their public keys differ."
                ).format(
                    key_file=item.path.name,
                    kind=kind,
                    bits=bits,
                    name=name,
                    cert_file=cert_path.name,
                    cert_kind=cert_kind,
                    cert_bits=cert_bits,
                ),
                "key-mismatch",
                key_matches_cert=False,
            )
        ]
    if locked:
        return []
    holder = next((item for item in loaded if item.path == cert_path), None)
    if holder is not None and holder.format in _KEYSTORES:
        return [
            _f(
                "file.key_present",
                Status.FAIL,
                _(
                    "{file} holds the certificate {name} but not its private key; the server cannot use it without the key."
                ).format(file=cert_path.name, name=name),
                "private-key-missing",
                key_present=False,
            )
        ]
    return [
        _f(
            "file.key_present",
            Status.INFO,
            _(
                "No private key was among the files checked; add the key file to check that it belongs to {name}."
            ).format(name=name),
            None,
        )
    ]


def _csr_findings(loaded: list[Loaded], servers: list[x509.Certificate]) -> list[Finding]:
    out: list[Finding] = []
    keys = [(item, key) for item in loaded for key in item.keys]
    for item in loaded:
        for csr in item.csrs:
            subject = name_of(csr.subject)
            if keys:
                match = next((k for k in keys if spki(k[1]) == spki(csr.public_key())), None)
                if match:
                    out.append(
                        _f(
                            "file.csr_match",
                            Status.PASS,
                            _("The CSR {subject} in {file} was made from the private key in {key_file}.").format(
                                subject=subject, file=item.path.name, key_file=match[0].path.name
                            ),
                            "key-mismatch",
                            csr_matches_key=True,
                        )
                    )
                else:
                    out.append(
                        _f(
                            "file.csr_match",
                            Status.FAIL,
                            _(
                                "The CSR {subject} in {file} was not made from the private key in {key_file}: their public keys differ."
                            ).format(subject=subject, file=item.path.name, key_file=keys[0][0].path.name),
                            "key-mismatch",
                            csr_matches_key=False,
                        )
                    )
            for server in servers:
                if spki(server.public_key()) != spki(csr.public_key()):
                    out.append(
                        _f(
                            "file.csr_match",
                            Status.WARN,
                            _(
                                "The certificate {name} was not issued for the CSR in {file}: it carries a different public key, so it belongs to another CSR and its key."
                            ).format(name=name_of(server.subject), file=item.path.name),
                            "key-mismatch",
                        )
                    )
    return out


def _order_findings(item: Loaded) -> list[Finding]:
    """Order matters in PEM bundles (nginx, Apache read them top down); PKCS#7 and keystores are sets."""
    if item.format not in ("pem",) or len(item.certs) < 2:
        return []
    certs = item.certs
    lowest = next((c for c in certs if not any(other is not c and issued_by(other, c) for other in certs)), certs[0])
    expected, _end = path_from(lowest, certs)
    strangers = [c for c in certs if c not in expected]
    shown = " → ".join(name_of(c.subject) for c in certs)
    if strangers:
        return [
            _f(
                "file.bundle_order",
                Status.FAIL,
                _("{file} also holds {names}, which are not part of the chain of {leaf}; remove them.").format(
                    file=item.path.name,
                    names=", ".join(name_of(c.subject) for c in strangers),
                    leaf=name_of(lowest.subject),
                ),
                "chain-order",
                bundle_order_ok=False,
            )
        ]
    if in_order(certs):
        return [
            _f(
                "file.bundle_order",
                Status.PASS,
                _("The certificates in {file} are in order: {order}.").format(file=item.path.name, order=shown),
                "chain-order",
                bundle_order_ok=True,
            )
        ]
    return [
        _f(
            "file.bundle_order",
            Status.FAIL,
            _(
                "The certificates in {file} are out of order ({order}); the server certificate comes first, then each issuer: {expected}."
            ).format(file=item.path.name, order=shown, expected=" → ".join(name_of(c.subject) for c in expected)),
            "chain-order",
            bundle_order_ok=False,
        )
    ]


def _completeness(server: x509.Certificate, certs: list[x509.Certificate], where: dict[int, Path]) -> Finding:
    path, end = path_from(server, certs)
    name, top = name_of(server.subject), path[-1]
    issuer = name_of(top.issuer)
    if end == "missing" and len(path) == 1:
        return _f(
            "file.bundle_complete",
            Status.FAIL,
            _(
                "None of the files holds the intermediate certificate that issued {name} ({issuer}); servers must send it together with the server certificate."
            ).format(name=name, issuer=issuer),
            "incomplete-chain",
            bundle_complete=False,
        )
    if end == "missing":  # most likely a private root: say so, but it is no proof of a gap
        return _f(
            "file.bundle_complete",
            Status.INFO,
            _(
                "The chain of {name} ends with {top}, issued by {issuer}, which is neither in the files nor among Mozilla's roots: add it unless it is a private root your clients already trust."
            ).format(name=name, top=name_of(top.subject), issuer=issuer),
            "incomplete-chain",
            bundle_complete=False,
        )
    chain = " → ".join(name_of(c.subject) for c in path)
    if end == "trusted":
        chain += " → " + issuer
    return _f(
        "file.bundle_complete",
        Status.PASS,
        _("The chain is complete: {chain}.").format(chain=chain),
        "incomplete-chain",
        bundle_complete=True,
    )


def _keystore_findings(item: Loaded) -> list[Finding]:
    out: list[Finding] = []
    name = item.path.name
    for entry in item.entries:
        alias = entry.alias or "-"
        if entry.key is None:
            out.append(
                _f(
                    "file.keystore_alias",
                    Status.WARN,
                    _(
                        "The key entry {alias} in {file} has its own password, different from the keystore's; the server must be given that key password too."
                    ).format(alias=alias, file=name),
                    None,
                    keystore_alias=alias,
                )
            )
            continue
        leaf = entry.chain[0] if entry.chain else None
        stray = next(
            (
                c
                for c, a in zip(item.certs, item.cert_aliases, strict=True)
                if a != entry.alias and spki(c.public_key()) == spki(entry.key) and c != leaf
            ),
            None,
        )
        if stray is not None and leaf is not None:
            stray_alias = item.cert_aliases[item.certs.index(stray)] or "-"
            out.append(
                _f(
                    "file.keystore_alias",
                    Status.FAIL,
                    _(
                        "In {file} the certificate {name} was imported under the alias {stray_alias} as a trusted certificate, but the key entry {alias} still holds {old}; import the CA reply into the alias {alias}."
                    ).format(
                        file=name,
                        name=name_of(stray.subject),
                        stray_alias=stray_alias,
                        alias=alias,
                        old=name_of(leaf.subject),
                    ),
                    "keystore-alias-mismatch",
                    keystore_alias=alias,
                )
            )
        elif leaf is not None and key_matches(leaf, entry.key):
            count = len(entry.chain)
            if entry.alias:
                text = ngettext(
                    "The key entry {alias} in {file} holds the private key with the certificate {name} ({count} certificate in its chain).",
                    "The key entry {alias} in {file} holds the private key with the certificate {name} ({count} certificates in its chain).",
                    count,
                )
            else:
                text = ngettext(
                    "{file} holds the private key with the certificate {name} ({count} certificate in its chain).",
                    "{file} holds the private key with the certificate {name} ({count} certificates in its chain).",
                    count,
                )
            facts = {"keystore_alias": entry.alias} if entry.alias else {}
            out.append(
                _f(
                    "file.keystore_alias",
                    Status.PASS,
                    text.format(alias=alias, file=name, name=name_of(leaf.subject), count=count),
                    "keystore-alias-mismatch",
                    **facts,
                )
            )
    if not item.entries and item.format == "jks":
        out.append(
            _f(
                "file.keystore_alias",
                Status.FAIL,
                _(
                    "{file} holds only trusted certificates ({aliases}) and no key entry: a server cannot use it as its keystore."
                ).format(file=name, aliases=", ".join(a or "-" for a in item.cert_aliases) or "-"),
                "private-key-missing",
                key_present=False,
            )
        )
    return out


def _encryption_finding(item: Loaded) -> Finding:
    if item.key_encrypted:
        return _f(
            "file.key_encrypted",
            Status.INFO,
            _(
                "The private key in {file} is encrypted with a password; the server must be given that password to load it."
            ).format(file=item.path.name),
            None,
            key_encrypted=True,
        )
    return _f(
        "file.key_encrypted",
        Status.INFO,
        _("The private key in {file} is not encrypted; keep the file readable by the server's account only.").format(
            file=item.path.name
        ),
        None,
        key_encrypted=False,
    )

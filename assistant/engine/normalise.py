"""Provides normalise(): a paste in any language -> Evidence (codes, facts, language).

Codes are taken by shape from the whole paste with linear regexes; folding, language and facts look
at a bounded window (assistant.engine.text.window), so a 10 MB log costs no more than its ends.
"""

from __future__ import annotations

import re

from assistant.engine.text import _JUNK, MAX_PASTE_CHARS, detect_language, fold
from assistant.model import Evidence, Facts
from assistant.redact import redact_private_keys

MAX_CODES = 200
"""Distinct codes kept from one paste; a log repeating thousands of identifiers says no more."""

# Identifier-shaped tokens: ERR_*, X509_V_ERR_*, javax.net.ssl.SSLHandshakeException, errSSLFatalAlert,
# SslError.SSL_IDMISMATCH, cert-error-expired-now, AH02565, 0x800B0109. Classified in _is_code.
# The lookahead keeps plain words out before any Python runs: a token needs `_`, `::`, a camel hump,
# two hyphens or a dotted capital to be looked at.
_TOKEN = re.compile(
    r"(?<![\w+.-])(?=[\w.+-]{0,100}?(?:_|::|[a-z][A-Z]|[A-Za-z]-[A-Za-z]+-|\.[A-Z]))"
    r"(?:[A-Za-z]{2,8}::)?[A-Za-z](?:[\w+-]|\.(?=\w)){2,100}",
    re.ASCII,
)
_NUMBER = re.compile(
    r"(?<![\w.:/+-])(?:0x[0-9a-fA-F]{4,8}|-\d{3,10}|\d{5,10}|8[0-9a-fA-F]{7}|AH\d{5})(?!\w|\.\w)|curl: ?\(\d{1,3}\)",
    re.ASCII,
)
_CAMEL = re.compile(r"^(?:err|NSURLError|kCF|SEC_|CERT_)|[a-z][A-Z].*[a-z][A-Z]|^[A-Z][a-z]+[A-Z][a-z]+[A-Z]")


def _is_code(token: str) -> bool:
    if "::" in token or token.startswith("curl"):
        return True
    letters = any(ch.isalpha() for ch in token)
    if token[:2] in ("0x", "0X"):
        return len(token) >= 6
    if not letters:  # Schannel events, WinINet errors; shorter numbers, dates and versions are everywhere
        return token.lstrip("-").isdigit() and len(token) >= 4
    if "_" in token:
        return len(token) >= 5
    if "." in token:  # Java and .NET names, not host or file names
        return any(ch.isupper() for ch in token) and not token.replace(".", "").islower()
    if re.fullmatch(r"AH\d{5}|[0-9a-fA-F]{8}", token):
        return token.startswith("AH") or token[0] == "8"
    if token.count("-") >= 2:  # Firefox's cert-error-* page ids
        return not any(ch.isdigit() for ch in token)
    return len(token) >= 8 and bool(_CAMEL.search(token))


def extract_codes(text: str) -> tuple[tuple[str, tuple[int, int]], ...]:
    """Identifier- and number-shaped tokens of the whole paste, each distinct one at its first place."""
    text = _JUNK.sub(lambda m: " " * len(m.group()), text)  # same length: spans stay true
    seen: set[str] = set()
    codes: list[tuple[str, tuple[int, int]]] = []
    for match in sorted([*_TOKEN.finditer(text), *_NUMBER.finditer(text)], key=lambda m: m.start()):
        token = match.group().rstrip("-")
        if not _is_code(token):
            continue
        key = token.casefold()
        if key in seen:
            continue
        seen.add(key)
        codes.append((token, (match.start(), match.start() + len(token))))
        if len(codes) >= MAX_CODES:
            break
    return tuple(codes)


_URL = re.compile(r"\b(?:https?|wss?|ldaps|ftps)://(\[[0-9a-f:]+\]|[\w.-]+)(?::(\d{1,5}))?", re.IGNORECASE)
_HOST_PORT = re.compile(
    r"(?<![\w.@/-])((?:\d{1,3}\.){3}\d{1,3}|localhost|(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24})(?::(\d{1,5}))?(?![\w-])",
    re.IGNORECASE,
)
_TLDS = frozenset(
    "com net org io dev app cn kr tw hk jp de uk co info biz gov edu local internal lan xyz me cloud "
    "site online tech ai top vip cc tv us eu ru fr in au ca br nl se ch it es pl corp test".split()
)
_NOT_HOSTS = ("java.", "javax.", "sun.", "jdk.", "android.", "system.", "microsoft.", "org.apache.")

_SERVER_SOFTWARE = [
    ("iis", re.compile(r"\biis\b|http\.sys|netsh http|inetmgr|인터넷 정보 서비스", re.IGNORECASE)),
    ("apache", re.compile(r"\bapache2?\b|\bhttpd\b|\bAH0\d{4}\b|\bmod_ssl\b|SSLCertificateFile", re.IGNORECASE)),
    ("nginx", re.compile(r"\bnginx\b|ssl_certificate(?:_key)?\b", re.IGNORECASE)),
    ("tomcat", re.compile(r"\btomcat\b|\bcatalina\b|server\.xml|SSLHostConfig", re.IGNORECASE)),
]
_CLIENT_PLATFORM = [
    ("android_app", re.compile(r"\bandroid\b|\bokhttp\b|안드로이드|安卓", re.IGNORECASE)),
    ("ios_app", re.compile(r"\bios\b|\biphone\b|\bipad\b|NSURL|App Transport Security|errSSL|\bATS\b", re.IGNORECASE)),
    ("java", re.compile(r"\bjava(?:x)?\.|\bPKIX\b|\bkeytool\b|\bjdk\b|\bjre\b|\bspring\b", re.IGNORECASE)),
    ("python", re.compile(r"\bpython\b|\bpip\b|_ssl\.c|\burllib3?\b|\brequests\b|\bconda\b", re.IGNORECASE)),
    ("curl", re.compile(r"\bcurl\b|\blibcurl\b", re.IGNORECASE)),
    (
        "node",
        re.compile(r"\bnode(?:\.?js)?\b|\bnpm\b|\byarn\b|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_TLS_", re.IGNORECASE),
    ),
    ("go", re.compile(r"\bgolang\b|\bx509: |\bgo(?: version)? 1\.\d+", re.IGNORECASE)),
    ("dotnet", re.compile(r"\.net\b|\bSystem\.Net\b|\bHttpClient\b|\bSslStream\b|\bC#", re.IGNORECASE)),
    (
        "browser",
        re.compile(
            r"\bchrome\b|\bfirefox\b|\bsafari\b|\bedge\b|browser|NET::ERR_|SEC_ERROR_|브라우저|浏览器|瀏覽器",
            re.IGNORECASE,
        ),
    ),
]
_BROWSER = [
    ("edge", re.compile(r"\bedge\b|엣지", re.IGNORECASE)),
    ("chrome", re.compile(r"\bchrome\b|\bchromium\b|NET::ERR_|크롬|谷歌浏览器", re.IGNORECASE)),
    ("firefox", re.compile(r"\bfirefox\b|SEC_ERROR_|MOZILLA_PKIX|파이어폭스|火狐", re.IGNORECASE)),
    ("safari", re.compile(r"\bsafari\b|사파리", re.IGNORECASE)),
]
_STRONG_CODE = re.compile(r"^(?:[A-Za-z]+::)?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^err[A-Z]|^NSURLError|^0x8|^AH\d{5}$")


def _first(rules: list[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    """The value whose mention comes first in the text."""
    best: tuple[int, str] | None = None
    for value, pattern in rules:
        hit = pattern.search(text)
        if hit and (best is None or hit.start() < best[0]):
            best = (hit.start(), value)
    return best[1] if best else None


def _host(text: str) -> tuple[str | None, int | None]:
    url = _URL.search(text)
    if url:
        return url.group(1).strip("[]").lower(), int(url.group(2)) if url.group(2) else None
    for match in _HOST_PORT.finditer(text):
        host = match.group(1).lower()
        if host.startswith(_NOT_HOSTS) or "." in host and host.rsplit(".", 1)[1] not in _TLDS:
            if not re.fullmatch(r"(?:\d{1,3}\.){3}\d{1,3}", host):
                continue
        return host, int(match.group(2)) if match.group(2) else None
    return None, None


def read_facts(text: str, codes: tuple[tuple[str, tuple[int, int]], ...]) -> Facts:
    """Facts a paste states outright; only names declared in rules/facts/."""
    facts: Facts = {}
    host, port = _host(text)
    if host:
        facts["host"] = host
    if port and 0 < port < 65536:
        facts["port"] = port
    for name, rules in (
        ("server_software", _SERVER_SOFTWARE),
        ("client_platform", _CLIENT_PLATFORM),
        ("browser", _BROWSER),
    ):
        value = _first(rules, text)
        if value:
            facts[name] = value
    if "browser" in facts:
        facts.setdefault("client_platform", "browser")
    strong = [code for code, _ in codes if _STRONG_CODE.search(code)]
    if strong:
        facts["error_code"] = strong[0]
    return facts


def normalise(text: str) -> Evidence:
    """Never raises, bounded time for any input (1 MB pastes, binary junk, ANSI escapes)."""
    if not isinstance(text, str):
        text = str(text)
    text = redact_private_keys(text[:MAX_PASTE_CHARS])
    folded = fold(text)
    codes = extract_codes(text)
    head = text[:20_000]
    return Evidence(
        text=text,
        folded=folded.text,
        language=detect_language(head),
        codes=codes,
        facts=read_facts(head, codes),
    )

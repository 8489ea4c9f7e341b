"""normalise(): folding, language, codes with true spans, facts; never raises, bounded, deterministic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.engine.normalise import normalise
from assistant.engine.text import MAX_PASTE_CHARS


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("NET::ERR_CERT_DATE_INVALID on every page", "en"),
        ("证书过期了，浏览器打不开网站", "zh-Hans"),
        ("憑證過期了，瀏覽器打不開網站", "zh-Hant"),
        ("인증서가 만료되었다고 나옵니다", "ko"),
        ("打开网站报 ERR_CERT_AUTHORITY_INVALID", "zh-Hans"),  # a code inside a Chinese sentence
        ("網站出現 ERR_CERT_AUTHORITY_INVALID 錯誤", "zh-Hant"),
        ("브라우저에서 ERR_CERT_COMMON_NAME_INVALID", "ko"),
        ("", "en"),
    ],
)
def test_language_of_the_paste(text, language):
    assert normalise(text).language == language


def test_folding_strips_junk_and_unifies_width_case_and_script():
    evidence = normalise("\x1b[31mＥＲＲ＿ＣＥＲＴ\x1b[0m\u200f 憑證\x00")
    assert "err_cert" in evidence.folded
    assert "凭证" in evidence.folded
    assert "\x1b" not in evidence.folded and "\x00" not in evidence.folded and "\u200f" not in evidence.folded


def test_log_noise_is_masked_without_moving_offsets():
    text = "2024-05-01 10:00:00.123 ERROR at /usr/local/lib/app/client.py: certificate has expired"
    evidence = normalise(text)
    assert "2024" not in evidence.folded and "/usr/local" not in evidence.folded
    assert len(evidence.folded) == len(text)
    assert evidence.folded.index("certificate has expired") == text.index("certificate has expired")


@pytest.mark.parametrize(
    "code",
    [
        "ERR_CERT_DATE_INVALID",
        "NET::ERR_CERT_AUTHORITY_INVALID",
        "SEC_ERROR_UNKNOWN_ISSUER",
        "MOZILLA_PKIX_ERROR_CA_CERT_USED_AS_END_ENTITY",
        "X509_V_ERR_CERT_HAS_EXPIRED",
        "0x800B0109",
        "800b0109",
        "-2146762487",
        "errSSLFatalAlert",
        "NSURLErrorServerCertificateUntrusted",
        "javax.net.ssl.SSLHandshakeException",
        "AH02565",
        "curl: (60)",
        "-202",
        "36887",
        "cert-error-expired-now",
        "UnknownAuthorityError",
    ],
)
def test_codes_are_found_with_their_true_span(code):
    text = f"2024-05-01 12:00:01 something failed: {code} (see log)"
    evidence = normalise(text)
    found = {found: span for found, span in evidence.codes}
    assert code in found
    start, end = found[code]
    assert text[start:end] == code


@pytest.mark.parametrize("text", ["version 1.2.3 on 2024-05-01, port 8443, took 12ms", "the certificate is fine"])
def test_ordinary_words_and_numbers_are_not_codes(text):
    assert normalise(text).codes == ()


def test_facts_read_from_the_paste():
    evidence = normalise("nginx on https://shop.example.com:8443/cart shows NET::ERR_CERT_DATE_INVALID in Chrome")
    facts = evidence.facts
    assert facts["host"] == "shop.example.com"
    assert facts["port"] == 8443
    assert facts["server_software"] == "nginx"
    assert facts["browser"] == "chrome"
    assert facts["client_platform"] == "browser"
    assert facts["error_code"] == "NET::ERR_CERT_DATE_INVALID"


def test_java_class_names_are_not_hosts():
    evidence = normalise("javax.net.ssl.SSLHandshakeException: PKIX path building failed connecting to api.example.org")
    assert evidence.facts["host"] == "api.example.org"
    assert evidence.facts["client_platform"] == "java"


def test_fact_names_are_declared():
    from assistant.kb.load import read

    declared = set(read().facts)
    evidence = normalise("IIS 10 on https://a.example.com, curl: (60) from python requests on Android, Firefox")
    assert set(evidence.facts) <= declared


def test_huge_paste_is_cut_and_codes_are_found_at_both_ends():
    line = "2024-05-01 10:00:00 INFO request handled\n"
    text = "ERR_CERT_DATE_INVALID\n" + line * (3_000_000 // len(line)) + "SEC_ERROR_UNKNOWN_ISSUER"
    evidence = normalise(text)
    assert len(evidence.text) == MAX_PASTE_CHARS
    assert evidence.codes[0][0] == "ERR_CERT_DATE_INVALID"
    tail = normalise(text[-1_500_000:])
    assert "SEC_ERROR_UNKNOWN_ISSUER" in {code for code, _ in tail.codes}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_never_raises_and_is_deterministic(text):
    first = normalise(text)
    assert first == normalise(text)
    assert first.language in ("en", "zh-Hans", "zh-Hant", "ko")
    for code, (start, end) in first.codes:
        assert first.text[start:end] == code


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=4000))
def test_binary_junk_never_raises(data):
    normalise(data.decode("utf-8", errors="replace"))
    normalise(data.decode("latin-1"))


def test_a_pasted_private_key_never_reaches_the_evidence():
    from assistant.engine.normalise import normalise

    paste = "nginx fails:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretbody\n-----END RSA PRIVATE KEY-----\nkey values mismatch"
    evidence = normalise(paste)
    assert "MIIEsecretbody" not in evidence.text and "secretbody" not in evidence.folded
    assert "key values mismatch" in evidence.text
    cut = normalise("oops -----BEGIN PRIVATE KEY-----\nMIIEcutshort")
    assert "MIIEcutshort" not in cut.text

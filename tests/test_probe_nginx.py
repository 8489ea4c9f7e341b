"""Chain cases behind a real nginx (skipped cleanly when nginx is absent)."""

from __future__ import annotations

import pytest

from assistant.model import ProbeTarget, Status
from assistant.probes import run_probe
from tests.nginx import nginx
from tests.pki import PKI

pytestmark = pytest.mark.slow


def _problems(port, ca):
    report = run_probe(ProbeTarget("localhost", port, ca_file=str(ca), timeout=3))
    return {f.diagnosis for f in report.findings if f.status in (Status.FAIL, Status.WARN) and f.diagnosis}


@pytest.fixture
def pki(tmp_path):
    pki = PKI(tmp_path / "pki")
    root = pki.root()
    return pki, root, pki.intermediate(root, path_length=1), pki.write_certs("root", [root])


@pytest.mark.parametrize(
    "layout, expected",
    [
        ("good", set()),
        ("leaf-only", {"incomplete-chain"}),
        ("reversed", {"chain-order"}),
    ],
)
def test_nginx_chains(pki, tmp_path, layout, expected):
    pki, root, inter, ca = pki
    inter2 = pki.intermediate(inter, "Second Intermediate", path_length=None, bits=2048)
    leaf = pki.leaf(inter2)
    files = pki.write("site", leaf, [inter2, inter])
    if layout == "leaf-only":
        files.fullchain.write_bytes(leaf.pem)
    elif layout == "reversed":
        files.fullchain.write_bytes(leaf.pem + inter.pem + inter2.pem)
    with nginx(tmp_path / "nginx", files.fullchain, files.key) as port:
        assert _problems(port, ca) == expected


def test_nginx_expired_intermediate(pki, tmp_path):
    pki, root, _inter, ca = pki
    inter = pki.intermediate(root, days_before=900, days_after=-1)
    files = pki.write("site", pki.leaf(inter), [inter])
    with nginx(tmp_path / "nginx", files.fullchain, files.key) as port:
        assert "expired-in-chain" in _problems(port, ca)

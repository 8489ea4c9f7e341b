"""The built wheel is a working tool on its own: data ships inside it, any working directory works."""

from __future__ import annotations

import os
import subprocess
import sys
import venv

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_wheel_installs_into_a_new_virtualenv_and_checks_its_data_from_tmp(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("ssl_assistant-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [python, "-c", "from assistant.paths import data_root; print(data_root())"],
        capture_output=True,
        text=True,
        cwd=outside,
        env=clean_env,
    )
    assert "site-packages" in where.stdout, where.stdout + where.stderr

    check = subprocess.run(
        [env_dir / "bin" / "ssl-assistant", "kb", "check"], capture_output=True, text=True, cwd=outside, env=clean_env
    )
    assert check.returncode == 0, check.stdout + check.stderr

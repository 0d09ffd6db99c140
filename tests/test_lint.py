"""The code stays as ruff wants it (settings in ruff.toml), and mypy finds no error (setup.cfg)."""

import subprocess

from .servers import BIN, ROOT


def test_ruff_check_and_format():
    for args in (["check", "--output-format", "concise", "."], ["format", "--check", "."]):
        result = subprocess.run([str(BIN / "ruff"), *args], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_error():
    result = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

"""The code stays as ruff wants it (settings in ruff.toml)."""

import subprocess

from .servers import BIN, ROOT


def test_ruff_check_and_format():
    for args in (["check", "--output-format", "concise", "."], ["format", "--check", "."]):
        result = subprocess.run([str(BIN / "ruff"), *args], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr

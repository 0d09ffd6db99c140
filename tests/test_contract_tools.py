"""The OpenAPI document, checked by tools nobody here wrote: Redocly's linter, openapi-typescript and tsc.

The tools are pinned in ``tests/js/package.json``; ``make test`` installs them
with ``npm ci``. (The generated Python client has ``test_generated_client.py``.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TOOLS = Path(__file__).resolve().parent / "js" / "node_modules" / ".bin"
QUIET = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}

if not (TOOLS / "redocly").exists() or shutil.which("node") is None:
    pytest.skip(
        "the npm tools are not installed (make test runs npm ci in tests/js)", allow_module_level=True
    )


@pytest.fixture
def document(client, tmp_path) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(client.get("/api/openapi.json").get_json()))
    return path


def run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TOOLS / tool), *args], cwd=cwd, env=QUIET, capture_output=True, text=True, timeout=180
    )


def test_redocly_finds_no_error(document):
    """Redocly CLI with its recommended rules: warnings may stand (localhost servers), errors may not."""
    result = run("redocly", "lint", "--format", "json", str(document), cwd=document.parent)
    report = json.loads(result.stdout)
    errors = [problem for problem in report["problems"] if problem["severity"] == "error"]
    assert errors == [], json.dumps(errors, indent=1)[:3000]
    assert result.returncode == 0, result.stderr[-2000:]


TYPE_CHECKS = """\
import type { components, paths } from "./api";
type S = components["schemas"];
declare const portfolio: S["Portfolio"];

// Fields always present in an answer are required; nullable references are plain unions.
const id: number = portfolio.id;
const cover: S["Media"] | null = portfolio.image_data;
const employer: S["Employer"] | null = portfolio.employer_data;
const completed: string | null = portfolio.completed_at;
const file: string = portfolio.images_data[0].thumbnails[0].f;
// The source page's three PATCH bodies.
const rename: S["PatchedPortfolioRequest"] = { title: "DjangoSite" };
const image: S["PatchedPortfolioRequest"] = { image: 456 };
const noImage: S["PatchedPortfolioRequest"] = { image: null };
// ETag is a declared header of a portfolio's answer.
type Headers = paths["/api/portfolios/{portfolio_id}"]["get"]["responses"][200]["headers"];
const etag: Headers["ETag"] = "\\"v1\\"";
// @ts-expect-error: a write-only field never appears in an answer
const leaked: S["User"]["password"] = "hunter2";
// @ts-expect-error: a read-only field is not part of a request
const sneaky: S["PortfolioRequest"] = { title: "x", id: 3 };
export { id, cover, employer, completed, file, rename, image, noImage, etag, leaked, sneaky };
"""


def test_typescript_types_compile_strict_with_no_unknown_property(document):
    folder = document.parent
    generated = run("openapi-typescript", str(document), "-o", "api.d.ts", cwd=folder)
    assert generated.returncode == 0, generated.stderr
    source = (folder / "api.d.ts").read_text()
    # openapi-typescript types "any other header" as unknown; nothing else may be.
    unknown = [line.strip() for line in source.splitlines() if "unknown" in line]
    assert set(unknown) <= {"[name: string]: unknown;"}, unknown
    assert 'image_data: components["schemas"]["Media"] | null;' in source

    (folder / "check.ts").write_text(TYPE_CHECKS)
    compiled = run(
        "tsc", "--strict", "--noEmit", "--skipLibCheck", "false", "api.d.ts", "check.ts", cwd=folder
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr

"""Benchmark: how large 1,000 edits of one portfolio's revisions are on disk (SQLite).

Run from the repository root: ``.venv/bin/python bench/revisions.py``. One portfolio
with an image, a gallery of 12, two tags, an employer, two links and two meta is
edited 1,000 times through the API (the title, then the excerpt, in turns); it prints
the revisions' stored bytes, the pages SQLite gives their table, and the document's size.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from sqlalchemy import text  # noqa: E402

from portfolio_service import create_app  # noqa: E402
from portfolio_service.extensions import db  # noqa: E402
from tests import factories as make  # noqa: E402

EDITS = 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp}/b.db",
                  "MEDIA_ROOT": f"{tmp}/media", "JOBS_URL": "memory://",
                  "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}  # fmt: skip
        app = create_app(config, instance_path=f"{tmp}/instance")
        with app.app_context():
            db.create_all()
            headers = make.auth(make.make_token(make.make_user(staff=True, permissions=[4201, 4203])))
            media = [make.make_media(f"photo-{n}.png") for n in range(13)]
            portfolio = make.make_portfolio(
                "Case study",
                image=media[0],
                employer=make.make_employer("ACME"),
                tags=[make.make_tag("a"), make.make_tag("b")],
            )
            portfolio.images = media[1:]
            db.session.commit()
            pid = portfolio.id
        client = app.test_client()
        for n in range(2):
            client.post(
                f"/api/portfolios/{pid}/links",
                json={"name": f"L{n}", "url": "https://a.example"},
                headers=headers,
            )
            client.post(
                f"/api/portfolios/{pid}/meta", json={"key": f"k{n}", "value_text": "v"}, headers=headers
            )
        document = client.get(f"/api/portfolios/{pid}", headers=headers).data
        for n in range(EDITS):
            field = "title" if n % 2 else "excerpt"
            response = client.patch(f"/api/portfolios/{pid}", json={field: f"{field} {n}"}, headers=headers)
            assert response.status_code == 200
        with app.app_context():
            sizes = "sum(length(changes)), sum(coalesce(length(snapshot), 0))"
            query = text(f"SELECT count(*), {sizes} FROM portfolio_revision")
            count, changes, snapshots = db.session.execute(query).one()
        print(f"document: {len(document):,} bytes; {count} revisions after {EDITS} edits (+4: links, meta)")
        print(f"stored: changes {changes:,} bytes, snapshots {snapshots:,} bytes, "
              f"{(changes + snapshots) / count:,.0f} bytes per revision")  # fmt: skip
        print(f"a full document per revision would be {len(document) * count:,} bytes")


if __name__ == "__main__":
    main()

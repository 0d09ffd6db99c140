"""The one paginator, on a 57-row query of numbers."""

import pytest
from marshmallow import Schema, fields
from sqlalchemy import column, literal, select, union_all

from portfolio_service.pagination import paginate

TOTAL = 57


class NumberSchema(Schema):
    n = fields.Function(lambda number: number)


@pytest.fixture
def app(app):
    @app.get("/api/_test/numbers")
    def numbers():
        rows = union_all(*(select(literal(n).label("n")) for n in range(1, TOTAL + 1))).subquery()
        return paginate(select(column("n")).select_from(rows).order_by(column("n")), NumberSchema())

    return app


def numbers(page):
    return [item["n"] for item in page["results"]]


def test_first_page_has_default_size_and_absolute_next(client):
    body = client.get("/api/_test/numbers").get_json()
    assert body["count"] == TOTAL
    assert numbers(body) == list(range(1, 21))
    assert body["previous"] is None
    assert body["next"] == "http://localhost/api/_test/numbers?page=2"


def test_middle_page_keeps_other_parameters(client):
    body = client.get("/api/_test/numbers?page=2&page_size=10&search=x").get_json()
    assert numbers(body) == list(range(11, 21))
    assert body["next"] == "http://localhost/api/_test/numbers?page=3&page_size=10&search=x"
    assert body["previous"] == "http://localhost/api/_test/numbers?page=1&page_size=10&search=x"


def test_last_page_has_no_next(client):
    body = client.get("/api/_test/numbers?page=3").get_json()
    assert numbers(body) == list(range(41, 58))
    assert body["next"] is None
    assert body["previous"].endswith("page=2")


def test_page_past_the_end_is_404(client):
    response = client.get("/api/_test/numbers?page=4")
    assert response.status_code == 404
    assert response.get_json() == {"detail": "Invalid page."}


def test_page_size_is_capped_at_100(client):
    body = client.get("/api/_test/numbers?page_size=1000").get_json()
    assert len(body["results"]) == TOTAL
    assert body["next"] is None


def test_page_size_cap_applies_to_page_count(app, client):
    app.config["PAGE_SIZE"] = 5
    body = client.get("/api/_test/numbers?page=12").get_json()
    assert numbers(body) == [56, 57]


@pytest.mark.parametrize(
    ("query", "name"),
    [("page=0", "page"), ("page=abc", "page"), ("page_size=-1", "page_size"), ("page_size=0", "page_size")],
)
def test_bad_page_parameters_are_400_naming_them(client, query, name):
    response = client.get(f"/api/_test/numbers?{query}")
    assert response.status_code == 400
    assert list(response.get_json()) == [name]


@pytest.mark.parametrize(("size", "pages"), [(19, 3), (3, 19), (57, 1)])
def test_a_count_that_is_a_multiple_of_the_page_size_ends_with_no_next(client, size, pages):
    """57 rows in pages of 20 never tell ``<`` from ``<=``: 57 is 3 x 19, so these do."""
    last = client.get(f"/api/_test/numbers?page={pages}&page_size={size}").get_json()
    assert numbers(last)[-1] == TOTAL and len(numbers(last)) == size
    assert last["next"] is None
    before = client.get(f"/api/_test/numbers?page={pages - 1}&page_size={size}") if pages > 1 else None
    if before is not None:
        assert before.get_json()["next"].endswith(f"page={pages}&page_size={size}")
    assert client.get(f"/api/_test/numbers?page={pages + 1}&page_size={size}").status_code == 404

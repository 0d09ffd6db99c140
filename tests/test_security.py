"""Security headers on every response, and CORS only for the origins allowed."""

from __future__ import annotations

import io

import pytest

from .conftest import make_app
from .images import image_bytes

COMMON = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/portfolios", 200),
        ("GET", "/api/health", 200),
        ("GET", "/api/nowhere", 404),
        ("DELETE", "/api/health", 405),
        ("POST", "/api/tags", 401),
        ("GET", "/api/docs", 200),
    ],
)
def test_security_headers_everywhere(client, method, url, status):
    response = client.open(url, method=method)
    assert response.status_code == status
    for name, value in COMMON.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    if url == "/api/docs":
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp


def test_media_files_get_a_restrictive_policy(client, admin_headers):
    body = client.post(
        "/api/media",
        data={"file": (io.BytesIO(image_bytes()), "a.jpg")},
        headers=admin_headers,
        content_type="multipart/form-data",
    ).get_json()
    with client.get(body["f"].removeprefix("http://localhost")) as response:
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_cors_is_off_by_default(client):
    response = client.get("/api/portfolios", headers={"Origin": "https://site.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_allows_only_the_listed_origins(tmp_path):
    client = make_app(tmp_path, CORS_ORIGINS=["https://site.example"]).test_client()
    allowed = client.get("/api/portfolios", headers={"Origin": "https://site.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://site.example"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    other = client.get("/api/portfolios", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/portfolios/1",
        headers={
            "Origin": "https://site.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://site.example"
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("url", ["/api/portfolios", "/api/portfolios/1", "/api/openapi.json", "/media/x.jpg"])
def test_a_host_not_allowed_is_400_before_anything_runs(client, url):
    """``Host: evil.example`` once went into every ``f`` and ``next`` URL, and into shared caches."""
    response = client.get(url, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.get_json() == {"detail": "This server does not answer for that Host (see ALLOWED_HOSTS)."}
    assert "evil.example" not in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "localhost:5000"])
def test_development_hosts_are_allowed_by_default(client, host):
    response = client.get("/api/openapi.json", headers={"Host": host})
    assert response.status_code == 200
    assert response.get_json()["servers"] == [{"url": f"http://{host}"}]


def test_allowed_hosts_name_the_hosts_served(tmp_path):
    client = make_app(tmp_path, ALLOWED_HOSTS=["api.example.com"]).test_client()
    assert client.get("/api/portfolios", headers={"Host": "api.example.com"}).status_code == 200
    assert client.get("/api/portfolios", headers={"Host": "localhost"}).status_code == 400
    (tmp_path / "any").mkdir()
    anything = make_app(tmp_path / "any", ALLOWED_HOSTS=["*"]).test_client()
    assert anything.get("/api/portfolios", headers={"Host": "whatever.example"}).status_code == 200


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    from portfolio_service import create_app
    from portfolio_service.config import ConfigError

    settings = {"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    with pytest.raises(ConfigError, match="ALLOWED_HOSTS is not set"):
        create_app(settings, instance_path=str(tmp_path))
    assert create_app({**settings, "ALLOWED_HOSTS": ["api.example.com"]}, instance_path=str(tmp_path))

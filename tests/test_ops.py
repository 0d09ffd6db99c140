"""Health, the OpenAPI document and the docs page."""

import os
import re

from openapi_spec_validator import validate

from .conftest import make_app


def test_health_ok(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "storage": "ok"}


def test_health_names_a_failing_storage(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    client = make_app(tmp_path, MEDIA_ROOT=str(blocker / "media")).test_client()
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "storage": "error"}


def test_health_names_a_failing_database(tmp_path):
    app = make_app(tmp_path, create_tables=False, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    os.remove(tmp_path / "x.db")
    os.mkdir(tmp_path / "x.db")  # the database file is gone, and cannot be made again
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error", "storage": "ok"}


def test_openapi_document_is_valid(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/health" in spec["paths"]
    assert spec["components"]["securitySchemes"]["Token"]["name"] == "Authorization"


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "http" not in html  # no CDN: every asset is served by the app itself
    for asset in ("docs/swagger-ui.css", "docs/swagger-ui-bundle.js", "docs/init.js"):
        assert asset in html
        served = client.get(f"/api/{asset}")
        assert served.status_code == 200, asset
        assert len(served.data) > 10, asset
        served.close()
    assert "openapi.json" in client.get("/api/docs/init.js").get_data(as_text=True)


def test_every_api_route_is_documented(app, client):
    """Only the docs page, its assets and the document itself stay out of the document."""
    spec = client.get("/api/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and not rule.rule.startswith(("/api/docs", "/api/openapi.json")):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented


def test_protected_operations_name_their_permission_code(client):
    spec = client.get("/api/openapi.json").get_json()
    patch = spec["paths"]["/api/portfolios/{portfolio_id}"]["patch"]
    assert patch["security"] == [{"Token": []}]
    assert "Permission code: 4203" in patch["description"]
    assert {"400", "401", "403", "404", "412", "413", "415"} <= set(patch["responses"])
    assert spec["paths"]["/api/portfolios"]["get"]["security"] == [{}, {"Token": []}]


def test_every_property_of_every_component_has_a_type(client):
    """12 properties once had none (datetimes, file URLs): clients typed them Any/unknown."""
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    untyped = [
        f"{name}.{prop_name}"
        for name, schema in schemas.items()
        for prop_name, prop in schema.get("properties", {}).items()
        if not ({"type", "$ref", "anyOf"} & prop.keys())
    ]
    assert untyped == []
    formats = {
        prop.get("format") for schema in schemas.values() for prop in schema.get("properties", {}).values()
    }
    assert "url" not in formats and {"uri", "date-time"} <= formats


def test_requests_and_responses_have_their_own_components(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert "password" not in schemas["User"]["properties"]
    assert schemas["User"]["required"] == [
        "id",
        "username",
        "is_active",
        "is_staff",
        "is_admin",
        "permissions",
    ]
    assert schemas["UserRequest"]["required"] == ["password", "username"]
    assert "required" not in schemas["PatchedPortfolioRequest"]
    assert "id" not in schemas["PortfolioRequest"]["properties"]
    assert schemas["PortfolioRequest"]["required"] == ["title"]
    assert schemas["Portfolio"]["properties"]["image_data"] == {
        "anyOf": [{"$ref": "#/components/schemas/Media"}, {"type": "null"}]
    }

"""Driving a client that openapi-python-client generated, and knowing which operations it called."""

from __future__ import annotations

import importlib

import httpx

PACKAGE = "portfolio_client"


def operation_ids(document: dict) -> set[str]:
    return {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    }


class Scenario:
    """Calls operations through the generated client, recording which were called."""

    def __init__(self, app, package):
        self.package = package
        self.transport = httpx.WSGITransport(app=app)
        self.anonymous = package.Client(
            base_url="http://localhost",
            httpx_args={"transport": self.transport},
            raise_on_unexpected_status=True,
        )
        self.client = self.anonymous
        self.called: set[str] = set()

    def sign_in(self, key: str) -> None:
        self.client = self.package.AuthenticatedClient(
            base_url="http://localhost",
            token=key,
            prefix="Token",
            httpx_args={"transport": self.transport},
            raise_on_unexpected_status=True,
        )

    def __call__(self, group: str, name: str, *args, expect: int = 200, anonymous: bool = False, **kwargs):
        """Call operation ``name`` of tag ``group``; check the status; return the parsed answer."""
        operation = importlib.import_module(f"{PACKAGE}.api.{group}.{name}")
        response = operation.sync_detailed(
            *args, client=self.anonymous if anonymous else self.client, **kwargs
        )
        self.called.add(name)
        assert response.status_code == expect, response.content[:500]
        self.last = response
        return response.parsed

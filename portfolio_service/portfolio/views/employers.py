"""``/api/employers``: the clients a portfolio's work was for (the source's "Client Data Structure")."""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...openapi import contract
from ...pagination import PageQuerySchema
from ...parsing import load_body
from .. import bp
from ..models import Employer
from ..schemas import (
    EmployerPageSchema,
    EmployerSchema,
    SearchQuerySchema,
    employer_schema,
    employer_update_schema,
)
from .common import created, deleted, list_named, named_or_404, updated


@bp.get("/employers")
@permission(ANYONE)
@contract("employers", response=EmployerPageSchema, query=[SearchQuerySchema, PageQuerySchema])
def list_employers():
    """The employers, by name."""
    return list_named(Employer, employer_schema)


@bp.get("/employers/<int:employer_id>")
@permission(ANYONE)
@contract("employers", response=EmployerSchema)
def read_employer(employer_id: int):
    """One employer."""
    return employer_schema.dump(named_or_404(Employer, employer_id))


@bp.post("/employers")
@permission(Perm.EMPLOYER_CREATE)
@contract("employers", body=EmployerSchema, response=EmployerSchema, status=201)
def create_employer():
    """Create an employer."""
    return created(
        Employer(**load_body(employer_schema)), employer_schema, "portfolio.read_employer", "employer_id"
    )


@bp.patch("/employers/<int:employer_id>")
@permission(Perm.EMPLOYER_UPDATE)
@contract("employers", body=EmployerSchema, response=EmployerSchema)
def update_employer(employer_id: int):
    """Change an employer."""
    employer = named_or_404(Employer, employer_id)
    data = load_body(employer_update_schema, instance=employer)
    return updated(employer, employer_schema, data, event="employer.updated")


@bp.delete("/employers/<int:employer_id>")
@permission(Perm.EMPLOYER_DELETE)
@contract("employers")
def delete_employer(employer_id: int):
    """Delete an employer; its portfolios are left with no employer."""
    return deleted(named_or_404(Employer, employer_id), event="employer.updated")

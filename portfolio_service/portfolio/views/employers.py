"""``/api/employers``: the clients a portfolio's work was for (the source's "Client Data Structure")."""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...parsing import load_body
from .. import bp
from ..models import Employer
from ..schemas import employer_schema, employer_update_schema
from .common import created, deleted, list_named, named_or_404, updated


@bp.get("/employers")
@permission(ANYONE)
def list_employers():
    """The employers, by name.
    ---
    get:
      tags: [employers]
      parameters:
        - {in: query, schema: SearchQuerySchema}
        - {in: query, schema: PageQuerySchema}
      responses:
        200:
          description: A page of employers.
          content: {application/json: {schema: EmployerPageSchema}}
    """
    return list_named(Employer, employer_schema)


@bp.get("/employers/<int:employer_id>")
@permission(ANYONE)
def read_employer(employer_id: int):
    """One employer.
    ---
    get:
      tags: [employers]
      responses:
        200:
          description: The employer.
          content: {application/json: {schema: EmployerSchema}}
    """
    return employer_schema.dump(named_or_404(Employer, employer_id))


@bp.post("/employers")
@permission(Perm.EMPLOYER_CREATE)
def create_employer():
    """Create an employer.
    ---
    post:
      tags: [employers]
      requestBody:
        required: true
        content: {application/json: {schema: EmployerSchema}}
      responses:
        201:
          description: The employer.
          content: {application/json: {schema: EmployerSchema}}
    """
    return created(
        Employer(**load_body(employer_schema)), employer_schema, "portfolio.read_employer", "employer_id"
    )


@bp.patch("/employers/<int:employer_id>")
@permission(Perm.EMPLOYER_UPDATE)
def update_employer(employer_id: int):
    """Change an employer.
    ---
    patch:
      tags: [employers]
      requestBody:
        required: true
        content: {application/json: {schema: EmployerSchema}}
      responses:
        200:
          description: The employer.
          content: {application/json: {schema: EmployerSchema}}
    """
    employer = named_or_404(Employer, employer_id)
    return updated(employer, employer_schema, load_body(employer_update_schema, instance=employer))


@bp.delete("/employers/<int:employer_id>")
@permission(Perm.EMPLOYER_DELETE)
def delete_employer(employer_id: int):
    """Delete an employer; its portfolios are left with no employer.
    ---
    delete:
      tags: [employers]
      responses:
        204: {description: Deleted.}
    """
    return deleted(named_or_404(Employer, employer_id))

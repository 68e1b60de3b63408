from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.auth.dependencies import OperatorOnly
from app.core.csv import CSV_RESPONSE, Format, csv_response
from app.core.db import DbSession
from app.core.errors import (
    Forbidden,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationFailed,
    problem_responses,
)
from app.core.pagination import Page, Pagination, page_of, paginate
from app.core.rate_limit import public_form_limit
from app.interest import repository, service
from app.interest.dependencies import ValidInterest
from app.interest.schemas import InterestCreate, InterestKind, InterestRead, InterestUpdate
from app.models import ExpressionOfInterest

router = APIRouter(prefix="/interest", tags=["interest"])

CSV_COLUMNS = (
    "id",
    "kind",
    "name",
    "organisation",
    "email",
    "message",
    "offers",
    "needs",
    "consented_at",
    "consent_text_version",
    "created_at",
    "contacted_at",
)


def _read(entry: ExpressionOfInterest) -> InterestRead:
    return InterestRead(
        id=entry.id,
        kind=entry.kind,
        name=entry.name,
        organisation=entry.organisation,
        email=entry.email,
        message=entry.message,
        offers=entry.offers,
        needs=entry.needs,
        consented_at=entry.consented_at,
        consent_text_version=entry.consent_text_version,
        created_at=entry.created_at,
        contacted=entry.contacted_at is not None,
        contacted_at=entry.contacted_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register interest in the trial (public)",
    responses=problem_responses(ValidationFailed, RateLimited),
    dependencies=[Depends(public_form_limit("interest"))],
)
async def register_interest(body: InterestCreate, session: DbSession) -> InterestRead:
    """People, companies, social organisations and partners who want to take part.
    `consent: true` is required (else 422); the time of consent and the version of its text
    are stored with the entry. Operators can erase an entry at any time.

    Rate-limited per client address (`COWORKING_RATE_LIMIT_PUBLIC_FORMS`, every attempt
    counts): 429 `rate-limited` with `Retry-After`.
    """
    return _read(await service.register(session, request=body))


@router.get(
    "",
    summary="List expressions of interest (operator)",
    response_model=Page[InterestRead],
    responses={**problem_responses(NotAuthenticated, Forbidden, ValidationFailed), **CSV_RESPONSE},
)
async def list_interest(
    _operator: OperatorOnly,
    session: DbSession,
    page: Pagination,
    output: Format,
    kind: InterestKind | None = None,
    contacted: Annotated[
        bool | None, Query(description="`true`: contacted ones only; `false`: not yet.")
    ] = None,
) -> Response | Page[InterestRead]:
    """Newest first (ties by id). **CSV** (`Accept: text/csv` or `?format=csv`): every
    matching entry, one row each (not paginated)."""
    statement = repository.listing(kind=kind, contacted=contacted)
    if output == "csv":
        entries = await repository.all_of(session, statement)
        return csv_response(
            "interest",
            CSV_COLUMNS,
            ([getattr(entry, column) for column in CSV_COLUMNS] for entry in entries),
        )
    rows, total = await paginate(session, statement, page)
    return page_of(InterestRead, [_read(row) for row in rows], total, page)


@router.patch(
    "/{entry_id}",
    summary="Mark an expression of interest as contacted (operator)",
    responses=problem_responses(NotAuthenticated, Forbidden, NotFound, ValidationFailed),
)
async def update_interest(
    entry: ValidInterest, body: InterestUpdate, operator: OperatorOnly, session: DbSession
) -> InterestRead:
    """`{"contacted": true}` records now as the contact time (kept if already contacted);
    `false` clears it. Recorded in the audit log."""
    updated = await service.mark_contacted(
        session, actor=operator, entry=entry, contacted=body.contacted
    )
    return _read(updated)


@router.delete(
    "/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase an expression of interest (operator)",
    responses=problem_responses(NotAuthenticated, Forbidden, NotFound, ValidationFailed),
)
async def erase_interest(entry: ValidInterest, operator: OperatorOnly, session: DbSession) -> None:
    """Deletes the entry with all its personal data; the audit log keeps only its id."""
    await service.erase(session, actor=operator, entry=entry)

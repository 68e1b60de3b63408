"""Every page router of the web app, mounted outside ``/api`` with the CSRF check on every
POST and page-shaped errors. A new page router is added to :data:`ROUTERS`."""

from fastapi import APIRouter, Depends, FastAPI

from app.web import account, booking, company, interest, public, survey
from app.web.errors import install_page_error_handlers
from app.web.pages import require_csrf

ROUTERS: list[APIRouter] = [
    public.router,
    account.router,
    booking.router,
    survey.router,
    interest.router,
    company.router,
]


def include_pages(app: FastAPI) -> None:
    install_page_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(require_csrf)])

"""Public pages: the pilot and its locations."""

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.core import i18n
from app.core.db import DbSession
from app.locations import repository as location_repository
from app.locations.hours import minutes_of
from app.models import Location
from app.web.pages import PageDep, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@dataclass(frozen=True)
class OpeningDay:
    weekday: str
    #: ``("08:00", "20:00")`` pairs in order; empty when closed all day.
    intervals: list[tuple[str, str]]


def _week(location: Location, weekday_names: list[str]) -> list[OpeningDay]:
    """The location's opening hours from Monday to Sunday, as its wall clock says them."""
    ordered = sorted(
        location.opening_hours, key=lambda item: (item["weekday"], minutes_of(item["opens"]))
    )
    return [
        OpeningDay(
            weekday=name,
            intervals=[
                (item["opens"], item["closes"]) for item in ordered if item["weekday"] == weekday
            ],
        )
        for weekday, name in enumerate(weekday_names)
    ]


@router.get("/", response_class=HTMLResponse)
async def home_page(page: PageDep, session: DbSession) -> HTMLResponse:
    """The pilot in brief, every location with its opening hours, the ways in."""
    names = i18n.weekday_names(page.locale)
    locations = (await session.scalars(location_repository.all_locations())).all()
    listed = [(location, _week(location, names)) for location in locations]
    return page.render("index.html", {"locations": listed})

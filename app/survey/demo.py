"""Synthetic survey answers for the demo, so `/docs` shows a meaningful summary.

Deterministic: the same fixed seed gives the same answers, dated over the 90 days before
the seeding. No contact data.
"""

import random
from datetime import timedelta
from typing import get_args

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.enums import CommuteMode, MemberGroup
from app.models import SurveyResponse, SurveyResponseGroup, SurveyResponseNeed
from app.survey import repository
from app.survey.schemas import KNOWN_MUNICIPALITIES, Need

DEMO_ANSWERS = 300
DEMO_SEED = 20_301_107
# The three partner municipalities answer most; the rest of the region now and then.
_PLACE_WEIGHTS = [30, 22, 18] + [2] * (len(KNOWN_MUNICIPALITIES) - 3)
_MODES = tuple(CommuteMode)
_MODE_WEIGHTS = (50, 30, 12, 5, 3)
_KM_BY_MODE = {
    CommuteMode.CAR: 35.0,
    CommuteMode.PUBLIC_TRANSPORT: 30.0,
    CommuteMode.BIKE: 6.0,
    CommuteMode.FOOT: 1.5,
    CommuteMode.OTHER: 15.0,
}
_MINUTES_PER_KM = {
    CommuteMode.CAR: 1.3,
    CommuteMode.PUBLIC_TRANSPORT: 2.2,
    CommuteMode.BIKE: 3.5,
    CommuteMode.FOOT: 12.0,
    CommuteMode.OTHER: 2.0,
}


async def seed_answers(session: AsyncSession) -> int:
    """Add the demo answers to a survey without answers; returns how many were added."""
    if await repository.count_all(session):
        return 0
    rng = random.Random(DEMO_SEED)  # noqa: S311 - synthetic data, not security
    groups: tuple[str, ...] = tuple(MemberGroup)
    needs: tuple[str, ...] = get_args(Need)
    now = clock.now()
    for _ in range(DEMO_ANSWERS):
        mode = rng.choices(_MODES, _MODE_WEIGHTS)[0]
        km = min(300.0, round(rng.expovariate(1 / _KM_BY_MODE[mode]), 1))
        commute_days = rng.choice((0, 2, 3, 4, 5, 5, 5))
        session.add(
            SurveyResponse(
                submitted_at=now - timedelta(minutes=rng.randrange(90 * 24 * 60)),
                home_municipality=rng.choices(KNOWN_MUNICIPALITIES, _PLACE_WEIGHTS)[0],
                commute_km=km,
                commute_minutes=min(300, round(km * _MINUTES_PER_KM[mode]) + rng.randrange(10)),
                commute_mode=mode,
                commute_days_per_week=commute_days,
                coworking_days_per_week=rng.randint(0, min(3, commute_days or 2)),
                needs_other=None,
                price_per_day_eur=float(rng.choice((0, 5, 8, 10, 12, 15, 20, 25, 30))),
                cooperation_interest=rng.random() < 0.35,
                wants_trial=rng.random() < 0.55,
                group_rows=[
                    SurveyResponseGroup(group=group)
                    for group in sorted(set(rng.choices(groups, k=rng.randint(1, 2))))
                ],
                need_rows=[
                    SurveyResponseNeed(need=need)
                    for need in sorted(rng.sample(needs, k=rng.randint(1, 4)))
                ],
            )
        )
    await session.flush()
    return DEMO_ANSWERS

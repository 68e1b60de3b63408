from typing import Annotated

from fastapi import Depends

from app.core.dates import DateRange, range_up_to_today
from app.survey.service import SURVEY_TIMEZONE

#: ``?from=&to=`` as every range (app.core.dates), by default the three years up to today
Period = Annotated[DateRange, Depends(range_up_to_today(SURVEY_TIMEZONE))]

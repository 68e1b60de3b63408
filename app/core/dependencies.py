from typing import Annotated

from fastapi import Depends, Request

from app.core.config import Settings
from app.core.errors import ValidationFailed
from app.core.schemas import holds_nul

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]


async def refuse_nul_characters(request: Request) -> None:
    """422 for a NUL character in any path or query parameter or form field, before anything
    reads them: PostgreSQL can neither store nor compare text holding one. Applied to every
    route; JSON bodies are checked by ``RequestSchema``."""
    texts: list[object] = [*request.path_params.values(), *request.query_params.multi_items()]
    if request.headers.get("content-type", "").lower().startswith(_FORMS):
        texts += (await request.form()).multi_items()
    if holds_nul(texts):
        raise ValidationFailed("Parameters must not contain NUL characters.")

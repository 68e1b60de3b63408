from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.core.schemas import RequestSchema


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


class RefreshRequest(RequestSchema):
    refresh_token: Annotated[str, Field(min_length=1, max_length=2000)]

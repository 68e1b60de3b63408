"""What schemathesis found, pinned as plain tests so a regression shows without a fuzz run."""

import httpx
from fastapi import FastAPI

from tests.factories import assert_problem

PROBLEM_JSON = "application/problem+json"


async def test_a_body_that_is_not_utf8_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        content=b'{"email": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )

    body = assert_problem(response, 422, "validation-error")
    assert body["errors"] == [
        {"loc": ["body"], "msg": "could not be parsed", "type": "body_unparsable"}
    ]


async def test_a_malformed_path_id_is_a_declared_validation_problem(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.get("/api/v1/desks/null,null")

    assert_problem(response, 422, "validation-error")
    declared = app.openapi()["paths"]["/api/v1/desks/{desk_id}"]["get"]["responses"]["422"]
    assert PROBLEM_JSON in declared["content"]


def test_every_declared_error_is_a_problem(app: FastAPI) -> None:
    undeclared = [
        f"{method.upper()} {path} {status}"
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation["responses"].items()
        if int(status) >= 400 and PROBLEM_JSON not in answer.get("content", {})
    ]

    assert undeclared == []

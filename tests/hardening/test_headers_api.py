"""Security headers, CORS and the request id on every answer."""

from tests.factories import Api


async def test_security_headers_on_every_answer(api: Api) -> None:
    response = await api.client.get("/api/v1/locations")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    docs = await api.client.get("/docs")
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]

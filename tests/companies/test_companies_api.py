"""Companies: registration, approval, visibility and the admin's limits."""

import uuid

from tests.companies.support import (
    COMPANIES,
    accept,
    active_company,
    employee,
    invite,
    register_company,
    set_company,
    usage,
)
from tests.factories import Api, assert_problem


async def test_company_lifecycle_from_registration_to_a_seat_booking(api: Api) -> None:
    admin = await api.member()

    company = await register_company(api, admin)

    assert uuid.UUID(company["id"])
    assert {key: value for key, value in company.items() if key != "id"} == {
        "name": "Havelland Software GmbH",
        "contact_email": "kontakt@havelland.example.org",
        "seats_requested": 3,
        "status": "pending",
        "seats": 0,
        "created_at": "2030-01-07T07:00:00Z",
    }
    approved = await set_company(api, company["id"], status="active", seats=2)
    assert (approved["status"], approved["seats"]) == ("active", 2)

    invited = await invite(api, admin, company["id"], "Ada@Example.org")
    assert invited.status_code == 201, invited.text
    body = invited.json()
    assert body["email"] == "ada@example.org"
    assert body["expires_at"] == "2030-01-21T07:00:00Z"
    assert len(body["token"]) >= 32

    ada = await api.member(email="ada@example.org", groups=["parent"])
    joined = await accept(api, ada, body["token"])
    assert joined.status_code == 200, joined.text
    assert joined.json() == {
        "company_id": company["id"],
        "company_name": "Havelland Software GmbH",
        "company_role": "employee",
        "joined_at": "2030-01-07T07:00:00Z",
    }
    me = await api.client.get("/api/v1/me", headers=ada.headers)
    assert me.json()["groups"] == ["employee", "parent"]

    employees = await api.client.get(
        f"{COMPANIES}/{company['id']}/employees", headers=admin.headers
    )
    assert employees.json() == {
        "items": [
            {
                "id": ada.id,
                "full_name": "Test Member",
                "email": "ada@example.org",
                "company_role": "employee",
                "joined_at": "2030-01-07T07:00:00Z",
            }
        ],
        "total": 1,
        "limit": 50,
        "offset": 0,
    }
    single = await api.client.get(
        f"{COMPANIES}/{company['id']}/employees/{ada.id}", headers=ada.headers
    )
    assert single.json()["id"] == ada.id

    location = await api.location()
    desk = await api.desk(location["id"])
    booking = await api.book(
        ada, desk["id"], "2030-01-08T09:00:00+01:00", "2030-01-08T12:00:00+01:00"
    )
    assert booking.status_code == 201, booking.text
    assert booking.json()["company_id"] == company["id"]

    # The company admin sees the company's bookings; the admin's own are private.
    seen = await api.client.get("/api/v1/bookings", headers=admin.headers)
    assert [item["id"] for item in seen.json()["items"]] == [booking.json()["id"]]
    own = await api.book(
        admin, desk["id"], "2030-01-08T13:00:00+01:00", "2030-01-08T14:00:00+01:00"
    )
    assert own.json()["company_id"] is None


async def test_company_is_hidden_from_outsiders(api: Api) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=2)
    outsider = await api.member()
    path = f"{COMPANIES}/{company['id']}"

    for method, url, body in [
        ("GET", path, None),
        ("PATCH", path, {"name": "Übernommen GmbH"}),
        ("GET", f"{path}/employees", None),
        ("GET", f"{path}/employees/{admin.id}", None),
        ("DELETE", f"{path}/employees/{admin.id}", None),
        ("GET", f"{path}/invitations", None),
        ("POST", f"{path}/invitations", {"email": "x@example.org"}),
        ("GET", f"{path}/usage?from=2030-01-07&to=2030-01-08", None),
        ("GET", f"{COMPANIES}/{uuid.uuid4()}", None),
    ]:
        response = await api.client.request(method, url, json=body, headers=outsider.headers)
        assert_problem(response, 404, "not-found")
    listed = await api.client.get(COMPANIES, headers=outsider.headers)
    assert listed.json()["total"] == 0
    anonymous = await api.client.get(path)
    assert_problem(anonymous, 401, "not-authenticated")


async def test_employee_reads_the_company_but_not_colleagues_nor_administers(api: Api) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=2)
    worker = await employee(api, admin, company["id"])
    colleague = await employee(api, admin, company["id"])
    path = f"{COMPANIES}/{company['id']}"

    assert (await api.client.get(path, headers=worker.headers)).status_code == 200
    listed = await api.client.get(COMPANIES, headers=worker.headers)
    assert [item["id"] for item in listed.json()["items"]] == [company["id"]]
    own = await api.client.get(f"{path}/employees/{worker.id}", headers=worker.headers)
    assert (own.status_code, own.json()["email"]) == (200, worker.email)
    admins_view = await api.client.get(f"{path}/employees", headers=admin.headers)
    assert admins_view.json()["total"] == 2

    assert_problem(await invite(api, worker, company["id"], "y@example.org"), 403, "forbidden")
    for method, url, body in [
        # The lists hold the colleagues' (and invitees') e-mails: admins and operators only.
        ("GET", f"{path}/employees", None),
        ("GET", f"{path}/employees/{colleague.id}", None),
        ("GET", f"{path}/invitations", None),
        ("PATCH", path, {"name": "Meine GmbH"}),
        ("DELETE", f"{path}/employees/{colleague.id}", None),
        ("GET", f"{path}/usage?from=2030-01-07&to=2030-01-08", None),
    ]:
        response = await api.client.request(method, url, json=body, headers=worker.headers)
        assert_problem(response, 403, "forbidden")


async def test_admin_changes_contact_fields_but_not_seats_or_status(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    path = f"{COMPANIES}/{company['id']}"

    for changes in ({"seats": 5}, {"status": "active"}, {"name": "Neu GmbH", "seats": 1}):
        response = await api.client.patch(path, json=changes, headers=admin.headers)
        assert_problem(response, 403, "forbidden")
    changed = await api.client.patch(
        path,
        json={"name": "Havelland Cloud GmbH", "contact_email": "hallo@havelland.example.org"},
        headers=admin.headers,
    )

    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        **company,
        "name": "Havelland Cloud GmbH",
        "contact_email": "hallo@havelland.example.org",
    }
    stored = await api.client.get(path, headers=admin.headers)
    assert (stored.json()["status"], stored.json()["seats"]) == ("pending", 0)


async def test_operator_lists_all_companies_and_validates_changes(api: Api) -> None:
    operator = await api.operator()
    first = await register_company(api, await api.member(), name="B GmbH")
    second = await register_company(api, await api.member(), name="A AG")

    listed = await api.client.get(COMPANIES, headers=operator.headers)
    assert [item["id"] for item in listed.json()["items"]] == [second["id"], first["id"]]
    path = f"{COMPANIES}/{first['id']}"
    for changes in ({"seats": -1}, {"status": "closed"}, {"seats": "2"}, {"name": None}, {"x": 1}):
        response = await api.client.patch(path, json=changes, headers=operator.headers)
        assert_problem(response, 422, "validation-error")
    bad = await api.client.post(
        COMPANIES,
        json={"name": "X", "contact_email": "no-email", "seats_requested": 1},
        headers=operator.headers,
    )
    assert_problem(bad, 422, "validation-error")


async def test_company_changes_are_audited_without_contact_email(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    await set_company(api, company["id"], status="active", seats=4)
    operator = await api.operator()

    events = await api.client.get(
        "/api/v1/audit-events", params={"target_id": company["id"]}, headers=operator.headers
    )

    # Both happen at the frozen "now": compare in a fixed order.
    actions = sorted(
        ((e["action"], e["actor_id"], e["after"]) for e in events.json()["items"]), reverse=True
    )
    assert actions == [
        (
            "company.updated",
            operator.id,
            {
                "name": "Havelland Software GmbH",
                "seats_requested": 3,
                "status": "active",
                "seats": 4,
            },
        ),
        (
            "company.created",
            admin.id,
            {
                "name": "Havelland Software GmbH",
                "seats_requested": 3,
                "status": "pending",
                "seats": 0,
            },
        ),
    ]
    assert "havelland.example.org" not in events.text


async def test_usage_is_only_for_admins_and_operators_with_valid_ranges(api: Api) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=1)
    operator = await api.operator()

    assert (
        await usage(api, operator, company["id"], "2030-01-07", "2030-01-07")
    ).status_code == 200
    for first, last in [
        ("2030-01-08", "2030-01-07"),
        ("2030-02-30", "2030-03-01"),
        ("2030-01-01", "2033-01-02"),
        ("tomorrow", "2030-01-07"),
    ]:
        assert_problem(await usage(api, admin, company["id"], first, last), 422, "validation-error")
    missing = await api.client.get(f"{COMPANIES}/{company['id']}/usage", headers=admin.headers)
    assert_problem(missing, 422, "validation-error")

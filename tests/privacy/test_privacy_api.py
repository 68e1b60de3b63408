"""Export (GDPR Art. 15/20) and erasure (Art. 17)."""

from datetime import timedelta

from app.core import clock
from tests.companies.support import active_company, employee
from tests.conftest import NOW
from tests.factories import PASSWORD, Api, Member, assert_problem, local
from tests.interest.test_interest_api import entry
from tests.plans.support import create_plan


async def _booked(api: Api, member: Member, desk_id: str, day: str) -> str:
    response = await api.book(member, desk_id, local(day, "09:00"), local(day, "12:00"))
    assert response.status_code == 201, response.text
    booking_id: str = response.json()["id"]
    return booking_id


async def test_export_holds_profile_and_bookings(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member(home_postcode="16515", commute_km=17.0, commute_mode="car")
    booking_id = await _booked(api, member, desk["id"], "2030-01-08")

    response = await api.client.get("/api/v1/me/export", headers=member.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["profile"]["email"] == member.email
    assert body["profile"]["home_postcode"] == "16515"
    assert body["profile"]["commute_km"] == 17.0
    assert [b["id"] for b in body["bookings"]] == [booking_id]
    assert body["bookings"][0]["status"] == "confirmed"
    assert body["calendar_feed"] == {"active": False, "created_at": None}


async def test_erasure_removes_personal_data_and_keeps_past_bookings(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member(
        full_name="Erika Muster", home_postcode="16515", commute_km=17.4, commute_mode="car"
    )
    past = await _booked(api, member, desk["id"], "2030-01-08")
    future = await _booked(api, member, desk["id"], "2030-01-10")
    clock.set_now(NOW + timedelta(days=2))  # 2030-01-09: the first booking is over

    erased = await api.client.delete("/api/v1/me", headers=member.headers)

    assert erased.status_code == 204, erased.text
    assert_problem(
        await api.client.get("/api/v1/me", headers=member.headers), 401, "not-authenticated"
    )
    assert (await api.login(member.email)).status_code == 401
    operator = await api.operator()
    profile = (
        await api.client.get(f"/api/v1/members/{member.id}", headers=operator.headers)
    ).json()
    assert profile["email"] is None
    assert profile["full_name"] is None
    assert profile["home_postcode"] is None
    assert profile["commute_km"] == 15.0
    assert profile["commute_mode"] == "car"
    assert profile["groups"] == ["freelancer"]
    assert profile["active"] is False
    kept = await api.client.get(f"/api/v1/bookings/{past}", headers=operator.headers)
    assert kept.json()["status"] == "no_show"
    assert kept.json()["member_id"] == member.id
    gone = await api.client.get(f"/api/v1/bookings/{future}", headers=operator.headers)
    assert gone.json()["status"] == "cancelled"


async def test_erased_members_desk_is_free_and_email_can_register_again(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    await _booked(api, member, desk["id"], "2030-01-10")
    assert (await api.client.delete("/api/v1/me", headers=member.headers)).status_code == 204

    again = await api.member(email=member.email.upper())
    assert again.id != member.id
    assert await _booked(api, again, desk["id"], "2030-01-10")


async def test_erasure_revokes_refresh_tokens_and_calendar_feed(api: Api) -> None:
    member = await api.member()
    feed = (await api.client.get("/api/v1/me/calendar-feed", headers=member.headers)).json()
    assert (await api.client.delete("/api/v1/me", headers=member.headers)).status_code == 204

    refreshed = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": member.refresh_token}
    )
    assert_problem(refreshed, 401, "not-authenticated")
    assert_problem(await api.client.get(feed["url"].removeprefix("http://test")), 404, "not-found")


async def test_operator_erases_a_member_and_the_audit_log_records_it(api: Api) -> None:
    member = await api.member()
    operator = await api.operator()

    response = await api.client.delete(f"/api/v1/members/{member.id}", headers=operator.headers)

    assert response.status_code == 204, response.text
    assert (await api.login(member.email, PASSWORD)).status_code == 401
    events = await api.client.get(
        "/api/v1/audit-events", params={"action": "member.erased"}, headers=operator.headers
    )
    assert events.status_code == 200
    [event] = events.json()["items"]
    assert event["actor_id"] == operator.id
    assert event["target_id"] == member.id
    assert member.email not in events.text
    again = await api.client.delete(f"/api/v1/members/{member.id}", headers=operator.headers)
    assert_problem(again, 404, "not-found")


async def test_members_cannot_erase_others(api: Api) -> None:
    member = await api.member()
    other = await api.member()
    response = await api.client.delete(f"/api/v1/members/{other.id}", headers=member.headers)
    assert_problem(response, 403, "forbidden")
    assert (await api.client.get("/api/v1/me", headers=other.headers)).status_code == 200


async def test_last_operator_cannot_erase_themselves(api: Api) -> None:
    operator = await api.operator()
    response = await api.client.delete("/api/v1/me", headers=operator.headers)
    assert_problem(response, 409, "conflict")
    assert (await api.client.get("/api/v1/me", headers=operator.headers)).status_code == 200


async def test_audit_log_is_for_operators_only(api: Api) -> None:
    member = await api.member()
    assert_problem(
        await api.client.get("/api/v1/audit-events", headers=member.headers), 403, "forbidden"
    )


async def test_export_holds_company_links_memberships_and_consents(api: Api) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=2)
    member = await employee(api, admin, company["id"])
    plan = await create_plan(api)
    subscribed = await api.client.post(
        "/api/v1/me/memberships", json={"plan_id": plan["id"]}, headers=member.headers
    )
    assert subscribed.status_code == 201, subscribed.text
    interest = await api.client.post("/api/v1/interest", json=entry(email=member.email.upper()))
    assert interest.status_code == 201, interest.text

    body = (await api.client.get("/api/v1/me/export", headers=member.headers)).json()

    assert [(c["company_id"], c["company_role"]) for c in body["companies"]] == [
        (company["id"], "employee")
    ]
    assert [m["plan_id"] for m in body["memberships"]] == [plan["id"]]
    assert [c["kind"] for c in body["consent_records"]] == ["expression_of_interest"]
    assert body["consent_records"][0]["text_version"]


async def test_erasure_removes_company_links_and_consented_contact_records(api: Api) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=2)
    member = await employee(api, admin, company["id"])
    await api.client.post("/api/v1/interest", json=entry(email=member.email))

    assert (await api.client.delete("/api/v1/me", headers=member.headers)).status_code == 204

    employees = await api.client.get(
        f"/api/v1/companies/{company['id']}/employees", headers=admin.headers
    )
    assert employees.json()["items"] == []
    operator = await api.operator()
    entries = await api.client.get("/api/v1/interest", headers=operator.headers)
    assert entries.json()["total"] == 0

from tests.factories import Api, local


async def test_member_books_a_desk(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    response = await api.book(
        member, desk["id"], local("2030-01-08", "09:00"), local("2030-01-08", "12:00")
    )
    assert response.status_code == 201, response.text
    assert response.json()["start"] == "2030-01-08T08:00:00Z"

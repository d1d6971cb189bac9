def test_home_renders(client, db):
    assert client.get("/").status_code == 200


def test_personas_have_their_organisations(employer, university, ministry):
    assert employer.employer.is_verified and university.university.is_verified
    assert ministry.is_ministry and not employer.is_ministry

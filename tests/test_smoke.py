from tests.conftest import login


def test_login_and_home(client, org):
    r = login(client, "lead@example.com")
    assert r.status_code == 302
    r = client.get("/", follow_redirects=True)
    assert b"ML Platform" in r.data

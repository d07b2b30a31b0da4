"""Users over real HTTP: first-run owner, sign-in, lockout, CSRF, sessions, invitations."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from etail.integrator.users import MAX_FAILED_SIGNINS
from etail.storage.models import WebSession, utcnow

from .conftest import OWNER, api_token, browser_owner, csrf_of, invite_and_accept


def test_pages_need_sign_in_and_setup_only_once(integrator):
    with integrator.client() as c:
        r = c.get("/")
        assert r.status_code == 303 and r.headers["location"].startswith("/signin")
        assert c.get("/signin").headers["location"] == "/setup"  # no user yet: first-run page
        assert c.get("/api/v1/me").status_code == 401
    browser_owner(integrator).close()
    with integrator.client() as c:
        assert c.get("/setup").headers["location"] == "/signin"  # the owner exists now
        page = c.get("/signin")
        r = c.post(
            "/setup",
            data={
                "csrf_token": csrf_of(page.text),
                "email": "evil@example.com",
                "password": "Evil-Pass-1234",
            },
        )
        assert r.status_code == 303 and r.headers["location"] == "/signin"


def test_weak_password_is_refused_with_the_rule(integrator):
    with integrator.client() as c:
        page = c.get("/setup")
        r = c.post(
            "/setup",
            data={"csrf_token": csrf_of(page.text), "email": "o@example.com", "password": "short"},
        )
        assert r.status_code == 422 and "at least 10 characters" in r.text


def test_forms_need_the_csrf_token(integrator):
    with integrator.client() as c:
        c.get("/setup")
        r = c.post("/setup", data={"email": "o@example.com", "password": OWNER[1]})
        assert r.status_code == 403
        r = c.post(
            "/setup", data={"csrf_token": "forged", "email": "o@example.com", "password": OWNER[1]}
        )
        assert r.status_code == 403
    owner = browser_owner(integrator)
    page = owner.get(f"/integrations/{integrator.integration_id}/settings/general")
    url = f"/integrations/{integrator.integration_id}/settings/general"
    assert owner.post(url, data={"etail_channel": "X"}).status_code == 403
    assert owner.post(url, data={"etail_channel": "X", "csrf_token": "nope"}).status_code == 403
    r = owner.post(url, data={"etail_channel": "Jet US", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and 'value="Jet US"' in r.text
    owner.close()


def test_lockout_after_repeated_failures(integrator):
    browser_owner(integrator).close()
    with integrator.client() as c:
        for _ in range(MAX_FAILED_SIGNINS):
            r = c.post("/api/v1/auth/token", json={"email": OWNER[0], "password": "Wrong-Pass-123"})
            assert r.status_code == 401 and "wrong e-mail or password" in r.json()["detail"]
        r = c.post("/api/v1/auth/token", json={"email": OWNER[0], "password": OWNER[1]})
        assert r.status_code == 401 and "locked" in r.json()["detail"]


def test_unknown_user_and_wrong_password_look_the_same(integrator):
    browser_owner(integrator).close()
    with integrator.client() as c:
        a = c.post(
            "/api/v1/auth/token", json={"email": "nobody@example.com", "password": "X-pass-12345"}
        )
        b = c.post("/api/v1/auth/token", json={"email": OWNER[0], "password": "X-pass-12345"})
    assert a.status_code == b.status_code == 401 and a.json() == b.json()


def test_expired_session_redirects_to_sign_in(integrator):
    owner = browser_owner(integrator)
    assert owner.get("/").status_code == 200
    with integrator.session() as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = owner.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    owner.close()


def test_sign_out_ends_the_session(integrator):
    owner = browser_owner(integrator)
    page = owner.get("/")
    r = owner.post("/signout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    owner.cookies.set(
        "etail_session",
        r.request.headers.get("cookie", "").split("etail_session=")[-1].split(";")[0],
    )
    assert owner.get("/", follow_redirects=False).status_code == 303
    owner.close()


def test_invitation_roles_and_disable(integrator):
    owner_browser = browser_owner(integrator)
    from .conftest import api_token

    with integrator.client(headers=api_token(integrator, *OWNER)) as owner:
        monitor = invite_and_accept(integrator, owner, "mo@example.com", "monitor")
        with integrator.client(headers=monitor) as c:
            me = c.get("/api/v1/me").json()
            assert me["role"] == "monitor"
            assert c.get("/api/v1/users").status_code == 403
        users = {u["email"]: u for u in owner.get("/api/v1/users").json()}
        r = owner.patch(f"/api/v1/users/{users['mo@example.com']['id']}", json={"disabled": True})
        assert r.status_code == 200 and r.json()["disabled"] is True
        with integrator.client(headers=monitor) as c:
            assert c.get("/api/v1/me").status_code == 401  # disabling ends sessions
        # the owner cannot be demoted or removed
        r = owner.patch(f"/api/v1/users/{users[OWNER[0]]['id']}", json={"role": "monitor"})
        assert r.status_code == 422
        # an invitation link works once
        inv = owner.post(
            "/api/v1/invitations", json={"email": "x@example.com", "role": "manage"}
        ).json()
        page = owner_browser.get(inv["accept_path"])
        assert "x@example.com" in page.text
        assert owner.delete(f"/api/v1/invitations/{inv['id']}").status_code == 204
        assert owner_browser.get(inv["accept_path"]).status_code == 422  # cancelled
    owner_browser.close()


def test_users_page_invites_and_changes_roles(integrator):
    owner = browser_owner(integrator)
    page = owner.get("/users")
    iid = integrator.integration_id
    r = owner.post(
        "/users/invite",
        data={
            "csrf_token": csrf_of(page.text),
            "email": "t@example.com",
            "role": "tile",
            f"grant_{iid}": "monitor",
        },
    )
    assert r.status_code == 200 and "one-time link" in r.text
    link = re.search(r'<code id="invite-link">([^<]+)</code>', r.text).group(1)
    with integrator.client(follow_redirects=True) as invited:
        form = invited.get(link)
        done = invited.post(
            link,
            data={"csrf_token": csrf_of(form.text), "name": "Tia", "password": "Tile-Pass-1234"},
        )
        assert done.status_code == 200 and "Jet - NetSuite" in done.text  # signed in, tile shown
        assert invited.get(link).status_code == 422  # used once
    users = owner.get("/users")
    uid = re.search(r'action="/users/(\w+)/role"', users.text).group(1)
    r = owner.post(
        f"/users/{uid}/role",
        data={"csrf_token": csrf_of(users.text), "role": "manage", f"grant_{iid}": ""},
    )
    assert r.status_code == 200
    with integrator.client(headers=api_token(integrator, "t@example.com", "Tile-Pass-1234")) as c:
        me = c.get("/api/v1/me").json()
    assert me["role"] == "manage" and me["grants"] == {}
    audit = owner.get("/audit", params={"resource_type": "user"}).text
    assert "t@example.com" in audit and "manage" in audit
    owner.close()


def test_sessions_slide_while_used_and_end_at_twelve_hours(integrator):
    from etail.integrator.users import SESSION_MAX, UserService, token_hash
    from etail.storage.audit import Actor

    with integrator.session() as s:
        svc = UserService(s, idle=timedelta(hours=1))
        new = svc.open_session(svc.create_owner(*OWNER, actor=Actor.system()))
    with integrator.session() as s:  # used two minutes ago, about to expire
        row = s.get(WebSession, token_hash(new.token))
        row.last_seen_at = utcnow() - timedelta(minutes=2)
        row.expires_at = utcnow() + timedelta(minutes=1)
    with integrator.session() as s:
        _, row = UserService(s, idle=timedelta(hours=1)).resolve_session(new.token)
        assert row.expires_at > utcnow() + timedelta(minutes=59)  # slid by use
    with integrator.session() as s:  # opened 12 hours ago: no more sliding
        row = s.get(WebSession, token_hash(new.token))
        row.created_at = utcnow() - SESSION_MAX
        row.last_seen_at = utcnow() - timedelta(minutes=2)
    with integrator.session() as s:
        UserService(s, idle=timedelta(hours=1)).resolve_session(new.token)
    with integrator.session() as s:
        assert UserService(s, idle=timedelta(hours=1)).resolve_session(new.token) is None

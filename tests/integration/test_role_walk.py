"""Walk every URL the app registers — every page, form, action button and REST endpoint — as each
role and as an anonymous visitor, on a shop with a record of every kind, and check each answer
against the permission matrix declared in app/security/roles.py: allowed → it is served (whatever
the record's state makes of it), denied → 401/403 or the sign-in page, and never a 500.

Machine-to-machine endpoints (webhooks, the storefront API, the sandboxes) authenticate by
signature, not by role; their own tests cover them.
"""
from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa
from flask_appbuilder.baseviews import BaseView

from app.extensions import db
from app.security.roles import is_allowed
from tests.conftest import DEMO_PASSWORD, api_token, login, make_app

ROLES = ["Clerk", "Supervisor", "Admin", None]
SKIPPED_PREFIXES = ("/static", "/appbuilder", "/sandbox", "/webhooks", "/api/v1/storefront",
                    "/media/shared",  # a signed link for shoppers, checked by its signature
                    "/login", "/logout", "/health", "/lang", "/favicon.ico",
                    "/api/v1/security/logout")  # ends the token the walk goes on with
# Plain Flask endpoints (outside Flask-AppBuilder's views): the permission each one checks.
PLAIN = {"lookup.customers": ("Customer", "can_read"),
         "lookup.variants": ("ProductVariant", "can_read"),
         "lookup.provinces": ("Customer", "can_read"), "lookup.wards": ("Customer", "can_read"),
         "channel_connect.start": ("Channel", "can_connect"),
         "channel_connect.callback": (None, None)}  # the marketplace's redirect: state-checked
# Who may do what, as SPEC §1 words it — a second statement of the matrix's intent, so a wrong
# grant in the matrix itself shows up here.
SPEC_SAYS = [
    ("Clerk", "Order", "confirm", True), ("Clerk", "Order", "cancel", False),
    ("Clerk", "Order", "bulk_confirm", False), ("Supervisor", "Order", "bulk_confirm", True),
    ("Clerk", "PurchaseOrder", "approve", False), ("Supervisor", "PurchaseOrder", "approve", True),
    ("Clerk", "StockCount", "post_count", False), ("Supervisor", "StockCount", "post_count", True),
    ("Clerk", "Invoice", "replace", False), ("Supervisor", "Invoice", "replace", True),
    ("Clerk", "ReturnRequest", "refund", False), ("Supervisor", "Channel", "sync", True),
    ("Clerk", "Channel", "sync", False), ("Clerk", "Job", "retry", False),
    ("Supervisor", "Job", "retry", True), ("Clerk", "ProviderAccount", "can_read", False),
    ("Supervisor", "ProviderAccount", "can_read", False), ("Admin", "ProviderAccount", "can_write", True),
    ("Clerk", "UserDBModelView", "can_list", False), ("Clerk", "Order", "can_write", True),
    ("Clerk", "Order", "invoice", True), ("Clerk", "Order", "ship", True),
]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The demo shop once, as a database file each role's walk starts from."""
    folder = tmp_path_factory.mktemp("walk-template")
    app = make_app(folder)
    with app.app_context():
        from app.demo import load_demo
        load_demo(app, password=DEMO_PASSWORD)
        db.session.remove()
        db.engine.dispose()
    return folder / "app.db"


@pytest.fixture
def shop(demo_db, tmp_path):
    shutil.copyfile(demo_db, tmp_path / "app.db")
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.db'}",
                   FAB_UPDATE_PERMS=False, FAB_CREATE_DB=False)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 to record, not a test error
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# Pages each role's day depends on, named outright (a view renamed or re-permissioned by mistake
# would be walked as "denied, as expected" above; here it fails).
MUST_REACH = {
    "Clerk": ["/", "/orderview/list/", "/quick-order/", "/users/userinfo/", "/resetmypassword/form",
              "/stocklevelview/list/", "/api/v1/_openapi", "/swagger/v1"],
    "Supervisor": ["/orderview/list/", "/jobview/list/", "/channelview/list/", "/users/userinfo/"],
    "Admin": ["/users/list/", "/roles/list/", "/provideraccountview/list/", "/channelview/list/"],
}


@pytest.mark.parametrize("role", sorted(MUST_REACH))
def test_each_role_reaches_the_pages_of_its_day(shop, role):
    client = shop.test_client()
    login(client, role.lower())
    for url in MUST_REACH[role]:
        assert client.get(url).status_code == 200, (role, url)


def test_the_matrix_says_what_the_spec_says():
    for role, resource, permission, allowed in SPEC_SAYS:
        assert is_allowed(role, resource, permission) is allowed, (role, resource, permission)


def _views(app) -> dict[str, BaseView]:
    return {type(v).__name__: v for v in app.appbuilder.baseviews}


def _first_pk(view):
    """A record to walk the view's record pages with: the first, or for users, roles and groups the
    last (so an admin's walk deletes neither itself nor its own role before it is done)."""
    datamodel = getattr(view, "datamodel", None)
    if datamodel is None:
        return None
    key = sa.inspect(datamodel.obj).primary_key[0]
    security = datamodel.obj.__tablename__.startswith("ab_")
    row = db.session.scalars(sa.select(datamodel.obj).order_by(
        key.desc() if security else key).limit(1)).first()
    return None if row is None else datamodel.get_pk_value(row)


def _calls(app):
    """(label, method, url, data, resource, permission) for every endpoint a person can call."""
    views = _views(app)
    out = []
    with app.app_context():
        pks = {name: _first_pk(view) for name, view in views.items()}
        from app.models import Channel, ReturnRequest
        channel_id = db.session.scalar(sa.select(Channel.id).limit(1))
        return_id = db.session.scalar(sa.select(ReturnRequest.id).limit(1)) or 1
        from app.models import Job, Order, PaymentMethod
        job_id = db.session.scalar(sa.select(Job.id).limit(1)) or 1
        # "pay" on a COD order is its own grant (pay_cod): the walk pays an order that is not COD
        prepaid_id = db.session.scalar(sa.select(Order.id).where(
            Order.payment_method != PaymentMethod.COD).order_by(Order.id).limit(1))
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIPPED_PREFIXES) or rule.endpoint == "static":
            continue
        verbs = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        view_name, _, method = rule.endpoint.partition(".")
        view = views.get(view_name)
        if view is None:
            resource, permission = PLAIN.get(rule.endpoint, ("?", "?"))
        elif method in ("action", "action_post"):
            continue  # walked below, once per action
        else:
            func = getattr(view, method, None)
            marked = getattr(func, "_permission_name", None)
            if marked is None:
                resource, permission = None, None  # a public page (index, language, docs …)
            else:  # as Flask-AppBuilder's decorators work it out
                mapped = (view.method_permission_name or {}).get(method)
                resource = view.class_permission_name
                permission = "can_" + (mapped or marked.removeprefix("can_"))
                if view.base_permissions and permission not in view.base_permissions:
                    resource = permission = "nobody"  # the view offers it to no one (read-only)
        if method == "delete":
            verbs = [v for v in verbs if v != "GET"]  # a GET never deletes (refused as CSRF-unsafe)
        values = {"pk": pks.get(view_name) or 1, "filename": "nothing.txt", "role_id": 1,
                  "version": "v1", "locale": "vi", "group_by": "username",
                  "channel_id": channel_id or 1, "return_id": return_id, "job_id": job_id,
                  "line_id": 1}
        if rule.endpoint.endswith(".pay") and rule.rule.startswith("/api/v1/order/") and prepaid_id:
            values["pk"] = prepaid_id
        if not set(rule.arguments) <= set(values):
            raise AssertionError(f"no value to walk {rule.rule} with")
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?" + arg + ">", str(values[arg]), url)
        for verb in verbs:
            out.append((rule.endpoint, verb, url, {}, resource, permission))
    for name, view in views.items():
        for action_name, action in (getattr(view, "actions", None) or {}).items():
            base, pk = view.route_base, pks.get(name) or 1
            granted_by = view.get_action_permission_name(action_name)
            if action.multiple:
                out.append((f"{name}:{action_name}", "POST", f"{base}/action_post",
                            {"action": action_name, "rowid": [pk]}, view.class_permission_name,
                            granted_by))
            out.append((f"{name}:{action_name}", "POST", f"{base}/action/{action_name}/{pk}", {},
                        view.class_permission_name, granted_by))
    return out


def _denied(resp, client) -> bool:
    if resp.status_code in (401, 403):
        return True
    if resp.status_code in (301, 302, 303):
        location = resp.headers.get("Location", "")
        if "/login" in location:
            return True
        with client.session_transaction() as sess:
            flashes = [str(m) for _c, m in sess.get("_flashes", [])]
            sess.pop("_flashes", None)
        return any("not allowed" in m or "Access is Denied" in m for m in flashes)
    return False


def _clear_flashes(client):
    with client.session_transaction() as sess:
        sess.pop("_flashes", None)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_endpoint_answers_as_the_matrix_says(shop, role):
    client = shop.test_client()
    headers = {}
    if role:
        login(client, role.lower())
        headers = api_token(shop.test_client(), role.lower())
    calls = _calls(shop)
    # Reads first, then what changes things, deletions last: every call finds its record.
    order = {"GET": 0, "POST": 1, "PUT": 1, "DELETE": 2}
    calls.sort(key=lambda c: (order.get(c[1], 1), "delete" in c[2]))
    problems, checked = [], 0
    for label, verb, url, data, resource, permission in calls:
        is_api = url.startswith("/api/")
        _clear_flashes(client)
        if is_api:
            resp = client.open(url, method=verb, json=data or ({} if verb != "GET" else None),
                               headers=headers)
        else:
            resp = client.open(url, method=verb, data=data)
        checked += 1
        if resp.status_code >= 500:
            problems.append(f"{verb} {url} ({label}) → {resp.status_code}")
            continue
        if resource is None:
            continue  # public
        expected = role is not None and resource != "nobody" and \
            is_allowed(role, resource, permission)
        denied = _denied(resp, client)
        if expected and denied:
            problems.append(f"{role} denied {verb} {url} ({resource}.{permission})")
        elif not expected and not denied and resp.status_code != 404:
            problems.append(f"{role or 'anonymous'} reached {verb} {url} ({resource}.{permission}) "
                            f"→ {resp.status_code}")
    assert checked > 600
    assert not problems, "\n".join(problems)

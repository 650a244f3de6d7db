"""The assistant's test console and set-up records over HTTP (SPEC §11): a sale through
POST /api/v1/assistant/reply ends in a new order of the Assistant channel; order status keeps the
privacy rule; handover and a staff message keep the bot quiet; roles and bad input."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import DEMO_PASSWORD, api_token
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture: SQLite, PostgreSQL)

CATALOGUE = Path(__file__).resolve().parents[1] / "assistant" / "devset" / "catalogue.csv"


@pytest.fixture
def shop(any_web_app):  # noqa: F811
    web_app = any_web_app
    client = web_app.test_client()
    admin = api_token(client, "admin")
    assert client.post("/api/v1/warehouse/", headers=admin, json={
        "code": "WH-HCM", "name": "Kho HCM", "kind": "main"}).status_code == 201
    resp = client.post("/api/v1/catalog/import", headers=admin, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(CATALOGUE.read_bytes()), "catalogue.csv")})
    assert resp.status_code == 200, resp.json
    for row in ({"category": "Áo thun", "product_sku": None, "size": "M", "height_min_cm": 155,
                 "height_max_cm": 165, "weight_min_kg": 48, "weight_max_kg": 58},
                {"category": None, "product_sku": "AT-BASIC", "size": "L", "height_min_cm": 155,
                 "height_max_cm": 165, "weight_min_kg": 48, "weight_max_kg": 58}):
        assert client.post("/api/v1/size_chart/", headers=admin, json=row).status_code == 201
    assert client.post("/api/v1/shop_policy/", headers=admin, json={
        "topic": "payment", "language": "vi",
        "text": "Shop nhận COD và chuyển khoản."}).status_code == 201
    return web_app, client, api_token(client, "clerk")


def say(client, headers, text, conversation=None, channel="web"):
    resp = client.post("/api/v1/assistant/reply", headers=headers,
                       json={"conversation": conversation, "text": text, "channel": channel})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def sell(client, clerk, phone="0912345678"):
    conv = None
    answers = []
    for text in ("shop ơi áo thun basic trắng còn size M không", "lấy 2 cái nha",
                 f"tên Nguyễn Thị Lan, sđt {phone}, địa chỉ 12 Nguyễn Huệ, Q1, TP HCM", "ok chốt"):
        answers.append(say(client, clerk, text, conv, channel="zalo"))
        conv = answers[-1]["conversation"]
    return answers


def test_a_sale_in_the_conversation_becomes_a_new_order_of_the_assistant_channel(shop):
    app, client, clerk = shop
    answers = sell(client, clerk)
    first = answers[0]
    assert set(first) >= {"conversation", "replies", "intent", "entities", "variants", "handover",
                          "draft", "order_number", "facts"}
    assert first["conversation"].startswith("c-") and first["variants"][0] == "AT-BASIC-TRANG-M"
    assert first["facts"]["prices"] == {"AT-BASIC-TRANG-M": 199000}
    assert answers[2]["draft"]["state"] == "awaiting_confirmation"
    assert answers[2]["order_number"] is None
    last = answers[-1]
    assert last["order_number"] and last["draft"]["state"] == "confirmed"
    with app.app_context():
        from app.models import ChatMessage, Conversation, Order, SaleDraft
        order = db.session.scalars(sa.select(Order).where(Order.number == last["order_number"])).one()
        assert order.status.value == "new" and order.channel.name == "Assistant"
        assert [(ln.sku, ln.quantity, int(ln.unit_price)) for ln in order.lines] == \
            [("AT-BASIC-TRANG-M", 2, 199000)]
        assert order.buyer_name == "Nguyễn Thị Lan" and order.buyer_phone == "0912345678"
        assert "12 Nguyễn Huệ" in order.ship_street and int(order.shipping_fee) == 30000
        # The total the shopper confirmed (goods, VAT, shipping) is the order's own.
        summary = answers[2]
        assert int(order.total) == summary["draft"]["total"] == summary["facts"]["total"]
        assert int(order.vat_total) == summary["facts"]["vat"] > 0
        assert last["facts"]["total"] == int(order.total)
        conv = db.session.scalars(sa.select(Conversation)).one()
        assert conv.channel.value == "zalo" and conv.customer_id == order.customer_id
        draft = db.session.scalars(sa.select(SaleDraft)).one()
        assert draft.state.value == "confirmed" and draft.order_id == order.id
        directions = [m.direction.value for m in db.session.scalars(sa.select(ChatMessage))]
        assert directions.count("in") == 4 and directions.count("out") >= 4
    # another "ok" orders nothing more
    again = say(client, clerk, "ok", last["conversation"])
    assert again["order_number"] is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_order_status_keeps_the_buyer_private_without_the_orders_phone(shop):
    _, client, clerk = shop
    number = sell(client, clerk)[-1]["order_number"]
    stranger = say(client, clerk, f"đơn {number} sao rồi shop")
    text = " ".join(stranger["replies"])
    assert stranger["intent"] == "order_status" and stranger["facts"]["order_state"] == "new"
    assert "Nguyễn Thị Lan" not in text and "Áo thun" not in text and "Nguyễn Huệ" not in text
    owner = say(client, clerk, f"đơn {number} sđt 0912345678 sao rồi shop")
    assert "Áo thun basic" in " ".join(owner["replies"])
    missing = say(client, clerk, "đơn SO-999999 sao rồi")
    assert missing["facts"]["order_state"] is None and "không tìm thấy" in missing["replies"][0]


def test_a_products_own_size_chart_wins_over_its_category(shop):
    _, client, clerk = shop
    got = say(client, clerk, "áo thun basic cao 1m6 nặng 52kg mặc size nào")
    assert got["intent"] == "size_advice" and got["facts"]["size_chart"]["size"] == "L"
    other = say(client, clerk, "áo thun oversize in chữ cao 1m6 nặng 52kg mặc size nào")
    assert other["facts"]["size_chart"]["size"] == "M"


def test_handover_and_staff_messages_keep_the_assistant_quiet(shop):
    app, client, clerk = shop
    asked = say(client, clerk, "cho mình gặp nhân viên")
    assert asked["handover"] is True
    after = say(client, clerk, "áo thun basic còn không", asked["conversation"])
    assert after["handover"] is True and after["replies"] == []
    fresh = say(client, clerk, "áo thun basic trắng size M còn không")
    with app.app_context():
        from app.models import Conversation
        from app.services.assistant.conversations import release, staff_reply
        conv = db.session.scalars(sa.select(Conversation).where(
            Conversation.public_id == fresh["conversation"])).one()
        staff_reply(db.session, conv, "Dạ em là Hoa, em hỗ trợ chị ạ")
        db.session.commit()
    paused = say(client, clerk, "còn màu đen không", fresh["conversation"])
    assert paused["replies"] == [] and paused["handover"] is True
    with app.app_context():
        conv = db.session.scalars(sa.select(Conversation).where(
            Conversation.public_id == fresh["conversation"])).one()
        release(conv)
        db.session.commit()
    back = say(client, clerk, "áo thun basic đen size M còn không", fresh["conversation"])
    assert back["replies"] and back["handover"] is False


@pytest.mark.parametrize("body, field", [
    ({"text": ""}, "text"), ({"conversation": None}, "text"), ({"text": "hi", "channel": "sms"}, "channel"),
    ({"text": "hi", "conversation": "c-0123456789abcdef"}, "conversation"),
    ({"text": "hi", "conversation": 12}, "conversation"), ({"text": "x" * 2001}, "text"),
    ({"text": "hi", "user": "me"}, "user"), ([1, 2], "body")])
def test_bad_input_is_a_400_naming_the_field(shop, body, field):
    _, client, clerk = shop
    resp = client.post("/api/v1/assistant/reply", headers=clerk, json=body)
    assert resp.status_code == 400 and field in resp.json["errors"], resp.json
    resp = client.post("/api/v1/assistant/reply", headers=clerk, data="not json",
                       content_type="application/json")
    assert resp.status_code == 400


def test_roles_the_console_and_the_set_up_records(shop):
    app, client, clerk = shop
    assert client.post("/api/v1/assistant/reply", json={"text": "hi"}).status_code == 401
    for user in ("supervisor", "admin"):
        assert say(client, api_token(client, user), "hi")["intent"] == "greeting"
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.add_role("Visitor")
        sm.add_user("visitor", "Vi", "Sitor", "visitor@example.vn", role, password=DEMO_PASSWORD)
    visitor = api_token(client, "visitor")
    assert client.post("/api/v1/assistant/reply", headers=visitor,
                       json={"text": "hi"}).status_code == 403
    row = {"topic": "returns", "language": "vi", "text": "Đổi trả trong 7 ngày."}
    assert client.post("/api/v1/shop_policy/", headers=clerk, json=row).status_code == 403
    assert client.get("/api/v1/shop_policy/", headers=clerk).status_code == 200
    supervisor = api_token(client, "supervisor")
    assert client.post("/api/v1/shop_policy/", headers=supervisor, json=row).status_code == 201


def test_set_up_records_are_checked_against_the_catalogue(shop):
    _, client, _ = shop
    admin = api_token(client, "admin")
    base = {"size": "S", "height_min_cm": 140, "height_max_cm": 150, "weight_min_kg": 35,
            "weight_max_kg": 45}
    for row, field in (({"category": "Không có", "product_sku": None}, "category"),
                       ({"category": None, "product_sku": "NOPE"}, "product_sku"),
                       ({"category": "Áo thun", "product_sku": "AT-BASIC"}, "category"),
                       ({"category": "Áo thun", "product_sku": None, "height_max_cm": 100},
                        "height_min_cm")):
        resp = client.post("/api/v1/size_chart/", headers=admin, json={**base, **row})
        assert resp.status_code == 422 and field in resp.json["errors"], resp.json
    resp = client.post("/api/v1/shop_policy/", headers=admin, json={
        "topic": "gifts", "language": "vi", "text": "x"})
    assert resp.status_code == 422


def test_staff_take_over_reply_release_and_try_the_assistant_in_the_panel(shop):
    from tests.conftest import login
    app, client, clerk = shop
    fresh = say(client, clerk, "áo thun basic trắng size M còn không")
    with app.app_context():
        from app.models import ChatMessage, Conversation
        conv_id = db.session.scalars(sa.select(Conversation.id).where(
            Conversation.public_id == fresh["conversation"])).one()
    panel = app.test_client()
    login(panel, "clerk")
    shown = panel.get(f"/conversationview/show/{conv_id}").get_data(as_text=True)
    # Only what the conversation's state allows is offered: nothing to release yet.
    assert "action/take_over/" in shown and "action/release/" not in shown
    assert panel.post(f"/conversationview/action/take_over/{conv_id}").status_code == 302
    shown = panel.get(f"/conversationview/show/{conv_id}").get_data(as_text=True)
    assert "action/take_over/" not in shown and "action/release/" in shown
    assert say(client, clerk, "còn màu đen không", fresh["conversation"])["replies"] == []
    assert panel.post(f"/conversationview/action/release/{conv_id}").status_code == 302
    assert say(client, clerk, "áo thun basic đen size M còn không", fresh["conversation"])["replies"]
    page = panel.get(f"/conversationview/reply/{conv_id}")
    assert page.status_code == 200 and "áo thun basic trắng size M" in page.get_data(as_text=True)
    sent = panel.post(f"/conversationview/reply/{conv_id}", data={"text": "Dạ em Hoa đây ạ"})
    assert sent.status_code == 302
    with app.app_context():
        conv = db.session.get(Conversation, conv_id)
        assert conv.paused_until is not None
        assert db.session.scalars(sa.select(ChatMessage.direction).where(
            ChatMessage.conversation_id == conv_id).order_by(ChatMessage.id.desc())).first().value == "staff"
    assert say(client, clerk, "còn size L không", fresh["conversation"])["replies"] == []
    tried = panel.post("/assistant/try/", data={"text": "áo thun basic trắng size M còn không"})
    body = tried.get_data(as_text=True)
    assert tried.status_code == 200 and "199.000đ" in body and "availability" in body
    assert panel.post("/assistant/try/", data={"text": ""}).status_code == 200


def test_unfinished_sales_expire(shop):
    import datetime as dt
    app, client, clerk = shop
    first = say(client, clerk, "cho mình đặt áo thun basic trắng size M")
    assert first["draft"]["state"] == "collecting"
    with app.app_context():
        from app.models import SaleDraft
        from app.services.assistant.conversations import expire_drafts
        assert expire_drafts(db.session) == 0
        later = dt.datetime.utcnow() + dt.timedelta(hours=25)
        assert expire_drafts(db.session, now=later) == 1
        db.session.commit()
        assert db.session.scalars(sa.select(SaleDraft.state)).one().value == "abandoned"
    again = say(client, clerk, "sdt 0912345678", first["conversation"])
    assert again["draft"] is None or again["draft"]["lines"] == []

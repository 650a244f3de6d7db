"""An order's attention note is stored in English and read in the reader's language, on the order
list and on the order page, for every kind of note the services write."""
from __future__ import annotations

from app.extensions import db
from app.services import addresses, attention_notes
from app.services.attention_notes import note
from app.services.order_entry import unknown_sku_message
from tests.conftest import login
from tests.support import seed

PROBLEM = "The shipping address needs a province: choose it from the list."


def _flagged(app, text: str) -> int:
    with app.app_context():
        warehouse, variants = seed.shop(db.session)
        order = seed.order(db.session, warehouse, variants, {"AO-M": 1})
        order.needs_attention = text
        db.session.commit()
        return order.id


def test_notes_are_stored_in_english_from_their_templates():
    assert addresses.attention(None, PROBLEM) == (
        "Address: The shipping address needs a province: choose it from the list. "
        "Correct it on the order before confirming.")
    assert unknown_sku_message(["B", "A", "A"]).startswith("Unknown SKU: A, B. ")
    assert note(attention_notes.LOST, parcel="GHN123", raw="lost") == (
        "The carrier reports parcel GHN123 lost or damaged (lost): claim it with the carrier.")


def test_the_list_and_the_page_say_the_note_in_vietnamese(web_app):
    text = " | ".join([addresses.attention(None, PROBLEM), unknown_sku_message(["AO-X"])])
    order_id = _flagged(web_app, text)
    client = web_app.test_client()
    login(client, "clerk")
    client.get("/lang/vi")
    for url in ("/orderview/list/", f"/orderview/show/{order_id}"):
        page = client.get(url).get_data(as_text=True)
        assert "Địa chỉ: Địa chỉ giao hàng" in page, url
        assert "SKU không có trong danh mục: AO-X." in page, url
        assert "Correct it on the order" not in page and "Unknown SKU" not in page, url
    client.get("/lang/en")
    assert "Correct it on the order before confirming" in client.get("/orderview/list/").get_data(as_text=True)

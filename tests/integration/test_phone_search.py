"""The order list's phone filters: "starts with" / "ends with" find numbers typed with spaces or
dots, on SQLite and on PostgreSQL (where "ends with" reads the reversed-number index)."""
from app.models import Order
from app.views.interface import OrderHubInterface
from app.views.phone_search import PhoneEndsWith, PhoneStartsWith


def _numbers(session, flt, value):
    query = flt("buyer_phone", OrderHubInterface(Order, session)).apply(session.query(Order), value)
    return sorted(o.buyer_phone for o in query)


def test_phone_filters_match_the_beginning_and_the_end(session):
    for i, phone in enumerate(["0912345678", "0912999678", "0381234567", None]):
        session.add(Order(number=f"P{i}", buyer_name="Khách", buyer_phone=phone))
    session.flush()
    assert _numbers(session, PhoneStartsWith, "0912 345") == ["0912345678"]
    assert _numbers(session, PhoneStartsWith, "0912") == ["0912345678", "0912999678"]
    assert _numbers(session, PhoneEndsWith, "9.678") == ["0912999678"]
    assert _numbers(session, PhoneEndsWith, "678") == ["0912345678", "0912999678"]
    assert _numbers(session, PhoneEndsWith, "%") == []      # a wildcard typed is a character
    assert _numbers(session, PhoneStartsWith, "_9") == []

"""The landing page on the demo shop: tiles that count what waits, charts drawn on the server whose
bars lead to the orders behind them, 30 days of sales in the shop's days, a clerk's own warehouses."""
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Order, OrderStatus, Shipment
from tests.conftest import DEMO_PASSWORD, login
from tests.support import panel


def _demo(app):
    with app.app_context():
        from app.demo import load_demo
        load_demo(app, password=DEMO_PASSWORD)


def test_tiles_charts_and_links_on_the_demo_shop(web_app):
    _demo(web_app)
    client = web_app.test_client()
    login(client, "supervisor")
    page = panel.text(client.get("/"))
    with web_app.app_context():
        new = db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.status == OrderStatus.NEW))
        packed = db.session.scalar(sa.select(sa.func.count(Order.id))
                                   .where(Order.status == OrderStatus.PACKED))
        parcels = db.session.scalar(sa.select(sa.func.count(Shipment.id)))
    by_label = {label: value for value, label in re.findall(
        r'oh-tile-value">([^<]+)</div>\s*<div class="oh-tile-label">([^<]+)<', page)}
    assert by_label["New orders to confirm"] == str(new)
    assert by_label["Packed, to ship"] == str(packed)
    # Charts are SVG drawn here, not a script fetched from the internet.
    assert page.count("<svg class=\"oh-chart") == 3 and "google" not in page.lower()
    revenue = page.split("revenue-per-day", 1)[1].split("</svg>", 1)[0]
    assert revenue.count('class="bar"') == 30  # every day, a day without sales included
    for channel in ("Shopee demo shop", "Lazada demo shop", "Tiktok demo shop"):
        assert channel in page
    bars = page.split("shipments-by-status", 1)[1].split("</svg>", 1)[0]
    assert sum(int(n) for n in re.findall(r'class="total">(\d+)<', bars)) == parcels
    # A bar leads to its orders: the packed segment of a channel lists exactly those.
    links = re.findall(r'<a href="(/orderview/list/\?[^"]+)"><rect[^>]*><title>([^<]+)</title>', page)
    href, title = next((h, t) for h, t in links if "packed" in t)
    expected = int(title.rsplit(":", 1)[1])
    listing = panel.text(client.get(href.replace("&amp;", "&")))
    count = re.search(r"Record Count:</strong>\s*(\d+)", listing)
    assert expected > 0 and count and int(count.group(1)) == expected, (href, title)


def test_a_clerk_limited_to_a_warehouse_sees_its_figures_only(web_app):
    from app.models import User, Warehouse
    _demo(web_app)
    with web_app.app_context():
        other = db.session.scalar(sa.select(Warehouse).where(Warehouse.code == "DN"))
        clerk = db.session.scalar(sa.select(User).where(User.username == "clerk"))
        other.assigned_users.append(clerk)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Order.id))
                                 .where(Order.warehouse_id == other.id)) == 0
    client = web_app.test_client()
    login(client, "clerk")
    page = panel.text(client.get("/"))
    assert "No orders yet." in page and "No shipments yet." in page


def test_each_tile_opens_the_list_of_exactly_what_it_counts(web_app):
    _demo(web_app)
    with web_app.app_context():  # a few orders that need attention, as imports flag them
        for order in db.session.scalars(sa.select(Order).order_by(Order.id).limit(3)):
            order.needs_attention = "Unknown SKU XYZ-1"
        db.session.commit()
    client = web_app.test_client()
    login(client, "supervisor")
    page = panel.text(client.get("/"))
    tiles = re.findall(r'<a class="oh-tile" href="([^"]+)">\s*<div class="oh-tile-value">([^<]+)'
                       r'</div>\s*<div class="oh-tile-label">([^<]+)<', page)
    assert len(tiles) == 6
    for href, value, label in tiles:
        # one page holds them all, so the sum below adds every order the tile counted
        listing = panel.text(client.get(href.replace("&amp;", "&") + "&psize_OrderView=100"))
        count = re.search(r"Record Count:</strong>\s*(\d+)", listing)
        shown = int(count.group(1)) if count else 0
        if label == "Sales today":  # the sum of the orders listed
            totals = [int(t.replace(",", "")) for t in re.findall(r"<td>([\d,]+) ₫</td>", listing)]
            assert shown == 0 or value.startswith(f"{sum(totals):,}"), (label, value, totals)
        else:
            assert shown == int(value), (label, value, shown, href)
        assert "Export CSV" in listing
    attention, value = next((h, v) for h, v, label in tiles if label == "Need attention")
    csv_rows = client.get(attention.replace("&amp;", "&").replace("/list/", "/export_csv"))
    assert csv_rows.status_code == 200 and int(value) >= 3
    assert len(csv_rows.get_data(as_text=True).strip().splitlines()) == 1 + int(value)

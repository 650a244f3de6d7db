"""Money and times as each language writes them."""
import datetime as dt

from flask import Flask
from flask_babel import Babel

from app.web.formatting import format_datetime, format_plain, format_vnd


def _app(lang):
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: lang)
    return app


def test_vnd_in_vietnamese_and_english():
    with _app("vi").test_request_context():
        assert format_vnd(1250000) == "1.250.000 ₫"
    with _app("en").test_request_context():
        assert format_vnd(1250000) == "1,250,000 ₫"
    assert format_vnd(None) == ""


def test_times_shown_in_the_shops_zone():
    utc = dt.datetime(2026, 11, 22, 7, 5)
    with _app("vi").test_request_context():
        assert format_datetime(utc) == "22/11/2026 14:05"
    with _app("en").test_request_context():
        assert format_datetime(utc) == "2026-11-22 14:05"
        assert format_datetime("2026-11-22T07:05:00") == "2026-11-22 14:05"  # kept in JSON
        assert format_datetime("not a time") == "not a time"


def test_no_none_on_screen():
    assert format_plain(None) == "" and format_plain(True) == "✓"


def test_a_settings_document_reads_by_its_form_labels():
    text = format_plain({"seller": {"tax_code": "0312345678", "bank_account": "0071001234567"},
                         "timeout_seconds": 20, "unknown_key": "x"})
    assert text == ("Seller tax code: 0312345678 · Bank account: 0071001234567 · "
                    "Timeout (seconds): 20 · Unknown Key: x")


def test_a_margin_and_a_vat_rate_read_the_readers_way():
    from app.models.catalog import VatRate
    from app.web.formatting import format_percent, format_vat_rate
    with _app("vi").test_request_context():
        assert format_percent("40.2 %") == "40,2 %" and format_percent("–") == "–"
        assert format_vat_rate(VatRate("10")) == "10 %"
    with _app("en").test_request_context():
        assert format_percent("40.2 %") == "40.2 %"

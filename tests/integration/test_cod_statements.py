"""A carrier's COD statement file (GHN's and Viettel Post's, CSV and XLSX) imported into a draft
statement: parcels matched by tracking number, and every row the statement does not take — an
unknown parcel, one already in another statement, one not delivered, a repeated row, amounts that
differ — reported, never dropped. A statement made empty gets its shipments afterwards."""
from __future__ import annotations

import pytest

from app.models import OrderStatus, PaymentStatus, Shipment
from app.services import cod, cod_statements, tracking
from app.services.errors import DomainError, ValidationError, ValidationErrors
from tests.integration.test_shipping import CS, _update, book, outbox, sandbox_url, shop  # noqa: F401
from tests.support.cod_statements import (GHN_API_HEADER, GHN_HEADER, VTP_HEADER, as_csv,
                                          as_xlsx, ghn_rows, vtp_rows)
from tests.support.shipping import packed_orders


def _delivered(session, shop, carrier, n):
    made = packed_orders(session, n, shipping_fee=20000)
    booked = [book(session, o, carrier, shop) for o in made]
    for s in booked:
        tracking.apply_update(session, s.id, _update(s, CS.DELIVERED, "delivered", 9))
    return made, booked


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_ghn_statement_file_becomes_a_draft_and_says_what_it_did_not_take(session, shop, kind):
    made, (s1, s2, s3, s4) = _delivered(session, shop, "ghn", 4)
    in_other = cod.build_reconciliation(session, [s4.id], statement_ref="earlier")
    cod1, cod2 = int(s1.cod_amount), int(s2.cod_amount)
    fee = cod.expected_fee(s1)
    parcels = [(s1.tracking_number, s1.client_reference, cod1, fee, None),        # as expected
               (s2.tracking_number.lower(), s2.client_reference, cod2, fee, cod2 - fee - 5000),
               ("ZZZ99999", "SO-999999", 150000, 20000, None),                     # not ours
               (s4.tracking_number, s4.client_reference, int(s4.cod_amount), fee, None),
               (s1.tracking_number, s1.client_reference, cod1, fee, None)]         # repeated
    rows = ghn_rows(parcels)
    content = as_xlsx(GHN_HEADER, rows, title="BẢNG ĐỐI SOÁT COD - GHN") if kind == "xlsx" else \
        as_csv(GHN_HEADER, rows, title="BẢNG ĐỐI SOÁT COD - GHN",
               money=lambda v: f"{v:,}".replace(",", "."))
    read = cod_statements.read_statement(f"doi-soat.{kind}", content)
    assert [r.tracking for r in read] == [p[0].upper() for p in parcels]
    rec, report = cod_statements.import_statement(session, "ghn", read, statement_ref="GHN-COD-1205")
    assert [line.shipment_id for line in rec.lines] == [s1.id, s2.id]
    assert [int(line.difference) for line in rec.lines] == [0, -5000]
    assert rec.statement_ref == "GHN-COD-1205" and rec.status.value == "draft"
    assert [u["tracking"] for u in report.unknown] == ["ZZZ99999"]
    assert report.elsewhere == [{"tracking": s4.tracking_number, "line": read[3].line,
                                 "statement": in_other.number}]
    assert [r["line"] for r in report.repeated] == [read[4].line]
    assert read[4].line == read[0].line + 4 and read[0].line in (3, 4)  # after title and header
    assert [m["differs"] for m in report.matched] == [False, True]
    assert rec.import_report["unknown"][0]["tracking"] == "ZZZ99999"  # kept on the statement
    assert s3.id not in {line.shipment_id for line in rec.lines}  # not in the file: not taken
    cod.confirm_reconciliation(session, rec.id)
    for order in made[:2]:
        session.refresh(order)
        assert order.status == OrderStatus.COMPLETED and order.payment_status == PaymentStatus.PAID
        assert order.payment_reference.startswith(rec.number)
    assert made[1].paid_amount == made[1].total - 5000 and "5,000 ₫ less" in made[1].needs_attention


def test_a_viettel_post_statement_matches_on_the_tracking_number_not_the_order_number(session, shop):
    _, (s1, s2) = _delivered(session, shop, "viettelpost", 2)
    fee = cod.expected_fee(s1)
    parcels = [(s1.tracking_number, s1.client_reference, int(s1.cod_amount) + 10000, fee, None),
               (s2.tracking_number, s2.client_reference, int(s2.cod_amount), fee, None)]
    content = as_csv(VTP_HEADER, vtp_rows(parcels), delimiter=";")
    rec, report = cod_statements.import_statement(
        session, "viettelpost", cod_statements.read_statement("vtp.csv", content))
    assert sorted(line.shipment_id for line in rec.lines) == sorted([s1.id, s2.id])
    first = report.matched[0]
    assert first["differs"] and first["cod"] == first["expected"] + 10000  # collected ≠ ours


def test_the_apis_field_names_work_too_and_a_draft_can_take_more(session, shop):
    _, (s1, s2) = _delivered(session, shop, "ghn", 2)
    empty = cod.build_reconciliation(session, [s1.id])
    content = as_csv(GHN_API_HEADER, [[s2.tracking_number, s2.client_reference,
                                       int(s2.cod_amount), 20000, ""]])
    rec, report = cod_statements.import_statement(
        session, "ghn", cod_statements.read_statement("ghn.csv", content), into=empty.id)
    assert rec.id == empty.id and len(rec.lines) == 2 and not report.problems
    with pytest.raises(DomainError):
        cod_statements.import_statement(session, "ghn", cod_statements.read_statement(
            "ghn.csv", content), into=empty.id + 99)


def test_a_statement_made_empty_gets_its_shipments_and_confirms(session, shop):
    from app.models import CodReconciliation, ReconciliationStatus
    _, (s1,) = _delivered(session, shop, "ghn", 1)
    rec = CodReconciliation(carrier="ghn", status=ReconciliationStatus.DRAFT)  # the "+" form did
    session.add(rec)
    session.commit()
    with pytest.raises(DomainError, match="no shipments yet: add the delivered COD shipments"):
        cod.confirm_reconciliation(session, rec.id)
    cod.add_shipments(session, rec.id, [s1.id])
    cod.confirm_reconciliation(session, rec.id)
    assert session.get(Shipment, s1.id).cod_reconciled


@pytest.mark.parametrize("content, rule", [
    (b"just,some,columns\n1,2,3\n", "No header row"),
    (b"\xff\xfe\x00garbage", "No header row"),
    ("Mã vận đơn,Tiền thu hộ\nGHN1,1.5\n".encode(), "line 2"),
    ("Mã vận đơn,Tiền thu hộ\n".encode(), "lists no parcel"),
    (b"PK\x03\x04not really a workbook", "Excel"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(content, rule):
    with pytest.raises((ValidationError, ValidationErrors)) as caught:
        cod_statements.read_statement("statement.csv", content)
    assert rule in str(caught.value)

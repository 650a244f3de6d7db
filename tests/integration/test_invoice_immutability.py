"""An issued invoice never changes: not through the session, not through raw SQL, on SQLite and on
PostgreSQL. Its status only moves forward (issued → replaced / adjusted); its lines are frozen with it;
the series it was issued on keeps its text."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.db_rules import INVOICE_CONTENT_COLUMNS, INVOICE_MUTABLE_AFTER_ISSUE
from app.models import (Invoice, InvoiceLine, InvoiceSeries, InvoiceStatus, ProviderAccount,
                        ProviderKind)
from app.models.base import utcnow
from app.services.errors import DomainError, ImmutableRecord

SERIES = f"C{date.today().year % 100}TAA"


def _account(session) -> ProviderAccount:
    acc = ProviderAccount(kind=ProviderKind.EINVOICE, provider="sinvoice", name="S-Invoice",
                          base_url="http://127.0.0.1:9/sandbox/sinvoice", credentials={}, settings={})
    session.add(acc)
    session.flush()
    session.add(InvoiceSeries(provider_account_id=acc.id, template="1", series=SERIES, last_number=0))
    session.commit()
    return acc


def _invoice(session, acc, *, status=InvoiceStatus.ISSUED, number=1, key="k-1") -> Invoice:
    invoice = Invoice(provider="sinvoice", provider_account_id=acc.id, template="1", series=SERIES,
                      transaction_key=key, status=InvoiceStatus.DRAFT, buyer_name="Trần Văn Bình", buyer_company="Công ty Cổ phần FPT",
                      buyer_tax_code="0101248141", buyer_address="Số 10 Phạm Văn Bạch, Hà Nội",
                      vat_breakdown=[{"rate": "10", "amount": 100000, "tax": 10000}], subtotal=100000,
                      vat_total=10000, total=110000, amount_in_words="Một trăm mười nghìn đồng chẵn",
                      tax_authority_code="00ABC", lookup_code="LOOKUP1")
    invoice.lines = [InvoiceLine(position=1, sku="AO-M", name="Áo thun", unit="Cái", quantity=Decimal(1),
                                 unit_price=Decimal(100000), vat_rate="10", amount=Decimal(100000),
                                 vat_amount=Decimal(10000))]
    session.add(invoice)
    session.commit()
    if status != InvoiceStatus.DRAFT:    # what issuing does: the saved draft gets its number
        invoice.status, invoice.number, invoice.issued_at = status, number, utcnow()
        session.commit()
    return invoice


def test_every_invoice_column_is_either_frozen_or_allowed_to_change():
    columns = {c.name for c in Invoice.__table__.columns}
    assert columns == set(INVOICE_CONTENT_COLUMNS) | set(INVOICE_MUTABLE_AFTER_ISSUE)
    assert not set(INVOICE_CONTENT_COLUMNS) & set(INVOICE_MUTABLE_AFTER_ISSUE)


def test_the_session_refuses_reopening_editing_and_new_lines(session):
    acc = _account(session)
    invoice = _invoice(session, acc)
    invoice.status = InvoiceStatus.DRAFT
    with pytest.raises(ImmutableRecord, match="never reopened"):
        session.commit()
    session.rollback()
    for column, value in (("total", Decimal(1)), ("buyer_tax_code", "0100109106"),
                          ("buyer_company", "Khác"), ("vat_breakdown", []), ("amount_in_words", "x"),
                          ("tax_authority_code", "x"), ("buyer_id_number", "079123456789")):
        setattr(invoice, column, value)
        with pytest.raises(ImmutableRecord, match="cannot be changed"):
            session.flush()
        session.rollback()
    invoice.lines.append(InvoiceLine(position=2, name="Thêm", quantity=1, unit_price=1, vat_rate="10",
                                     amount=1))
    with pytest.raises(ImmutableRecord, match="no line can be added"):
        session.flush()
    session.rollback()
    invoice.lines[0].amount = Decimal(5)
    with pytest.raises(ImmutableRecord, match="lines of an issued invoice"):
        session.flush()
    session.rollback()
    session.delete(invoice.lines[0])
    with pytest.raises(ImmutableRecord, match="lines of an issued invoice"):
        session.flush()
    session.rollback()
    # What may change: the provider's PDF once, delivery, and the status forward.
    invoice.pdf, invoice.emailed_at = b"%PDF-1.4 provider", utcnow()
    session.commit()
    invoice.pdf = b"%PDF-1.4 other"
    with pytest.raises(ImmutableRecord):
        session.commit()
    session.rollback()
    invoice.status = InvoiceStatus.REPLACED
    session.commit()
    invoice.status = InvoiceStatus.ISSUED
    with pytest.raises(ImmutableRecord, match="never reopened"):
        session.commit()
    session.rollback()
    session.expire_all()
    assert (session.get(Invoice, invoice.id).status, int(session.get(Invoice, invoice.id).total)) == \
        (InvoiceStatus.REPLACED, 110000)


RAW_REFUSED = [
    "UPDATE invoice SET status = 'draft' WHERE id = :i",
    "UPDATE invoice SET status = 'pending' WHERE id = :i",
    "UPDATE invoice SET total = 1 WHERE id = :i",
    "UPDATE invoice SET buyer_tax_code = '0100109106' WHERE id = :i",
    "UPDATE invoice SET buyer_company = 'Khác' WHERE id = :i",
    "UPDATE invoice SET vat_breakdown = '[]' WHERE id = :i",
    "UPDATE invoice SET amount_in_words = 'x' WHERE id = :i",
    "UPDATE invoice SET tax_authority_code = 'x' WHERE id = :i",
    "UPDATE invoice SET lookup_code = NULL WHERE id = :i",
    "UPDATE invoice SET buyer_id_number = '079123456789' WHERE id = :i",
    "UPDATE invoice SET number = 99 WHERE id = :i",
    "UPDATE invoice SET issued_at = NULL WHERE id = :i",
    "DELETE FROM invoice WHERE id = :i",
    "UPDATE invoice_line SET amount = 1 WHERE invoice_id = :i",
    "UPDATE invoice_line SET name = 'Khác' WHERE invoice_id = :i",
    "DELETE FROM invoice_line WHERE invoice_id = :i",
    "INSERT INTO invoice_line (invoice_id, position, name, unit, quantity, unit_price, discount, vat_rate,"
    " amount, vat_amount, is_decrease, created_at, updated_at) VALUES (:i, 2, 'Thêm', 'Cái', 1, 1, 0, '10',"
    " 1, 0, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
]


def _refused(session, statement, invoice_id):
    with pytest.raises(sa.exc.DatabaseError) as caught:
        session.execute(sa.text(statement), {"i": invoice_id})
    session.rollback()
    return str(caught.value)


def test_raw_sql_cannot_reopen_edit_or_delete_an_issued_invoice_or_its_lines(session):
    acc = _account(session)
    invoice = _invoice(session, acc)
    for statement in RAW_REFUSED:
        message = _refused(session, statement, invoice.id)
        assert "issued invoice" in message, statement
    # Reopening and editing in one statement is refused as well.
    assert "issued invoice" in _refused(session, "UPDATE invoice SET status = 'draft', total = 1 WHERE id = :i",
                                        invoice.id)
    # What may change.
    session.execute(sa.text("UPDATE invoice SET pdf = :p, emailed_at = CURRENT_TIMESTAMP, error_message = 'x'"
                            " WHERE id = :i"), {"i": invoice.id, "p": b"%PDF-1.4"})
    session.commit()
    assert "cannot be changed" in _refused(session, "UPDATE invoice SET pdf = NULL WHERE id = :i", invoice.id)
    session.execute(sa.text("UPDATE invoice SET status = 'adjusted' WHERE id = :i"), {"i": invoice.id})
    session.commit()
    for statement in ("UPDATE invoice SET status = 'issued' WHERE id = :i",
                      "UPDATE invoice SET status = 'replaced' WHERE id = :i"):
        assert "never reopened" in _refused(session, statement, invoice.id)
    session.expire_all()
    row = session.get(Invoice, invoice.id)
    assert (row.status, int(row.total), row.buyer_company, len(row.lines), int(row.lines[0].amount)) == \
        (InvoiceStatus.ADJUSTED, 110000, "Công ty Cổ phần FPT", 1, 100000)


def test_drafts_stay_editable(session):
    acc = _account(session)
    draft = _invoice(session, acc, status=InvoiceStatus.DRAFT, key="k-draft")
    session.execute(sa.text("UPDATE invoice SET total = 5, buyer_company = 'Mới' WHERE id = :i"), {"i": draft.id})
    session.execute(sa.text("UPDATE invoice_line SET amount = 5 WHERE invoice_id = :i"), {"i": draft.id})
    session.execute(sa.text("DELETE FROM invoice WHERE id = :i"), {"i": draft.id})
    session.commit()
    assert session.scalar(sa.select(sa.func.count(InvoiceLine.id))) == 0


def test_a_series_with_invoices_keeps_its_text(session):
    acc = _account(session)
    series = session.scalar(sa.select(InvoiceSeries))
    series.series = SERIES[:4] + "BB"           # nothing issued yet: a typo may be fixed
    session.commit()
    series.series = SERIES
    session.commit()
    _invoice(session, acc)
    series.series = SERIES[:4] + "BB"
    with pytest.raises(DomainError, match="already has invoices"):
        session.commit()
    session.rollback()
    session.delete(series)
    with pytest.raises(DomainError, match="cannot be deleted"):
        session.commit()
    session.rollback()
    for statement in ("UPDATE invoice_series SET series = 'C26TZZ' WHERE id = :i",
                      "UPDATE invoice_series SET template = '2' WHERE id = :i",
                      "DELETE FROM invoice_series WHERE id = :i"):
        with pytest.raises(sa.exc.DatabaseError, match="keeps its template and series"):
            session.execute(sa.text(statement), {"i": series.id})
        session.rollback()
    series.active = False                      # retiring it is fine
    session.commit()
    assert session.get(InvoiceSeries, series.id).series == SERIES


def test_the_guard_holds_when_the_old_status_was_never_loaded(engine):
    """After a commit the session forgets every value; setting the status then must still be checked
    against what the database holds."""
    from app.services.session_rules import session_factory
    with session_factory(bind=engine)() as session:          # expire_on_commit, as the web app's session
        invoice = _invoice(session, _account(session))
        session.commit()
        invoice.status = InvoiceStatus.DRAFT
        with pytest.raises(ImmutableRecord, match="never reopened"):
            session.flush()
        session.rollback()
        session.expire_all()
        invoice.number = 7
        with pytest.raises(ImmutableRecord, match="cannot be changed"):
            session.flush()

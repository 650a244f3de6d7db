"""An invoice the provider issued is a legal document: it is always recorded. A number is unique per
seller tax code, template and series; a provider that issues one OrderHub already records (the
account re-pointed at a provider whose register starts again, a second account of the same seller)
gets its invoice stored all the same and flagged for a person — never lost, never issued twice.
Against the S-Invoice and MISA sandboxes over loopback HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from app.models import Invoice, InvoiceStatus, Order
from app.services.invoice_issuing import issue_and_deliver, issue_for_order
from app.services.invoice_mail import MailSettings
from app.services.invoicing import create_invoice_draft, prefill_from_order
from tests.support.einvoice import (DEMOS, SERIES, account, business_order, fresh, issue_at_once,  # noqa: F401
                                   mail, provider_calls, reset, sandbox)

SELLER = DEMOS["sinvoice"]["seller"]["tax_code"]


@pytest.fixture(autouse=True)
def _fresh_sandboxes(fresh):
    pass


def _second_account_of_the_same_seller(session, sandbox):
    """The seller's MISA account: its own register, numbering 1C..TAA from 1 again."""
    other = account(session, "misa", sandbox, default=False, name="MISA of the same seller")
    other.settings = {**other.settings, "seller": {**other.settings["seller"], "tax_code": SELLER}}
    session.commit()
    return other


def _issue_through(session, acc, mail) -> Invoice:
    order = business_order(session)
    draft = create_invoice_draft(session, order.id, prefill_from_order(session, order.id, account_id=acc.id))
    return issue_and_deliver(session, draft.id, mail)


def test_a_provider_whose_register_starts_again_has_its_invoice_recorded_and_flagged(session, sandbox, mail):
    account(session, "sinvoice", sandbox)
    first = issue_for_order(session, business_order(session).id, mail)
    assert (first.seller_tax_code, first.series, first.number) == (SELLER, SERIES, 1)
    reset(sandbox)  # the account now reaches a provider that numbers from 1 again
    order = business_order(session)
    second = issue_for_order(session, order.id, mail)
    assert second.status == InvoiceStatus.ISSUED and second.number == 1
    assert second.number_clash_of_id == first.id and second.needs_checking
    assert first.number_clash_of_id is None
    flagged = session.get(Order, order.id)
    assert "already records for seller 0318123451" in flagged.needs_attention
    assert f"#{first.id}" in flagged.needs_attention
    # Run again (a retried job): nothing is sent to the provider, nothing changes.
    creates = [c for c in provider_calls(sandbox, "sinvoice") if c[0] == "create"]
    assert issue_for_order(session, order.id, mail).id == second.id
    assert issue_and_deliver(session, second.id, mail).number_clash_of_id == first.id
    assert [c for c in provider_calls(sandbox, "sinvoice") if c[0] == "create"] == creates
    assert session.scalar(sa.select(sa.func.count(Invoice.id))) == 2


def test_two_accounts_of_one_seller_with_overlapping_numbers(session, sandbox, mail):
    sinvoice = account(session, "sinvoice", sandbox)
    misa = _second_account_of_the_same_seller(session, sandbox)
    first = _issue_through(session, sinvoice, mail)
    second = _issue_through(session, misa, mail)
    assert (first.number, second.number) == (1, 1) and second.status == InvoiceStatus.ISSUED
    assert second.seller_tax_code == first.seller_tax_code == SELLER
    assert second.number_clash_of_id == first.id
    third = _issue_through(session, misa, mail)  # 2 is free for this seller: no flag
    assert third.number == 2 and third.number_clash_of_id is None


def test_the_database_holds_one_unflagged_invoice_per_number(session, sandbox, mail):
    account(session, "sinvoice", sandbox)
    first = issue_for_order(session, business_order(session).id, mail)
    reset(sandbox)
    second = issue_for_order(session, business_order(session).id, mail)
    table = Invoice.__table__
    with pytest.raises(sa.exc.IntegrityError):  # the flag is what lets the second one exist
        with session.get_bind().connect() as conn:
            with conn.begin():
                conn.execute(sa.update(table).where(table.c.id == second.id)
                             .values(number_clash_of_id=None))
    assert session.scalar(sa.select(Invoice.number_clash_of_id).where(Invoice.id == second.id)) == first.id


@pytest.mark.postgres
def test_two_accounts_issuing_the_same_number_at_once_are_both_recorded(pg_session_factory, sandbox, tmp_path):
    setup = pg_session_factory()
    accounts = [account(setup, "sinvoice", sandbox).id, _second_account_of_the_same_seller(setup, sandbox).id]
    drafts = []
    for account_id in accounts:
        order = business_order(setup)
        drafts.append(create_invoice_draft(setup, order.id, prefill_from_order(setup, order.id,
                                                                            account_id=account_id)).id)
    setup.close()
    for provider in ("sinvoice", "misa"):  # both requests are "signing" at the same time
        httpx.post(f"{sandbox}/sandbox/{provider}/_control/config", json={"processing_delay": 0.5})
    outbox = MailSettings(outbox=str(tmp_path))
    assert issue_at_once(pg_session_factory, drafts, lambda s, i: issue_and_deliver(s, i, outbox)) == []
    check = pg_session_factory()
    rows = check.execute(sa.select(Invoice.id, Invoice.status, Invoice.number, Invoice.number_clash_of_id)
                         .order_by(Invoice.id)).all()
    check.close()
    assert [(r.status, r.number) for r in rows] == [(InvoiceStatus.ISSUED, 1)] * 2
    assert sorted(r.number_clash_of_id is None for r in rows) == [False, True]

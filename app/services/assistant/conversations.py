"""The assistant's use cases over the database (no Flask): a shopper's message answered
(``answer``), a staff member's reply (``staff_reply``), taking over and releasing a conversation.

One turn is one unit of work: the shopper's message, the reply, the draft and, on a confirmed
sale, the order are written together or not at all (the caller commits once).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import (Channel, ChatChannel, ChatMessage, Conversation, DraftState, MessageDirection,
                        Order, OrderLine, Platform, ProductVariant, SaleDraft, StockLevel, Warehouse)
from app.models.base import utcnow
from app.services import addresses
from app.services.assistant.dialogue import Dialogue, Turn, _t, money, sale_from
from app.services.assistant.shopdata import DatabaseShop
from app.services.errors import N_, DomainError, ValidationError
from app.services.order_entry import find_or_create_customer
from app.services.order_fields import main_warehouse_id
from app.services.phones import normalize_phone
from app.services.pricing import compute_order_totals

MAX_TEXT = 2000
ASSISTANT_CHANNEL = "Assistant"
CONVERSATION_ID = re.compile(r"^c-[0-9a-f]{8,32}$")


class BadInput(ValidationError):
    """A malformed request to the assistant: a bad request, naming the field."""

    http_status = 400


@dataclass
class Settings:
    flat_fee: int | None = 30000
    free_from: int | None = None
    pause_minutes: int = 30


def read_request(body) -> tuple[str | None, str, str]:
    """``{"conversation", "text", "channel"}`` checked (SPEC §11)."""
    if not isinstance(body, dict):
        raise BadInput("body", N_("Send a JSON object with \"text\" (and optionally "
                                  "\"conversation\" and \"channel\")."))
    unknown = sorted(set(body) - {"conversation", "text", "channel"})
    if unknown:
        raise BadInput(unknown[0], N_("Unknown field: send only conversation, text and channel."))
    conversation = body.get("conversation")
    if conversation is not None and (not isinstance(conversation, str)
                                     or not CONVERSATION_ID.match(conversation)):
        raise BadInput("conversation", N_("A conversation is the id an earlier answer gave "
                                          "(\"c-…\"), or null to start a new one."))
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadInput("text", N_("Required: the shopper's message, as text."))
    if len(text) > MAX_TEXT:
        raise BadInput("text", N_("A message is at most %(max)s characters."), max=MAX_TEXT)
    channel = body.get("channel") or "web"
    if channel not in {c.value for c in ChatChannel}:
        raise BadInput("channel", N_("The channel is one of web, messenger or zalo."))
    return conversation, text, channel


def _conversation(session: Session, public_id: str | None, channel: str) -> Conversation:
    if public_id is None:
        conv = Conversation(public_id="c-" + secrets.token_hex(8), channel=ChatChannel(channel),
                            state={}, handed_over=False, failed_clarifications=0)
        session.add(conv)
        session.flush()
        return conv
    conv = session.scalars(sa.select(Conversation).where(Conversation.public_id == public_id)
                           .with_for_update()).first()
    if conv is None:
        raise BadInput("conversation", N_("There is no conversation %(value)s: send null to start "
                                          "a new one."), value=public_id)
    return conv


def answer(session: Session, *, conversation: str | None, text: str, channel: str = "web",
           settings: Settings | None = None, now: dt.datetime | None = None) -> tuple[Conversation, dict]:
    """The shopper's message answered: (the conversation, the test console's answer)."""
    started = time.perf_counter()
    settings = settings or Settings()
    now = now or utcnow()
    conv = _conversation(session, conversation, channel)
    conv.last_message_at = now
    quiet = conv.handed_over or (conv.paused_until is not None and conv.paused_until > now)
    shop = DatabaseShop(session, flat_fee=settings.flat_fee, free_from=settings.free_from)
    dialogue = Dialogue(shop, conv.state or {}, customer_id=conv.customer_id)
    turn = dialogue.reply(text)
    if quiet:  # staff have the conversation: the shopper's message waits for them
        turn.replies = []
        turn.handover = True
        turn.place_order = False
    if turn.place_order:
        _place_order(session, conv, dialogue, turn)
    if turn.handover:
        conv.handed_over = True
    conv.failed_clarifications = int(dialogue.state.get("failures") or 0)
    _save_draft(session, conv, dialogue, turn)
    conv.state = json.loads(json.dumps(dialogue.state))  # a new value: JSON columns see no mutation
    latency = int((time.perf_counter() - started) * 1000)
    got = turn.understanding
    session.add(ChatMessage(conversation=conv, direction=MessageDirection.IN, text=text,
                            intent=turn.intent, entities=turn.entities, variants=turn.variants,
                            latency_ms=latency))
    for line in turn.replies:
        session.add(ChatMessage(conversation=conv, direction=MessageDirection.OUT, text=line,
                                intent=turn.intent, latency_ms=latency))
    out = turn.as_dict()
    out["conversation"] = conv.public_id
    out["facts"].pop("_said", None)
    if got is not None:
        out["why"] = {"keywords": got.classification.matched, "language": got.language,
                      "secondary": got.secondary}
    return conv, out


def _save_draft(session: Session, conv: Conversation, dialogue: Dialogue, turn: Turn) -> None:
    if turn.draft is None:
        return
    draft_id = dialogue.state.get("draft_id")
    with session.no_autoflush:
        draft = session.get(SaleDraft, draft_id) if draft_id else None
    if draft is None or draft.state in (DraftState.CONFIRMED, DraftState.ABANDONED) and \
            turn.draft["state"] not in ("confirmed", "abandoned"):
        draft = SaleDraft(conversation=conv, lines=[])
        session.add(draft)
    d = turn.draft
    draft.lines = d["lines"]
    draft.name, draft.phone, draft.address = d["name"], d["phone"], (d["address"] or None) and d["address"][:500]
    draft.shipping_fee = d["shipping_fee"]
    draft.total = d["total"]
    draft.state = DraftState(d["state"])
    if turn.order_number and getattr(turn, "_order", None) is not None:
        draft.order = turn._order
    session.flush()
    dialogue.state["draft_id"] = draft.id


def assistant_channel(session: Session) -> Channel:
    channel = session.scalars(sa.select(Channel).where(Channel.name == ASSISTANT_CHANNEL)).first()
    if channel is None:
        channel = Channel(name=ASSISTANT_CHANNEL, platform=Platform.WEBSITE, sync_orders=False,
                          sync_stock=False, active=True)
        session.add(channel)
        session.flush()
    return channel


def _warehouse_for(session: Session, variant_ids: list[int]) -> int | None:
    """The active warehouse that can sell most of the lines now, else the main one."""
    row = session.execute(
        sa.select(StockLevel.warehouse_id, sa.func.sum(StockLevel.on_hand - StockLevel.reserved))
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(Warehouse.active, StockLevel.variant_id.in_(variant_ids))
        .group_by(StockLevel.warehouse_id).order_by(sa.desc(sa.func.sum(
            StockLevel.on_hand - StockLevel.reserved)), StockLevel.warehouse_id).limit(1)).first()
    return row[0] if row else main_warehouse_id(session)


def split_address(text: str) -> dict:
    """A typed address as the order's fields: kept whole as the street (as the shopper wrote it),
    with the ward and province resolved from its last parts when the divisions know them."""
    parts = [p.strip() for p in re.split(r"[,\n]", text) if p.strip()]
    fields = {"ship_street": text.strip()[:255]}
    if len(parts) >= 3:
        found, problem = addresses.for_import(text, parts[-3] if len(parts) >= 4 else parts[-2],
                                              parts[-2] if len(parts) >= 4 else None, parts[-1])
        if problem is None:
            fields.update({k: v for k, v in found.items() if k != "ship_street"})
            return fields
        fields.update({"ship_ward": parts[-3] if len(parts) >= 4 else parts[-2],
                       "ship_district": parts[-2] if len(parts) >= 4 else None,
                       "ship_province": parts[-1]})
        return fields | {"_problem": problem}
    return fields | {"_problem": "The address could not be matched to a ward and province."}


def _place_order(session: Session, conv: Conversation, dialogue: Dialogue, turn: Turn) -> None:
    """The confirmed draft becomes an order (channel Assistant, state new; stock is reserved when
    staff confirm it, as for every order). Refused lines leave the draft awaiting."""
    sale = dialogue.state.get("sale") or {}
    lines_in = dialogue.priced(sale_from(dialogue.state))
    skus = [ln["sku"] for ln in lines_in]
    variants = {v.sku: v for v in session.scalars(sa.select(ProductVariant).where(ProductVariant.sku.in_(skus)))}
    try:
        phone = normalize_phone(sale.get("phone"), "phone")
        lines = []
        for ln in lines_in:
            v = variants[ln["sku"]]
            lines.append(OrderLine(variant_id=v.id, sku=v.sku, name=v.label[:255], quantity=ln["quantity"],
                                   unit_price=Decimal(ln["unit_price"]), discount=Decimal(0),
                                   vat_rate=v.product.vat_rate, reserved_quantity=0, shipped_quantity=0,
                                   returned_quantity=0))
        if not lines:
            raise ValidationError("lines", N_("Add at least one line."))
    except (ValidationError, KeyError) as exc:
        reason = exc.message if isinstance(exc, DomainError) else str(exc)
        sale_state = dialogue.state["sale"]
        sale_state["state"] = "awaiting_confirmation"
        turn.replies.append(_t("place_failed", _lang(turn), reason=reason))
        if turn.draft:
            turn.draft["state"] = "awaiting_confirmation"
        return
    address = split_address(sale.get("address") or "")
    problem = address.pop("_problem", None)
    customer = find_or_create_customer(session, name=sale.get("name") or "", phone=phone,
                                       address={k[5:]: v for k, v in address.items()})
    channel = assistant_channel(session)
    order = Order(channel_id=channel.id, customer=customer, buyer_name=(sale.get("name") or "")[:255],
                  buyer_phone=phone, warehouse_id=_warehouse_for(session, [v.id for v in variants.values()]),
                  payment_method="cod", shipping_fee=Decimal(turn.facts.get("shipping_fee") or 0),
                  placed_at=utcnow(), lines=lines, notes=f"Assistant conversation {conv.public_id}",
                  needs_attention=addresses.attention(None, problem), **address)
    compute_order_totals(order)
    session.add(order)
    session.flush()
    conv.customer_id = customer.id
    turn.order_number = order.number
    turn._order = order
    turn.facts["order_number"] = order.number
    turn.facts["total"] = int(order.total or 0)  # what the order says, which the summary showed
    turn.replies.append(_t("placed", _lang(turn), number=order.number,
                           total=money(turn.facts["total"], _lang(turn))))
    if turn.draft:
        turn.draft["state"] = "confirmed"


def _lang(turn: Turn) -> str:
    return turn.understanding.language if turn.understanding else "vi"


def staff_reply(session: Session, conversation: Conversation, text: str, *, minutes: int = 30,
                now: dt.datetime | None = None) -> ChatMessage:
    """A person of the shop writes: the assistant keeps quiet for ``minutes`` (restarted by each
    staff message)."""
    if not text or not text.strip():
        raise ValidationError("text", N_("Required: it cannot be empty or only spaces."))
    now = now or utcnow()
    conversation.paused_until = now + dt.timedelta(minutes=minutes)
    conversation.last_message_at = now
    message = ChatMessage(conversation=conversation, direction=MessageDirection.STAFF, text=text.strip())
    session.add(message)
    return message


def take_over(conversation: Conversation) -> None:
    conversation.handed_over = True


def release(conversation: Conversation) -> None:
    """The assistant answers again."""
    conversation.handed_over = False
    conversation.paused_until = None
    state = dict(conversation.state or {})
    state["failures"] = 0
    state.pop("handover", None)
    conversation.state = state
    conversation.failed_clarifications = 0


def expire_drafts(session: Session, *, older_than: dt.timedelta = dt.timedelta(hours=24),
                  now: dt.datetime | None = None) -> int:
    """Sales left collecting or awaiting confirmation for ``older_than`` are abandoned (the
    conversation starts afresh next time). Returns how many."""
    cutoff = (now or utcnow()) - older_than
    drafts = session.scalars(sa.select(SaleDraft).where(
        SaleDraft.state.in_([DraftState.COLLECTING, DraftState.AWAITING_CONFIRMATION]),
        SaleDraft.updated_at < cutoff)).all()
    for draft in drafts:
        draft.state = DraftState.ABANDONED
        conv = draft.conversation
        state = json.loads(json.dumps(conv.state or {}))
        if state.get("draft_id") == draft.id and state.get("sale"):
            state["sale"]["state"] = "abandoned"
            conv.state = state
    return len(drafts)

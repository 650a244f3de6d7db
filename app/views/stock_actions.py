"""A supervisor's stock corrections from a stock level: adjust on hand up or down with a reason (or
write off damaged goods), and transfer free stock to another warehouse. Each writes its ledger
moves through one service; a refusal (e.g. not enough free stock) is flashed naming the figure."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.models import StockLevel, Warehouse
from app.services import ledger
from app.services.errors import N_
from app.services.ledger import MoveReference
from app.views.form_input import parse_or_flash, run_form_service, whole_number

ADJUSTMENT, WRITE_OFF = "adjustment", "damage"


def _one(items):
    return items[0] if isinstance(items, list) else items


class StockLevelActions:
    """Mixed into StockLevelView (whose own permissions are read-only: stock changes only here)."""

    permission_aliases = {"adjust_form": "adjust", "transfer_form": "transfer"}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The view declares base_permissions = ["can_read"]; its form pages need their grants too.
        for name in ("can_adjust", "can_transfer"):
            if name not in self.base_permissions:
                self.base_permissions.append(name)

    def _level(self, pk):
        level = self.get_scoped(pk)
        if level is None:
            flash(gettext("No such stock level."), "danger")
        return level

    def _back(self, pk):
        return redirect(url_for("StockLevelView.show", pk=pk))

    @action("adjust", "Adjust / write off", "", "fa-sliders", multiple=False)
    def adjust(self, items):
        return redirect(url_for("StockLevelView.adjust_form", pk=_one(items).id))

    @action("transfer", "Transfer", "", "fa-exchange", multiple=False)
    def transfer(self, items):
        return redirect(url_for("StockLevelView.transfer_form", pk=_one(items).id))

    @expose("/adjust/<int:pk>", methods=["GET", "POST"])
    @has_access
    def adjust_form(self, pk):
        level = self._level(pk)
        if level is None:
            return redirect(url_for("StockLevelView.list"))
        if request.method == "POST":
            f = request.form
            quantity = parse_or_flash(whole_number, f.get("quantity"), "quantity")
            reason = (f.get("reason") or "").strip()
            kind = f.get("kind") or ADJUSTMENT
            if quantity is None:
                if not (f.get("quantity") or "").strip():
                    flash(gettext("quantity: enter the units to add (+) or remove (−)."), "danger")
            elif kind == WRITE_OFF:
                move = run_form_service(ledger.record_damage, db.session, level.variant_id,
                                        level.warehouse_id, quantity, reason=reason,
                                        reference=MoveReference("write_off", None,
                                                                "Damage write-off"))
                if move is not None:
                    flash(gettext("%(quantity)s unit(s) written off; on hand is now "
                                  "%(balance_after)s.", quantity=quantity,
                                  balance_after=move.balance_after), "success")
                    return self._back(pk)
            else:
                move = run_form_service(ledger.record_adjustment, db.session, level.variant_id,
                                        level.warehouse_id, quantity, reason=reason)
                if move is not None:
                    flash(gettext("Stock adjusted by %(quantity)s; on hand is now "
                                  "%(balance_after)s.", quantity=f"{quantity:+d}",
                                  balance_after=move.balance_after), "success")
                    return self._back(pk)
            level = self.get_scoped(pk)
        return self.render_template("orderhub/stock_adjust.html", level=level, form=request.form,
                                    kinds=[(ADJUSTMENT, N_("Adjustment (+ or −)")),
                                           (WRITE_OFF, N_("Damage write-off"))])

    @expose("/transfer/<int:pk>", methods=["GET", "POST"])
    @has_access
    def transfer_form(self, pk):
        level = self._level(pk)
        if level is None:
            return redirect(url_for("StockLevelView.list"))
        if request.method == "POST":
            f = request.form
            quantity = parse_or_flash(whole_number, f.get("quantity"), "quantity")
            destination = parse_or_flash(whole_number, f.get("to_warehouse_id"), "to_warehouse_id")
            if destination is None and not (f.get("to_warehouse_id") or "").strip():
                flash(gettext("to_warehouse_id: choose the warehouse the goods go to."), "danger")
            elif quantity is None and not (f.get("quantity") or "").strip():
                flash(gettext("quantity: enter the units to transfer."), "danger")
            elif quantity is not None and destination is not None:
                moves = run_form_service(ledger.transfer_stock, db.session, level.variant_id,
                                         level.warehouse_id, destination, quantity,
                                         note=(f.get("note") or "").strip() or None)
                if moves is not None:
                    out, into = moves
                    flash(gettext("%(quantity)s unit(s) transferred: %(left)s left here, "
                                  "%(destination)s now in the destination.", quantity=quantity,
                                  left=out.balance_after, destination=into.balance_after),
                          "success")
                    return self._back(pk)
            level = self.get_scoped(pk)
        destinations = db.session.scalars(
            sa.select(Warehouse).where(Warehouse.active, Warehouse.id != level.warehouse_id)
            .order_by(Warehouse.code)).all()
        return self.render_template("orderhub/stock_transfer.html", level=level,
                                    destinations=destinations, form=request.form)

"""Stock count (kiểm kê) pages: create a count for a warehouse (all variants, a category or a SKU
prefix), print the count sheet, enter the counted figures in one keyboard-friendly form, finish,
post (a supervisor; the variances are shown) or cancel. Each step calls one service."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _, lazy_gettext

from app.extensions import db
from app.security import scope as warehouse_scope
from app.models import Category, StockCount, StockCountStatus, Warehouse
from app.pdf import PdfRenderError
from app.services import stock_counts
from app.views.form_input import parse_or_flash, run_form_service, whole_number
from app.web.formatting import enum_label


def _one(items):
    return items[0] if isinstance(items, list) else items


def _counted_from_form(form, lines) -> dict[int, int]:
    """variant id → counted units, for the lines whose box is filled in."""
    counted = {}
    for line in lines:
        qty = whole_number(form.get(f"c_{line.variant_id}"), f"{line.variant.sku} counted")
        if qty is not None:
            counted[line.variant_id] = qty
    return counted


class StockCountActions:
    """Mixed into StockCountView."""

    permission_aliases = {"enter_form": "enter_counts"}

    def _back(self, count_id):
        return redirect(url_for("StockCountView.show", pk=count_id))

    def _count_or_list(self, pk):
        count = self.get_scoped(pk)
        if count is None:
            flash(_("No such stock count."), "danger")
        return count

    # --- create: replaces the generic add form (a count needs its lines and snapshot) ---------
    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        warehouses = db.session.scalars(warehouse_scope.restrict(
            sa.select(Warehouse).where(Warehouse.active).order_by(Warehouse.code), Warehouse)).all()
        categories = db.session.scalars(sa.select(Category).order_by(Category.name)).all()
        if request.method == "POST":
            f = request.form
            warehouse_id = parse_or_flash(whole_number, f.get("warehouse_id"), "warehouse_id")
            category_id = parse_or_flash(whole_number, f.get("category_id"), "category_id")
            scope = f.get("scope") or "all"
            prefix = (f.get("sku_prefix") or "").strip() or None
            if warehouse_id is None or warehouse_id not in {w.id for w in warehouses}:
                flash(_("warehouse_id: choose the warehouse to count."), "danger")
            else:
                count = run_form_service(
                    stock_counts.create_stock_count, db.session, warehouse_id,
                    category_id=category_id if scope == "category" else None,
                    sku_prefix=prefix if scope == "sku_prefix" else None,
                    note=(f.get("note") or "").strip() or None)
                if count:
                    flash(_("%(number)s created with %(count)s line(s): print the count sheet, "
                            "count, then enter the figures.", number=count.number,
                            count=len(count.lines)), "success")
                    return self._back(count.id)
        return self.render_template("orderhub/stock_count_create.html", warehouses=warehouses,
                                    categories=categories, form=request.form)

    # --- counting ---------------------------------------------------------------------------
    @action("enter_counts", "Enter counts", "", "fa-pencil-square-o", multiple=False)
    def enter_counts(self, items):
        return redirect(url_for("StockCountView.enter_form", pk=_one(items).id))

    @expose("/enter/<int:pk>", methods=["GET", "POST"])
    @has_access
    def enter_form(self, pk):
        count = self._count_or_list(pk)
        if count is None:
            return redirect(url_for("StockCountView.list"))
        lines = sorted(count.lines, key=lambda ln: ln.variant.sku)
        if request.method == "POST":
            counted = parse_or_flash(_counted_from_form, request.form, lines)
            if counted is not None and run_form_service(
                    stock_counts.enter_counts, db.session, pk, counted,
                    version=whole_number(request.form.get("version"), "version")) is not None:
                missing = sum(1 for ln in self.get_scoped(pk).lines
                              if ln.counted_quantity is None)
                if missing:
                    message = _("%(count)s count(s) saved; %(missing)s line(s) not counted yet.",
                                count=len(counted), missing=missing)
                else:
                    message = _("%(count)s count(s) saved: every line is counted, the count can "
                                "be finished.", count=len(counted))
                flash(message, "success")
                return self._back(pk)
            count = self.get_scoped(pk)
        elif count.status != StockCountStatus.DRAFT:
            flash(_("Cannot enter counts on this stock count: it is %(status)s.",
                    status=enum_label(count.status)), "warning")
        return self.render_template("orderhub/stock_count_enter.html", count=count, lines=lines,
                                    form=request.form)

    @action("finish_count", "Finish count", "Every line counted: finish this count?",
            "fa-check", multiple=False)
    def finish_count(self, items):
        count = _one(items)
        run_form_service(stock_counts.finish_count, db.session, count.id,
                         success=_("%(number)s counted: a supervisor can now post it.",
                                   number=count.number))
        return self._back(count.id)

    @action("post_count", "Post count", "Post this count? On hand becomes the counted figures.",
            "fa-gavel", multiple=False)
    def post_count(self, items):
        count = _one(items)
        variances = run_form_service(stock_counts.post_stock_count, db.session, count.id)
        if variances is None:
            return self._back(count.id)
        count = db.session.get(StockCount, count.id)
        changed = [v for v in variances if v.variance or v.posted]
        flash(_("%(number)s posted: %(changed)s of %(count)s line(s) differed.",
                number=count.number, changed=len(changed), count=len(variances)), "success")
        return self.render_template("orderhub/count_variances.html", count=count,
                                    variances=variances, changed=changed)

    @action("cancel", "Cancel", "Cancel this stock count?", "fa-ban", multiple=False)
    def cancel(self, items):
        count = _one(items)
        run_form_service(stock_counts.cancel_stock_count, db.session, count.id,
                         success=_("%(number)s cancelled.", number=count.number))
        return self._back(count.id)

    # --- the printable sheet ----------------------------------------------------------------
    @action("count_sheet", lazy_gettext("Print count sheet"), "", "fa-print", multiple=False)
    def print_count_sheet(self, items):
        return redirect(url_for("StockCountView.count_sheet", pk=_one(items).id))

    @action("blind_count_sheet", lazy_gettext("Print blind count sheet"), "", "fa-eye-slash",
            multiple=False)
    def print_blind_count_sheet(self, items):
        return redirect(url_for("StockCountView.count_sheet", pk=_one(items).id, blind=1))

    @expose("/count_sheet/<int:pk>")
    @has_access
    def count_sheet(self, pk):
        count = self._count_or_list(pk)
        if count is None:
            return redirect(url_for("StockCountView.list"))
        try:
            pdf = stock_counts.render_count_sheet(count, blind=request.args.get("blind") == "1")
        except PdfRenderError as exc:
            flash(_("The count sheet could not be printed: %(error)s.", error=exc), "danger")
            return self._back(pk)
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f"inline; filename={count.number}.pdf"})

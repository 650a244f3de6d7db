"""Product media pages: upload images and videos to a product, put them in order, remove them,
and serve them to signed-in users who may read products (thumbnails in lists, the full file)."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.models import Product, ProductMedia
from app.services.catalog import media as media_service
from app.services.errors import DomainError
from app.web.i18n import error_text
from app.web.media import media_limits, media_src, send_media, storage


class ProductMediaPages:
    """Mixed into the product media view (permission resource "ProductMedia")."""

    permission_aliases = {"file": "read", "thumb": "read", "upload": "write",
                          "move": "write", "remove": "delete"}

    def _back(self, product_id: int):
        target = request.form.get("next") or ""
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("ProductView.show", pk=product_id)
        return redirect(target)

    @expose("/file/<int:pk>")
    @has_access
    def file(self, pk):
        return send_media(self.get_scoped(pk), thumb=False)

    @expose("/thumb/<int:pk>")
    @has_access
    def thumb(self, pk):
        return send_media(self.get_scoped(pk), thumb=True)

    @expose("/upload/<int:pk>", methods=["POST"])
    @has_access
    def upload(self, pk):
        """Add the uploaded files (images and videos) to product ``pk``, last in its order."""
        product = db.session.get(Product, pk)
        if product is None:
            flash(gettext("This product no longer exists."), "danger")
            return redirect(url_for("ProductView.list"))
        files = [f for f in request.files.getlist("files") if f and f.filename]
        if not files:
            flash(gettext("Choose one or more images or videos to upload."), "warning")
            return self._back(pk)
        added, limits = 0, media_limits()
        for sent in files:
            try:
                media_service.add_media(db.session, storage(), product, sent.filename,
                                        sent.read(), limits)
                db.session.commit()
                added += 1
            except DomainError as exc:
                db.session.rollback()
                flash(error_text(exc), "danger")
        if added:
            flash(gettext("Files added: %(num)s.", num=added), "success")
        return self._back(pk)

    @expose("/move/<int:pk>", methods=["POST"])
    @has_access
    def move(self, pk):
        """Move medium ``pk`` one place earlier (direction=up) or later."""
        media = self.get_scoped(pk)
        offset = -1 if request.form.get("direction") == "up" else 1
        product_id = media.product_id
        try:
            media_service.move_media(db.session, media.id, offset)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(error_text(exc), "danger")
        return self._back(product_id)

    @expose("/remove/<int:pk>", methods=["POST"])
    @has_access
    def remove(self, pk):
        media = self.get_scoped(pk)
        product_id = media.product_id
        try:
            keys = media_service.remove_media(db.session, media.id)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(error_text(exc), "danger")
            return self._back(product_id)
        for key in keys:  # once the row is gone for good
            storage().delete(key)
        flash(gettext("The file was removed."), "success")
        return self._back(product_id)


def media_panel_context(product: Product | None) -> dict:
    """What the product page's media panel shows, and which of its buttons the user may press."""
    if product is None or product.id is None:
        return {"media_items": [], "media_product": None}
    items = db.session.query(ProductMedia).filter(ProductMedia.product_id == product.id) \
        .order_by(ProductMedia.position, ProductMedia.id).all()
    sm = current_app.appbuilder.sm
    return {"media_items": items, "media_product": product, "media_src": media_src,
            "media_can_write": sm.has_access("can_write", "ProductMedia"),
            "media_can_delete": sm.has_access("can_delete", "ProductMedia")}

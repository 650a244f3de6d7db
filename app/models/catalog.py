"""Catalogue: categories, brands, products, their media and variants."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, Money, StrEnum, TimestampMixin, VersionedMixin, enum_column
from app.models.search import needs_trigrams, search_column, trigram_index



class VatRate(StrEnum):
    ZERO = "0"
    FIVE = "5"
    EIGHT = "8"
    TEN = "10"
    EXEMPT = "KCT"      # không chịu thuế
    NOT_DECLARED = "KKKNT"  # không kê khai, tính nộp thuế


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class Category(TimestampMixin, Model):
    __tablename__ = "category"
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id", ondelete="RESTRICT"))
    parent = relationship("Category", remote_side="Category.id", backref="children")
    __table_args__ = (sa.UniqueConstraint("parent_id", "name", name="uq_category_parent_name"),)

    @property
    def path(self) -> str:
        names, node, seen = [], self, set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))

    def __str__(self) -> str:
        return self.name


class Brand(TimestampMixin, Model):
    __tablename__ = "brand"
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False, unique=True)

    def __str__(self) -> str:
        return self.name


class Product(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "product"
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    sku: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id", ondelete="RESTRICT"),
                                                    index=True)
    brand_id: Mapped[int | None] = mapped_column(sa.ForeignKey("brand.id", ondelete="RESTRICT"),
                                                 index=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    specifications: Mapped[str | None] = mapped_column(sa.Text)
    vat_rate: Mapped[VatRate] = mapped_column(enum_column(VatRate, "ck_product_vat_rate"),
                                              nullable=False, default=VatRate.TEN)
    cost_price: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    selling_price: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    attribute_1: Mapped[str | None] = mapped_column(sa.String(40))  # e.g. "Màu sắc / Color"
    attribute_2: Mapped[str | None] = mapped_column(sa.String(40))
    attribute_3: Mapped[str | None] = mapped_column(sa.String(40))
    # Other names shoppers use for it, "; "-separated (SPEC §12 ``aliases``): search and the
    # sales assistant read them.
    aliases: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    search_text: Mapped[str] = search_column()

    category = relationship("Category")
    brand = relationship("Brand")
    variants = relationship("ProductVariant", back_populates="product", order_by="ProductVariant.id",
                            cascade="all, delete-orphan")
    media = relationship("ProductMedia", back_populates="product", order_by="ProductMedia.position",
                         cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("cost_price >= 0", name="ck_product_cost_nonneg"),
        sa.CheckConstraint("selling_price >= 0", name="ck_product_price_nonneg"),
        trigram_index("product"),
    )

    @property
    def attribute_names(self) -> list[str]:
        """The variant attributes' names in order (e.g. ["Màu", "Size"]), blanks left out."""
        return [a for a in (self.attribute_1, self.attribute_2, self.attribute_3) if a]

    @property
    def cover(self) -> "ProductMedia | None":
        """The first image among the product's media (what stands for it in lists)."""
        return next((m for m in self.media if m.kind == MediaKind.IMAGE), None)

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in (self.aliases or "").split(";") if a.strip()]

    @property
    def profit(self) -> Decimal:
        """Selling price minus cost ("original") price, per unit, before VAT."""
        return Decimal(self.selling_price or 0) - Decimal(self.cost_price or 0)

    @property
    def margin(self) -> str:
        """Profit as a share of the selling price, e.g. "32.5 %"; "–" when there is no price."""
        price = Decimal(self.selling_price or 0)
        if price <= 0:
            return "–"
        return f"{(self.profit * 100 / price).quantize(Decimal('0.1'))} %"

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"


needs_trigrams(Product.__table__)


class ProductMedia(TimestampMixin, Model):
    __tablename__ = "product_media"
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    kind: Mapped[MediaKind] = mapped_column(enum_column(MediaKind, "ck_media_kind"), nullable=False,
                                            default=MediaKind.IMAGE)
    url: Mapped[str | None] = mapped_column(sa.String(1000))
    file: Mapped[str | None] = mapped_column(sa.String(255))  # the key in the media storage
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # An uploaded file: its type as read from its content, size, name on the uploader's disk, and
    # the key of its thumbnail (images only).
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    byte_size: Mapped[int | None] = mapped_column(sa.Integer)
    original_name: Mapped[str | None] = mapped_column(sa.String(255))
    thumbnail: Mapped[str | None] = mapped_column(sa.String(255))
    product = relationship("Product", back_populates="media")
    __table_args__ = (sa.CheckConstraint("url IS NOT NULL OR file IS NOT NULL",
                                         name="ck_media_url_or_file"),
                      sa.CheckConstraint("byte_size IS NULL OR byte_size >= 0",
                                         name="ck_media_size_nonneg"))

    @property
    def preview(self) -> "ProductMedia":
        """Itself, for a list column that draws its thumbnail."""
        return self

    def __str__(self) -> str:
        return self.original_name or self.url or self.file or ""


class ProductVariant(TimestampMixin, VersionedMixin, Model):
    """What is stocked and sold. Its SKU is the join key with every channel."""

    __tablename__ = "product_variant"
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    sku: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    value_1: Mapped[str | None] = mapped_column(sa.String(60))
    value_2: Mapped[str | None] = mapped_column(sa.String(60))
    value_3: Mapped[str | None] = mapped_column(sa.String(60))
    cost_price: Mapped[Decimal | None] = mapped_column(Money)
    selling_price: Mapped[Decimal | None] = mapped_column(Money)
    barcode: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    weight_g: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    length_cm: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    width_cm: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    height_cm: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    preferred_supplier_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("supplier.id", ondelete="SET NULL"))
    reorder_point: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    search_text: Mapped[str] = search_column()

    product = relationship("Product", back_populates="variants")
    preferred_supplier = relationship("Supplier")
    stock_levels = relationship("StockLevel", back_populates="variant")

    __table_args__ = (
        sa.CheckConstraint("weight_g >= 0 AND length_cm >= 0 AND width_cm >= 0 AND height_cm >= 0",
                           name="ck_variant_size_nonneg"),
        sa.CheckConstraint("cost_price IS NULL OR cost_price >= 0", name="ck_variant_cost_nonneg"),
        sa.CheckConstraint("selling_price IS NULL OR selling_price >= 0",
                           name="ck_variant_price_nonneg"),
        sa.CheckConstraint("reorder_point >= 0", name="ck_variant_reorder_nonneg"),
        trigram_index("product_variant"),
    )

    @property
    def values(self) -> list[str | None]:
        return [self.value_1, self.value_2, self.value_3]

    @property
    def price(self) -> Decimal:
        """The variant's own selling price, or the product's."""
        if self.selling_price is not None:
            return Decimal(self.selling_price)
        return Decimal(self.product.selling_price if self.product else 0)

    @property
    def cost(self) -> Decimal:
        if self.cost_price is not None:
            return Decimal(self.cost_price)
        return Decimal(self.product.cost_price if self.product else 0)

    @property
    def label(self) -> str:
        values = " / ".join(v for v in (self.value_1, self.value_2, self.value_3) if v)
        base = self.name or (self.product.name if self.product else "")
        return f"{base} ({values})" if values else base

    def __str__(self) -> str:
        return f"{self.sku} — {self.label}"


needs_trigrams(ProductVariant.__table__)

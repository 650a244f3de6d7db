"""The demo shop's goods and buyers, shared by the three marketplace sandboxes.

A seller lists the same goods on Shopee, Lazada and TikTok Shop, so the three sandboxes stock the
same catalogue (each under its own ids). ``CATALOGUE`` is the fixed part, identical whatever the
seed: the demo loader creates these SKUs in OrderHub so imported orders match. The rest of the
shop (up to ``products``) is generated deterministically from the seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

SIZES = [("S", "S", 0), ("M", "M", 0), ("L", "L", 0), ("XL", "XL", 10000)]
WAIST = [("29", "29", 0), ("30", "30", 0), ("31", "31", 0), ("32", "32", 0)]
SHOES = [("39", "39", 0), ("40", "40", 0), ("41", "41", 0), ("42", "42", 0)]
FREE = [("FREE", "Freesize", 0)]

# code, name, base price (VND), variation axis, options (code, label, extra price)
_CORE = [
    ("AO-THUN-TRANG", "Áo thun cotton trắng", 149000, "Size", SIZES),
    ("AO-THUN-DEN", "Áo thun cotton đen", 149000, "Size", SIZES),
    ("AO-SOMI-OXFORD-XANH", "Áo sơ mi oxford xanh nhạt", 289000, "Size", SIZES[:3]),
    ("QUAN-JEAN-XANH", "Quần jean ống đứng xanh", 399000, "Size", WAIST),
    ("VAY-HOA-NHI", "Váy hoa nhí dáng xòe", 259000, "Size", SIZES[:3]),
    ("DEP-LE-DEN", "Dép lê quai ngang đen", 89000, "Size", SHOES),
    ("MU-LUOI-TRAI", "Mũ lưỡi trai kaki", 119000, "Màu",
     [("DEN", "Đen", 0), ("BE", "Be", 0), ("XANH", "Xanh rêu", 0)]),
    ("TUI-TOTE-CANVAS", "Túi tote vải canvas", 129000, "Màu", [("TRANG", "Trắng", 0), ("DEN", "Đen", 0)]),
    ("BINH-GIU-NHIET-500", "Bình giữ nhiệt inox 500ml", 199000, "Màu",
     [("TRANG", "Trắng", 0), ("HONG", "Hồng", 0), ("XANH", "Xanh dương", 0)]),
    ("CA-PHE-RANG-XAY", "Cà phê rang xay Buôn Ma Thuột", 165000, "Khối lượng",
     [("250G", "250g", 0), ("500G", "500g", 150000)]),
    ("OP-LUNG-IP15", "Ốp lưng iPhone 15 silicon", 79000, "Màu",
     [("DEN", "Đen", 0), ("TIM", "Tím", 0)]),
    ("KHAU-TRANG-VAI", "Khẩu trang vải kháng khuẩn", 25000, "Màu",
     [("DEN", "Đen", 0), ("XAM", "Xám", 0)]),
]

_TYPES = [
    ("AO-THUN", "Áo thun", 139000, "Size", SIZES), ("AO-POLO", "Áo polo", 219000, "Size", SIZES),
    ("AO-KHOAC", "Áo khoác gió", 349000, "Size", SIZES), ("QUAN-SHORT", "Quần short", 159000, "Size", SIZES),
    ("QUAN-TAY", "Quần tây", 329000, "Size", WAIST), ("CHAN-VAY", "Chân váy", 199000, "Size", SIZES[:3]),
    ("DAM-MAXI", "Đầm maxi", 389000, "Size", SIZES[:3]), ("GIAY-THE-THAO", "Giày thể thao", 459000, "Size", SHOES),
    ("KHAN-CHOANG", "Khăn choàng", 99000, "Kích cỡ", FREE), ("VI-DA", "Ví da", 189000, "Kích cỡ", FREE),
]
_STYLES = [("BASIC", "basic"), ("OVERSIZE", "oversize"), ("LINEN", "linen"), ("KAKI", "kaki"),
           ("UNISEX", "unisex"), ("CONG-SO", "công sở")]
_COLOURS = [("TRANG", "trắng"), ("DEN", "đen"), ("XAM", "xám"), ("BE", "be"), ("NAVY", "xanh navy"),
            ("HONG", "hồng pastel"), ("NAU", "nâu")]


@dataclass
class CatalogueVariant:
    sku: str
    option: str
    price: int  # VND
    stock: int


@dataclass
class CatalogueProduct:
    code: str
    name: str
    axis: str
    variants: list[CatalogueVariant] = field(default_factory=list)


def _variants(code: str, price: int, options, rng: random.Random) -> list[CatalogueVariant]:
    return [CatalogueVariant(sku=f"{code}-{opt}" if opt != "FREE" else code, option=label,
                             price=price + extra, stock=rng.randint(5, 120))
            for opt, label, extra in options]


CATALOGUE: list[tuple[str, str, int]] = [
    (f"{code}-{opt}", f"{name} - {label}", price + extra)
    for code, name, price, _axis, options in _CORE for opt, label, extra in options]
"""Fixed (sku, name, price VND) rows present in every sandbox, whatever the seed."""


def build_products(seed: int = 1, count: int = 60) -> list[CatalogueProduct]:
    """The demo shop: the fixed ``CATALOGUE`` products, then seeded ones up to ``count``."""
    rng = random.Random(seed)
    products = [CatalogueProduct(code, name, axis, _variants(code, price, options, rng))
                for code, name, price, axis, options in _CORE]
    seen = {p.code for p in products}
    while len(products) < count:
        tcode, tname, price, axis, options = rng.choice(_TYPES)
        scode, sname = rng.choice(_STYLES)
        ccode, cname = rng.choice(_COLOURS)
        code = f"{tcode}-{scode}-{ccode}"
        if code in seen:
            continue
        seen.add(code)
        price += rng.choice((0, 10000, 20000, 30000, 50000))
        products.append(CatalogueProduct(code, f"{tname} {sname} {cname}", axis,
                                         _variants(code, price, options, rng)))
    return products[:max(count, 0)] if count < len(_CORE) else products


_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
_MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Đức", "Thu", "Hoài"]
_GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hương", "Khoa", "Lan", "Linh", "Mai", "Nam",
          "Phương", "Quân", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]
_STREETS = ["Nguyễn Huệ", "Lê Lợi", "Trần Hưng Đạo", "Hai Bà Trưng", "Điện Biên Phủ", "Cách Mạng Tháng 8",
            "Nguyễn Trãi", "Lý Thường Kiệt", "Phan Đình Phùng", "Võ Văn Tần"]
_PLACES = [
    # Buyers' saved addresses from before the 2025 reorganisation (province, district, ward), as
    # marketplaces still send many of them; each converts to exactly one ward today.
    ("TP. Hồ Chí Minh", "Quận 1", ["Phường Bến Nghé", "Phường Bến Thành"]),
    ("TP. Hồ Chí Minh", "Quận Bình Thạnh", ["Phường 25", "Phường 26"]),
    ("TP. Hồ Chí Minh", "TP. Thủ Đức", ["Phường Linh Trung", "Phường Thảo Điền"]),
    ("Hà Nội", "Quận Cầu Giấy", ["Phường Nghĩa Đô"]),
    ("Hà Nội", "Quận Hoàn Kiếm", ["Phường Hàng Bạc"]),
    ("Đà Nẵng", "Quận Hải Châu", ["Phường Thạch Thang", "Phường Hòa Cường Bắc"]),
    ("Cần Thơ", "Quận Ninh Kiều", ["Phường An Hòa", "Phường Xuân Khánh"]),
    ("Hải Phòng", "Quận Lê Chân", ["Phường An Biên"]),
    # Today's two-level addresses (no district).
    ("Thành phố Hồ Chí Minh", "", ["Phường Sài Gòn", "Phường Tân Định", "Phường Bình Thạnh"]),
    ("Thành phố Hà Nội", "", ["Phường Cầu Giấy", "Phường Ba Đình", "Phường Thanh Xuân"]),
    ("Thành phố Đà Nẵng", "", ["Phường Hải Châu"]),
]


# Vietnamese mobile prefixes in use since the 2018 renumbering (Viettel, Vinaphone, MobiFone,
# Vietnamobile): a buyer's number always starts with one of them.
_MOBILE_PREFIXES = ["032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "070",
                    "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088",
                    "090", "091", "093", "094", "096", "097", "098"]


def random_buyer(rng: random.Random) -> dict:
    """A plausible Vietnamese buyer and delivery address."""
    province, district, wards = rng.choice(_PLACES)
    return {
        "name": f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}",
        "phone": rng.choice(_MOBILE_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(7)),
        "street": f"{rng.randint(1, 299)} {rng.choice(_STREETS)}",
        "ward": rng.choice(wards), "district": district, "province": province,
    }

"""The dev set's shop: a fashion and home-goods catalogue in SPEC §12's import format.

``tests/assistant/devset/catalogue.csv`` is written from ``PRODUCTS`` by ``python -m
tests.assistant.shop`` and committed (the dev set is frozen against it; the catalogue importer loads
it as any seller's file). ``big_catalogue_rows(5000)`` adds generated products around it for the
bench: the same kinds of goods under other line names ("Áo thun tay lỡ Sora"), so the dev set's
products must still be told apart among a thousand. The generated names never reuse the words that
set a dev-set product apart (its style words), or the ground truth would change.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

from app.services.search_text import fold

HERE = Path(__file__).parent
CSV_PATH = HERE / "devset" / "catalogue.csv"
COLUMNS = ["product_sku", "product_name", "category", "brand", "description", "vat_rate", "attribute1_name",
           "attribute1_value", "attribute2_name", "attribute2_value", "attribute3_name", "attribute3_value",
           "variant_sku", "cost_price", "selling_price", "weight_g", "length_cm", "width_cm", "height_cm",
           "barcode", "warehouse_code", "opening_stock", "aliases"]
LETTERS = ["S", "M", "L", "XL"]

# sku, name, category, brand, aliases, price, weight g, attributes [(name, [values])], price by value
PRODUCTS = [
    ("AT-BASIC", "Áo thun basic cổ tròn", "Áo thun", "Mộc Studio", "áo phông basic; áo thun trơn; basic tee", 199000, 220,
     [("Màu", ["Trắng", "Đen", "Xám", "Be", "Xanh navy"]), ("Size", LETTERS + ["2XL"])]),
    ("AT-OVS", "Áo thun oversize in chữ", "Áo thun", "Saigon Tee", "áo phông form rộng; oversize tee", 249000, 260,
     [("Màu", ["Trắng", "Đen", "Kem"]), ("Size", ["M", "L", "XL"])]),
    ("POLO-CS", "Áo polo nam cá sấu", "Áo polo", "Mộc Studio", "áo thun có cổ; polo shirt", 289000, 280,
     [("Màu", ["Trắng", "Đen", "Xanh rêu", "Đỏ đô"]), ("Size", LETTERS + ["2XL"])]),
    ("SM-OXF", "Áo sơ mi Oxford tay dài", "Áo sơ mi", "Mộc Studio", "sơ mi oxford; oxford shirt", 359000, 300,
     [("Màu", ["Trắng", "Xanh nhạt", "Hồng"]), ("Size", LETTERS)]),
    ("SM-LUA", "Áo sơ mi lụa nữ cổ V", "Áo sơ mi", "Hana", "áo lụa công sở; silk blouse", 329000, 180,
     [("Màu", ["Trắng", "Đen", "Hồng pastel"]), ("Size", ["S", "M", "L"])]),
    ("AK-GIO", "Áo khoác gió hai lớp", "Áo khoác", "Saigon Tee", "áo gió; windbreaker", 459000, 450,
     [("Màu", ["Đen", "Xanh navy", "Be"]), ("Size", ["M", "L", "XL", "2XL"])]),
    ("AK-JEAN", "Áo khoác jean unisex", "Áo khoác", "Denim Lab", "áo khoác bò; denim jacket", 499000, 700,
     [("Màu", ["Xanh nhạt", "Xanh đậm"]), ("Size", LETTERS)]),
    ("HOODIE", "Áo hoodie nỉ bông", "Áo nỉ", "Saigon Tee", "áo nỉ có mũ; hoodie", 389000, 550,
     [("Màu", ["Đen", "Xám", "Kem", "Hồng"]), ("Size", ["M", "L", "XL"])]),
    ("CARDI", "Áo cardigan len mỏng", "Áo len", "Hana", "áo len cardigan; cardigan", 299000, 300,
     [("Màu", ["Be", "Nâu", "Trắng"]), ("Size", ["S", "M", "L"])]),
    ("AO-UV", "Áo chống nắng nữ UV", "Áo khoác", "Hana", "áo khoác chống nắng; áo chống tia UV; sun jacket", 189000, 200,
     [("Màu", ["Trắng", "Hồng", "Xanh mint", "Đen"])]),
    ("AT-KID", "Áo thun trẻ em in hình", "Đồ trẻ em", "Bé Xinh", "áo thun cho bé; áo phông trẻ con; kids tee", 129000, 120,
     [("Màu", ["Vàng", "Xanh dương", "Hồng"]), ("Size", ["2-3 tuổi", "4-5 tuổi", "6-7 tuổi"])]),
    ("QJ-SKINNY", "Quần jean nữ skinny", "Quần jean", "Denim Lab", "quần bò nữ ôm; skinny jeans", 399000, 500,
     [("Màu", ["Xanh nhạt", "Xanh đậm", "Đen"]), ("Size", ["26", "27", "28", "29", "30"])]),
    ("QJ-ONGRONG", "Quần jean ống rộng", "Quần jean", "Denim Lab", "quần bò ống suông; quần jean suông; wide leg jeans", 429000, 550,
     [("Màu", ["Xanh nhạt", "Đen"]), ("Size", ["26", "27", "28", "29", "30"])]),
    ("QJ-NAM", "Quần jean nam slim fit", "Quần jean", "Denim Lab", "quần bò nam; men's slim jeans", 449000, 600,
     [("Màu", ["Xanh đậm", "Đen", "Xám"]), ("Size", ["29", "30", "31", "32", "34"])]),
    ("KAKI", "Quần kaki nam ống đứng", "Quần kaki", "Mộc Studio", "quần khaki; chinos", 349000, 450,
     [("Màu", ["Be", "Đen", "Xanh rêu"]), ("Size", ["29", "30", "31", "32", "34"])]),
    ("QTAY", "Quần tây nữ công sở", "Quần tây", "Hana", "quần âu nữ; office trousers", 319000, 350,
     [("Màu", ["Đen", "Xám", "Be"]), ("Size", LETTERS)]),
    ("SHORT-TT", "Quần short thể thao", "Quần short", "ProFit", "quần đùi thể thao; sport shorts", 159000, 180,
     [("Màu", ["Đen", "Xám", "Xanh navy"]), ("Size", ["M", "L", "XL"])]),
    ("JOGGER", "Quần jogger nỉ", "Quần nỉ", "ProFit", "quần nỉ bo gấu; jogger pants", 279000, 400,
     [("Màu", ["Đen", "Xám"]), ("Size", ["M", "L", "XL"])]),
    ("LEGGING", "Quần legging nữ cạp cao", "Quần thể thao", "ProFit", "legging; quần tập gym nữ", 179000, 200,
     [("Màu", ["Đen", "Xám"]), ("Size", ["S", "M", "L"])]),
    ("VAY-HOA", "Váy hoa nhí dáng xòe", "Váy", "Hana", "đầm hoa nhí; váy xòe hoa; floral dress", 379000, 300,
     [("Màu", ["Vàng", "Xanh mint", "Hồng"]), ("Size", ["S", "M", "L"])]),
    ("DAM-LINEN", "Đầm suông linen", "Đầm", "Hana", "váy suông linen; linen dress", 429000, 320,
     [("Màu", ["Trắng", "Be", "Xanh rêu"]), ("Size", ["S", "M", "L"])]),
    ("CHANVAY", "Chân váy chữ A", "Chân váy", "Hana", "chân váy xòe ngắn; a-line skirt", 229000, 220,
     [("Màu", ["Đen", "Be", "Nâu"]), ("Size", ["S", "M", "L"])]),
    ("DAM-DH", "Đầm dạ hội đuôi cá", "Đầm", "Hana", "váy dạ hội; evening gown", 890000, 600,
     [("Màu", ["Đỏ", "Đen"]), ("Size", ["S", "M", "L"])]),
    ("PIJAMA", "Bộ đồ ngủ lụa", "Đồ ngủ", "Hana", "pijama lụa; đồ bộ mặc nhà; silk pajamas", 349000, 300,
     [("Màu", ["Hồng", "Xanh navy", "Trắng"]), ("Size", ["S", "M", "L"])]),
    ("AO-MUA", "Áo mưa bộ cao cấp", "Áo mưa", "Rando", "bộ áo mưa; raincoat", 259000, 500,
     [("Màu", ["Xanh navy", "Đen"]), ("Size", ["M", "L", "XL"])]),
    ("SNEAKER", "Giày sneaker trắng basic", "Giày", "Bước Chân", "giày thể thao trắng; white sneakers", 559000, 800,
     [("Màu", ["Trắng"]), ("Size", [str(n) for n in range(36, 44)])]),
    ("GIAY-CHAY", "Giày chạy bộ AirRun", "Giày", "ProFit", "giày chạy; running shoes", 890000, 700,
     [("Màu", ["Đen", "Xám", "Xanh dương"]), ("Size", [str(n) for n in range(38, 45)])]),
    ("BOOT", "Giày boot cổ ngắn", "Giày", "Bước Chân", "boot nữ; chelsea boots", 790000, 900,
     [("Màu", ["Đen", "Nâu"]), ("Size", [str(n) for n in range(35, 40)])]),
    ("SANDAL", "Sandal nữ quai mảnh", "Dép & Sandal", "Bước Chân", "dép quai hậu nữ; strappy sandals", 259000, 400,
     [("Màu", ["Đen", "Be"]), ("Size", [str(n) for n in range(35, 40)])]),
    ("DEP-QN", "Dép quai ngang cao su", "Dép & Sandal", "Bước Chân", "dép lê; slides", 99000, 300,
     [("Màu", ["Đen", "Trắng", "Xanh navy"]), ("Size", [str(n) for n in range(36, 45)])]),
    ("TOTE", "Túi tote canvas", "Túi xách", "Mộc Studio", "túi vải; tote bag", 149000, 250,
     [("Màu", ["Kem", "Đen"])]),
    ("BALO", "Balo laptop chống nước", "Balo", "Rando", "ba lô; backpack; balo đi học", 459000, 800,
     [("Màu", ["Đen", "Xám"])]),
    ("VI-DA", "Ví da nam gấp đôi", "Ví", "Rando", "bóp da nam; leather wallet", 259000, 150,
     [("Màu", ["Đen", "Nâu"])]),
    ("MU-LT", "Mũ lưỡi trai thêu chữ", "Mũ nón", "Saigon Tee", "nón kết; cap", 129000, 120,
     [("Màu", ["Đen", "Trắng", "Be", "Xanh navy"])]),
    ("BELT", "Thắt lưng da bò", "Phụ kiện", "Rando", "dây nịt da; belt", 299000, 300,
     [("Màu", ["Đen", "Nâu"]), ("Chiều dài", ["100cm", "110cm", "120cm"])]),
    ("KHAN-LEN", "Khăn choàng len", "Phụ kiện", "Hana", "khăn quàng cổ; scarf", 189000, 200,
     [("Màu", ["Đỏ", "Xám", "Kem"])]),
    ("TAT", "Tất cổ cao cotton set 5 đôi", "Phụ kiện", "ProFit", "vớ; socks", 99000, 150,
     [("Màu", ["Trắng", "Đen", "Nhiều màu"])]),
    ("KINH", "Kính mát thời trang", "Phụ kiện", "Rando", "kính râm; sunglasses", 199000, 100,
     [("Màu", ["Đen", "Nâu"])]),
    ("BINH-500", "Bình giữ nhiệt inox 500ml", "Bình & Ly", "HanaHome", "bình nước giữ nhiệt 500ml; thermos 500ml", 259000, 350,
     [("Màu", ["Đen", "Trắng", "Hồng", "Xanh mint"])]),
    ("BINH-1L", "Bình giữ nhiệt 1 lít có quai", "Bình & Ly", "HanaHome", "bình giữ nhiệt 1l; thermos 1l", 349000, 500,
     [("Màu", ["Đen", "Xám"])]),
    ("LY-SU", "Ly sứ có nắp", "Bình & Ly", "HanaHome", "cốc sứ; mug", 89000, 350,
     [("Màu", ["Trắng", "Xanh ngọc"])]),
    ("HOP-COM", "Hộp cơm giữ nhiệt 3 tầng", "Hộp đựng thực phẩm", "HanaHome", "cặp lồng cơm; lunch box", 199000, 700,
     [("Màu", ["Xanh mint", "Hồng", "Xám"])]),
    ("NOI-CHIEN", "Nồi chiên không dầu 5L", "Đồ gia dụng", "Kitchy", "nồi chiên; air fryer", 1290000, 4500,
     [("Màu", ["Đen", "Trắng"])]),
    ("CHAO", "Chảo chống dính đáy từ", "Nhà bếp", "Kitchy", "chảo từ; non-stick pan", 219000, 900,
     [("Kích thước", ["20cm", "24cm", "28cm"])], {"20cm": 219000, "24cm": 269000, "28cm": 329000}),
    ("BO-NOI", "Bộ nồi inox 3 món", "Nhà bếp", "Kitchy", "bộ nồi; cookware set", 690000, 3000, []),
    ("BO-DAO", "Bộ dao kéo nhà bếp 6 món", "Nhà bếp", "Kitchy", "bộ dao; knife set", 399000, 1200, []),
    ("THOT", "Thớt gỗ me tây", "Nhà bếp", "Kitchy", "thớt gỗ; cutting board", 129000, 1500,
     [("Kích thước", ["Nhỏ", "Vừa", "Lớn"])], {"Nhỏ": 129000, "Vừa": 169000, "Lớn": 219000}),
    ("GOI-CSN", "Gối ngủ cao su non", "Chăn ga gối", "Êm Home", "gối cao su non; memory foam pillow", 299000, 1000, []),
    ("GA-COTTON", "Bộ ga gối cotton", "Chăn ga gối", "Êm Home", "drap giường; bộ chăn ga; bedding set", 590000, 2000,
     [("Màu", ["Trắng", "Xám", "Xanh navy"]), ("Kích thước", ["1m6 x 2m", "1m8 x 2m"])], {"1m6 x 2m": 590000, "1m8 x 2m": 650000}),
    ("CHAN-LC", "Chăn lông cừu", "Chăn ga gối", "Êm Home", "mền lông cừu; blanket", 790000, 2500,
     [("Màu", ["Kem", "Xám"])]),
    ("DEN-NGU", "Đèn ngủ để bàn gỗ", "Đèn", "Êm Home", "đèn bàn; bedside lamp", 259000, 800, []),
    ("MOC-AO", "Móc treo quần áo bộ 10 cái", "Đồ gia dụng", "HanaHome", "móc áo; hangers", 59000, 400,
     [("Màu", ["Trắng", "Đen"])]),
    ("GIO-GIAT", "Giỏ đựng đồ giặt có nắp", "Đồ gia dụng", "HanaHome", "sọt đựng quần áo; laundry basket", 179000, 900,
     [("Màu", ["Be", "Xám"])]),
    ("THAM", "Thảm lau chân chống trượt", "Trang trí nhà", "Êm Home", "thảm chùi chân; door mat", 89000, 600,
     [("Màu", ["Xám", "Nâu"]), ("Kích thước", ["40x60cm", "50x80cm"])], {"40x60cm": 89000, "50x80cm": 129000}),
    ("NEN", "Nến thơm hũ thủy tinh", "Trang trí nhà", "Êm Home", "nến thơm; scented candle", 149000, 300,
     [("Mùi hương", ["Vanilla", "Lavender", "Gỗ đàn hương"])]),
    ("KHAN-TAM", "Khăn tắm cotton 70x140", "Phòng tắm", "Êm Home", "khăn tắm; bath towel", 129000, 400,
     [("Màu", ["Trắng", "Xám", "Hồng"])]),
]


def _code(value: str) -> str:
    return fold(value).upper().replace(" ", "")


def _stock(rng: random.Random) -> int:
    return 0 if rng.random() < 0.12 else rng.randint(1, 40)


def product_rows(spec, rng: random.Random, warehouse: str = "WH-HCM") -> list[dict]:
    sku, name, category, brand, aliases, price, weight, attributes, *rest = spec
    prices = rest[0] if rest else {}
    combos: list[list[tuple[str, str]]] = [[]]
    for attr, values in attributes:
        combos = [c + [(attr, v)] for c in combos for v in values]
    rows = []
    for combo in combos:
        row = {c: "" for c in COLUMNS}
        row.update(product_sku=sku, product_name=name, category=category, brand=brand,
                   description=f"{name} — {category.lower()} của {brand}.", vat_rate="10", aliases=aliases,
                   variant_sku="-".join([sku] + [_code(v) for _, v in combo]),
                   weight_g=str(weight), length_cm="30", width_cm="25", height_cm="5",
                   warehouse_code=warehouse, opening_stock=str(_stock(rng)))
        unit = next((prices[v] for _, v in combo if v in prices), price)
        row.update(selling_price=str(unit), cost_price=str(int(unit * 0.55) // 1000 * 1000))
        for n, (attr, value) in enumerate(combo, start=1):
            row[f"attribute{n}_name"], row[f"attribute{n}_value"] = attr, value
        rows.append(row)
    return rows


def shop_rows() -> list[dict]:
    rng = random.Random(18)
    return [row for spec in PRODUCTS for row in product_rows(spec, rng)]


def read_rows(path: Path = CSV_PATH) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(rows: list[dict], path: Path = CSV_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


# -- the bench's bigger shop -------------------------------------------------------------------
_KINDS = [
    ("Áo thun", "Áo thun", ["tay lỡ", "kẻ sọc", "cổ tim", "raglan", "thêu logo"], "letters"),
    ("Áo polo", "Áo polo", ["phối viền", "kẻ ngang", "dệt kim", "bo cổ"], "letters"),
    ("Áo sơ mi", "Áo sơ mi", ["kẻ caro", "cộc tay", "cổ tàu", "họa tiết"], "letters"),
    ("Áo khoác", "Áo khoác", ["dù", "bomber", "phao", "nhung"], "letters"),
    ("Quần short", "Quần short", ["đũi", "túi hộp", "lưng thun"], "letters"),
    ("Quần jean", "Quần jean", ["baggy", "mom", "lưng cao"], "numbers"),
    ("Váy", "Váy", ["babydoll", "maxi", "công chúa", "hai dây"], "letters"),
    ("Đầm", "Đầm", ["body", "xếp ly", "trễ vai"], "letters"),
    ("Giày", "Giày", ["lười", "búp bê", "slip on", "đế bằng"], "shoes"),
    ("Túi", "Túi xách", ["đeo chéo", "kẹp nách", "bucket", "mini"], None),
    ("Bình nước", "Bình & Ly", ["nhựa", "thể thao", "có ống hút"], None),
    ("Hộp đựng", "Hộp đựng thực phẩm", ["nhựa", "kín hơi"], None),
    ("Gối tựa", "Chăn ga gối", ["sofa", "lưng", "vuông"], None),
    ("Khăn mặt", "Phòng tắm", ["sợi tre", "microfiber"], None),
]
_LINES = ["Sora", "Mira", "Luna", "Kai", "Nami", "Rio", "Tara", "Yuki", "Zen", "Lumi", "Koa", "Aki", "Emi", "Noa",
          "Vera", "Nova", "Orin", "Pia", "Quin", "Ruby", "Sana", "Tomo", "Ula", "Vivi", "Wren", "Xia",
          "Yara", "Zola", "Bella", "Cora", "Dina", "Elio", "Faye", "Hugo", "Iris", "Juno", "Kira", "Lina", "Mona",
          "Nico", "Olga", "Pola", "Rina", "Suki", "Tina"]
_COLOURS = ["Trắng", "Đen", "Xám", "Be", "Xanh navy", "Đỏ", "Hồng", "Vàng", "Nâu", "Kem", "Xanh rêu", "Tím"]


def big_catalogue_rows(variants: int = 5000, seed: int = 7) -> list[dict]:
    """The dev-set shop plus generated products, about ``variants`` rows in all."""
    rows = shop_rows()
    rng = random.Random(seed)
    number = 0
    while len(rows) < variants:
        kind, category, styles, sizing = _KINDS[number % len(_KINDS)]
        style = styles[(number // len(_KINDS)) % len(styles)]
        line = _LINES[(number // (len(_KINDS) * 2)) % len(_LINES)]
        series = number // (len(_KINDS) * 2 * len(_LINES))
        name = f"{kind} {style} {line}" + (f" {series + 2}" if series else "")
        colours = rng.sample(_COLOURS, 2)
        attributes = [("Màu", colours)]
        if sizing == "letters":
            attributes.append(("Size", ["S", "M", "L"]))
        elif sizing == "numbers":
            attributes.append(("Size", ["28", "29", "30"]))
        elif sizing == "shoes":
            attributes.append(("Size", ["37", "38", "39"]))
        spec = (f"GEN{number:04d}", name, category, "Generic", "", rng.randrange(99, 900) * 1000, 300, attributes)
        rows.extend(product_rows(spec, rng))
        number += 1
    return rows[:variants] if len(rows) > variants else rows


if __name__ == "__main__":
    write_csv(shop_rows())
    print(f"wrote {CSV_PATH} ({len(shop_rows())} variants, {len(PRODUCTS)} products)")

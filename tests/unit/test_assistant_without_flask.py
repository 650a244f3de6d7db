"""The assistant's language modules run where Flask, Flask-AppBuilder and SQLAlchemy are absent:
a worker, the bench or a later service can import them alone."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_understanding_imports_and_runs_without_flask_or_sqlalchemy():
    script = textwrap.dedent(f"""
        import importlib.abc, sys, types
        BLOCKED = ("flask", "flask_appbuilder", "flask_sqlalchemy", "sqlalchemy", "werkzeug")

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError("blocked: " + name)

        sys.meta_path.insert(0, Block())
        for name, folder in (("app", "app"), ("app.services", "app/services")):
            package = types.ModuleType(name)   # the packages' own __init__ build the web app
            package.__path__ = [{str(ROOT)!r} + "/" + folder]
            sys.modules[name] = package
        from app.services.assistant.catalogue import Catalogue, Product, Variant
        from app.services.assistant.understanding import understand
        from app.services.search_text import fold
        shop = Catalogue([Product("AT", "Áo thun basic", [Variant("AT-TRANG-M", {{"Màu": "Trắng", "Size": "M"}}, 199000, 3)],
                                  attributes=("Màu", "Size"))])
        got = understand("ao thun basic trang size M con ko shop, sdt 0912345678", shop)
        assert (got.variants, got.entities.phone) == (["AT-TRANG-M"], "0912345678"), got.as_dict()
        assert fold("Bình giữ nhiệt") == "binh giu nhiet"
        from app.services.assistant.dialogue import Dialogue

        class Shop:
            catalogue = shop
            def size_chart(self, product): return []
            def category_size_chart(self, category): return []
            def policy(self, topic, language): return None
            def order(self, number): return None
            def shipping_fee(self, lines, address): return 25000

        turn = Dialogue(Shop()).reply("ao thun basic trang size M con ko")
        assert turn.facts["prices"] == {{"AT-TRANG-M": 199000}} and "199.000đ" in turn.replies[0], turn
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr

"""Write app/sandbox/area_book_2025.json: for every ward of today's divisions, the pre-2025
district most of it came from.

The carriers' sandboxes need it because GHN and Viettel Post still route (and price) by their old
district ids: each new ward sits, in a carrier's own master data, under the district it mostly came
from. The old → new table is ``vietnam-address-converter``'s; run this again after upgrading it or
``vietnam-provinces``:  .venv/bin/python bin/build_area_book.py
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vietnam_address_converter.data import DEFAULT_DATA  # noqa: E402

from app.services import divisions  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "app" / "sandbox" / "area_book_2025.json"


def main() -> None:
    votes: dict[int, Counter] = {}
    for row in DEFAULT_DATA["mapping"]["rows"]:
        province = divisions.find_province(row["new"]["province_name"])
        if province is None:
            continue
        ward = divisions.find_ward(province.code, row["new"]["ward_name"])
        if ward is not None:
            votes.setdefault(ward.code, Counter())[row["old"]["district_name"]] += 1
    book = {}
    for p in divisions.provinces():
        for w in divisions.wards_of(p.code):
            counted = votes.get(w.code)
            # A ward the table does not reach (a handful of islands) gets its own name as district.
            book[str(w.code)] = counted.most_common(1)[0][0] if counted else w.name
    OUT.write_text(json.dumps(book, ensure_ascii=False, sort_keys=True, indent=0) + "\n",
                   encoding="utf-8")
    print(f"{len(book)} wards, {sum(1 for c in book if int(c) in votes)} with their old district")


if __name__ == "__main__":
    main()

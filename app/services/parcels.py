"""The parcel a shipment form proposes for an order: weight and box size from its variants.

Weight is each variant's weight × quantity. The box: items are laid flat and stacked on their
smallest side (a pile of folded T-shirts), as long as the pile is no taller than the footprint is
long; past that a packer uses a fuller box, so the proposal becomes a box of the same volume
— as near a cube as the largest item allows. Every side is capped at the carriers' 200 cm.

A variant without a weight counts :data:`FALLBACK_WEIGHT_G` per unit; lines without dimensions
take the volume their weight is charged at anyway (the carriers' 5,000 cm³ per kg), so the
estimate never makes the parcel dearer than its weight. The form says when it estimated.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MAX_SIDE_CM = 200
FALLBACK_WEIGHT_G = 200
VOLUMETRIC_CM3_PER_G = 5      # GHN and Viettel Post: L × W × H / 5000 = kg
MIN_SIDES = (10, 10, 5)        # the smallest box carriers take without complaint


@dataclass(frozen=True)
class Parcel:
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    missing_weight: int = 0    # lines whose variant has no weight (estimated)
    missing_size: int = 0      # lines whose variant has no dimensions (estimated)

    def form_values(self) -> dict:
        return {"weight_g": self.weight_g, "length_cm": self.length_cm,
                "width_cm": self.width_cm, "height_cm": self.height_cm,
                "missing_weight": self.missing_weight, "missing_size": self.missing_size}


def _sides(variant) -> tuple[int, int, int] | None:
    sides = [getattr(variant, n, None) or 0 for n in ("height_cm", "width_cm", "length_cm")]
    if variant is None or any(float(s) <= 0 for s in sides):
        return None
    return tuple(sorted(float(s) for s in sides))  # smallest first


def parcel_for(lines) -> Parcel:
    """``lines``: objects with ``variant`` (weight_g, length_cm, width_cm, height_cm) and
    ``quantity``."""
    weight = 0
    volume = 0.0
    largest = [0.0, 0.0, 0.0]   # smallest, middle, longest side of any one item
    pile = 0.0                  # items stacked on their smallest side
    missing_weight = missing_size = 0
    for line in lines:
        qty = int(line.quantity or 0)
        if qty <= 0:
            continue
        variant = line.variant
        unit_g = int(getattr(variant, "weight_g", 0) or 0)
        if unit_g <= 0:
            unit_g, missing_weight = FALLBACK_WEIGHT_G, missing_weight + 1
        weight += unit_g * qty
        sides = _sides(variant)
        if sides is None:
            missing_size += 1
            volume += unit_g * qty * VOLUMETRIC_CM3_PER_G
            continue
        a, b, c = sides
        volume += a * b * c * qty
        pile += a * qty
        largest = [max(x, y) for x, y in zip(largest, (a, b, c))]
    if volume <= 0:
        return Parcel(max(weight, 1), *sorted(MIN_SIDES, reverse=True), missing_weight,
                      missing_size)
    short, middle, long_ = largest
    if pile and pile <= long_ and pile * middle * long_ >= volume:
        box = (long_, middle, pile)
    else:
        length = max(long_, math.ceil(volume ** (1 / 3)))
        width = max(middle, math.ceil(math.sqrt(volume / length)))
        box = (length, width, max(short, math.ceil(volume / (length * width))))
    sides = [min(MAX_SIDE_CM, max(floor, math.ceil(side)))
             for side, floor in zip(box, MIN_SIDES)]
    return Parcel(max(weight, 1), sides[0], sides[1], sides[2],
                  missing_weight, missing_size)

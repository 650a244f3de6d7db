"""The parcel a shipment form proposes, from the order's variants."""
from types import SimpleNamespace as NS

from app.services.parcels import parcel_for


def line(qty, weight_g=None, length=None, width=None, height=None):
    return NS(quantity=qty, variant=NS(weight_g=weight_g, length_cm=length, width_cm=width,
                                       height_cm=height))


def test_forty_folded_t_shirts_make_a_box_not_a_two_metre_tower():
    parcel = parcel_for([line(40, 200, 30, 25, 5)])
    assert parcel.weight_g == 8_000
    sides = (parcel.length_cm, parcel.width_cm, parcel.height_cm)
    assert max(sides) < 60                                  # it was 200 cm high
    assert parcel.length_cm * parcel.width_cm * parcel.height_cm >= 40 * 30 * 25 * 5
    assert parcel.missing_weight == parcel.missing_size == 0


def test_a_few_items_are_stacked_on_their_smallest_side():
    parcel = parcel_for([line(3, 200, 30, 25, 2), line(1, 300, 20, 15, 4)])
    assert (parcel.weight_g, parcel.length_cm, parcel.width_cm, parcel.height_cm) == \
        (900, 30, 25, 10)


def test_variants_without_weight_or_size_are_estimated_and_say_so():
    parcel = parcel_for([line(2), line(1, 500, 20, 10, 5)])
    assert parcel.weight_g == 2 * 200 + 500
    assert (parcel.missing_weight, parcel.missing_size) == (1, 1)
    # No dimensions at all: a box no dearer than the weight (5,000 cm³ a kg), never below 10×10×5.
    alone = parcel_for([line(1, 1000)])
    assert alone.length_cm * alone.width_cm * alone.height_cm <= 1000 * 5 * 1.3
    assert min(alone.length_cm, alone.width_cm) >= 10 and alone.height_cm >= 5


def test_every_side_stays_within_the_carriers_limit():
    parcel = parcel_for([line(1, 2000, 250, 20, 10), line(500, 100, 10, 10, 10)])
    assert max(parcel.length_cm, parcel.width_cm, parcel.height_cm) <= 200

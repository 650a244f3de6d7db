"""The marketplace sandboxes' buyers are people a carrier can reach."""
import random

from app.sandbox.catalogue import random_buyer
from app.services.phones import normalize_phone


def test_every_sandbox_buyer_has_a_valid_vietnamese_mobile_number():
    rng = random.Random(7)
    for _ in range(2000):
        buyer = random_buyer(rng)
        assert normalize_phone(buyer["phone"]) == buyer["phone"]

"""Demo records (filled in by the demo loader)."""


def load_demo_data(app) -> dict:
    return {}

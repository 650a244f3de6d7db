"""REST API: a ModelRestApi per resource (SPEC §8) and the action endpoints."""
from __future__ import annotations


def register_apis(appbuilder) -> None:
    from app.api.resources import build_api_classes

    from app.api.provider_accounts import ProviderAccountApi

    for api_class in build_api_classes():
        appbuilder.add_api(api_class)
    appbuilder.add_api(ProviderAccountApi)
    from app.api.catalog import CatalogApi
    appbuilder.add_api(CatalogApi)
    from app.api.assistant import AssistantApi
    appbuilder.add_api(AssistantApi)

"""Shipping views: shipments with their tracking timeline, COD reconciliation statements."""
from app.models import CodReconciliation, CodReconciliationLine, Shipment, TrackingEvent
from app.views.base import OrderHubModelView
from app.views.interface import OrderHubInterface
from app.views.shipping_actions import CodReconciliationActions, ShipmentViewActions
from app.services.errors import N_
from app.web.formatting import enum_label, format_status_reading

# Where a tracking event came from (TrackingEvent.source), for the catalogues.
SOURCES = (N_("webhook"), N_("poll"), N_("seller"), N_("booking"), N_("cancel"))


class TrackingEventView(OrderHubModelView):
    datamodel = OrderHubInterface(TrackingEvent, eager=("shipment",))
    class_permission_name = "TrackingEvent"
    list_title = "Tracking timeline"
    list_columns = ["shipment", "event_time", "status_reading", "description", "location",
                    "source"]
    search_columns = ["status", "carrier_status", "event_time"]
    label_columns = {"status_reading": "Status"}
    formatters_columns = {"status_reading": format_status_reading, "source": enum_label}
    base_permissions = ["can_read"]
    base_order = ("event_time", "asc")


class ShipmentView(ShipmentViewActions, OrderHubModelView):
    datamodel = OrderHubInterface(Shipment, eager=("order",))
    class_permission_name = "Shipment"
    list_columns = ["order", "carrier", "service", "tracking_number", "status", "cod_amount",
                    "fee_charged", "fee_payer", "handed_over_at", "delivered_at", "cod_reconciled"]
    search_columns = ["tracking_number", "client_reference", "carrier", "status", "service",
                      "cod_reconciled", "created_at"]
    show_columns = ["order", "carrier", "service", "carrier_service_code", "client_reference",
                    "tracking_number", "status_reading", "status_at", "cod_amount",
                    "fee_quoted", "fee_charged", "fee_payer", "required_note", "weight_g",
                    "length_cm", "width_cm", "height_cm", "expected_delivery_at",
                    "handed_over_at", "delivered_at", "cod_collected", "cod_reconciled", "note"]
    label_columns = {"status_reading": "Status"}
    formatters_columns = {"status_reading": format_status_reading}
    base_permissions = ["can_read"]  # created and changed by the shipping actions
    related_views = [TrackingEventView]
    base_order = ("id", "desc")
    audit_tables = ("shipment",)


class CodReconciliationLineView(OrderHubModelView):
    datamodel = OrderHubInterface(CodReconciliationLine, eager=("shipment", "reconciliation"))
    class_permission_name = "CodReconciliationLine"
    list_columns = ["reconciliation", "shipment", "expected_cod", "cod_received", "fee",
                    "difference"]
    search_columns = ["expected_cod", "cod_received", "fee"]
    # Lines come only from "COD statement from selected" (which checks each shipment may be
    # reconciled) and are filled on the statement's own page: no generic add or edit.
    base_permissions = ["can_read"]
    base_order = ("id", "asc")


class CodReconciliationView(CodReconciliationActions, OrderHubModelView):
    datamodel = OrderHubInterface(CodReconciliation)
    class_permission_name = "CodReconciliation"
    list_title = "COD reconciliation"
    list_columns = ["number", "carrier", "statement_ref", "statement_date", "status",
                    "expected_cod", "cod_received", "fees", "difference"]
    search_columns = ["number", "carrier", "status", "statement_date"]
    show_columns = ["number", "carrier", "statement_ref", "statement_date", "status",
                    "expected_cod", "cod_received", "fees", "difference", "confirmed_at"]
    add_columns = ["carrier", "statement_ref", "statement_date"]  # "+" opens the build page
    edit_columns = ["statement_ref", "statement_date"]
    related_views = [CodReconciliationLineView]
    base_order = ("id", "desc")
    audit_tables = ("cod_reconciliation",)

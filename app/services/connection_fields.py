"""Every setting a provider's client reads, as the fields of the one form an admin fills in per
account: carriers (GHN, Viettel Post), e-invoice providers (S-Invoice, MISA) and the marketplace
channels' app credentials (Shopee, Lazada, TikTok Shop, the website).

A field's ``key`` says where its value lives: ``base_url``, ``name`` and ``active`` are the
record's own columns; ``settings.…`` a path in its ``settings`` JSON; ``credentials.…`` a key of its
encrypted ``credentials``; ``series.<template>`` the account's registered invoice series. The clients
read exactly these (see ``carrier_clients``, ``einvoice_clients``, ``channel_clients``).
"""
from __future__ import annotations

from dataclasses import dataclass

from app.services.errors import N_

# Groups, in the order the form shows them.
ACCOUNT, CONNECTION, SELLER, INVOICES, SENDER, DEFAULTS, ADVANCED = (
    N_("Account"), N_("Connection"), N_("Seller on the invoices"), N_("Invoices"),
    N_("Sender (pick-up address)"), N_("Shipping defaults"), N_("Advanced"))


@dataclass(frozen=True)
class Field:
    """One setting. ``kind``: text, secret (write-only), url, tax_code, phone, email, number, choice,
    bool, code (matched against ``pattern``, described by ``rule``) or series (a list)."""

    key: str
    label: str
    kind: str = "text"
    required: bool = False
    group: str = CONNECTION
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    pattern: str = ""
    rule: str = ""
    low: int | None = None
    high: int | None = None
    max_length: int = 255

    @property
    def secret(self) -> bool:
        return self.kind == "secret"

    @property
    def input_name(self) -> str:
        return self.key


F = Field
SERVICES = (("fast", N_("Fast")), ("economy", N_("Economy")))
REQUIRED_NOTES = (("allow_try", N_("Buyer may try the goods on")),
                  ("allow_view", N_("Buyer may look inside, not try on")),
                  ("no_view", N_("Buyer may not open the parcel")))
VAT_RATES = (("10", "10 %"), ("8", "8 %"), ("5", "5 %"), ("0", "0 %"), ("KCT", N_("KCT (not taxed)")),
             ("KKKNT", N_("KKKNT (not declared)")))
TEMPLATES = (("1", N_("1 — VAT invoice")), ("2", N_("2 — sales invoice")))

ACCOUNT_FIELDS = (
    F("name", N_("Account name"), required=True, group=ACCOUNT, max_length=120),
    F("active", N_("Active"), kind="bool", group=ACCOUNT,
      help=N_("An inactive account is not offered when shipping or invoicing.")),
)


def _sender(district_help: str, ward: Field, province_required: bool) -> tuple[Field, ...]:
    return (
        F("settings.sender.name", N_("Sender name"), required=True, group=SENDER, max_length=120),
        F("settings.sender.phone", N_("Sender phone"), kind="phone", required=True, group=SENDER),
        F("settings.sender.email", N_("Sender email"), kind="email", group=SENDER),
        F("settings.sender.address", N_("Street address"), required=True, group=SENDER, max_length=255),
        F("settings.sender.ward_name", N_("Ward"), required=True, group=SENDER, max_length=120),
        F("settings.sender.district_name", N_("District"), group=SENDER, max_length=120),
        F("settings.sender.province_name", N_("Province / city"), required=True, group=SENDER, max_length=120),
        F("settings.sender.province_id", N_("Carrier's province ID"), kind="number", low=1,
          required=province_required, group=SENDER),
        F("settings.sender.district_id", N_("Carrier's district ID"), kind="number", low=1, required=True,
          group=SENDER, help=district_help),
        ward,
    )


SHIPPING_DEFAULTS = (
    F("settings.default_service", N_("Default service"), kind="choice", choices=SERVICES, group=DEFAULTS),
    F("settings.default_required_note", N_("Default delivery instruction"), kind="choice",
      choices=REQUIRED_NOTES, group=DEFAULTS),
    F("settings.reference_prefix", N_("Reference prefix"), kind="code", pattern=r"[A-Z0-9-]{0,10}",
      rule=N_("up to 10 capital letters, digits or '-'"), group=DEFAULTS,
      help=N_("Put in front of every parcel's reference: several shops sharing one carrier account.")),
)

GHN = (
    F("base_url", N_("API address"), kind="url", required=True,
      help=N_("https://online-gateway.ghn.vn (GHN's test system: https://dev-online-gateway.ghn.vn)")),
    F("credentials.token", N_("API token"), kind="secret", required=True),
    F("credentials.shop_id", N_("Shop ID"), kind="number", low=1, required=True),
    *_sender(N_("GHN's DistrictID of the pick-up address."),
             F("settings.sender.ward_code", N_("Carrier's ward code"), kind="code", pattern=r"\d{1,10}",
               rule=N_("digits, as GHN's WardCode"), required=True, group=SENDER), province_required=False),
    *SHIPPING_DEFAULTS,
)

VIETTELPOST = (
    F("base_url", N_("API address"), kind="url", required=True,
      help=N_("https://partner.viettelpost.vn (the client adds /v2 itself)")),
    F("credentials.username", N_("Partner user name"), required=True, max_length=120),
    F("credentials.password", N_("Password"), kind="secret", required=True),
    F("credentials.token", N_("Long-term token"), kind="secret",
      help=N_("Optional: a token copied from Viettel Post's portal; without it OrderHub signs in.")),
    F("credentials.webhook_token", N_("Callback token"), kind="secret",
      help=N_("The shared secret Viettel Post's status callbacks carry.")),
    F("settings.print_base_url", N_("Label print address"), kind="url",
      help=N_("Where labels are printed: https://digitalize.viettelpost.vn")),
    *_sender(N_("Viettel Post's DISTRICT_ID of the pick-up address."),
             F("settings.sender.ward_code", N_("Carrier's ward ID"), kind="number", low=1, required=True,
               group=SENDER), province_required=True),
    *SHIPPING_DEFAULTS,
)

SELLER_FIELDS = (
    F("settings.seller.tax_code", N_("Seller tax code"), kind="tax_code", required=True, group=SELLER),
    F("settings.seller.name", N_("Seller legal name"), required=True, group=SELLER, max_length=255),
    F("settings.seller.address", N_("Seller address"), required=True, group=SELLER, max_length=400),
    F("settings.seller.phone", N_("Seller phone"), kind="phone", group=SELLER),
    F("settings.seller.email", N_("Seller email"), kind="email", group=SELLER),
    F("settings.seller.bank_account", N_("Bank account"), kind="code", pattern=r"[0-9A-Za-z .-]{4,40}",
      rule=N_("4 to 40 digits or letters"), group=SELLER),
    F("settings.seller.bank_name", N_("Bank"), group=SELLER, max_length=120),
    F("settings.seller.business_location", N_("Business location"), group=SELLER, max_length=255,
      help=N_("Name, code and address of the business location, where the seller has one.")),
)


def _invoice_fields(template_codes: bool) -> tuple[Field, ...]:
    codes = (
        F("settings.template_codes.1", N_("Template code of VAT invoices"), kind="code", pattern=r"1/\d{3}",
          rule=N_("1/ and three digits, e.g. 1/001"), group=INVOICES),
        F("settings.template_codes.2", N_("Template code of sales invoices"), kind="code", pattern=r"2/\d{3}",
          rule=N_("2/ and three digits, e.g. 2/001"), group=INVOICES),
    ) if template_codes else ()
    return (
        F("settings.template", N_("Template of new invoices"), kind="choice", choices=TEMPLATES, group=INVOICES),
        *codes,
        F("series.1", N_("Series of VAT invoices"), kind="series", group=INVOICES,
          help=N_("As registered with the tax authority, e.g. C26TAA; several separated by commas.")),
        F("series.2", N_("Series of sales invoices"), kind="series", group=INVOICES),
        F("settings.shipping_vat_rate", N_("VAT rate of the shipping fee"), kind="choice", choices=VAT_RATES,
          group=INVOICES),
        F("settings.default", N_("Default account for new invoices"), kind="bool", group=INVOICES),
        F("settings.lookup_url", N_("Invoice look-up page"), kind="url", group=INVOICES,
          help=N_("Printed on invoices: where the buyer looks the invoice up.")),
        F("settings.timeout_seconds", N_("Timeout (seconds)"), kind="number", low=5, high=300, group=ADVANCED),
        F("settings.quiet_seconds", N_("Quiet period after an unanswered request (seconds)"), kind="number",
          low=0, high=600, group=ADVANCED,
          help=N_("Blank: the provider's own advice (S-Invoice 90 s, MISA 5 s).")),
    )


SINVOICE = (
    F("base_url", N_("API address"), kind="url", required=True,
      help=N_("https://api-vinvoice.viettel.vn (the client adds the API path itself)")),
    F("credentials.username", N_("User name"), required=True, max_length=120),
    F("credentials.password", N_("Password"), kind="secret", required=True),
    F("credentials.supplier_tax_code", N_("Tax code of the S-Invoice account"), kind="tax_code",
      help=N_("Blank: the seller tax code.")),
    F("credentials.auth", N_("Sign-in method"), kind="choice",
      choices=(("basic", N_("User name and password on every call")), ("token", N_("Sign in for a token")))),
    *SELLER_FIELDS,
    *_invoice_fields(template_codes=True),
)

MISA = (
    F("base_url", N_("API address"), kind="url", required=True,
      help=N_("https://api.meinvoice.vn (test: https://testapi.meinvoice.vn; the client adds /api/integration)")),
    F("credentials.app_id", N_("App ID"), required=True, max_length=120),
    F("credentials.tax_code", N_("Tax code of the MISA account"), kind="tax_code", required=True),
    F("credentials.username", N_("User name"), required=True, max_length=120),
    F("credentials.password", N_("Password"), kind="secret", required=True),
    F("credentials.sign_type", N_("Signing type (MISA SignType)"), kind="number", low=1, high=9,
      help=N_("Blank: 2, signed on MISA's side.")),
    F("credentials.certificate_sn", N_("Certificate serial number"), max_length=120),
    *SELLER_FIELDS,
    *_invoice_fields(template_codes=False),
)

PROVIDERS = {"ghn": GHN, "viettelpost": VIETTELPOST, "sinvoice": SINVOICE, "misa": MISA}
PROVIDER_KINDS = {"ghn": "carrier", "viettelpost": "carrier", "sinvoice": "einvoice", "misa": "einvoice"}
PROVIDER_TITLES = {"ghn": "Giao Hàng Nhanh (GHN)", "viettelpost": "Viettel Post", "sinvoice": "Viettel S-Invoice",
                   "misa": "MISA meInvoice"}

_MARKETPLACE_BASE = {
    "shopee": N_("https://partner.shopeemobile.com"),
    "lazada": N_("https://api.lazada.vn"),
    "tiktok": N_("https://open-api.tiktokglobalshop.com"),
}


def _base(platform: str) -> Field:
    return F("base_url", N_("API address"), kind="url", required=True, help=_MARKETPLACE_BASE[platform])


CHANNELS = {
    "shopee": (_base("shopee"),
               F("credentials.partner_id", N_("Partner ID"), kind="number", low=1, required=True),
               F("credentials.partner_key", N_("Partner key"), kind="secret", required=True)),
    "lazada": (_base("lazada"),
               F("credentials.app_key", N_("App key"), required=True, max_length=64),
               F("credentials.app_secret", N_("App secret"), kind="secret", required=True),
               F("credentials.auth_base_url", N_("Authorization address"), kind="url",
                 help=N_("Blank: the API address; Lazada's is https://auth.lazada.com"))),
    "tiktok": (_base("tiktok"),
               F("credentials.app_key", N_("App key"), required=True, max_length=64),
               F("credentials.app_secret", N_("App secret"), kind="secret", required=True),
               F("credentials.auth_base_url", N_("Authorization address"), kind="url",
                 help=N_("Blank: the API address; TikTok Shop's is https://auth.tiktok-shops.com")),
               F("credentials.warehouse_id", N_("Warehouse ID"), max_length=64,
                 help=N_("Blank: the shop's default warehouse."))),
    "website": (F("credentials.api_secret", N_("Signing secret"), kind="secret", required=True),),
    "manual": (),
}


def setting_label(path: str) -> str | None:
    """The label of a setting by its path inside ``settings`` or ``credentials`` ("seller.tax_code"
    → "Seller tax code"), for pages that show a stored settings document (the audit log)."""
    if not _LABELS:
        for field in ACCOUNT_FIELDS + tuple(f for fields in (*PROVIDERS.values(), *CHANNELS.values())
                                            for f in fields):
            head, _, rest = field.key.partition(".")
            if head in ("settings", "credentials") and rest:
                _LABELS.setdefault(rest, field.label)
    return _LABELS.get(path)


_LABELS: dict[str, str] = {}

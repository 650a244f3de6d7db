"""What the buyer is told about their parcel: shipped, out for delivery, delivered, failed."""
from __future__ import annotations

from app.services.mail import Mail

CARRIER_NAMES = {"ghn": "Giao Hàng Nhanh (GHN)", "viettelpost": "Viettel Post"}
SUBJECTS = {
    "shipped": "Đơn hàng {number} đã được giao cho {carrier}",
    "out_for_delivery": "Đơn hàng {number} đang được giao đến bạn",
    "delivered": "Đơn hàng {number} đã giao thành công",
    "delivery_failed": "Giao đơn hàng {number} không thành công",
}
LINES = {
    "shipped": "Đơn hàng của bạn đã được đóng gói và giao cho {carrier}. Mã vận đơn: {tracking}.",
    "out_for_delivery": "Nhân viên {carrier} đang giao đơn hàng đến bạn hôm nay. Mã vận đơn: "
                        "{tracking}.{cod}",
    "delivered": "Đơn hàng đã được giao thành công. Cảm ơn bạn đã mua hàng!",
    "delivery_failed": "{carrier} chưa giao được đơn hàng ({reason}). Họ sẽ liên hệ lại để giao "
                       "lần nữa; bạn cũng có thể trả lời email này.",
}
KINDS = tuple(SUBJECTS)


def shipment_mail(order, shipment, kind: str, reason: str = "") -> Mail:
    carrier = CARRIER_NAMES.get(getattr(shipment.carrier, "value", shipment.carrier), "")
    cod = int(shipment.cod_amount or 0)
    values = {"number": order.number, "carrier": carrier, "tracking": shipment.tracking_number or "",
              "reason": reason or "không liên lạc được người nhận",
              "cod": f" Vui lòng chuẩn bị {cod:,} ₫ để thanh toán khi nhận hàng.".replace(",", ".")
              if cod else ""}
    body = (f"Xin chào {order.buyer_name},\n\n{LINES[kind].format(**values)}\n\n"
            f"Đơn hàng: {order.number}\nGiao đến: {order.ship_address}\n\nOrderHub")
    return Mail(to=order.buyer_email or "", subject=SUBJECTS[kind].format(**values), body=body)

"""``flask stock verify`` prints what services.stock_verify finds; the rule lives there."""
from app.services.stock_verify import StockDifference, verify_stock

__all__ = ["StockDifference", "verify_stock"]

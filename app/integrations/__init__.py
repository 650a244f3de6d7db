"""Clients for the external systems OrderHub talks to.

Each client speaks its provider's documented protocol over httpx. Clients never touch the database;
the service layer gives them credentials and records what went on the wire through ``on_exchange``.
"""

"""The sales assistant's understanding of a shopper's message: pure functions, no Flask, no database.

``understand(text, catalogue, context)`` (``understanding.py``) reads one message against a
catalogue snapshot (``catalogue.py``) and returns its intent(s), entities and the variants it is
about. The modules, in the order a message goes through them: ``text`` (normalisation and
teencode), ``entities`` (phone, order number, size, colour, quantity, height, weight, money, name,
address), ``intents`` (editable keyword rules with priorities), ``products`` (which product and
variant the shopper means, or none), ``sale`` (what a conversation has collected towards an order).
"""

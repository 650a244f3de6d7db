"""In-repo simulators of the external providers.

Each provider has a package ``app.sandbox.<provider>`` exposing ``create_blueprint(**options)`` that
returns a Flask blueprint serving the provider's real paths; the app mounts it under
``/sandbox/<provider>`` only when ``SANDBOX_ENABLED`` is set (demo and tests). A sandbox shares no
code with the client it simulates: it re-derives signatures from what it receives.
"""

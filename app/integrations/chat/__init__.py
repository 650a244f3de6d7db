"""Chat channels the sales assistant answers on: Facebook Messenger (``messenger``) and Zalo
Official Account (``zalo``). Each module has the client (send a reply), the webhook checks on the
raw bytes (signature, subscription handshake), the parser of incoming messages, and the platform's
reply window as a pure check; ``common`` holds what they share."""

"""Helpers shared by the tests, one module per thing they provide (fixtures live in the
``conftest.py`` of each layer, never here):

- ``envelope``: ``ok``/``err``, the checked ``data`` or ``error`` of a response envelope
- ``keys``: the start-up API key, and keys as the ``websockets`` client must be given them
- ``server``: settings for extra emulators on a free loopback port, started in a thread
- ``process``: ``lambda-emulator`` run as a real process (``run``, ``serve`` → ``Served``)
- ``curl``: the reference's client run for real (``curl``, ``curl_json``, ``curl_status``)
- ``resources``: instances and volumes created over the API in a known state
- ``events``: the event outbox and the meters of a runtime, checked against the catalogue
- ``metrics_stream``: the WebSocket URL of an instance's metrics stream
- ``webhooks``: subscribing and pinging over the API
- ``state``: a state with one of everything, and exported tables compared across requests
- ``runtime``: an in-process runtime (no server) for service tests
"""

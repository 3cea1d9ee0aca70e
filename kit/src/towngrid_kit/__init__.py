"""towngrid's service kit: the runtime pieces every service shares, written once.

- ``settings``: the base settings class and a loader that names a bad setting and exits;
- ``mongo``: the PyMongo async client (``pymongo.AsyncMongoClient``; Motor is deprecated);
- ``commits`` and ``relay``: state and its events stored in one insert, published after;
- ``consumer``: explicit acks, bounded retries, the dead-letter topic;
- ``http`` and ``problems``: the FastAPI app factory and ``application/problem+json`` errors;
- ``idempotency``: the ``Idempotency-Key`` header on creating POSTs;
- ``auth``: bearer JWTs with a role and a grid scope;
- ``worker``: the worker process (consumers plus relay).
"""

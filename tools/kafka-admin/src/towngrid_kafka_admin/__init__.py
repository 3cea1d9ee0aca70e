"""Kafka administration for towngrid, kept out of the service images.

- ``wire``: a small Kafka admin client on the wire protocol (SCRAM users, ACLs), which the
  Python Kafka clients lack;
- ``access``: each principal's ACLs, derived from the code (``kafka_access.json``), and
  :func:`access.provision`, which sets users and ACLs;
- ``access_cli`` (``towngrid-kafka-access``) and ``topics_cli`` (``towngrid-topics``): the
  deployment's one-shot jobs.

The local stack (towngrid-devstack) and the tests use the same code. A service's worker needs
none of it: it only creates its own topics at start (``towngrid_kit.kafka_topics``).
"""

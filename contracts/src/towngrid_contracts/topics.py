"""Topic naming: one topic per producing aggregate, ``<service>.<aggregate>.v<major>``.

A consumer that cannot process a message after its bounded retries publishes it to the
topic's dead-letter twin, ``<topic>.dlq``.
"""

DLQ_SUFFIX = ".dlq"


def topic_name(service: str, aggregate: str, major: int = 1) -> str:
    return f"{service}.{aggregate}.v{major}"


def dlq_topic(topic: str) -> str:
    return f"{topic}{DLQ_SUFFIX}"

"""The reliability suite's machinery (tests/reliability): a workload driver, an invariant
checker, Kafka operations and the report table."""

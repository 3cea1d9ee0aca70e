"""towngrid local stack: Apache Kafka (KRaft, jars from Maven Central) and FerretDB (SQLite,
built from the Go module proxy) as plain local processes, plus a small process supervisor."""

from .config import FERRETDB_VERSION, KAFKA_VERSION, StackConfig, cache_root, repo_root
from .errors import StackError
from .process import ManagedProcess
from .stack import LocalStack

__all__ = ["FERRETDB_VERSION", "KAFKA_VERSION", "LocalStack", "ManagedProcess", "StackConfig",
           "StackError", "cache_root", "repo_root"]

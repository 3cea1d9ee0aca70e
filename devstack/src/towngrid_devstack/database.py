"""Database users of the local stack: one per service, allowed only its own database, and the admin.

FerretDB runs with authentication on (``--test-enable-new-auth``: SCRAM-SHA-256, every command
but hello, ping, buildInfo and the SASL handshake refused before a login). A user is defined in
one database and, with our patch (patches/ferretdb-1.24.2-own-database-only.patch), may use only
that database; the admin, defined in the admin database, may use all of them (devstack and the
tests log in as the admin). MongoDB in the compose deployment has the same users: each service's
with ``readWrite`` on its own database only (deploy/mongo-init/create-service-users.js).

FerretDB makes the admin itself when it starts on a data dir without an admin database (a new
one, or one made before the stack had database users). Every start,
once FerretDB answers, the admin logs in and creates each service's user in the service's
database, or sets its password: this also covers a user added later.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote_plus

from .config import StackConfig
from .errors import StackError

ADMIN_USER = "admin"
MECHANISM = "SCRAM-SHA-256"
_USER_EXISTS = 51003  # MongoDB's and FerretDB's code for "User ... already exists"


def database_of(user: str) -> str:
    """The database a user is defined in and may use: the admin's is admin; a service's is the
    service's own, named after it (each service's ``mongo_db`` default)."""
    return "admin" if user == ADMIN_USER else user


def url(config: StackConfig, user: str, password: str) -> str:
    """A MongoDB URL logging in as ``user`` (authSource: its database; the same shape works on
    MongoDB)."""
    db = database_of(user)
    return (f"mongodb://{quote_plus(user)}:{quote_plus(password)}@{config.host}:{config.mongo_port}/{db}"
            f"?authSource={db}&authMechanism={MECHANISM}&directConnection=true")


def provision(config: StackConfig, passwords: Mapping[str, str], timeout: float = 10.0, *,
              mongodb: bool = False) -> list[str]:
    """Log in as the admin and make every other user of ``passwords`` exist in its own database
    with its password; return the users' names. ``mongodb``: the server is MongoDB, where a user
    needs the readWrite role on its database (FerretDB 1.x takes only empty roles; our patch
    confines its users instead)."""
    try:
        import pymongo
        from pymongo.errors import OperationFailure
    except ImportError:
        raise StackError("pymongo is not installed here: run `uv sync --all-packages` in the "
                         "repository (or `make setup`)") from None
    ms = int(timeout * 1000)
    admin_url = url(config, ADMIN_USER, passwords[ADMIN_USER])
    with pymongo.MongoClient(admin_url, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms) as client:
        try:
            client.admin.command("ping")  # the login happens here
        except OperationFailure as exc:
            raise StackError(
                f"[ferretdb] the admin cannot log in to FerretDB ({exc}). FerretDB makes its admin "
                f"only on a data dir without an admin database; this one ({config.ferretdb_dir}) has "
                f"one, made with other secrets than {config.run_dir / 'local-secrets.json'}. "
                f"What to do: reset the profile (`towngrid-stack reset --profile {config.profile}`, "
                f"or start with --reset)") from exc
        users = sorted(user for user in passwords if user != ADMIN_USER)
        for user in users:
            db = client[database_of(user)]
            roles = [{"role": "readWrite", "db": db.name}] if mongodb else []
            try:
                db.command("createUser", user, pwd=passwords[user], roles=roles)
            except OperationFailure as exc:
                if exc.code != _USER_EXISTS:
                    raise
                db.command("updateUser", user, pwd=passwords[user], roles=roles)
    return users

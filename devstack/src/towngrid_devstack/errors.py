"""The one exception the devstack raises for problems a person has to fix."""


class StackError(RuntimeError):
    """A clear, actionable failure of the local stack (missing tool, taken port, failed build,
    process not ready...). The message says which step failed and what to do; the CLI prints it
    and exits with status 2."""

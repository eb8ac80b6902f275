"""The lab's error classes.

Each is raised where the problem is found, with a message that says what to do;
``cli.main`` turns every one of them into a one-line message and exit code 2.
"""


class LabError(Exception):
    """A problem the user can fix; its message says how."""


class CatalogueError(LabError):
    """A catalogue file that is missing, malformed or inconsistent."""


class UsageError(LabError):
    """A command-line choice that does not fit the catalogue or the machine."""


class RuntimeNotFound(LabError):
    """A language runtime (python, java, node) that cannot be found or used."""


class BuildError(LabError):
    """Program sources that do not compile (Java)."""


class InstallError(LabError):
    """A runtime version that could not be fetched or built into the lab's cache."""


class StoreError(LabError):
    """A results directory or file that cannot be read or written."""

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


class EngineUnavailable(LabError):
    """No Docker engine answers: the message says how to start one."""


class EngineConnectionLost(LabError):
    """The engine stopped answering while a container ran: the run is failed, not timed out."""


class ImageBuildFailed(LabError):
    """An image did not build: the message carries the tail of the build log."""


class SwarmUnavailable(LabError):
    """The engine is no swarm manager, or no node carries a chosen machine's label."""


class MachineLost(LabError):
    """Every node of a machine left the swarm (or is down or drained) while its job ran."""


class ResultsError(StoreError):
    """A stored row, run or document whose field is missing or of the wrong type; the message names the field."""


class GeneratorError(LabError):
    """The load generator cannot be built or run."""

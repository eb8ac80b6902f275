"""Print one of the README quick start's two commands, as written there.

    python3 .ci/readme_commands.py compare     the line marked "# run the comparison"
    python3 .ci/readme_commands.py tests       the line marked "# run the tests"

CI runs exactly these lines, so the README and CI cannot drift apart.
"""

import re
import sys
from pathlib import Path

MARKS = {"compare": "# run the comparison", "tests": "# run the tests"}


def command(which: str) -> str:
    """The README's shell line that ends with the comment for ``which``, without the comment."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    for block in re.findall(r"```sh\n(.*?)```", quick_start, re.S):
        for line in block.splitlines():
            if line.rstrip().endswith(MARKS[which]):
                return line.split(" #", 1)[0].strip()
    sys.exit(f"README.md's quick start has no line ending in '{MARKS[which]}'")


if __name__ == "__main__":
    print(command(sys.argv[1]))

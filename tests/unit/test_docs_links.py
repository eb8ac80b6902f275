"""The README and docs/ point only inside the repository, and every link they make resolves.

A link is a Markdown link ``[text](target)``: a relative target must be a file or folder of the
repository, and its ``#anchor`` a heading of the target file (GitHub's slugs). Text is checked
too: no path may climb out of the repository (``../`` past its root), and a repository path
written in inline code (``harness/run/runner.py``) must exist, so that moved modules are noticed.
"""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
CLIMB = re.compile(r"(?:\.\./)+[\w.\-/]*")
# Top-level folders whose paths, written in inline code, must exist in the repository.
REPO_FOLDERS = ("harness", "python", "java", "node", "scripts", "loadgen", "examples", "tests", "docs")
# Names of documents that live outside the repository, once referred to by the README.
OUTSIDE_NAMES = ("shared/CLAIMS", "CLAIMS.md", "DESIGN.md")


def page_id(page: Path) -> str:
    """A readable test id: the page's path within the repository."""
    return str(page.relative_to(ROOT))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a Markdown file offers: its headings' slugs (repeats numbered) and <a id>s."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found = set(re.findall(r"""<a\s+(?:id|name)=["']([^"']+)["']""", text))
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def inside(path: Path) -> bool:
    """Whether a path, once resolved, lies within the repository."""
    return path.resolve().is_relative_to(ROOT)


def links(page: Path) -> list[str]:
    """The targets of the page's Markdown links, outside fenced code blocks."""
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


def test_slugs_follow_github() -> None:
    assert slug("Across machines: Docker Swarm") == "across-machines-docker-swarm"
    assert slug("The options of `compare`") == "the-options-of-compare"
    assert slug("Fairness: what keeps the programs equivalent") == "fairness-what-keeps-the-programs-equivalent"
    assert slug("C4 — refcounting") == "c4--refcounting"


def test_there_are_docs_pages() -> None:
    assert len(PAGES) > 5, "docs/ holds the guide's pages"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_relative_link_resolves_inside_the_repository(page: Path) -> None:
    broken = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / path_part) if path_part else page
        if not inside(destination):
            broken.append(f"{target}: outside the repository")
        elif not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading with anchor #{anchor} in {page_id(destination)}")
    assert not broken, f"{page_id(page)}: " + "; ".join(broken)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_no_text_names_a_path_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    outside = [name for name in OUTSIDE_NAMES if name in text]
    outside += [path for path in CLIMB.findall(text) if not inside(page.parent / path)]
    assert not outside, f"{page_id(page)} names paths outside the repository: {outside}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_repository_paths_in_inline_code_exist(page: Path) -> None:
    missing = []
    for code in INLINE_CODE.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        path = code.strip()
        if not path.startswith(tuple(f"{folder}/" for folder in REPO_FOLDERS)):
            continue
        if " " in path or re.search(r"[<>{}*]", path):  # a command line or a pattern, not a path
            continue
        if not (ROOT / path).exists():
            missing.append(path)
    assert not missing, f"{page_id(page)} names repository paths that do not exist: {missing}"

"""The documentation is self-contained: every link in README.md and docs/ resolves inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_stay_inside_the_repository(doc: Path) -> None:
    text = doc.read_text()
    assert "shared/design" not in text, "the design notes are not part of the repository"
    for target in _LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (doc.parent / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(ROOT), f"{doc.name} links outside the repository: {target}"
        assert path.exists(), f"{doc.name} links to a missing file: {target}"


def test_the_reference_docs_exist() -> None:
    for name in ("API.md", "SEARCH.md", "IMPORT_FORMATS.md", "OPERATIONS.md", "ARCHITECTURE.md"):
        assert (ROOT / "docs" / name).is_file(), name

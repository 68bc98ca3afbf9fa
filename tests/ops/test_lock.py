"""The lock files agree with pyproject.toml: a dependency added without `make lock` fails here.

requirements.lock (the image) and requirements-dev.lock (`make install`, CI) are installed with
--require-hashes, so a dependency missing from them would break the install of the image or of CI.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^ ;\\]+)", line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _requirements(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for name in extras:
        wanted += [
            Requirement(r)
            for r in project["optional-dependencies"][name]
            if canonicalize_name(Requirement(r).name) != "mtg-tracker"
        ]
    return wanted


# The image installs requirements.lock (the service and its opt-in tracing); `make install` the other.
@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ("otel",)), ("requirements-dev.lock", ("test", "otel", "dev"))]
)
def test_lock_pins_every_dependency_within_its_range(lock: str, extras: tuple[str, ...]) -> None:
    pins = _pins(ROOT / lock)
    assert len(pins) > 20
    for requirement in _requirements(extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside {requirement.specifier}: run `make lock`"
        )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_has_hashes(lock: str) -> None:
    text = (ROOT / lock).read_text()
    # Each pinned block is "name==version \\" followed by its --hash lines.
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]

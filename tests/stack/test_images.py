"""Each Python image holds the packages its service imports: what its entry point reaches (found
statically, lazy imports included) is copied into the image's final stage, and nothing of
another service is needed (the shared kit is `common/`)."""

from __future__ import annotations

from modulefinder import ModuleFinder
from pathlib import Path

import pytest

from common.heartbeat import HEARTBEAT_ENV, INTERVAL_S
from tests.stack.stack_files import ROOT, compose

PACKAGES = {path.parent.name for path in ROOT.glob("*/__init__.py")}
# Compose service -> the package its image runs (`python -m <package>`).
LOOPS = {"producer": "producers", "alerter": "alerter", "scoring": "scoring"}
# The HTTP service answers its healthcheck itself (no loop, no heartbeat).
ENTRY = {**LOOPS, "decision-service": "decisions"}


def _copied_packages(dockerfile: Path) -> set[str]:
    """Top-level packages the final stage copies from the build context."""
    lines = [line.split() for line in dockerfile.read_text(encoding="utf-8").splitlines()]
    last_from = max(index for index, words in enumerate(lines) if words[:1] == ["FROM"])
    copied: set[str] = set()
    for words in lines[last_from:]:
        if words[:1] == ["COPY"] and not any(word.startswith("--from") for word in words):
            copied.update(source.strip("/") for source in words[1:-1])
    return copied & PACKAGES


def _imported_packages(package: str) -> set[str]:
    """First-party top-level packages the entry point reaches (third-party ones not followed)."""
    finder = ModuleFinder(path=[str(ROOT)])
    finder.run_script(str(ROOT / package / "__main__.py"))
    return {name.split(".")[0] for name in finder.modules} & PACKAGES


@pytest.mark.parametrize("service", sorted(ENTRY))
def test_the_image_copies_what_its_service_imports(service: str) -> None:
    build = compose()["services"][service]["build"]
    copied = _copied_packages(ROOT / build["context"] / build["dockerfile"])
    imported = _imported_packages(ENTRY[service])
    assert imported <= copied, f"{service}: copy {sorted(imported - copied)} into its image"
    assert copied <= imported, f"{service}: copies unused {sorted(copied - imported)}"
    assert "common" in imported


def test_the_finder_sees_a_lazy_import() -> None:
    """The producer loads confluent-kafka's publisher only when chosen: still found."""
    finder = ModuleFinder(path=[str(ROOT)])
    finder.run_script(str(ROOT / "producers" / "__main__.py"))
    assert "producers.publishers.confluent" in finder.modules


def _final_stage_env(dockerfile: Path) -> dict[str, str]:
    """The ENV values of the final stage (`ENV A=1 \\` continuation lines included)."""
    text = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ")
    final = text[text.rindex("\nFROM ") :]
    return dict(
        pair.split("=", 1)
        for line in final.splitlines()
        if line.startswith("ENV ")
        for pair in line.split()[1:]
    )


@pytest.mark.parametrize("service", sorted(LOOPS))
def test_the_healthcheck_reads_the_heartbeat_the_loop_writes_on_a_tmpfs(service: str) -> None:
    spec = compose()["services"][service]
    test = spec["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "-m", "common.heartbeat"], service
    # Several beats fit in the allowed age, so a slow turn is not taken for a stall.
    assert float(test[4]) >= 3 * INTERVAL_S
    dockerfile = ROOT / spec["build"]["context"] / spec["build"]["dockerfile"]
    heartbeat = Path(_final_stage_env(dockerfile)[HEARTBEAT_ENV])
    # The root file system is read-only: the file lives on one of the service's tmpfs mounts.
    assert spec["read_only"] is True
    assert any(heartbeat.is_relative_to(mount) for mount in spec["tmpfs"]), service


def test_the_first_champion_is_trained_in_one_image() -> None:
    """The scorer's image trains it; the decision service's copies it from that image (compose's
    build context `service:scoring`), so both serve the same model and it is trained once."""
    services = compose()["services"]
    dockerfiles = {
        name: (ROOT / spec["build"]["context"] / spec["build"]["dockerfile"]).read_text("utf-8")
        for name, spec in services.items()
        if "build" in spec
    }
    assert [name for name, text in dockerfiles.items() if "scoring.offline train" in text] == [
        "scoring"
    ]
    build = services["decision-service"]["build"]
    assert build["additional_contexts"] == {"scoring": "service:scoring"}
    assert "\nCOPY --from=scoring /app/models /app/models\n" in dockerfiles["decision-service"]

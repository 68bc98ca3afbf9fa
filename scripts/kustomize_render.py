"""Render a Kustomize directory (deploy/k8s/overlays/<name>) without the kustomize binary.

CI cannot install kustomize or kubectl from a package registry, so this renders the subset of Kustomize
that deploy/k8s uses, faithfully, and refuses everything else: a kustomization.yaml key it does not
know is an error, never silently ignored. Supported:

- ``resources``: YAML files (several documents each) and directories holding a kustomization.yaml;
- ``namespace``: set on every namespaced object;
- ``labels`` with ``pairs`` (metadata labels only, as Kustomize does when includeSelectors and
  includeTemplates are unset);
- ``images``: ``newName`` / ``newTag`` / ``digest`` on containers of pods, pod templates and CronJobs;
- ``patches``: JSON 6902 patches (inline ``patch`` or ``path``) with a ``target`` of kind and name.

When kubectl is on PATH, tests compare this renderer's output with ``kubectl kustomize``.

Usage: python scripts/kustomize_render.py deploy/k8s/overlays/prod > prod.yaml
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_KEYS = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
# Kinds without a namespace among those Kustomize knows; anything else we render is namespaced.
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
}


class KustomizeError(ValueError):
    """The kustomization uses something this renderer does not implement, or is wrong."""


def render(directory: Path) -> list[dict[str, Any]]:
    kustomization_file = directory / "kustomization.yaml"
    if not kustomization_file.is_file():
        raise KustomizeError(f"{directory}: no kustomization.yaml")
    spec = yaml.safe_load(kustomization_file.read_text()) or {}
    unknown = set(spec) - SUPPORTED_KEYS
    if unknown:
        raise KustomizeError(f"{kustomization_file}: unsupported keys {sorted(unknown)}")

    objects: list[dict[str, Any]] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            objects.extend(render(path))
        elif path.is_file():
            objects.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
        else:
            raise KustomizeError(f"{kustomization_file}: resource {entry} not found")

    for patch in spec.get("patches", []):
        _apply_patch(objects, patch, directory)
    for image in spec.get("images", []):
        _set_image(objects, image)
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = spec["namespace"]
    for label in spec.get("labels", []):
        if set(label) - {"pairs"}:
            raise KustomizeError(f"{kustomization_file}: labels support only `pairs`, got {sorted(label)}")
        for obj in objects:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(label["pairs"])
    _check_unique(objects)
    return objects


def _check_unique(objects: list[dict[str, Any]]) -> None:
    seen: set[tuple[str, str, str | None]] = set()
    for obj in objects:
        key = (obj["kind"], obj["metadata"]["name"], obj["metadata"].get("namespace"))
        if key in seen:
            raise KustomizeError(f"duplicate object {key}")
        seen.add(key)


def _apply_patch(objects: list[dict[str, Any]], patch: dict[str, Any], directory: Path) -> None:
    if set(patch) - {"target", "patch", "path"} or set(patch.get("target", {})) - {"kind", "name"}:
        raise KustomizeError(f"unsupported patch fields in {patch}")
    if "path" in patch:
        operations = yaml.safe_load((directory / patch["path"]).read_text())
    else:
        operations = yaml.safe_load(patch["patch"])
    if not isinstance(operations, list):
        # A strategic-merge patch is a mapping: not implemented here, so refuse it.
        raise KustomizeError(f"only JSON 6902 patches (a list of operations) are supported: {patch}")
    target = patch["target"]
    matched = [
        obj
        for obj in objects
        if obj["kind"] == target.get("kind", obj["kind"]) and obj["metadata"]["name"] == target.get("name")
    ]
    if not matched:
        raise KustomizeError(f"patch target {target} matches nothing")
    for obj in matched:
        for operation in operations:
            json_patch(obj, operation)


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"JSON pointer must start with /: {path}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def json_patch(document: dict[str, Any], operation: dict[str, Any]) -> None:
    """One RFC 6902 operation (add, replace, remove), in place; a missing parent is an error."""
    op = operation["op"]
    parts = _pointer(operation["path"])
    parent: Any = document
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    if op not in {"add", "replace", "remove"}:
        raise KustomizeError(f"unsupported JSON patch operation {op}")
    if isinstance(parent, list):
        if op == "add" and last == "-":
            parent.append(copy.deepcopy(operation["value"]))
            return
        index = int(last)
        if op == "add":
            parent.insert(index, copy.deepcopy(operation["value"]))
        elif op == "replace":
            parent[index] = copy.deepcopy(operation["value"])
        else:
            del parent[index]
        return
    if op in {"replace", "remove"} and last not in parent:
        # RFC 6902: replacing or removing a missing member fails (a typo in a path must not pass).
        raise KustomizeError(f"{op} {operation['path']}: no such member")
    if op == "remove":
        del parent[last]
    else:
        parent[last] = copy.deepcopy(operation["value"])


def _pod_specs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = obj.get("spec", {})
    if obj["kind"] == "Pod":
        return [spec]
    if obj["kind"] == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    if "template" in spec and "spec" in spec["template"]:
        return [spec["template"]["spec"]]
    return []


def _set_image(objects: list[dict[str, Any]], image: dict[str, Any]) -> None:
    if set(image) - {"name", "newName", "newTag", "digest"}:
        raise KustomizeError(f"unsupported image fields in {image}")
    for obj in objects:
        for pod in _pod_specs(obj):
            for container in pod.get("containers", []) + pod.get("initContainers", []):
                name, tag, digest = _split_image(container["image"])
                if name != image["name"]:
                    continue
                name = image.get("newName", name)
                if "digest" in image:
                    container["image"] = f"{name}@{image['digest']}"
                elif "newTag" in image:
                    container["image"] = f"{name}:{image['newTag']}"
                else:
                    suffix = f"@{digest}" if digest else (f":{tag}" if tag else "")
                    container["image"] = f"{name}{suffix}"


def _split_image(reference: str) -> tuple[str, str | None, str | None]:
    name, _, digest = reference.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :], digest or None
    return name, None, digest or None


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    yaml.safe_dump_all(render(Path(argv[1])), sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

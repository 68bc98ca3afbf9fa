"""Alert rules and the Grafana dashboard: promtool checks them, and every metric they read is real.

"Real" means present in the /metrics output of the application itself, started in-process and asked a
few requests, not in a list kept by hand.

promtool comes from the Debian package `prometheus` (.ci/run installs it). Under CI
(MTG_TEST_DATABASE_URL set) a missing promtool fails the test; on a laptop it skips with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from support import OPS_HEADERS

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "mtg-tracker.json"
IN_CI = bool(os.environ.get("MTG_TEST_DATABASE_URL"))

# Series the rules read that the service does not expose, each for a stated reason (rules.yml's header).
NOT_FROM_THE_SERVICE = {
    "up": "Prometheus' own per-target series",
    "kube_cronjob_status_last_successful_time": "kube-state-metrics, for the Kubernetes backup CronJob",
}

_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless"}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (functions, labels, keywords and durations left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # label values
    text = re.sub(r"\{[^}]*\}", "", text)  # matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\$\w+", "", text)  # Grafana variables
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)\b(?!\s*\()", text):
        if match.group(1) not in _KEYWORDS:
            names.add(match.group(1))
    return names


def test_metric_names_extraction() -> None:
    """The extractor finds metrics and only metrics (so the comparisons below can fail)."""
    expr = (
        'histogram_quantile(0.95, sum by (route, le) (rate(http_request_duration_seconds_bucket{route=~"$route"}'
        "[$__rate_interval]))) > 1 and on (job) time() - max by (job) (job_last_success_timestamp_seconds) > 26 * 3600"
        " or (sum(rate(x_total[1h] offset 5m)) or vector(0))"
    )
    expected = {"http_request_duration_seconds_bucket", "job_last_success_timestamp_seconds", "x_total"}
    assert metric_names(expr) == expected


def _promtool() -> str:
    promtool = shutil.which("promtool")
    if promtool is None:
        message = "promtool not installed (Debian package `prometheus`; .ci/run installs it)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return promtool


def test_promtool_checks_the_rules() -> None:
    result = subprocess.run(
        [_promtool(), "check", "rules", str(PROMETHEUS / "rules.yml")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_pass() -> None:
    # promtool resolves rule_files relative to the test file's directory.
    result = subprocess.run(
        [_promtool(), "test", "rules", "rules.test.yml"], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_unit_test() -> None:
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    tests = yaml.safe_load((PROMETHEUS / "rules.test.yml").read_text())
    fired = {case["alertname"] for test in tests["tests"] for case in test["alert_rule_test"] if case.get("exp_alerts")}
    assert alerts == fired, f"alerts never shown firing in rules.test.yml: {sorted(alerts - fired)}"


def _rule_exprs() -> list[str]:
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["targets"], f"panel {panel['title']} has no query"
        exprs.extend(target["expr"] for target in panel["targets"])
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            exprs.append(re.sub(r"label_values\((\w+),.*\)", r"\1", variable["query"]))
    return exprs


def _exposed(text: str) -> set[str]:
    """Every series name /metrics can produce: sampled ones, and declared families not yet sampled."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            names.add(name)
            if kind == "histogram":
                names.update({f"{name}_bucket", f"{name}_sum", f"{name}_count"})
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


async def test_dashboard_and_rules_read_only_real_metrics(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/ready", "/api/v1/cards/search?q=t%3Acreature", "/no/such/route"):
        await client.get(path)
    resp = await client.get("/metrics", headers=OPS_HEADERS)
    assert resp.status_code == 200
    exposed = _exposed(resp.text)
    # The requests above were counted: the scrape is the live registry, not just declarations.
    assert re.search(r'^http_requests_total\{.*route="/health".*\} [1-9]', resp.text, re.MULTILINE)

    dashboard_metrics = set().union(*(metric_names(e) for e in _dashboard_exprs()))
    assert len(dashboard_metrics) >= 15
    missing = dashboard_metrics - exposed
    assert not missing, f"dashboard panels read metrics /metrics does not expose: {sorted(missing)}"

    rule_metrics = set().union(*(metric_names(e) for e in _rule_exprs()))
    missing = rule_metrics - exposed - set(NOT_FROM_THE_SERVICE)
    assert not missing, f"alert rules read metrics /metrics does not expose: {sorted(missing)}"
    # The exceptions stay exceptions: once the service exposes one, drop it from the list.
    assert not (set(NOT_FROM_THE_SERVICE) & exposed)
    assert set(NOT_FROM_THE_SERVICE) <= rule_metrics

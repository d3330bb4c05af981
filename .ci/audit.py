"""`make audit`: dependency vulnerabilities and the static security lint, against a reviewed ignore list.

1. Static security lint: ruff's flake8-bandit rules ("S") over the project. Every rule switched
   off in pyproject.toml and every `# noqa: S...` in shipped code must be justified in
   .ci/audit-ignore.toml (rule, place, reason, reviewer); anything else fails.
2. Dependencies: pip-audit over the installed environment. A package pip-audit cannot look up
   (its per-version PyPI endpoint is missing on some mirrors) is looked up in PyPI's project
   JSON, whose `vulnerabilities` list the latest release's advisories, when the installed
   version is that release. A vulnerability not listed (with reason and an `until` date not
   past) in the ignore list fails the audit. Packages that could not be audited at all are
   listed as a warning; LEADLINE_AUDIT_STRICT=1 makes them a failure.

Exit 0: clean; 1: findings; 2: the audit itself could not run.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore.toml"
SHIPPED = ("common", "dashboard", "loaders", "metrics", "pages")
NOQA_S = re.compile(r"#\s*noqa:\s*((?:S\d+[,\s]*)+)")
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"


def load_ignores() -> tuple[dict[str, Any], list[str]]:
    """The ignore list, and its own problems (entries without reason or reviewer, expired ones)."""
    ignores = tomllib.loads(IGNORE_FILE.read_text(encoding="utf-8"))
    problems = []
    for kind in ("vulnerability", "ruff_ignore", "noqa"):
        for entry in ignores.get(kind, []):
            if not str(entry.get("reason", "")).strip() or not str(entry.get("reviewed", "")).strip():
                problems.append(
                    f"{IGNORE_FILE.name}: a [[{kind}]] entry lacks a reason or a reviewer: {entry}"
                )
    for entry in ignores.get("vulnerability", []):
        until = entry.get("until")
        if until is None or date.fromisoformat(str(until)) < date.today():
            problems.append(
                f"{IGNORE_FILE.name}: the exception for {entry.get('id')} has no `until` or has expired"
            )
    return ignores, problems


def lint_problems(ignores: dict[str, Any]) -> list[str]:
    """Unjustified security-lint exceptions, and what ruff's S rules find."""
    problems = []
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = pyproject["tool"]["ruff"]["lint"]
    if "S" not in lint.get("select", []):
        problems.append("pyproject.toml: ruff's security rules ('S') are not selected")
    justified = {(e["rule"], e["where"]) for e in ignores.get("ruff_ignore", [])}
    for rule in lint.get("ignore", []):
        if rule.startswith("S") and (rule, "everywhere") not in justified:
            problems.append(f"pyproject.toml ignores {rule} everywhere without a reviewed reason")
    for where, rules in lint.get("per-file-ignores", {}).items():
        for rule in rules:
            if rule.startswith("S") and (rule, where) not in justified:
                problems.append(f"pyproject.toml ignores {rule} in {where} without a reviewed reason")
    listed = {(e["file"], e["rule"]) for e in ignores.get("noqa", [])}
    for folder in SHIPPED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = NOQA_S.search(line)
                for rule in re.findall(r"S\d+", match.group(1)) if match else []:
                    where = str(path.relative_to(ROOT))
                    if (where, rule) not in listed:
                        problems.append(
                            f"{where}:{number}: `noqa: {rule}` is not justified in {IGNORE_FILE.name}"
                        )
    ignored = [rule for rule in lint.get("ignore", []) if rule.startswith("S")]
    ruff = [sys.executable, "-m", "ruff", "check", "--select", "S", "--output-format", "concise", "."]
    ruff += [
        f"--ignore={rule}" for rule in ignored
    ]  # a --select on the command line drops the file's ignores
    result = subprocess.run(ruff, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        problems.append("ruff's security rules found:\n" + result.stdout.strip())
    return problems


def pip_audit() -> dict[str, Any]:
    """pip-audit's JSON report of the installed environment (the project itself skipped)."""
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "-f",
        "json",
        "--skip-editable",
        "--progress-spinner",
        "off",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"audit: pip-audit did not run:\n{result.stderr[-2000:]}", file=sys.stderr)
        sys.exit(2)
    return report


def latest_release_advisories(name: str, version: str) -> list[dict[str, Any]] | None:
    """Advisories of ``name`` from PyPI's project JSON when ``version`` is its latest release, else None."""
    url = PYPI_PROJECT.format(name=name)
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - a fixed https URL
            project = json.load(response)
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError):
        return None
    if project.get("info", {}).get("version") != version:
        return None
    return list(project.get("vulnerabilities") or [])


def _installed(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def dependency_problems(ignores: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Vulnerabilities that are not excused, and the packages that could not be audited."""
    excused = {str(e["id"]) for e in ignores.get("vulnerability", [])}
    findings: list[tuple[str, str, str, list[str]]] = []
    unaudited: list[str] = []
    dependencies = pip_audit().get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [
        (d["name"], d.get("version") or _installed(d["name"])) for d in dependencies if "skip_reason" in d
    ]
    for dep in audited:
        findings += [
            (dep["name"], dep["version"], v["id"], v.get("aliases", [])) for v in dep.get("vulns", [])
        ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        looked_up = pool.map(lambda nv: latest_release_advisories(*nv), skipped)
        for (name, version), advisories in zip(skipped, looked_up, strict=True):
            if advisories is None:
                unaudited.append(f"{name} {version}")
                continue
            findings += [
                (name, version, a["id"], a.get("aliases", [])) for a in advisories if not a.get("withdrawn")
            ]
    problems = [
        f"{name} {version}: {vid} ({', '.join(aliases) or 'no alias'}) is not excused in {IGNORE_FILE.name}"
        for name, version, vid, aliases in findings
        if vid not in excused and not excused.intersection(aliases)
    ]
    return problems, unaudited


def main() -> int:
    """Run both audits; print what they found."""
    ignores, problems = load_ignores()
    problems += lint_problems(ignores)
    dependency, unaudited = dependency_problems(ignores)
    problems += dependency
    if unaudited:
        print(
            f"audit: warning: {len(unaudited)} package(s) could not be looked up for advisories "
            f"(not on PyPI, or not their latest release): {', '.join(sorted(unaudited))}",
            file=sys.stderr,
        )
        if os.environ.get("LEADLINE_AUDIT_STRICT") == "1":
            problems.append("LEADLINE_AUDIT_STRICT=1 and some packages could not be audited")
    for problem in problems:
        print(f"audit: {problem}", file=sys.stderr)
    if problems:
        return 1
    print("audit: no unexcused vulnerability, no unjustified security-lint exception")
    return 0


if __name__ == "__main__":
    sys.exit(main())

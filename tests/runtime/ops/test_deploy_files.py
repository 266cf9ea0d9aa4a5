"""The deployment files (Dockerfile, compose.yaml, deploy/) say what the code and CI do: the build is CI's
`make install`, every command is one `tangram` accepts, every TANGRAM_* name is a setting, the ports match
and the health checks ask /health. Docker is not run here (no daemon on CI's machine): the files are read."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from runtime.api.body_limit import ENVELOPE
from runtime.cli import parser
from runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = {f"TANGRAM_{name.upper()}" for name in Settings.model_fields}
DEFAULTS = Settings.model_construct()  # the declared defaults, whatever this shell's environment sets


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in (ROOT / "Dockerfile").read_text().splitlines()
                                          if not line.lstrip().startswith("#")))
    return [(parts[0].upper(), parts[1].strip() if len(parts) > 1 else "")
            for line in joined.splitlines() if line.strip() for parts in [line.strip().split(None, 1)]]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def tangram_services() -> dict[str, dict]:
    return {name: s for name, s in compose()["services"].items() if s.get("image", "").startswith("tangram")}


def make_targets() -> dict[str, tuple[list[str], list[str]]]:
    """Makefile target -> (prerequisites, recipe lines)."""
    targets: dict[str, tuple[list[str], list[str]]] = {}
    current = None
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("\t") and current:
            targets[current][1].append(line.strip())
        elif (m := re.match(r"^([\w$()./-]+):(?!=)\s*(.*)$", line)):
            current = m.group(1)
            targets[current] = (m.group(2).split(), [])
    return targets


def accepted(argv: list[str]) -> None:
    """`tangram ARGV` parses (argparse exits on an unknown command or option)."""
    assert argv[0].endswith("tangram"), argv
    try:
        parser().parse_args(argv[1:])
    except SystemExit as e:
        pytest.fail(f"tangram does not accept {argv}: exit {e.code}")


def test_the_image_is_built_as_ci_builds() -> None:
    runs = [args for op, args in dockerfile() if op == "RUN"]
    assert any(re.search(r"\bmake install\b", r) for r in runs), runs
    targets = make_targets()
    # CI (.ci/run) runs `make test`, which reaches `install` through its prerequisites: the same steps
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)
    seen, todo = set(), ["test"]
    while todo:
        name = todo.pop()
        seen.add(name)
        todo += [p for p in targets.get(name, ([], []))[0] if p not in seen]
    assert "install" in seen
    assert any("pip install" in line and "-e" in line for line in targets["$(BIN)/.installed"][1])


def test_the_image_holds_every_package_pyproject_installs() -> None:
    copied = {args.split()[0].rstrip("/") for op, args in dockerfile() if op == "COPY"}
    packages = re.search(r'include = \[(.*?)\]', (ROOT / "pyproject.toml").read_text()).group(1)
    wanted = {name.strip(' "*') for name in packages.split(",")} | {"apps"}  # apps/: the CRM template --init reads
    assert wanted <= copied, wanted - copied


def test_ports_agree() -> None:
    instructions = dockerfile()
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(a for op, a in instructions if op == "ENV")))
    assert int(env["TANGRAM_PORT"]) == DEFAULTS.port
    assert [a for op, a in instructions if op == "EXPOSE"] == [str(DEFAULTS.port)]
    for name, service in tangram_services().items():
        command = service["command"]
        if command[:2] == ["tangram", "serve"]:
            assert command[command.index("--port") + 1] == str(DEFAULTS.port), name
            assert [p.rsplit(":", 1)[1] for p in service["ports"]] == [str(DEFAULTS.port)], name
    url = tangram_services()["server-1"]["environment"]["TANGRAM_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@postgres:5432/" in url


def test_compose_runs_postgresql_two_servers_and_a_worker() -> None:
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    commands = [s["command"] for s in tangram_services().values()]
    assert sorted(c[:2] for c in commands) == [["tangram", "serve"], ["tangram", "serve"], ["tangram", "worker"]]
    for service in tangram_services().values():
        accepted(service["command"])
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["environment"]["TANGRAM_EMBEDDED_WORKER"] == "false"  # the worker service runs the jobs
        data = service["environment"]["TANGRAM_DATA_DIR"]
        assert f"files:{data}/files" in service["volumes"]  # uploads shared; the mirror file stays each one's


def test_health_checks_ask_health() -> None:
    check = next(a for op, a in dockerfile() if op == "HEALTHCHECK")
    assert f"127.0.0.1:{DEFAULTS.port}/health'" in check
    for name, service in tangram_services().items():
        if service["command"][1] == "serve":
            assert f"127.0.0.1:{DEFAULTS.port}/health'" in " ".join(service["healthcheck"]["test"]), name
    assert "pg_isready" in compose()["services"]["postgres"]["healthcheck"]["test"]


def code(markdown: str) -> list[str]:
    """The lines of a Markdown text's code blocks and the `spans` of its other lines."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S)
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)
    return [line for block in blocks for line in block.splitlines()] + re.findall(r"`([^`\n]+)`", prose)


def test_commands_in_the_files_and_the_guide_are_tangrams() -> None:
    lines = [*(ROOT / "compose.yaml").read_text().splitlines(), *code((ROOT / "docs" / "deployment.md").read_text()),
             *(line for p in (ROOT / "deploy").rglob("*") if p.is_file() for line in p.read_text().splitlines())]
    found = 0
    for line in lines:
        line = re.sub(r"\$\([^)]*\)|'…'", "X", line)  # $(date +%F), a password elided: one word
        for m in re.finditer(r"(?:^|[\s=/])tangram ((?:serve|worker|db|backup|restore|app|user)\b[^`#;&|…]*)", line):
            accepted(["tangram", *shlex.split(m.group(1))])  # a quoted message stops at its elision (…)
            found += 1
    assert found >= 8


@pytest.mark.parametrize("path", ["Dockerfile", "compose.yaml", "deploy", "docs/deployment.md"])
def test_every_tangram_variable_is_a_setting(path: str) -> None:
    where = ROOT / path
    files = [p for p in where.rglob("*") if p.is_file()] if where.is_dir() else [where]
    names = {n for f in files for n in re.findall(r"\bTANGRAM_[A-Z0-9_]+", f.read_text())}
    assert names, path
    assert names <= SETTINGS, sorted(names - SETTINGS)


def test_nginx_limits_and_request_id() -> None:
    conf = (ROOT / "deploy" / "nginx" / "tangram.conf").read_text()
    size = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert size == DEFAULTS.max_upload_mb + ENVELOPE // (1 << 20)  # what Tangram itself lets through
    assert size >= DEFAULTS.max_body_mb
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    static = re.search(r"location /static/ \{\s*alias /opt/tangram/(\S+);", conf).group(1)
    assert (ROOT / static).is_dir() and static.rstrip("/") == "builder_ui/static"
    assert "location = /metrics { return 404; }" in conf


def test_systemd_units() -> None:
    for unit in ("tangram-server.service", "tangram-worker.service"):
        text = (ROOT / "deploy" / "systemd" / unit).read_text()
        start = re.search(r"^ExecStart=(.*)$", text, re.M).group(1).split()
        accepted(start)
        assert "Restart=on-failure" in text
        assert "EnvironmentFile=/etc/tangram/tangram.env" in text

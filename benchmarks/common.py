"""What the benchmarks share: a scratch PostgreSQL database of their own, and a
dated entry appended to a section of benchmarks/RESULTS.md."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
TEST_DATABASE = "grabpack_test"  # the test suite's: never touched by a benchmark


def scratch_postgres(database: str, fresh: bool = True) -> str:
    """The URL of ``database``, owned by the test role on the cluster that
    ``scripts/start-postgres`` starts: dropped and made again empty unless ``fresh``
    is false (a run that reuses what an earlier one loaded)."""
    assert database != TEST_DATABASE
    script = [str(ROOT / "scripts" / "start-postgres")]
    printed = subprocess.run(script, check=True, capture_output=True, text=True)  # noqa: S603
    url = make_url(printed.stdout.strip().splitlines()[-1])
    if fresh:
        drop_postgres(database, url.port)
        as_postgres(url.port, f"CREATE DATABASE {database} OWNER {url.username}")
    return url.set(database=database).render_as_string(hide_password=False)


def drop_postgres(database: str, port: int | None) -> None:
    as_postgres(port, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def as_postgres(port: int | None, sql: str) -> None:
    root = [] if os.geteuid() == 0 else ["sudo"]
    psql = f'psql -p {port or 5432} -qAtX -v ON_ERROR_STOP=1 -c "{sql}"'
    subprocess.run([*root, "su", "postgres", "-c", psql], check=True)  # noqa: S603 (ours)


def append_to_section(section: str, entry: str, introduction: str = "") -> None:
    """Put ``entry`` at the end of ``section`` (a ``## `` heading) of RESULTS.md,
    making the section (with its ``introduction``) at the end if it is not there."""
    content = RESULTS.read_text(encoding="utf-8")
    if section not in content:
        content = (
            content.rstrip("\n")
            + f"\n\n{section}\n"
            + (f"\n{introduction}" if introduction else "")
        )
    start = content.index(section) + len(section)
    following = content.find("\n## ", start)
    end = len(content) if following == -1 else following
    content = content[:end].rstrip("\n") + "\n\n" + entry + content[end:]
    RESULTS.write_text(content, encoding="utf-8")
    print(f"appended to {RESULTS.relative_to(ROOT)}")

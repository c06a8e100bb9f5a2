"""The README's "How your books look in FreshBooks" shows exactly what the code does.

`docs/books_examples.py` builds each example's BigCommerce order and runs the mapping or the sync engine (against
the in-process sandbox, in a throw-away data folder) on it, printing Markdown blocks separated by blank lines.
Every table it prints must appear in README.md verbatim; every sentence it prints (the ones that carry numbers)
must appear with only its line breaks changed, since the README wraps prose.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "books_examples.py"
SECTION = "### How your books look in FreshBooks"


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _examples() -> list[str]:
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,  # noqa: S603 fixed argv
                          timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return [block.strip("\n") for block in done.stdout.split("\n\n") if block.strip()]


def test_readme_shows_every_table_and_figure_the_examples_print() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in readme.splitlines()
    section = readme[readme.index(SECTION):]
    blocks = _examples()
    tables = [b for b in blocks if b.startswith("|")]
    sentences = [b for b in blocks if not b.startswith("|")]
    assert len(tables) >= 10 and len(sentences) >= 5, blocks       # every case printed something
    missing = [t for t in tables if t not in section]
    assert not missing, "README.md does not show these tables as docs/books_examples.py prints them:\n\n" + \
        "\n\n".join(missing)
    flat = _squeeze(section)
    unsaid = [s for s in sentences if _squeeze(s) not in flat]
    assert not unsaid, "README.md does not say these as docs/books_examples.py prints them:\n\n" + \
        "\n\n".join(unsaid)


def test_the_section_follows_how_a_sync_works() -> None:
    headings = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("#")]
    sync = headings.index("### How a sync works")
    assert headings[sync + 1] == SECTION

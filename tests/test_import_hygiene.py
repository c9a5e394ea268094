"""The core never imports the terminal UI: importing textmill and running a pipeline stays free
of textual."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_core_and_a_pipeline_do_not_import_textual(tmp_path, seeds):
    code = textwrap.dedent(
        f"""
        import sys
        import textmill, textmill.cli, textmill.query, textmill.engine
        from pathlib import Path
        from textmill.testing import run_chain
        out = run_chain([Path({str(seeds)!r})], {{"clean": ["unicode"]}}, tmp_path=Path({str(tmp_path)!r}))
        assert out.summary.documents == 5
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print(",".join(bad))
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""

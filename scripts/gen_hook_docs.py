"""Write docs/plugins/hooks.md from the hook specifications' signatures and docstrings.

.venv/bin/python scripts/gen_hook_docs.py          # rewrite the page
.venv/bin/python scripts/gen_hook_docs.py --check  # exit 1 when the page is stale
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "plugins" / "hooks.md"


def render() -> str:
    from textmill import hookspecs

    lines = [
        "# Hook reference",
        "",
        "Generated from `core/hookspecs.py` by `scripts/gen_hook_docs.py`; do not edit by hand.",
        "",
        inspect.cleandoc(hookspecs.__doc__ or ""),
        "",
    ]
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("textmill_"):
            continue
        opts = getattr(fn, "textmill_spec", {}) or {}
        sig = str(inspect.signature(fn)).replace("'", "")
        lines += [f"## `{name}`", "", "```python", f"def {name}{sig}", "```", ""]
        if opts.get("firstresult"):
            lines += [
                "*First result wins*: the first plugin returning something other than `None` decides.",
                "",
            ]
        lines += [inspect.cleandoc(fn.__doc__ or "(undocumented)"), ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    text = render()
    if "--check" in sys.argv:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            sys.exit("docs/plugins/hooks.md is stale; run scripts/gen_hook_docs.py")
        return
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

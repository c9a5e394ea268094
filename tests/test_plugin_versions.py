"""A plugin's version is part of its cache key: upgrading it re-runs that plugin only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textmill import PluginInfo, Result, hookimpl
from textmill.testing import SEEDS, run_chain


class Counter:
    def __init__(self, name: str, version: str) -> None:
        self.name, self.version, self.calls = name, version, 0

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name=self.name, version=self.version)

    @hookimpl
    def textmill_quality(self, doc: Any, settings: Any, ctx: Any) -> Result:
        self.calls += 1
        return Result(label=f"v{self.version}", data={"chars": len(doc.text)})


def test_upgrading_a_plugin_reruns_only_that_plugin(tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    chain = {"quality": ["alpha", "beta"]}
    alpha, beta = Counter("alpha", "1.0"), Counter("beta", "1.0")
    first = run_chain([SEEDS], chain, tmp_path=tmp_path / "a", plugins=[alpha, beta], store=store)
    assert alpha.calls == beta.calls == 5
    assert first.summary.plugins["alpha"].cached == 0

    alpha2, beta_same = Counter("alpha", "1.1"), Counter("beta", "1.0")
    second = run_chain(
        [SEEDS], chain, tmp_path=tmp_path / "b", plugins=[alpha2, beta_same], store=store
    )
    assert alpha2.calls == 5 and beta_same.calls == 0
    assert second.summary.plugins["beta"].cached == 5
    doc_id = second.ids()[0]
    assert second.result(doc_id, "alpha").label == "v1.1"

"""Train the mt_artifacts quality score; writes plugins/mt_artifacts/qe_model.json,
plugins/mt_artifacts/lexicon.json.gz, plugins/mt_artifacts/lexicon_reverse.json.gz and
plugins/mt_artifacts/ngram_model.json.gz.

Data: the training split of the quality set (../shared/eval/quality/mlqe-pe/): Romanian,
Estonian, Nepali, Sinhala and Russian sentences machine-translated into English, each with the
mean human direct-assessment z-score (z_mean), and the post-editing training split (the same
sentences with their human post-edited English).

1. Learned tables, cross-fitted: the scored sentences of each pair fall into 5 folds; for each
   fold, IBM Model 1 tables both ways (from the post-edited pairs) and the character n-gram
   regression (:mod:`textmill.plugins.mt_artifacts.ngrams`, from the z-scores) are fitted on
   the other folds, and the fold's sentences are featurized with them. So no sentence's
   features come from tables that saw its own post-edit or score (a table that had seen the
   post-edit would make lexical coverage look like a measure of post-editing effort, which it
   is not on new text). The shipped tables are fitted on the whole split.
2. Features per scored sentence (:mod:`textmill.plugins.mt_artifacts.features`): fluency,
   spaCy parse and the checks' findings; plus bilingual features and bilingual checks.
3. Models: monolingual = the mean of three small ReLU networks (different seeds; size and L2
   alpha chosen among :data:`NETS` by held-out r, for each mode); bilingual pooled = the same on
   bilingual features (the source language as a one-hot feature); bilingual per source language =
   the mean of a ridge regression fitted on that language (alpha by 5-fold cross-validation) and
   the pooled networks.
4. Synthetic negatives: garbled copies of 300 training translations per pair (reversed,
   shuffled or doubled words) labelled with the pair's 2nd-percentile z_mean join the fit (not
   the held-out figures), so gibberish the human-judged data lacks is not rated mid-range.
5. Calibration: each model's outputs on a held-out fifth of the real sentences (models fitted
   on the rest) are mapped to the expected z_mean (binned, isotonic), rescaled so that 0 and 1
   are the 1st and 99th percentiles of z_mean; saved as points. On the same held-out
   sentences, the share of content words the post-editors changed (the post-editing split's
   word-level tags) is mapped from the calibrated score (binned, isotonic), for the expected
   errors (:mod:`textmill.plugins.mt_artifacts.errors`). Then everything is refitted.

    .venv/bin/python benchmarks/train_quality.py [--per-pair 7000] [--cache /tmp/qe_features.json.gz]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval" / "quality" / "mlqe-pe"
PAIRS = ("ro", "et", "ne", "si", "ru")
OUT = ROOT / "plugins" / "mt_artifacts" / "qe_model.json"
ALPHAS = (1.0, 10.0, 30.0, 100.0, 300.0, 1000.0)


def da_rows(pair: str, split: str) -> list[dict[str, str]]:
    """Direct-assessment rows: original, translation, z_mean, model_scores, ..."""
    with tarfile.open(EVAL / f"direct-assessments-{pair}-en-{split}.tar.gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".df.short.tsv"))
        data = tar.extractfile(member)
        assert data is not None
        text = io.TextIOWrapper(data, encoding="utf-8")
        return list(csv.DictReader(text, delimiter="\t", quoting=csv.QUOTE_NONE))


def pe_pairs(pair: str, split: str) -> list[tuple[str, str]]:
    """(source, human post-edited English) pairs of the post-editing split."""
    with tarfile.open(EVAL / f"post-editing-{pair}-en-{split}.tar.gz") as tar:
        files = {m.name.rsplit("/", 1)[-1]: m for m in tar.getmembers() if m.isfile()}

        def lines(name: str) -> list[str]:
            fh = tar.extractfile(files[name])
            assert fh is not None
            return fh.read().decode("utf-8").split("\n")

        src, pe = lines(f"{split}.src"), lines(f"{split}.pe")
    return [(s, e) for s, e in zip(src, pe, strict=False) if s.strip() and e.strip()]


def post_edits(pair: str, rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(tokenized source, human post-edited English) of each direct-assessment row of the
    training split: the post-editing split holds the same sentences in the same order."""
    pe = pe_pairs(pair, "train")

    def key(text: str) -> str:
        return "".join(c for c in text.lower() if c.isalnum())

    if len(pe) != len(rows) or any(
        key(s) != key(r["original"]) for (s, _), r in zip(pe, rows, strict=True)
    ):
        sys.exit(f"the post-editing and direct-assessment training splits of {pair} differ")
    return pe


def changed_words(pair: str, n_rows: int, split: str = "train") -> list[tuple[int, int]]:
    """(content words the post-editor changed, content words) of each machine translation of
    ``split``, from the post-editing split's word-level tags (OK/BAD per word, with
    gap tags between words)."""
    from textmill.plugins.mt_artifacts.errors import is_content

    with tarfile.open(EVAL / f"post-editing-{pair}-en-{split}.tar.gz") as tar:
        files = {m.name.rsplit("/", 1)[-1]: m for m in tar.getmembers() if m.isfile()}

        def lines(name: str) -> list[str]:
            fh = tar.extractfile(files[name])
            assert fh is not None
            return fh.read().decode("utf-8").split("\n")[:n_rows]

        mt, tags = lines(f"{split}.mt"), lines(f"{split}.tags")
    out = []
    for sent, tag_line in zip(mt, tags, strict=True):
        words, marks = sent.split(), tag_line.split()
        if len(marks) == 2 * len(words) + 1:
            marks = marks[1::2]
        if len(marks) != len(words):
            sys.exit(f"the word tags of {pair} do not match its translations")
        content = [m for w, m in zip(words, marks, strict=True) if is_content(w)]
        out.append((sum(m == "BAD" for m in content), len(content)))
    return out


def item_features(
    translation: str, original: str, pair: str, tables: Any = None
) -> tuple[dict[str, float], dict[str, float]]:
    """(monolingual, bilingual) feature dicts of one scored item, as the plugin computes them;
    ``tables`` (:class:`~textmill.plugins.mt_artifacts.features.Tables`) replace the shipped
    lexicon and n-gram model."""
    from textmill import Document
    from textmill.nlp import has_statistical_model, load_nlp, parse
    from textmill.plugins.mt_artifacts.bilingual import bilingual_checks
    from textmill.plugins.mt_artifacts.checks import run_checks
    from textmill.plugins.mt_artifacts.score import sentence_features

    tokens = list(parse(translation)) if has_statistical_model(load_nlp()) else None
    mono_findings = run_checks(translation)
    doc = Document(id="x", raw=translation, lang="en", source_text=original, source_lang=pair)
    forward = tables.forward if tables is not None else None
    bi_findings = mono_findings + bilingual_checks(doc, lexicon_table=forward)
    mono = sentence_features(translation, tokens, mono_findings)
    bi = sentence_features(translation, tokens, bi_findings, original, pair, tables)
    return mono, bi


FOLDS = 5


def fit_tables(rows: list[dict[str, str]], pe: list[tuple[str, str]], use: np.ndarray) -> Any:
    """Lexicon tables both ways and the n-gram model of one pair, fitted on rows ``use``."""
    from textmill.plugins.mt_artifacts import lexicon, ngrams
    from textmill.plugins.mt_artifacts.features import Tables

    pairs = [pe[i] for i in np.flatnonzero(use)]
    return Tables(
        forward=lexicon.train_ibm1(pairs),
        reverse=lexicon.train_ibm1([(e, s) for s, e in pairs]),
        ngram=ngrams.fit(
            [rows[i]["translation"] for i in np.flatnonzero(use)],
            [rows[i]["original"] for i in np.flatnonzero(use)],
            [float(rows[i]["z_mean"]) for i in np.flatnonzero(use)],
        ),
    )


def write_tables(shipped: dict[str, Any]) -> None:
    from textmill.plugins.mt_artifacts import lexicon, ngrams

    files = (
        (lexicon.PATH, {p: t.forward for p, t in shipped.items()}),
        (lexicon.REVERSE_PATH, {p: t.reverse for p, t in shipped.items()}),
        (ngrams.PATH, {p: t.ngram for p, t in shipped.items()}),
    )
    for path, tables in files:
        # mtime=0: the same tables give the same bytes, so a retrain does not churn the files.
        with (
            gzip.GzipFile(path, "wb", mtime=0) as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as fh,
        ):
            json.dump(tables, fh, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    lexicon.load.cache_clear()
    ngrams.load.cache_clear()


def matrix(rows: list[dict[str, float]], names: list[str]) -> np.ndarray:
    return np.array([[r.get(n, 0.0) for n in names] for r in rows], dtype=float)


def _standardize(
    rows: list[dict[str, float]],
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    names = sorted({k for r in rows for k in r})
    x = matrix(rows, names)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return names, mean, scale, (x - mean) / scale


def _member(
    names: list[str], mean: np.ndarray, scale: np.ndarray, xs: np.ndarray, **weights: Any
) -> dict[str, Any]:
    """A model member; standardised inputs are clipped to their training range at run time, so
    text unlike any training sentence (one 5,000-letter word) does not make a network
    extrapolate."""
    return {
        "clip": [xs.min(axis=0).round(4).tolist(), xs.max(axis=0).round(4).tolist()],
        "features": names,
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        **weights,
    }


def fit_ridge(rows: list[dict[str, float]], y: np.ndarray) -> dict[str, Any]:
    """Ridge regression, alpha chosen by 5-fold cross-validated Pearson r."""
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold, cross_val_predict

    names, mean, scale, xs = _standardize(rows)
    folds = KFold(5, shuffle=True, random_state=0)
    best = max(
        ALPHAS,
        key=lambda a: np.corrcoef(cross_val_predict(Ridge(alpha=a), xs, y, cv=folds), y)[0, 1],
    )
    model = Ridge(alpha=best).fit(xs, y)
    return _member(
        names,
        mean,
        scale,
        xs,
        coef=model.coef_.round(6).tolist(),
        intercept=round(float(model.intercept_), 6),
        alpha=best,
    )


NETS = (((16,), 1.0), ((32,), 3.0), ((64,), 3.0))
NET_MARGIN = 0.01


def fit_mlps(
    rows: list[dict[str, float]],
    y: np.ndarray,
    net_cfg: tuple[tuple[int, ...], float],
    seeds: int = 3,
) -> list[dict[str, Any]]:
    """Small ReLU networks (``net_cfg`` = hidden sizes, L2 alpha), early-stopped; one per seed."""
    from sklearn.neural_network import MLPRegressor

    names, mean, scale, xs = _standardize(rows)
    out = []
    for seed in range(seeds):
        net = MLPRegressor(
            hidden_layer_sizes=net_cfg[0],
            alpha=net_cfg[1],
            max_iter=300,
            early_stopping=True,
            random_state=seed,
        ).fit(xs, y)
        out.append(
            _member(
                names,
                mean,
                scale,
                xs,
                hidden=[
                    {
                        "w": net.coefs_[0].round(5).tolist(),
                        "b": net.intercepts_[0].round(5).tolist(),
                    }
                ],
                coef=net.coefs_[1][:, 0].round(5).tolist(),
                intercept=round(float(net.intercepts_[1][0]), 5),
            )
        )
    return out


def calibration(
    raw: np.ndarray, y: np.ndarray, y_all: np.ndarray, bins: int = 20
) -> dict[str, Any]:
    """Map held-out model outputs to the expected human z-score, rescaled linearly so that 0 and
    1 are the 1st and 99th percentiles of z_mean over all training sentences.

    Knots: the mean output and mean z of ``bins`` quantile bins, made monotone by isotonic
    regression, with end knots at the extreme outputs on the least-squares line, so the map is
    smooth and does not flatten the tails (where the worst translations are told apart)."""
    from sklearn.isotonic import IsotonicRegression

    lo, hi = np.quantile(y_all, [0.01, 0.99])
    order = np.argsort(raw)
    groups = np.array_split(order, bins)
    bx = np.array([raw[g].mean() for g in groups])
    by = IsotonicRegression().fit(bx, [y[g].mean() for g in groups]).predict(bx)
    slope, icpt = np.polyfit(raw, y, 1)
    ends_x = [float(raw.min()) - 1.0, float(raw.max()) + 1.0]
    ends_y = [min(by[0], slope * ends_x[0] + icpt), max(by[-1], slope * ends_x[1] + icpt)]
    xs = np.concatenate([[ends_x[0]], bx, [ends_x[1]]])
    ys = np.maximum.accumulate(np.concatenate([[ends_y[0]], by, [ends_y[1]]]))
    expected = np.clip((ys - lo) / (hi - lo), 0.0, 1.0)
    return {
        "calib_x": xs.round(5).tolist(),
        "calib_y": expected.round(4).tolist(),
        "calib_z": [round(float(lo), 4), round(float(hi), 4)],
        "heldout_pearson": round(float(np.corrcoef(raw, y)[0, 1]), 4),
    }


def error_map(
    scores: np.ndarray, changed: np.ndarray, content: np.ndarray, bins: int = 20
) -> dict[str, Any]:
    """The share of content words post-editors changed as a monotone (non-increasing) function
    of the calibrated score: ``bins`` quantile bins of held-out scores, each bin's share of
    changed words, made monotone by isotonic regression (weighted by words); saved as points."""
    from sklearn.isotonic import IsotonicRegression

    groups = [g for g in np.array_split(np.argsort(scores), bins) if content[g].sum()]
    bx = np.array([scores[g].mean() for g in groups])
    share = np.array([changed[g].sum() / content[g].sum() for g in groups])
    words = np.array([content[g].sum() for g in groups], dtype=float)
    by = IsotonicRegression(increasing=False).fit(bx, share, sample_weight=words).predict(bx)
    expected = np.interp(scores, bx, by) * content
    return {
        "errors_x": bx.round(4).tolist(),
        "errors_y": by.round(4).tolist(),
        "heldout_errors_pearson": round(float(np.corrcoef(expected, changed)[0, 1]), 4),
    }


def choose_net(
    items: list[dict[str, Any]], heldout: np.ndarray, mode: str
) -> tuple[tuple[int, ...], float]:
    """The network size and L2 alpha of :data:`NETS` with the best mean held-out Pearson r over
    language pairs, on the ``mode`` ("mono" or "bi") features, one seed. A larger network must
    beat the smaller ones by :data:`NET_MARGIN`: one seed's held-out r varies by about that
    much."""
    from textmill.plugins.mt_artifacts.score import predict_raw

    train = [it for i, it in enumerate(items) if not heldout[i]]
    held = [it for i, it in enumerate(items) if heldout[i]]
    y_held = np.array([it["y"] for it in held])
    best, best_r = NETS[0], -1.0
    for cfg in NETS:
        net = fit_mlps(
            [it[mode] for it in train], np.array([it["y"] for it in train]), cfg, seeds=1
        )
        raw = predict_raw({"members": net}, [it[mode] for it in held])
        rs = []
        for pair in PAIRS:
            mask = np.array([it["pair"] == pair for it in held])
            rs.append(float(np.corrcoef(raw[mask], y_held[mask])[0, 1]))
        print(f"{mode} network {cfg}: held-out r {' '.join(f'{r:.3f}' for r in rs)}", flush=True)
        if np.mean(rs) > best_r + NET_MARGIN:
            best, best_r = cfg, float(np.mean(rs))
    return best


def build_models(
    items: list[dict[str, Any]],
    y_all: np.ndarray,
    heldout: np.ndarray | None,
    net_cfg: dict[str, tuple[tuple[int, ...], float]],
) -> dict[str, Any]:
    """All models on ``items`` (those outside ``heldout`` when given)."""
    use = [it for i, it in enumerate(items) if heldout is None or not heldout[i]]
    y = np.array([it["y"] for it in use])
    pairs = np.array([it["pair"] for it in use])
    weights: dict[str, Any] = {
        "monolingual": {"members": fit_mlps([it["mono"] for it in use], y, net_cfg["mono"])},
        "bilingual": {
            "shared": {"mlp": fit_mlps([it["bi"] for it in use], y, net_cfg["bi"])},
            "pooled": {"members": [{"shared": "mlp", "weight": 1.0}]},
            "pairs": {},
        },
    }
    for pair in PAIRS:
        sub = [it["bi"] for it, p in zip(use, pairs, strict=True) if p == pair]
        ridge = fit_ridge(sub, y[pairs == pair])
        weights["bilingual"]["pairs"][pair] = {
            "members": [dict(ridge, weight=1.0), {"shared": "mlp", "weight": 1.0}]
        }
    return weights


def _models(weights: dict[str, Any]) -> list[tuple[str, str | None, dict[str, Any]]]:
    out: list[tuple[str, str | None, dict[str, Any]]] = [("mono", None, weights["monolingual"])]
    out.append(("bi", None, weights["bilingual"]["pooled"]))
    out += [("bi", p, m) for p, m in weights["bilingual"]["pairs"].items()]
    return out


def featurize_all(
    all_rows: dict[str, list[dict[str, str]]], chosen: dict[str, np.ndarray], synthetic: int
) -> list[dict[str, Any]]:
    """Features of the chosen scored rows of each pair and of ``synthetic`` garbled copies per
    pair, each fold's rows with tables fitted on the other folds (see the module docstring);
    writes the shipped tables, fitted on every row."""
    rng = random.Random(0)
    out: list[dict[str, Any]] = []
    shipped = {}
    for pair in PAIRS:
        rows = all_rows[pair]
        pe = post_edits(pair, rows)
        changed = changed_words(pair, len(rows))
        idx = chosen[pair]
        fold = np.full(len(rows), -1)
        fold[idx] = np.random.default_rng(2).permutation(len(idx)) % FOLDS
        low = float(np.quantile([float(rows[i]["z_mean"]) for i in idx], 0.02))
        garbled = set(rng.sample(list(idx), min(synthetic, len(idx))))
        t0 = time.perf_counter()
        shipped[pair] = fit_tables(rows, pe, np.ones(len(rows), dtype=bool))
        for k in range(FOLDS):
            tables = fit_tables(rows, pe, fold != k)
            for i in np.flatnonzero(fold == k):
                r = rows[i]
                mono, bi = item_features(r["translation"], r["original"], pair, tables)
                out.append(
                    {
                        "pair": pair,
                        "y": float(r["z_mean"]),
                        "mono": mono,
                        "bi": bi,
                        "changed": changed[i][0],
                        "content": changed[i][1],
                    }
                )
                if i in garbled:
                    text = garble(r["translation"], rng)
                    mono, bi = item_features(text, r["original"], pair, tables)
                    out.append({"pair": pair, "y": low, "mono": mono, "bi": bi, "synthetic": True})
        print(
            f"features {pair}: {len(idx)} sentences, {len(garbled)} garbled "
            f"({time.perf_counter() - t0:.0f}s)",
            flush=True,
        )
    write_tables(shipped)
    return out


def garble(text: str, rng: random.Random) -> str:
    """Damage no human-judged translation shows often enough to be learned from: reversed
    words, shuffled word order, or doubled words."""
    words = text.split()
    kind = rng.randrange(3)
    if kind == 0:
        words = [w[::-1] if len(w) > 3 and rng.random() < 0.6 else w for w in words]
    elif kind == 1:
        rng.shuffle(words)
    else:
        words = [f"{w} {w}" if rng.random() < 0.4 else w for w in words]
    return " ".join(words)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--per-pair", type=int, default=7000, help="scored training sentences per pair (7000: all)"
    )
    ap.add_argument(
        "--cache",
        type=Path,
        help="feature cache file: reused when it holds the same settings (and then the shipped "
        "tables are kept as they are)",
    )
    ap.add_argument(
        "--synthetic",
        type=int,
        default=300,
        help="garbled translations per pair added as negatives",
    )
    args = ap.parse_args()
    if not EVAL.exists():
        sys.exit(f"quality set not found at {EVAL}")
    rng = np.random.default_rng(0)
    all_rows, chosen = {}, {}
    for lang in PAIRS:
        all_rows[lang] = da_rows(lang, "train")
        chosen[lang] = np.sort(rng.permutation(len(all_rows[lang]))[: args.per_pair])
    key = {"per_pair": args.per_pair, "synthetic": args.synthetic, "folds": FOLDS, "version": 2}
    cached = None
    if args.cache is not None and args.cache.exists():
        with gzip.open(args.cache, "rt", encoding="utf-8") as fh:
            cached = json.load(fh)
    if cached is not None and cached.get("key") == key:
        items = cached["items"]
    else:
        items = featurize_all(all_rows, chosen, args.synthetic)
        if args.cache is not None:
            with gzip.open(args.cache, "wt", encoding="utf-8") as fh:
                json.dump({"key": key, "items": items}, fh)
    real = np.array([not it.get("synthetic") for it in items])
    y_all = np.array([it["y"] for it in items])[real]
    print(f"{int(real.sum())} scored sentences, {int((~real).sum())} garbled", flush=True)
    # Calibrate on a held-out fifth of the real sentences with models fitted on the rest; then
    # refit on everything.
    from textmill.plugins.mt_artifacts.score import calibrate, pick_model, predict_raw

    heldout = (np.random.default_rng(1).random(len(items)) < 0.2) & real
    t0 = time.perf_counter()
    net_cfg = {mode: choose_net(items, heldout, mode) for mode in ("mono", "bi")}
    trial = build_models(items, y_all, heldout, net_cfg)
    held = [it for i, it in enumerate(items) if heldout[i]]
    calib = {}
    for mode, pair, _ in _models(trial):
        sub = [it for it in held if pair is None or it["pair"] == pair]
        model = pick_model(trial, pair, mode == "bi")
        raw = predict_raw(model, [it[mode] for it in sub])
        calib[(mode, pair)] = calibration(raw, np.array([it["y"] for it in sub]), y_all)
        scores = calibrate(calib[(mode, pair)], raw)
        calib[(mode, pair)].update(
            error_map(
                scores,
                np.array([it["changed"] for it in sub], dtype=float),
                np.array([it["content"] for it in sub], dtype=float),
            )
        )
        print(
            f"{mode} {pair or 'all'}: held-out r {calib[(mode, pair)]['heldout_pearson']:.3f}, "
            f"expected against changed words r {calib[(mode, pair)]['heldout_errors_pearson']:.3f}",
            flush=True,
        )
    weights = build_models(items, y_all, None, net_cfg)
    for mode, pair, model in _models(weights):
        model.update(calib[(mode, pair)])
    weights["network"] = {
        mode: {"hidden": list(cfg[0]), "alpha": cfg[1]} for mode, cfg in net_cfg.items()
    }
    weights["trained_on"] = (
        f"quality set train split: {int(real.sum())} scored sentences from {', '.join(PAIRS)} "
        f"into en, {int((~real).sum())} garbled copies"
    )
    print(f"fitted in {time.perf_counter() - t0:.0f}s")
    OUT.write_text(json.dumps(weights, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

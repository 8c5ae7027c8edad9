"""Text normalisation and the TF-IDF vectorisers of the triage engine.

Notes arrive as Markdown written in a hurry: links, e-mail addresses, ticket numbers,
quoted replies, emphasis. `normalise` reduces a note to lower-case words before any
vectoriser sees it, so the same words count the same wherever they come from.

Three vectorisers, one per use:
- `kind_vectorizer`: word 1-2 grams and character 3-5 grams within words, no stop-word
  list: "how do I", "please add" and "?" are what tell a question from a request.
- `similarity_vectorizer`: word 1-2 grams without stop words (but keeping negations), for
  cosine similarity between notes and with feature texts; float32 to halve the memory
  of a large index.
- `theme_vectorizer`: word 1-2 grams without stop words and without the words that mark a
  note's kind ("bug", "please", "love"), so clusters gather around what notes are about
  rather than how they are phrased.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.pipeline import FeatureUnion

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_MARKUP = re.compile(r"[*_`#>\[\]()|~]+")
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)
_SPACE = re.compile(r"\s+")

# Negations carry meaning in feedback ("cannot export", "not loading"); the standard
# English stop-word list would drop them.
_KEPT_WORDS = frozenset({"not", "no", "nor", "never", "cannot", "without", "none"})
STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS - _KEPT_WORDS) | frozenset(
    {"hi", "hello", "hey", "thanks", "thank", "cheers", "regards", "team", "just", "url", "email"}
)

# Words that say what kind of note it is rather than what it is about; themes leave them out.
_KIND_WORDS_TEXT = """
    add added adding allow allowing amazing annoying asap awesome bit broke broken bug bugs
    crash crashed crashes crashing currently does doesn easier error errors fail failed
    fails failing fantastic feature fix fixed fixing fyi good great happy help helpful how
    idea issue issues keeps like love loved loving lot need needed needs nice option
    please possible problem quick quickly really request requests seems shows simple
    slow small something suggestion support thing things think today tried trying
    useful want wanted way ways wish wonder wondering work working works wrong would
    yesterday question questions able use using used ll ve don isn won wasn
"""
KIND_WORDS: frozenset[str] = frozenset(_KIND_WORDS_TEXT.split())


def normalise(text: str) -> str:
    """Lower-case plain words: no quoted replies, links, addresses or Markdown marks."""
    text = unicodedata.normalize("NFKC", text)
    text = _QUOTED_LINE.sub(" ", text)
    text = _URL.sub(" url ", text)
    text = _EMAIL.sub(" email ", text)
    text = _MARKUP.sub(" ", text)
    text = text.replace("\u2019", "'").lower()
    return _SPACE.sub(" ", text).strip()


def _word_tfidf(**options) -> TfidfVectorizer:
    defaults = {
        "preprocessor": normalise,
        "ngram_range": (1, 2),
        "sublinear_tf": True,
        "dtype": np.float32,
    }
    defaults.update(options)
    return TfidfVectorizer(**defaults)


def kind_vectorizer(*, labelled: int) -> FeatureUnion:
    """Word 1-2 grams plus character 3-5 grams (within words), weighted equally.

    Character n-grams make the model robust to typos and word forms ("crashing",
    "crashed"); with few labels every n-gram is kept, with many the rare ones go.
    """
    min_df = 1 if labelled < 500 else 2
    words = _word_tfidf(min_df=min_df, token_pattern=r"(?u)\b\w+\b|[?!]")
    chars = TfidfVectorizer(
        preprocessor=normalise,
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=min_df,
        sublinear_tf=True,
        dtype=np.float32,
        max_features=100_000,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def similarity_vectorizer(*, documents: int) -> TfidfVectorizer:
    """Word 1-2 grams for cosine similarity; terms seen once are dropped in large corpora."""
    return _word_tfidf(
        stop_words=sorted(STOP_WORDS),
        min_df=1 if documents < 1_000 else 2,
        max_df=0.5 if documents >= 100 else 1.0,
    )


def theme_vectorizer(*, documents: int) -> TfidfVectorizer:
    """Word 1-2 grams about what notes discuss, for clustering into themes."""
    return _word_tfidf(
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b",  # words of letters: no ticket numbers
        stop_words=sorted(STOP_WORDS | KIND_WORDS),
        # No ceiling on document frequency: a pain point that fills half the window is
        # the theme to show, not a word to drop.
        min_df=2 if documents < 2_000 else 3,
        max_features=50_000,
    )


def forget_pruned_terms(vectorizer: TfidfVectorizer | FeatureUnion) -> None:
    """Drop the set of terms a fitted vectoriser pruned (`stop_words_`).

    scikit-learn keeps every term cut by `min_df`/`max_df`/`max_features` for
    introspection only; on a large corpus that is millions of strings that would be
    pickled with the model. Transforming does not use it.
    """
    parts = (
        [part for _, part in vectorizer.transformer_list]
        if isinstance(vectorizer, FeatureUnion)
        else [vectorizer]
    )
    for part in parts:
        if hasattr(part, "stop_words_"):
            del part.stop_words_

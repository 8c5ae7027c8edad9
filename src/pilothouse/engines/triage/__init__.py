"""The triage engine: kind suggestions, similar notes and duplicates, features to link, themes.

Pure Python on numpy, scipy and scikit-learn; no Django. The app passes notes and features
in as frozen dataclasses (`Note`, `FeatureText`) and gets frozen dataclasses back, each
suggestion with the score it was ranked by. Dismissed suggestions are passed in as
`(note_id, target)` pairs and left out.

    from pilothouse.engines import triage

    model = triage.train_kind_model(notes=notes)              # KindModel or NotEnoughLabels
    triage.suggest_kinds(model=model, notes=inbox)            # [KindSuggestion]
    index = triage.build_similarity_index(notes=notes, features=features)
    triage.similar_notes(index=index, note_id=7)              # [SimilarNote]
    triage.suggest_features(index=index, note_id=7)           # [FeatureSuggestion]
    triage.find_themes(notes=notes, start=..., end=...)       # ThemeReport

`KindModel` and `SimilarityIndex` serialise to bytes (`to_bytes`/`from_bytes`) for the
project's own database; `sample.generate_feedback` writes labelled feedback for tests,
quality measurement and the demo.
"""

from pilothouse.engines.triage.kinds import (
    KindModel,
    evaluate_kind_model,
    labels_digest,
    suggest_kinds,
    train_kind_model,
)
from pilothouse.engines.triage.persistence import StaleModelError
from pilothouse.engines.triage.similarity import (
    SimilarityIndex,
    build_similarity_index,
    similar_notes,
    suggest_features,
)
from pilothouse.engines.triage.themes import find_themes
from pilothouse.engines.triage.types import (
    FeatureSuggestion,
    FeatureText,
    KindEvaluation,
    KindModelInfo,
    KindScore,
    KindSuggestion,
    Note,
    NotEnoughLabels,
    SimilarNote,
    SuggestionReason,
    Theme,
    ThemeReport,
    Trend,
)

__all__ = [
    "FeatureSuggestion",
    "FeatureText",
    "KindEvaluation",
    "KindModel",
    "KindModelInfo",
    "KindScore",
    "KindSuggestion",
    "NotEnoughLabels",
    "Note",
    "SimilarNote",
    "SimilarityIndex",
    "StaleModelError",
    "SuggestionReason",
    "Theme",
    "ThemeReport",
    "Trend",
    "build_similarity_index",
    "evaluate_kind_model",
    "find_themes",
    "labels_digest",
    "similar_notes",
    "suggest_features",
    "suggest_kinds",
    "train_kind_model",
]

"""Every write to objectives, key results and initiatives goes through these."""

from __future__ import annotations

from pilothouse.core.writes import ModelWrites
from pilothouse.strategy.models import Initiative, KeyResult, Objective

objective = ModelWrites(Objective)
key_result = ModelWrites(KeyResult)
initiative = ModelWrites(Initiative)

"""Prioritization: scoring models (RICE, ICE, WSJF, value vs effort, custom formulas),
the scores they give features, ranked backlogs and comparisons of two models. The
arithmetic lives in pilothouse.engines.scoring."""

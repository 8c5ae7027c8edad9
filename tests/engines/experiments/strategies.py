"""Realistic per-variant sums for generated tests: sums that some data could have given."""

from __future__ import annotations

from hypothesis import strategies as st

from pilothouse.engines.experiments import ColumnSums, MetricSums

units = st.integers(min_value=2, max_value=500_000)
lifts = st.floats(min_value=-0.5, max_value=0.5, allow_nan=False)
# Spread as a share of the mean: from nearly constant values to heavy-tailed ones.
spreads = st.floats(min_value=0.01, max_value=30.0, allow_nan=False)
means = st.one_of(
    st.floats(min_value=0.01, max_value=1e4, allow_nan=False),
    st.floats(min_value=-1e3, max_value=-0.01, allow_nan=False),
)
rates = st.floats(min_value=0.001, max_value=0.999, allow_nan=False)
correlations = st.floats(min_value=-0.95, max_value=0.95, allow_nan=False)


def _squares(n: int, mean: float, sd: float) -> tuple[float, float]:
    total = n * mean
    return total, (n - 1) * sd * sd + total * total / n


@st.composite
def mean_metric(draw, variants: int = 3) -> MetricSums:
    base, spread = draw(means), draw(spreads)
    n, sums, squares = [], [], []
    for _ in range(variants):
        count = draw(units)
        mean = base * (1 + draw(lifts))
        total, square = _squares(count, mean, abs(mean) * spread * draw(st.floats(0.5, 2.0)))
        n.append(count)
        sums.append(total)
        squares.append(square)
    return MetricSums(n=n, value=ColumnSums(sum=sums, sum_squares=squares))


@st.composite
def proportion_metric(draw, variants: int = 3) -> MetricSums:
    base = draw(rates)
    n, sums = [], []
    for _ in range(variants):
        count = draw(units)
        rate = min(max(base * (1 + draw(lifts)), 0.0), 1.0)
        n.append(count)
        sums.append(float(round(count * rate)))
    return MetricSums(n=n, value=ColumnSums(sum=sums, kind="proportion"))


@st.composite
def ratio_metric(draw, variants: int = 3) -> MetricSums:
    """E.g. revenue per order: numerator and denominator per unit, correlated."""
    mean_m, mean_d = draw(st.floats(0.1, 1e3)), draw(st.floats(0.1, 50.0))
    spread_m, spread_d, rho = draw(spreads), draw(st.floats(0.05, 5.0)), draw(correlations)
    cols: dict[str, list[float]] = {k: [] for k in ("n", "m", "mm", "d", "dd", "md")}
    for _ in range(variants):
        n = draw(units)
        m_mean, d_mean = mean_m * (1 + draw(lifts)), mean_d * (1 + draw(lifts))
        sd_m, sd_d = m_mean * spread_m, d_mean * spread_d
        m, mm = _squares(n, m_mean, sd_m)
        d, dd = _squares(n, d_mean, sd_d)
        cols["n"].append(n)
        cols["m"].append(m)
        cols["mm"].append(mm)
        cols["d"].append(d)
        cols["dd"].append(dd)
        cols["md"].append((n - 1) * rho * sd_m * sd_d + m * d / n)
    return MetricSums(
        n=cols["n"],
        value=ColumnSums(sum=cols["m"], sum_squares=cols["mm"]),
        denominator=ColumnSums(sum=cols["d"], sum_squares=cols["dd"]),
        value_denominator_products=cols["md"],
    )


@st.composite
def cuped_metric(draw, variants: int = 3) -> MetricSums:
    """A metric and its pre-period value, correlated (the covariate CUPED adjusts on)."""
    base, spread, rho = draw(st.floats(0.1, 1e3)), draw(st.floats(0.05, 10.0)), draw(correlations)
    cols: dict[str, list[float]] = {k: [] for k in ("n", "y", "yy", "x", "xx", "xy")}
    for _ in range(variants):
        n = draw(units)
        post_mean, pre_mean = base * (1 + draw(lifts)), base * (1 + draw(lifts) / 10)
        sd_post, sd_pre = post_mean * spread, pre_mean * spread * draw(st.floats(0.5, 2.0))
        y, yy = _squares(n, post_mean, sd_post)
        x, xx = _squares(n, pre_mean, sd_pre)
        cols["n"].append(n)
        cols["y"].append(y)
        cols["yy"].append(yy)
        cols["x"].append(x)
        cols["xx"].append(xx)
        cols["xy"].append((n - 1) * rho * sd_post * sd_pre + y * x / n)
    return MetricSums(
        n=cols["n"],
        value=ColumnSums(sum=cols["y"], sum_squares=cols["yy"]),
        covariate=ColumnSums(sum=cols["x"], sum_squares=cols["xx"]),
        value_covariate_products=cols["xy"],
    )


any_metric = st.one_of(mean_metric(), proportion_metric(), ratio_metric(), cuped_metric())

"""The record-sales example (seed 002) as a synthetic structural causal model with known true effects.

The seed article asks "what is the effect of an artist getting 10 hours of radio
play on their 6-month record sales?", with label marketing spend and TikTok use
driving both airplay and sales.  This module *is* that world, written as code,
so that every number the assistant estimates on the demo data can be checked
against the truth.

The structural equations (one row = one artist's release campaign)::

    label_marketing_spend := exp(N(ln 40, 0.5²))                    # thousand USD, log-normal
    tiktok_use            := Gamma(shape=2, scale=5)                 # thousand TikTok videos using the song
    tour_dates            := Poisson(6)                              # concerts played in the six months
    radio_play            := 0.25·label_marketing_spend + 0.8·tiktok_use + Gamma(shape=4, scale=2)
                                                                     # hours of airplay in the release month
    record_sales_6m       := 5 + 0.8·radio_play + 0.15·label_marketing_spend + 1.2·tiktok_use
                               + 0.5·tour_dates + N(0, 5²)           # thousand records sold in six months

All noise terms are mutually independent.  The equations are linear in the
parents, so every total effect is a constant (an ATE per unit of the cause):

=========================  ====================  ==============================================
cause -> record_sales_6m   total effect          why
=========================  ====================  ==============================================
radio_play                 0.8                   direct only
label_marketing_spend      0.35                  0.15 direct + 0.25 × 0.8 through radio_play
tiktok_use                 1.84                  1.2 direct + 0.8 × 0.8 through radio_play
tour_dates                 0.5                   direct only
=========================  ====================  ==============================================

The graph (:func:`graph`) is the gallery's ``record_sales`` graph plus
``tour_dates``, a cause of sales only (it sharpens the estimate but needs no
adjustment).  The back-door criterion asks for ``{label_marketing_spend,
tiktok_use}``; an OLS of sales on radio play and that set is unbiased for 0.8.

**Planted confounding** (:func:`planted_confounding`): the same equations
plus a hidden ``artist_popularity`` U ~ N(0, 1) that adds ``3·U`` to
``radio_play`` and ``4·U`` to ``record_sales_6m`` (stations play artists
listeners already know; known artists sell more anyway).  The column is left
out of the data, so the adjustment the graph asks for is no longer enough: the
naive estimate converges to ``0.8 + 4·3 / (3² + 16) = 1.28`` (16 is the
variance of radio_play's own Gamma noise), see :func:`planted_bias`.  The true
effect of radio play is still 0.8.

Regenerate the shipped files with ``write_shipped()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from assistant import gallery
from assistant.model import CausalGraph, Edge, GraphMetadata, Question, Variable
from assistant.model.variable import DataType, Role

QUESTION = "Does radio airplay raise record sales?"
EXPOSURE = "radio_play"
OUTCOME = "record_sales_6m"
LATENT = "artist_popularity"

#: The seed and size of the shipped datasets.
SEED = 2022
ROWS = 2_000
CSV_NAME = "record_sales.csv"
CONFOUNDED_CSV_NAME = "record_sales_confounded.csv"
VARIABLES_NAME = "record_sales_variables.yaml"
DECIMALS = 3

# --- the structural equations' parameters -----------------------------------------------------

MARKETING_MEDIAN = 40.0  # thousand USD
MARKETING_SIGMA = 0.5  # of the log
TIKTOK_SHAPE, TIKTOK_SCALE = 2.0, 5.0
TOUR_MEAN = 6.0
RADIO_FROM_MARKETING = 0.25
RADIO_FROM_TIKTOK = 0.8
RADIO_NOISE_SHAPE, RADIO_NOISE_SCALE = 4.0, 2.0  # variance 16
SALES_INTERCEPT = 5.0
SALES_FROM_RADIO = 0.8
SALES_FROM_MARKETING = 0.15
SALES_FROM_TIKTOK = 1.2
SALES_FROM_TOURS = 0.5
SALES_NOISE_SD = 5.0
# planted confounding
POPULARITY_TO_RADIO = 3.0
POPULARITY_TO_SALES = 4.0


@dataclass(frozen=True)
class VariableInfo:
    name: str
    label: str
    description: str
    unit: str
    role: Role
    tier: int
    data_type: DataType
    equation: str
    observed: bool = True


#: Every variable of the SCM, in causal order.
VARIABLES: tuple[VariableInfo, ...] = (
    VariableInfo("label_marketing_spend", "Label marketing spend",
                 "Money the record label spent marketing the artist's release", "thousand USD",
                 "confounder", 0, "continuous", "exp(N(ln 40, 0.5^2))"),
    VariableInfo("tiktok_use", "TikTok use", "How much the artist's music was used on TikTok",
                 "thousand videos", "confounder", 0, "continuous", "Gamma(2, 5)"),
    VariableInfo("tour_dates", "Tour dates", "Concerts the artist played in the six months after release",
                 "concerts", "covariate", 0, "integer", "Poisson(6)"),
    VariableInfo("radio_play", "Radio play (hours)", "Hours of radio airplay the artist received in the "
                 "release month", "hours", "exposure", 1, "continuous",
                 "0.25*label_marketing_spend + 0.8*tiktok_use + Gamma(4, 2)"),
    VariableInfo("record_sales_6m", "6-month record sales", "Records sold in the six months that followed",
                 "thousand records", "outcome", 2, "continuous",
                 "5 + 0.8*radio_play + 0.15*label_marketing_spend + 1.2*tiktok_use + 0.5*tour_dates + N(0, 5^2)"),
)
POPULARITY = VariableInfo(
    LATENT, "Artist popularity", "How well known the artist already is; not in the data", "standard units",
    "confounder", 0, "continuous", "N(0, 1); adds 3*U to radio_play and 4*U to record_sales_6m", observed=False)

#: The SCM's direct effects: (cause, effect) -> structural coefficient.
DIRECT_EFFECTS: dict[tuple[str, str], float] = {
    ("label_marketing_spend", "radio_play"): RADIO_FROM_MARKETING,
    ("tiktok_use", "radio_play"): RADIO_FROM_TIKTOK,
    ("radio_play", "record_sales_6m"): SALES_FROM_RADIO,
    ("label_marketing_spend", "record_sales_6m"): SALES_FROM_MARKETING,
    ("tiktok_use", "record_sales_6m"): SALES_FROM_TIKTOK,
    ("tour_dates", "record_sales_6m"): SALES_FROM_TOURS,
}

#: Total (average) causal effects on record_sales_6m per unit of the cause: E[Y | do(x+1)] - E[Y | do(x)].
TRUE_EFFECTS: dict[str, float] = {
    "radio_play": SALES_FROM_RADIO,
    "label_marketing_spend": SALES_FROM_MARKETING + RADIO_FROM_MARKETING * SALES_FROM_RADIO,
    "tiktok_use": SALES_FROM_TIKTOK + RADIO_FROM_TIKTOK * SALES_FROM_RADIO,
    "tour_dates": SALES_FROM_TOURS,
}
#: The question's answer: the total effect of one more hour of radio play on 6-month sales (thousand records).
TRUE_EFFECT = TRUE_EFFECTS[EXPOSURE]
#: The adjustment set the graph asks for.
ADJUSTMENT_SET = ("label_marketing_spend", "tiktok_use")


def true_effect(cause: str = EXPOSURE, outcome: str = OUTCOME) -> float:
    """The total effect of ``cause`` on ``outcome`` per unit (0 where there is no directed path)."""
    if outcome == OUTCOME:
        if cause not in TRUE_EFFECTS:
            raise KeyError(f"{cause!r} is not a variable of the record-sales SCM")
        return TRUE_EFFECTS[cause]
    if outcome == EXPOSURE:
        return DIRECT_EFFECTS.get((cause, EXPOSURE), 0.0)
    return 0.0


def expected_sales_under(radio_play: float) -> float:
    """E[record_sales_6m | do(radio_play = x)] — the seed's "10 hours of radio play" question, exactly."""
    marketing_mean = MARKETING_MEDIAN * math.exp(MARKETING_SIGMA ** 2 / 2)
    return (SALES_INTERCEPT + SALES_FROM_RADIO * radio_play + SALES_FROM_MARKETING * marketing_mean
            + SALES_FROM_TIKTOK * TIKTOK_SHAPE * TIKTOK_SCALE + SALES_FROM_TOURS * TOUR_MEAN)


def planted_bias() -> float:
    """The large-sample bias of the back-door OLS estimate on :func:`planted_confounding` data.

    U is independent of the adjustment set, so the omitted-variable bias is
    ``γ_Y · Cov(U, X | Z) / Var(X | Z) = γ_Y γ_X / (γ_X² + Var(ε_X))``.
    """
    noise_var = RADIO_NOISE_SHAPE * RADIO_NOISE_SCALE ** 2
    return POPULARITY_TO_SALES * POPULARITY_TO_RADIO / (POPULARITY_TO_RADIO ** 2 + noise_var)


def _draw(rows: int, seed: int, popularity: bool) -> pd.DataFrame:
    if rows < 1:
        raise ValueError("rows must be at least 1")
    rng = np.random.default_rng(seed)
    marketing = np.exp(rng.normal(math.log(MARKETING_MEDIAN), MARKETING_SIGMA, rows))
    tiktok = rng.gamma(TIKTOK_SHAPE, TIKTOK_SCALE, rows)
    tours = rng.poisson(TOUR_MEAN, rows)
    radio_noise = rng.gamma(RADIO_NOISE_SHAPE, RADIO_NOISE_SCALE, rows)
    sales_noise = rng.normal(0.0, SALES_NOISE_SD, rows)
    u = rng.standard_normal(rows) if popularity else np.zeros(rows)
    radio = RADIO_FROM_MARKETING * marketing + RADIO_FROM_TIKTOK * tiktok + radio_noise + POPULARITY_TO_RADIO * u
    sales = (SALES_INTERCEPT + SALES_FROM_RADIO * radio + SALES_FROM_MARKETING * marketing
             + SALES_FROM_TIKTOK * tiktok + SALES_FROM_TOURS * tours + sales_noise + POPULARITY_TO_SALES * u)
    frame = pd.DataFrame({
        "label_marketing_spend": marketing.round(DECIMALS),
        "tiktok_use": tiktok.round(DECIMALS),
        "tour_dates": tours.astype(np.int64),
        "radio_play": radio.round(DECIMALS),
        "record_sales_6m": sales.round(DECIMALS),
    })
    if popularity:
        frame[LATENT] = u.round(DECIMALS)
    return frame


def generate(rows: int = ROWS, seed: int = SEED) -> pd.DataFrame:
    """``rows`` artists drawn from the SCM (values rounded to 3 decimals, as in the shipped CSV)."""
    return _draw(rows, seed, popularity=False)


def planted_confounding(rows: int = ROWS, seed: int = SEED, *, keep_confounder: bool = False) -> pd.DataFrame:
    """The planted-confounding variant: hidden artist popularity drives both radio play and sales.

    The ``artist_popularity`` column is omitted unless ``keep_confounder`` (for tests and teaching).
    """
    frame = _draw(rows, seed, popularity=True)
    return frame if keep_confounder else frame.drop(columns=[LATENT])


# --- the graphs --------------------------------------------------------------------------------


def _variable(info: VariableInfo) -> Variable:
    return Variable(name=info.name, label=info.label, description=f"{info.description} ({info.unit})",
                    data_type=info.data_type, observed=info.observed, tier=info.tier, role=info.role)


def graph() -> CausalGraph:
    """The SCM's true graph: the gallery's ``record_sales`` graph plus ``tour_dates -> record_sales_6m``."""
    base = gallery.load("record_sales")
    edges = list(base.edges) + [Edge(source="tour_dates", target=OUTCOME,
                                     rationale="Touring sells records; it does not buy airplay")]
    return CausalGraph(
        variables=[_variable(v) for v in VARIABLES], edges=edges, exposures=[EXPOSURE], outcomes=[OUTCOME],
        metadata=GraphMetadata(name="record_sales_demo", description="Record sales (synthetic SCM, seed 002)",
                               question=Question(text=QUESTION, exposure=EXPOSURE, outcome=OUTCOME)))


def confounded_graph() -> CausalGraph:
    """The planted-confounding world's true graph: :func:`graph` plus latent popularity -> radio, sales."""
    g = graph()
    return g.model_copy(update={
        "variables": [*g.variables, _variable(POPULARITY)],
        "edges": [*g.edges,
                  Edge(source=LATENT, target=EXPOSURE, rationale="Stations play artists listeners already know"),
                  Edge(source=LATENT, target=OUTCOME, rationale="Popular artists sell more records regardless")],
    })


# --- a check that needs nothing but numpy -------------------------------------------------------


@dataclass(frozen=True)
class OLSEffect:
    """The coefficient of the exposure in an OLS of the outcome on the exposure and an adjustment set."""

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    t_value: float
    dof: int
    partial_r2: float  # of the exposure with the outcome, given the adjustment set
    robustness_value: float  # Cinelli & Hazlett RV (q = 1): confounding that would erase the estimate

    def covers(self, value: float) -> bool:
        return self.ci_low <= value <= self.ci_high


def robustness_value(t_value: float, dof: int, q: float = 1.0) -> float:
    """Cinelli & Hazlett (2020) robustness value: the partial R² a confounder must have with both the
    exposure and the outcome to reduce the estimate by ``100·q`` percent."""
    f = q * abs(t_value) / math.sqrt(dof)
    return 0.5 * (math.sqrt(f ** 4 + 4 * f ** 2) - f ** 2)


def ols_effect(frame: pd.DataFrame, exposure: str = EXPOSURE, outcome: str = OUTCOME,
               adjust: tuple[str, ...] | list[str] = ADJUSTMENT_SET, *, level: float = 0.95) -> OLSEffect:
    """Back-door adjustment by OLS (what DoWhy's ``backdoor.linear_regression`` does without effect modifiers)."""
    from scipy import stats

    x = np.column_stack([np.ones(len(frame)), frame[exposure].to_numpy(float),
                         *(frame[c].to_numpy(float) for c in adjust)])
    y = frame[outcome].to_numpy(float)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    dof = len(y) - x.shape[1]
    se = float(math.sqrt(resid @ resid / dof * np.linalg.inv(x.T @ x)[1, 1]))
    t = float(beta[1] / se)
    crit = float(stats.t.ppf(0.5 + level / 2, dof))
    return OLSEffect(estimate=float(beta[1]), std_error=se, ci_low=float(beta[1] - crit * se),
                     ci_high=float(beta[1] + crit * se), t_value=t, dof=dof, partial_r2=t * t / (t * t + dof),
                     robustness_value=robustness_value(t, dof))


# --- shipped files -----------------------------------------------------------------------------


def variables_spec_text() -> str:
    """The variables file for ``causal-assistant propose --variables`` (YAML, see assistant.draft.spec)."""
    import yaml

    doc = {
        "variables": {
            v.name: {"label": v.label, "description": f"{v.description} ({v.unit})", "role": v.role,
                     "tier": v.tier, "data_type": v.data_type}
            for v in VARIABLES
        },
        "forbidden_edges": [[OUTCOME, "label_marketing_spend"], [OUTCOME, "tiktok_use"], [OUTCOME, EXPOSURE]],
    }
    head = ("# Variables of the record-sales demo (assistant/demo/record_sales.py), for\n"
            "#   causal-assistant propose record_sales.csv -q \"Does radio airplay raise record sales?\" "
            "--variables record_sales_variables.yaml\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def data_file(name: str = CSV_NAME) -> Path:
    """The path of a shipped data file (inside the installed package)."""
    path = resources.files("assistant").joinpath("data", name)
    return Path(str(path))


def data_bytes(name: str = CSV_NAME) -> bytes:
    return resources.files("assistant").joinpath("data", name).read_bytes()


def load(*, confounded: bool = False) -> pd.DataFrame:
    """The shipped dataset (2,000 rows, seed 2022) as a DataFrame."""
    import io

    return pd.read_csv(io.BytesIO(data_bytes(CONFOUNDED_CSV_NAME if confounded else CSV_NAME)))


def write_shipped(directory: Path | None = None) -> list[Path]:
    """(Re)write the shipped CSVs and variables file from the SCM."""
    directory = directory or Path(__file__).resolve().parent.parent / "data"
    directory.mkdir(parents=True, exist_ok=True)
    out = [directory / CSV_NAME, directory / CONFOUNDED_CSV_NAME, directory / VARIABLES_NAME]
    out[0].write_bytes(to_csv_bytes(generate(ROWS, SEED)))
    out[1].write_bytes(to_csv_bytes(planted_confounding(ROWS, SEED)))
    out[2].write_text(variables_spec_text(), encoding="utf-8")
    return out


if __name__ == "__main__":  # pragma: no cover
    for p in write_shipped():
        print(p)

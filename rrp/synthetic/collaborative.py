"""Build a realistic synthetic collaborative, deterministic for a seed.

What makes it realistic enough to learn the tool on:
- ward types with their own sizes and base rates (a PICU restrains far more than an older adult ward);
- occupancy between 80% and 100% of beds x 7;
- overdispersed counts (gamma-Poisson), and now and then a week driven by one very unwell patient;
- ward-to-ward differences in the same type;
- a sustained reduction on some wards after a change idea was adopted (the PDSA demo data hangs
  its adopted cycles on exactly these wards and dates);
- a few missing weeks, and a few wards that have not yet submitted last week.

Generation is vectorised with numpy so that `--wards 2000 --weeks 260` takes seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from rrp.models.registry import Provider, Ward, WardType
from rrp.models.registry_file import parse_registry
from rrp.models.weekly import monday_of
from rrp.paths import DATA_DIR
from rrp.store import Store
from rrp.store.change_package import load_shipped_change_package

#: (beds range, restraint, seclusion, rapid tranquillisation) per 1,000 occupied bed days.
_TYPE_PROFILE: dict[WardType, tuple[tuple[int, int], float, float, float]] = {
    WardType.ACUTE_ADULT: ((16, 24), 22.0, 6.0, 8.0),
    WardType.PICU: ((8, 14), 70.0, 30.0, 35.0),
    WardType.LD_AUTISM: ((5, 10), 60.0, 12.0, 6.0),
    WardType.OLDER_ADULT: ((12, 18), 12.0, 0.5, 2.0),
    WardType.CAMHS: ((10, 14), 55.0, 10.0, 12.0),
    WardType.FORENSIC: ((12, 16), 25.0, 10.0, 6.0),
    WardType.REHAB: ((14, 18), 6.0, 1.0, 1.5),
}
_NAMES = (
    "Alder Ash Aspen Beech Birch Blackthorn Box Briar Broom Cedar Cherry Clover Cypress Elder "
    "Elm Fern Fir Foxglove Gorse Hawthorn Hazel Heather Holly Hornbeam Ivy Juniper Larch Laurel "
    "Lime Linden Maple Meadow Myrtle Oak Olive Orchid Pine Poplar Primrose Rowan Sage Sorrel "
    "Spruce Sycamore Teasel Thistle Willow Yew"
).split()
_WEIGHTS = {
    WardType.ACUTE_ADULT: 0.38, WardType.PICU: 0.12, WardType.LD_AUTISM: 0.12,
    WardType.OLDER_ADULT: 0.16, WardType.CAMHS: 0.07, WardType.FORENSIC: 0.08, WardType.REHAB: 0.07,
}


@dataclass
class SyntheticPlan:
    """The collaborative to generate, and what happened on each ward (for PDSA demo data)."""

    providers: list[Provider]
    wards: list[Ward]
    week_starts: list[dt.date]
    seed: int
    #: ward_code -> the Monday from which a change was adopted and the rates fell.
    adoptions: dict[str, dt.date] = field(default_factory=dict)
    #: (ward_code, week_start) pairs deliberately left missing.
    missing: set[tuple[str, dt.date]] = field(default_factory=set)


def plan_collaborative(
    *, seed: int = 7, wards: int = 19, weeks: int = 104, end: dt.date | None = None
) -> SyntheticPlan:
    """The registry and calendar: the shipped 19-ward registry by default, else generated wards."""
    if wards < 1 or weeks < 1:
        raise ValueError("A demo needs at least 1 ward and 1 week")
    last_week = monday_of(end or dt.date.today()) - dt.timedelta(days=7 if end is None else 0)
    week_starts = [last_week - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    rng = np.random.default_rng(seed)
    if wards == 19:
        providers, ward_list = parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8"))
    else:
        providers, ward_list = _generated_registry(rng, wards)
    return SyntheticPlan(providers=providers, wards=ward_list, week_starts=week_starts, seed=seed)


def _generated_registry(rng: np.random.Generator, count: int) -> tuple[list[Provider], list[Ward]]:
    provider_count = max(1, min(count // 4, 250))
    providers = [
        Provider(code=f"P{i + 1:03d}", name=f"Synthetic Provider {i + 1} NHS Trust (fictional)")
        for i in range(provider_count)
    ]
    types = list(_WEIGHTS)
    picks = rng.choice(len(types), size=count, p=np.array(list(_WEIGHTS.values())) / sum(_WEIGHTS.values()))
    ward_list = []
    for i in range(count):
        ward_type = types[picks[i]]
        (low, high), *_ = _TYPE_PROFILE[ward_type]
        provider = providers[i % provider_count]
        name = f"{_NAMES[i % len(_NAMES)]} Ward" + (f" {i // len(_NAMES) + 1}" if i >= len(_NAMES) else "")
        ward_list.append(
            Ward(
                code=f"W{i + 1:05d}",
                provider_code=provider.code,
                name=name,
                ward_type=ward_type,
                beds=int(rng.integers(low, high + 1)),
            )
        )
    return providers, ward_list


def generate_weekly(plan: SyntheticPlan) -> list[tuple]:
    """Weekly rows (ward_code, week_start, restraint, prone, seclusion, rt, bed_days), vectorised."""
    rng = np.random.default_rng(plan.seed + 1)
    n_wards, n_weeks = len(plan.wards), len(plan.week_starts)
    beds = np.array([w.beds for w in plan.wards], dtype=float)[:, None]
    profile = np.array([_TYPE_PROFILE[w.ward_type][1:] for w in plan.wards])  # (wards, 3)
    ward_effect = rng.lognormal(0.0, 0.35, size=(n_wards, 1))

    occupancy = rng.uniform(0.8, 1.0, size=(n_wards, n_weeks))
    bed_days = np.maximum(1, np.floor(beds * 7 * occupancy)).astype(int)

    # A sustained reduction on about 40% of wards, from a week in the second half of the period.
    adopters = rng.random(n_wards) < 0.4
    start = rng.integers(n_weeks // 2, max(n_weeks // 2 + 1, n_weeks - 8), size=n_wards)
    reduction = rng.uniform(0.45, 0.7, size=n_wards)
    week_index = np.arange(n_weeks)[None, :]
    multiplier = np.where(adopters[:, None] & (week_index >= start[:, None]), reduction[:, None], 1.0)
    # Weekly noise (overdispersion) and the odd week driven by one very unwell patient.
    weekly = rng.gamma(shape=4.0, scale=0.25, size=(n_wards, n_weeks))
    surge = np.where(rng.random((n_wards, n_weeks)) < 0.03, rng.uniform(3, 7, (n_wards, n_weeks)), 1.0)
    scale = ward_effect * multiplier * weekly * surge * bed_days / 1000.0

    restraint = rng.poisson(scale * profile[:, [0]])
    seclusion = rng.poisson(scale * profile[:, [1]])
    rapid = rng.poisson(scale * profile[:, [2]])
    prone = rng.binomial(restraint, 0.2)
    counts = [np.minimum(a, 1000) for a in (restraint, prone, seclusion, rapid)]
    counts[1] = np.minimum(counts[1], counts[0])

    present = rng.random((n_wards, n_weeks)) >= 0.02
    # A few wards have not yet submitted the latest week.
    late = rng.random(n_wards) < 0.15
    present[:, -1] &= ~late

    plan.adoptions = {
        plan.wards[i].code: plan.week_starts[int(start[i])] for i in np.flatnonzero(adopters)
    }
    codes = [w.code for w in plan.wards]
    days = [d.isoformat() for d in plan.week_starts]
    rows_idx = np.argwhere(present)
    plan.missing = {
        (codes[i], plan.week_starts[j]) for i, j in np.argwhere(~present).tolist()
    }
    columns = [c[present] for c in counts] + [bed_days[present]]
    return [
        (codes[i], days[j], r, p, s, t, b)
        for (i, j), r, p, s, t, b in zip(rows_idx.tolist(), *(c.tolist() for c in columns), strict=True)
    ]


def build_demo(
    store: Store, *, seed: int = 7, wards: int = 19, weeks: int = 104, end: dt.date | None = None
) -> SyntheticPlan:
    """Fill an empty store with a synthetic collaborative and mark it as synthetic."""
    plan = plan_collaborative(seed=seed, wards=wards, weeks=weeks, end=end)
    rows = generate_weekly(plan)
    store.registry.save_many(plan.providers, plan.wards)
    # The change package first, so the demo's PDSA cycles can test its ideas.
    load_shipped_change_package(store)
    store.weekly.bulk_load(rows, source=f"synthetic demo (seed {seed})")
    store.preferences.set("synthetic", {"seed": seed, "wards": wards, "weeks": weeks})
    # PDSA cycles, progress scores and annotations consistent with the weekly data.
    from rrp.synthetic.pdsa import build_pdsa_demo  # imports this module: import here, not above

    build_pdsa_demo(store, plan)
    return plan

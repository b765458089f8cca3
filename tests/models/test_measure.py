"""The Measure model, the set's rules and the measures TOML file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rrp.models.fields import field_errors
from rrp.models.measure import Measure, MeasureSet, MeasureSetError
from rrp.models.measure_file import MeasureFileError, dump_measures, parse_measures
from rrp.models.measure_value import validate_value
from rrp.paths import DATA_DIR

ISSUE_TOML = (Path(__file__).resolve().parent.parent / "fixtures" / "issue_measures.toml").read_text(encoding="utf-8")


def base(**changes: Any) -> dict[str, Any]:
    data = {
        "code": "assaults_on_staff",
        "name": "Physical assaults on staff",
        "definition": "Incidents in which a patient physically assaulted staff.",
        "kind": "balancing",
        "recorded_as": "count_per_bed_days",
        "direction": "decrease",
        "frequency": "weekly",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def errors(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        Measure.model_validate(data)
    return field_errors(info.value)


def shipped() -> MeasureSet:
    return MeasureSet(parse_measures((DATA_DIR / "measures.toml").read_text(encoding="utf-8")))


def test_the_shipped_set_is_todays_outcome_measures_plus_switched_off_process_and_balancing() -> None:
    measures = shipped()
    enabled = [m.code for m in measures.enabled()]
    assert enabled == ["all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"]
    for m in measures.enabled():
        assert (m.kind, m.recorded_as, m.direction, m.frequency, m.chart) == (
            "outcome", "count_per_bed_days", "decrease", "weekly", "u"
        )
        assert m.aim_change_with(0.3333333333) == pytest.approx(-0.3333333333)  # the collaborative's aim
    assert measures.components("all_restrictive") == [measures["restraint"], measures["seclusion"], measures["rapid_tranquillisation"]]
    assert measures["prone_restraint"].part_of == "restraint"
    assert [m.code for m in measures.column_backed()] == ["restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"]
    off = {m.code: (m.kind, m.recorded_as, m.frequency) for m in measures if not m.enabled}
    assert off == {
        "debrief_72h": ("process", "proportion", "weekly"),
        "safety_huddle_shifts": ("process", "proportion", "weekly"),
        "safewards_in_place": ("process", "value", "monthly"),
        "assaults_on_staff": ("balancing", "count_per_bed_days", "weekly"),
        "self_harm": ("balancing", "count_per_bed_days", "weekly"),
        "oral_prn": ("balancing", "count_per_bed_days", "weekly"),
    }
    assert (measures["safewards_in_place"].minimum, measures["safewards_in_place"].maximum) == (0, 10)


def test_chart_per_and_unit_follow_recorded_as() -> None:
    cases = {
        "count_per_bed_days": ("u", 1000.0, "per 1,000 occupied bed days"),
        "proportion": ("p", 100.0, "%"),
        "count": ("c", 1.0, ""),
        "value": ("xmr", 1.0, ""),
    }
    for recorded_as, expected in cases.items():
        m = Measure.model_validate(base(recorded_as=recorded_as))
        assert (m.chart, m.per, m.unit_text) == expected


def test_label_defaults_to_the_name_and_text_is_required() -> None:
    assert Measure.model_validate(base()).label == "Physical assaults on staff"
    assert "definition" in errors(base(definition="  "))
    assert "label" in errors(base(label="x" * 41))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "Assaults"}, "code"),
        ({"code": "a"}, "code"),
        ({"code": "x" * 41}, "code"),
        ({"code": "1abc"}, "code"),
        ({"kind": "structure"}, "kind"),
        ({"recorded_as": "rate"}, "recorded_as"),
        ({"frequency": "monthly"}, "frequency"),  # per bed days is weekly
        ({"recorded_as": "value", "part_of": "restraint"}, "part_of"),
        ({"sum_of": ["restraint"]}, "sum_of"),
        ({"sum_of": ["restraint", "seclusion"], "part_of": "restraint"}, "sum_of"),
        ({"recorded_as": "proportion", "sum_of": ["a_b", "c_d"]}, "sum_of"),
        ({"direction": "neutral", "aim_change": -0.2}, "direction"),
        ({"aim_change": 0.2}, "aim_change"),  # the wrong way for a decrease
        ({"aim_change": -1.0}, "aim_change"),
        ({"recorded_as": "proportion", "direction": "increase", "aim_target": 120}, "aim_target"),
        ({"minimum": 0}, "minimum"),
        ({"recorded_as": "value", "minimum": 5, "maximum": 1}, "maximum"),
        ({"column_name": "restraint"}, "column_name"),
        ({"active_from": "2026-06-01", "active_to": "2026-01-01"}, "active_to"),
        ({"enabled": "yes"}, "enabled"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_measure_names_its_field(changes: dict[str, Any], field: str) -> None:
    assert field in errors(base(**changes))


def test_the_set_checks_references_scale_scope_and_cycles() -> None:
    whole = Measure.model_validate(base(code="whole"))
    with pytest.raises(MeasureSetError, match="unknown measure nowhere"):
        MeasureSet([whole, Measure.model_validate(base(code="part", part_of="nowhere"))])
    with pytest.raises(MeasureSetError, match="must match"):
        MeasureSet([whole, Measure.model_validate(base(code="part", part_of="whole", recorded_as="count"))])
    with pytest.raises(MeasureSetError, match="circle"):
        MeasureSet([Measure.model_validate(base(code="aa", part_of="bb")), Measure.model_validate(base(code="bb", part_of="aa"))])
    local = Measure.model_validate(base(code="local_one", ward_code="W00001"))
    with pytest.raises(MeasureSetError, match="local measure"):
        MeasureSet([local, whole, Measure.model_validate(base(code="total", sum_of=["local_one", "whole"]))])
    with pytest.raises(MeasureSetError, match="appears twice"):
        MeasureSet([whole, whole])
    ward_set = shipped().replace([local])
    assert [m.code for m in ward_set.active_for("W00001", dt.date(2026, 1, 5))][-1] == "local_one"
    assert "local_one" not in [m.code for m in ward_set.active_for("W00002", dt.date(2026, 1, 5))]


def test_the_issue_file_parses_and_round_trips() -> None:
    measures = parse_measures(ISSUE_TOML)
    assert [m.code for m in measures] == ["debrief_72h", "assaults_on_staff"]
    assert measures[0].chart == "p" and measures[1].chart == "u"
    everything = shipped().replace(measures)
    assert parse_measures(dump_measures(everything)) == list(everything)


PRONE_LOCAL = """
[[measure]]
code = "prone_local"
name = "Local prone"
definition = "Held face down, as the ward counts it."
kind = "outcome"
recorded_as = "count_per_bed_days"
direction = "decrease"
frequency = "weekly"
part_of = "nothing"
"""


def test_a_bad_file_names_the_measure_and_field() -> None:
    bad = ISSUE_TOML.replace('recorded_as = "proportion"', 'recorded_as = "ratio"').replace(
        'direction = "decrease"', 'direction = "down"'
    )
    with pytest.raises(MeasureFileError) as info:
        parse_measures(bad)
    text = "\n".join(info.value.problems)
    assert "[[measure]] 1 (debrief_72h), recorded_as:" in text
    assert "[[measure]] 2 (assaults_on_staff), direction:" in text
    with pytest.raises(MeasureFileError, match=r"\[\[measure\]\] 1 \(prone_local\), part_of: unknown measure nothing"):
        parse_measures(PRONE_LOCAL)
    # With the stored set as the base, a file may refer to measures it does not define.
    assert parse_measures(PRONE_LOCAL.replace("nothing", "restraint"), base=shipped())[0].part_of == "restraint"
    with pytest.raises(MeasureFileError, match="not valid TOML"):
        parse_measures("[[measure]\n")
    with pytest.raises(MeasureFileError, match="unknown field"):
        parse_measures(PRONE_LOCAL.replace("part_of", "partof"))


def test_a_value_is_checked_against_its_measure() -> None:
    measures = shipped()

    def problems(code: str, **data: Any) -> dict[str, str]:
        with pytest.raises(ValidationError) as info:
            validate_value({"ward_code": "W00001", **data}, measure=measures[code], today=dt.date(2026, 11, 18))
        return field_errors(info.value)

    assert "numerator" in problems("debrief_72h", period_start="2026-11-09", numerator="4", denominator="3")
    assert "denominator" in problems("debrief_72h", period_start="2026-11-09", numerator="1", denominator="")
    assert "period_start" in problems("debrief_72h", period_start="2026-11-10", numerator="1", denominator="2")
    assert "period_start" in problems("safewards_in_place", period_start="2026-11-02", numerator="3")
    assert "period_start" in problems("debrief_72h", period_start="2026-11-23", numerator="1", denominator="2")
    assert "numerator" in problems("safewards_in_place", period_start="2026-11-01", numerator="11")
    assert "numerator" in problems("assaults_on_staff", period_start="2026-11-09", numerator="1.5")
    assert "denominator" in problems("safewards_in_place", period_start="2026-11-01", numerator="3", denominator="4")
    ok = validate_value(
        {"ward_code": "w00001", "period_start": "01/11/2026", "numerator": "7.5"},
        measure=measures["safewards_in_place"], today=dt.date(2026, 11, 18),
    )
    assert (ok.ward_code, ok.period_start, ok.numerator) == ("W00001", dt.date(2026, 11, 1), 7.5)


_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True), st.text(max_size=50),
    st.sampled_from(["restraint", "count", "value", "proportion", "weekly", "monthly", "increase", "outcome",
                     "count_per_bed_days", "2026-03-02", "W00001", "ab_cd"]),
    st.lists(st.sampled_from(["restraint", "seclusion", "x", 3]), max_size=3),
)
_keys = st.sampled_from(list(Measure.model_fields) + ["colour"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=12), st.booleans())
def test_any_dict_gives_a_measure_or_a_validation_error_naming_a_field(data: dict[str, Any], complete: bool) -> None:
    if complete:
        data = {**base(), **data}
    try:
        Measure.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            assert error["loc"] and isinstance(error["loc"][0], str) and error["loc"][0]

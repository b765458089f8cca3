"""`rrp chart`: formats, and a clear one-line error with exit status 2 for every bad input."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from rrp.cli.chart import CHART_CHOICES, CSV_FIELDS, chart

ROWS = [
    ("2024-01-01", 5, 130),
    ("2024-01-08", 3, 128),
    ("2024-01-15", 7, 131),
    ("2024-01-22", 2, 125),
    ("2024-01-29", 4, 130),
    ("2024-02-05", 6, 129),
    ("2024-02-12", 3, 127),
    ("2024-02-19", 1, 131),
    ("2024-02-26", 2, 130),
    ("2024-03-04", 9, 126),
    ("2024-03-11", 3, 129),
    ("2024-03-18", 2, 130),
    ("2024-03-25", 1, 131),
    ("2024-04-01", 0, 132),
]


def write(tmp_path, rows=ROWS, header=("week", "restraint", "obd")):
    path = tmp_path / "weekly.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def invoke(*args):
    return CliRunner().invoke(chart, [str(a) for a in args])


def test_csv_output_u_chart(tmp_path):
    res = invoke(
        write(tmp_path),
        "--value",
        "restraint",
        "--denominator",
        "obd",
        "--per",
        1000,
        "--chart",
        "u",
        "--format",
        "csv",
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert tuple(rows[0]) == CSV_FIELDS
    assert len(rows) == 14 and rows[0]["x"] == "2024-01-01"
    assert float(rows[0]["value"]) == 5 / 130 * 1000  # unrounded
    centre = sum(r[1] for r in ROWS) / sum(r[2] for r in ROWS) * 1000
    assert float(rows[0]["centre"]) == pytest.approx(centre)


def test_csv_run_chart_limits_empty(tmp_path):
    res = invoke(write(tmp_path), "--value", "restraint", "--chart", "run", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows[0]["lower_limit"] == "" and rows[0]["upper_limit"] == ""
    assert rows[0]["centre"] == "3.0"


def test_json_output(tmp_path):
    res = invoke(
        write(tmp_path),
        "--value",
        "restraint",
        "--chart",
        "xmr",
        "--format",
        "json",
        "--target",
        20,
        "--rebase",
        "2024-01-29",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc["points"][0]) == set(CSV_FIELDS)
    assert doc["points"][4]["segment"] == 2
    assert doc["summary"]["chart"] == "xmr" and doc["summary"]["n"] == 14
    assert doc["summary"]["variation_icon"] is None  # last segment has 10 points


def test_json_run_summary(tmp_path):
    res = invoke(
        write(tmp_path),
        "--value",
        "restraint",
        "--chart",
        "run",
        "--format",
        "json",
        "--rules",
        "ihi",
    )
    s = json.loads(res.stdout)["summary"]
    assert s["rules"] == "ihi" and "n_useful" in s and "runs_signal" in s


def test_x_defaults_to_first_column_and_file_order(tmp_path):
    rows = list(reversed(ROWS))
    res = invoke(write(tmp_path, rows), "--value", "restraint", "--chart", "run", "--format", "csv")
    out = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["x"] for r in out] == [r[0] for r in rows]


def test_table_output_words(tmp_path):
    res = invoke(
        write(tmp_path),
        "--value",
        "restraint",
        "--denominator",
        "obd",
        "--per",
        1000,
        "--chart",
        "u",
        "--target",
        100,
    )
    assert res.exit_code == 0, res.output
    assert "common cause variation" in res.stdout
    assert "consistently passing" in res.stdout
    # read out in words, as on the huddle: no sign of change, and the aim always met
    assert "No sign of change" in res.stdout


def test_fix_after_and_no_screen(tmp_path):
    res = invoke(
        write(tmp_path),
        "--value",
        "restraint",
        "--chart",
        "xmr",
        "--fix-after",
        12,
        "--no-screen",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output


BAD = [
    (["--value", "restraint", "--chart", "u"], "needs --denominator"),
    (["--value", "nope", "--chart", "xmr"], "'nope' is not in"),
    (["--value", "restraint", "--x", "nope", "--chart", "xmr"], "'nope' is not in"),
    (["--value", "restraint", "--chart", "xmr", "--rebase", "zzz"], "--rebase 'zzz'"),
    (["--value", "restraint", "--chart", "xmr", "--fix-after", "11"], "at least 12"),
    (["--value", "restraint", "--chart", "uprime"], "needs --denominator"),
    (["--value", "restraint", "--denominator", "obd", "--chart", "c"], "c chart"),
    (["--value", "restraint", "--chart", "p"], "needs --denominator"),
    (["--value", "restraint", "--chart", "pprime"], "needs --denominator"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_options_exit_2(tmp_path, args, message):
    res = invoke(write(tmp_path), *args)
    assert res.exit_code == 2
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.output


def test_missing_file(tmp_path):
    res = invoke(tmp_path / "none.csv", "--value", "restraint", "--chart", "xmr")
    assert res.exit_code == 2 and "file not found" in res.stderr


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("a", "x", 1), ("b", 2, 1)], "'x' is not a number"),
        ([("a", "", 1), ("b", 2, 1)], "blank"),
        ([("a", 1, 0), ("b", 2, 1)], "must be positive"),
        ([("a", 1, -3), ("b", 2, 1)], "must be positive"),
        ([("a", 1, 1)], "at least 2 points"),
        ([("a", 1, "nan"), ("b", 2, 1)], "not a finite number"),
    ],
)
def test_bad_data_exit_2(tmp_path, rows, message):
    res = invoke(
        write(tmp_path, rows), "--value", "restraint", "--denominator", "obd", "--chart", "u"
    )
    assert res.exit_code == 2
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_bad_choice_is_a_usage_error(tmp_path):
    res = invoke(write(tmp_path), "--value", "restraint", "--chart", "pie")
    assert res.exit_code == 2


def test_cli_module_does_not_import_pandas():
    import subprocess
    import sys

    code = "import sys, rrp.cli.chart; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_csv_fields_are_the_engines_point_columns():
    from rrp.reports.spc.types import POINT_COLUMNS

    assert CSV_FIELDS == tuple(c for c in POINT_COLUMNS if c != "trial")


def test_chart_choices_are_the_engines_chart_types():
    from rrp.reports.spc.types import CHART_TYPES

    assert CHART_CHOICES == CHART_TYPES


@pytest.mark.parametrize("chart_type", ["p", "pprime"])
def test_p_chart_per_100_json(tmp_path, chart_type):
    # 14 weeks of incidents debriefed within 72 hours (restraint) of incidents (obd column reused
    # as the denominator: 130 -> proportions of a few percent).
    res = invoke(
        write(tmp_path),
        "--value",
        "restraint",
        "--denominator",
        "obd",
        "--chart",
        chart_type,
        "--per",
        100,
        "--direction",
        "increase",
        "--target",
        50,
        "--fix-after",
        12,
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["summary"]["chart"] == chart_type
    first = doc["points"][0]
    assert first["value"] == pytest.approx(100 * 5 / 130)
    total = sum(r[1] for r in ROWS[:12]) / sum(r[2] for r in ROWS[:12])
    assert first["centre"] == pytest.approx(100 * total)
    assert 0 <= first["lower_limit"] < first["centre"] < first["upper_limit"] <= 100
    # target 50% is above every upper limit while higher is better: consistently failing
    assert doc["summary"]["assurance_icon"] == "fail"
    reading = doc["reading"]
    assert len(reading) == 3 and reading[0].startswith("restraint: ") and "%" in reading[0]
    assert reading[2].startswith("Aim 50%")


@pytest.mark.parametrize("chart_type", ["run", "xmr", "u"])
@pytest.mark.parametrize("rules", ["anhoej", "ihi"])
def test_long_series_is_charted(tmp_path, chart_type, rules):
    # 1,500+ points used to stop with an OverflowError traceback: Anhoej's crossings limit
    # computed 2**n as a float (overflows from 1,024 useful points).
    rows = [(f"w{i:04d}", (i * 7) % 11, 100 + i % 13) for i in range(1600)]
    res = invoke(
        write(tmp_path, rows),
        "--value",
        "restraint",
        "--denominator",
        "obd",
        "--chart",
        chart_type,
        "--rules",
        rules,
        "--format",
        "csv",
    )
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1601


def test_p_chart_numerator_above_denominator_exit_2(tmp_path):
    rows = [("a", 3, 10), ("b", 12, 10), ("c", 4, 10)]
    res = invoke(
        write(tmp_path, rows), "--value", "restraint", "--denominator", "obd", "--chart", "p"
    )
    assert res.exit_code == 2
    assert "no larger than their denominators" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1

"""Synthetic collaboratives for the demo, tests and benchmarks (clearly labelled as synthetic)."""

from rrp.synthetic.collaborative import SyntheticPlan, build_demo, plan_collaborative

__all__ = ["SyntheticPlan", "build_demo", "plan_collaborative"]

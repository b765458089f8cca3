"""Pure analytics: data in, tables out. Nothing here opens the database or imports Textual.

Sub-modules (import them directly; this package itself stays cheap to import):

- `rrp.reports.spc`: run, XmR, u, u' and c charts with MDC and run-chart rules and icons;
- `rrp.reports.funnel`: funnel plot limits for comparing wards over one period;
- `rrp.reports.aggregate`: the collaborative's weekly series and change from baseline;
- `rrp.reports.distributions`: the few exact distribution functions the above need.
"""

"""Data in and out: imports, governance exports, ward submissions, backups.

Import the sub-modules directly (this package stays cheap to import; pandas loads only inside the
functions that need it). Nothing here imports Textual: the app calls these from worker threads.

- `rrp.exchange.limits`: the limits every incoming file is read under (Limits, limits_for,
  LimitExceeded): bytes, rows, cells, decompressed size, time;
- `rrp.exchange.reading`: read_table (CSV/XLSX, encodings, limits), FileRefused, ExchangeError;
- `rrp.exchange.weekly_import`: import_weekly, plan_weekly_import, RowsRefused;
- `rrp.exchange.registry_import`: import_registry;
- `rrp.exchange.pdsa_import`: import_pdsa;
- `rrp.exchange.exports`: export, export_table, ExportFilter, EXPORT_KINDS;
- `rrp.exchange.csv_out`: write_csv, excel_safe (formula neutralisation);
- `rrp.exchange.dictionary`: the data dictionary of every export;
- `rrp.exchange.submission`: write_submission, open_submission, read_submission, merge_submission;
- `rrp.exchange.submission_check`: the strict shape of a submission's envelope, deletions and history fields;
- `rrp.exchange.signing`: providers' Ed25519 keys, sealing and opening a signed submission;
- `rrp.exchange.trust`: what a signed submission may claim (its provider's wards, no future time);
- `rrp.exchange.backup`: backup_database, restore_database;
- `rrp.exchange.summaries`: the words the CLI and the app's Data screen both use for results.
"""

# ruff: noqa: E501  (generated: one statement a line)
"""The schema's DDL as plain SQL, so a new file is created without importing
SQLAlchemy (about 0.4 s of start-up). Generated from the SQLModel tables
(``store/tables.py``) by ``database.schema_ddl``: see tests/test_store_schema_sql.py,
which fails when the two differ and says how to make this file anew.
"""

DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS call_numbers (\n\tdesk_code VARCHAR NOT NULL, \n\tyear INTEGER NOT NULL, \n\tlast INTEGER NOT NULL, \n\tPRIMARY KEY (desk_code, year)\n)",
    "CREATE TABLE IF NOT EXISTS calls (\n\tcall_id TEXT NOT NULL, \n\ttype_code TEXT NOT NULL, \n\tpriority INTEGER NOT NULL, \n\tlocation TEXT NOT NULL, \n\tlocation_verified INTEGER NOT NULL, \n\tbeat_id TEXT, \n\treceived_at TEXT NOT NULL, \n\tstatus TEXT NOT NULL, \n\tstatus_at TEXT, \n\tcaller_name TEXT, \n\tcaller_phone TEXT, \n\tnarrative TEXT NOT NULL, \n\tdisposition TEXT, \n\tduplicate_of TEXT, \n\ttransferred_to TEXT, \n\tscheduled_for TEXT, \n\tsource_id TEXT, \n\tclosed_at TEXT, \n\tnote_count INTEGER NOT NULL, \n\talert_acked_at TEXT, \n\tdesk_code TEXT NOT NULL, \n\tyear INTEGER NOT NULL, \n\tseq INTEGER NOT NULL, \n\tis_open INTEGER NOT NULL, \n\tlocation_key TEXT NOT NULL, \n\tplace_key TEXT NOT NULL, \n\tplace_block TEXT NOT NULL, \n\tchanged_seq INTEGER DEFAULT '0' NOT NULL, \n\tPRIMARY KEY (call_id)\n)",
    "CREATE INDEX IF NOT EXISTS ix_calls_changed ON calls (changed_seq)",
    "CREATE INDEX IF NOT EXISTS ix_calls_number ON calls (desk_code, year, seq)",
    "CREATE INDEX IF NOT EXISTS ix_calls_open ON calls (priority, received_at) WHERE is_open = 1",
    "CREATE INDEX IF NOT EXISTS ix_calls_received ON calls (received_at)",
    "CREATE INDEX IF NOT EXISTS ix_calls_seq ON calls (seq)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ix_calls_source ON calls (source_id)",
    "CREATE TABLE IF NOT EXISTS conflicts (\n\tevent_id VARCHAR NOT NULL, \n\tcall_id VARCHAR, \n\tofficer_id VARCHAR, \n\treason VARCHAR NOT NULL, \n\tchanged_seq INTEGER NOT NULL, \n\tPRIMARY KEY (event_id)\n)",
    "CREATE INDEX IF NOT EXISTS ix_conflicts_changed ON conflicts (changed_seq)",
    "CREATE TABLE IF NOT EXISTS dropped (\n\tkind VARCHAR NOT NULL, \n\tid VARCHAR NOT NULL, \n\tchanged_seq INTEGER NOT NULL, \n\tPRIMARY KEY (kind, id)\n)",
    "CREATE INDEX IF NOT EXISTS ix_dropped_changed ON dropped (changed_seq)",
    "CREATE TABLE IF NOT EXISTS journal (\n\tseq INTEGER NOT NULL, \n\tevent_id VARCHAR NOT NULL, \n\tdesk_id VARCHAR NOT NULL, \n\tdesk_seq INTEGER NOT NULL, \n\thlc INTEGER NOT NULL, \n\toccurred_at VARCHAR NOT NULL, \n\toperator_id VARCHAR NOT NULL, \n\ttype VARCHAR NOT NULL, \n\tcall_id VARCHAR, \n\tofficer_id VARCHAR, \n\tpayload VARCHAR NOT NULL, \n\thub_seq INTEGER, \n\tPRIMARY KEY (seq), \n\tCONSTRAINT uq_journal_desk_seq UNIQUE (desk_id, desk_seq), \n\tUNIQUE (event_id)\n)",
    "CREATE INDEX IF NOT EXISTS ix_journal_call ON journal (call_id)",
    "CREATE INDEX IF NOT EXISTS ix_journal_officer ON journal (officer_id)",
    "CREATE INDEX IF NOT EXISTS ix_journal_operator ON journal (operator_id, seq) WHERE type LIKE 'operator.%'",
    "CREATE INDEX IF NOT EXISTS ix_journal_order ON journal (hlc, desk_id, desk_seq)",
    'CREATE TABLE IF NOT EXISTS meta (\n\t"key" VARCHAR NOT NULL, \n\tvalue VARCHAR NOT NULL, \n\tPRIMARY KEY ("key")\n)',
    "CREATE TABLE IF NOT EXISTS officers (\n\tofficer_id VARCHAR NOT NULL, \n\tname VARCHAR NOT NULL, \n\tskills VARCHAR NOT NULL, \n\thome_beat VARCHAR, \n\tstatus VARCHAR NOT NULL, \n\tstatus_since VARCHAR, \n\tbeat_id VARCHAR, \n\tcurrent_call_id VARCHAR, \n\tcalls_this_shift INTEGER NOT NULL, \n\tsigned_on_at VARCHAR, \n\tqueued_call_id VARCHAR, \n\tstatus_reason VARCHAR NOT NULL, \n\ttimer_acked INTEGER NOT NULL, \n\tchanged_seq INTEGER NOT NULL, \n\tPRIMARY KEY (officer_id)\n)",
    "CREATE INDEX IF NOT EXISTS ix_officers_changed ON officers (changed_seq)",
    "CREATE TABLE IF NOT EXISTS operators (\n\toperator_id VARCHAR NOT NULL, \n\trole VARCHAR NOT NULL, \n\tsigned_in_at VARCHAR, \n\tsigned_in INTEGER NOT NULL, \n\tname VARCHAR NOT NULL, \n\tpin_hash VARCHAR, \n\tdisabled INTEGER NOT NULL, \n\tenrolled INTEGER NOT NULL, \n\tchanged_seq INTEGER NOT NULL, \n\tPRIMARY KEY (operator_id)\n)",
    "CREATE TABLE IF NOT EXISTS schema_version (\n\tversion INTEGER NOT NULL, \n\tapplied_at VARCHAR NOT NULL, \n\tPRIMARY KEY (version)\n)",
    "CREATE TABLE IF NOT EXISTS assignments (\n\tcall_id VARCHAR NOT NULL, \n\tofficer_id VARCHAR NOT NULL, \n\tdispatched_at VARCHAR NOT NULL, \n\trole VARCHAR NOT NULL, \n\ten_route_at VARCHAR, \n\ton_scene_at VARCHAR, \n\tcleared_at VARCHAR, \n\tdisposition VARCHAR, \n\twelfare_acked_at VARCHAR, \n\tPRIMARY KEY (call_id, officer_id, dispatched_at), \n\tFOREIGN KEY(call_id) REFERENCES calls (call_id)\n)",
    "CREATE INDEX IF NOT EXISTS ix_assignments_active ON assignments (officer_id) WHERE cleared_at IS NULL",
    "CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal\n       BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal\n       WHEN OLD.hub_seq IS NOT NULL OR NEW.hub_seq IS NULL\n         OR NEW.seq IS NOT OLD.seq\n         OR NEW.event_id IS NOT OLD.event_id OR NEW.desk_id IS NOT OLD.desk_id\n         OR NEW.desk_seq IS NOT OLD.desk_seq OR NEW.hlc IS NOT OLD.hlc\n         OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.operator_id IS NOT OLD.operator_id\n         OR NEW.type IS NOT OLD.type OR NEW.call_id IS NOT OLD.call_id\n         OR NEW.officer_id IS NOT OLD.officer_id OR NEW.payload IS NOT OLD.payload\n       BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END",
    "CREATE INDEX IF NOT EXISTS ix_journal_from_call\n       ON journal (json_extract(payload, '$.from_call_id'))\n       WHERE type = 'officer.reassigned'",
    "CREATE INDEX IF NOT EXISTS ix_journal_source\n       ON journal (json_extract(payload, '$.source_id'))\n       WHERE type = 'call.received'",
    "CREATE INDEX IF NOT EXISTS ix_journal_of_call\n       ON journal (json_extract(payload, '$.of_call_id'))\n       WHERE type = 'call.duplicate_linked'",
)

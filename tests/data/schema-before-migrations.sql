-- The SQLite schema made by the release before migrations (commit 5a26974, init_db's create_all), as
-- sqlite_master holds it: the database that release left behind, for tests/test_migrations.py.
CREATE TABLE acknowledgement (
	id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	remote_addr VARCHAR(100), 
	user_agent VARCHAR(500), 
	PRIMARY KEY (id), 
	UNIQUE (assignment_id), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id)
);

CREATE TABLE assignment (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	role VARCHAR(10) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	ack_due DATE NOT NULL, 
	report_due DATE, 
	acknowledged_at DATETIME, 
	refused_reason VARCHAR, 
	implementing_directive_id INTEGER, 
	mode VARCHAR(20), 
	pass_on_due DATE, 
	status_changed_at DATETIME NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_assignment_directive_unit UNIQUE (directive_id, unit_id), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id), 
	FOREIGN KEY(implementing_directive_id) REFERENCES directive (id)
);

CREATE TABLE auditlog (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	event VARCHAR(60) NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	directive_id INTEGER, 
	assignment_id INTEGER, 
	unit_code VARCHAR(64), 
	unit_name VARCHAR(300), 
	detail JSON NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE directive (
	number VARCHAR(100) NOT NULL, 
	doc_type VARCHAR(100) NOT NULL, 
	issued_on DATE NOT NULL, 
	place VARCHAR(200) NOT NULL, 
	summary VARCHAR NOT NULL, 
	basis VARCHAR(100), 
	basis_issued_on DATE, 
	basis_issuer VARCHAR(300), 
	body VARCHAR NOT NULL, 
	signer_on_behalf VARCHAR, 
	signer_title VARCHAR NOT NULL, 
	signer_name VARCHAR NOT NULL, 
	report_due DATE NOT NULL, 
	report_to VARCHAR, 
	urgency VARCHAR(20) NOT NULL, 
	cascade_mode VARCHAR(20) NOT NULL, 
	lead_days INTEGER NOT NULL, 
	id INTEGER NOT NULL, 
	issuer_id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	parent_directive_id INTEGER, 
	parent_assignment_id INTEGER, 
	source VARCHAR(20) NOT NULL, 
	content_hash VARCHAR(64), 
	dispatched_at DATETIME, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_directive_issuer_year_number UNIQUE (issuer_id, year, number), 
	FOREIGN KEY(issuer_id) REFERENCES unit (id), 
	FOREIGN KEY(parent_directive_id) REFERENCES directive (id)
);

CREATE TABLE directivetask (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	text VARCHAR NOT NULL, 
	to_codes JSON NOT NULL, 
	to_kinds JSON NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(directive_id) REFERENCES directive (id)
);

CREATE TABLE escalationstep (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	item VARCHAR(20) NOT NULL, 
	step VARCHAR(20) NOT NULL, 
	rank INTEGER NOT NULL, 
	due DATE NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_escalation_step UNIQUE (assignment_id, item, step), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id)
);

CREATE TABLE outbox_body (
	message_id INTEGER NOT NULL, 
	body_text VARCHAR NOT NULL, 
	body_html VARCHAR NOT NULL, 
	PRIMARY KEY (message_id), 
	FOREIGN KEY(message_id) REFERENCES outboxmessage (id)
);

CREATE TABLE outboxmessage (
	id INTEGER NOT NULL, 
	"key" VARCHAR(200) NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	directive_id INTEGER, 
	assignment_id INTEGER, 
	to_addr VARCHAR(320) NOT NULL, 
	to_name VARCHAR(300) NOT NULL, 
	subject VARCHAR NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error VARCHAR, 
	message_id VARCHAR(200), 
	claimed_by VARCHAR(200), 
	claimed_at DATETIME, 
	created_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE ("key"), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id)
);

CREATE TABLE recipient (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	role VARCHAR(10) NOT NULL, 
	mode VARCHAR(20), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_recipient UNIQUE (directive_id, unit_id), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);

CREATE TABLE report (
	id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	cycle_seq INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	version INTEGER NOT NULL, 
	text VARCHAR NOT NULL, 
	figures JSON NOT NULL, 
	late BOOLEAN NOT NULL, 
	submitted_at DATETIME, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_report_assignment_cycle UNIQUE (assignment_id, cycle_seq), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id), 
	FOREIGN KEY(directive_id) REFERENCES directive (id)
);

CREATE TABLE reportattachment (
	id INTEGER NOT NULL, 
	report_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	stored_name VARCHAR(200) NOT NULL, 
	original_name VARCHAR(255) NOT NULL, 
	content_type VARCHAR(100) NOT NULL, 
	size INTEGER NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(report_id) REFERENCES report (id), 
	UNIQUE (stored_name)
);

CREATE TABLE reportcycle (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	due DATE NOT NULL, 
	consolidated_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_report_cycle UNIQUE (directive_id, seq), 
	FOREIGN KEY(directive_id) REFERENCES directive (id)
);

CREATE TABLE reportingplan (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	indicators JSON NOT NULL, 
	schedule JSON NOT NULL, 
	ladder JSON NOT NULL, 
	follow_up_name VARCHAR(200), 
	follow_up_email VARCHAR(320), 
	PRIMARY KEY (id), 
	UNIQUE (directive_id), 
	FOREIGN KEY(directive_id) REFERENCES directive (id)
);

CREATE TABLE reportversion (
	id INTEGER NOT NULL, 
	report_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	submitted BOOLEAN NOT NULL, 
	text VARCHAR NOT NULL, 
	figures JSON NOT NULL, 
	at DATETIME NOT NULL, 
	remote_addr VARCHAR(100), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_report_version UNIQUE (report_id, version), 
	FOREIGN KEY(report_id) REFERENCES report (id)
);

CREATE TABLE taskitem (
	id INTEGER NOT NULL, 
	assignment_id INTEGER NOT NULL, 
	task_id INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_item UNIQUE (assignment_id, task_id), 
	FOREIGN KEY(assignment_id) REFERENCES assignment (id), 
	FOREIGN KEY(task_id) REFERENCES directivetask (id)
);

CREATE TABLE unit (
	code VARCHAR(64) NOT NULL, 
	name VARCHAR(300) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	email VARCHAR(320) NOT NULL, 
	symbol VARCHAR(64), 
	id INTEGER NOT NULL, 
	parent_id INTEGER, 
	active BOOLEAN NOT NULL, 
	successor_id INTEGER, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(parent_id) REFERENCES unit (id), 
	FOREIGN KEY(successor_id) REFERENCES unit (id)
);

CREATE INDEX ix_assignment_directive_status ON assignment (directive_id, status);

CREATE INDEX ix_assignment_status_ack_due ON assignment (status, ack_due);

CREATE INDEX ix_assignment_unit_id ON assignment (unit_id);

CREATE INDEX ix_auditlog_assignment_id ON auditlog (assignment_id);

CREATE INDEX ix_auditlog_directive_id ON auditlog (directive_id);

CREATE INDEX ix_auditlog_event ON auditlog (event);

CREATE INDEX ix_directive_issuer_id ON directive (issuer_id);

CREATE INDEX ix_directive_number ON directive (number);

CREATE INDEX ix_directive_parent_assignment_id ON directive (parent_assignment_id);

CREATE INDEX ix_directive_parent_directive_id ON directive (parent_directive_id);

CREATE INDEX ix_directivetask_directive_id ON directivetask (directive_id);

CREATE INDEX ix_escalationstep_assignment_id ON escalationstep (assignment_id);

CREATE INDEX ix_escalationstep_directive_id ON escalationstep (directive_id);

CREATE INDEX ix_outbox_status_id ON outboxmessage (status, id);

CREATE INDEX ix_outboxmessage_assignment_id ON outboxmessage (assignment_id);

CREATE INDEX ix_outboxmessage_directive_id ON outboxmessage (directive_id);

CREATE INDEX ix_recipient_directive_id ON recipient (directive_id);

CREATE INDEX ix_report_assignment_id ON report (assignment_id);

CREATE INDEX ix_report_directive_id ON report (directive_id);

CREATE INDEX ix_reportattachment_report_id ON reportattachment (report_id);

CREATE INDEX ix_reportcycle_directive_id ON reportcycle (directive_id);

CREATE INDEX ix_reportversion_report_id ON reportversion (report_id);

CREATE INDEX ix_taskitem_assignment_id ON taskitem (assignment_id);

CREATE INDEX ix_unit_active ON unit (active);

CREATE UNIQUE INDEX ix_unit_code ON unit (code);

CREATE INDEX ix_unit_kind ON unit (kind);

CREATE INDEX ix_unit_parent_active ON unit (parent_id, active);

CREATE INDEX ix_unit_parent_id ON unit (parent_id);

-- The audit log's high-water mark (ADR 0017, step 3): the highest id ever appended, kept by the
-- append trigger in the same transaction as the entry. On SQLite, sqlite_sequence says how far
-- AUTOINCREMENT went; here ids come from the head (0001_rules), so without a mark a tail cut from
-- the log would leave a shorter but still valid chain. `audit verify` reports ids the mark has seen
-- that the log no longer holds. One row; it only ever grows.
CREATE TABLE audit_log_head_mark (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  issued integer NOT NULL
);
--> statement-breakpoint
INSERT INTO audit_log_head_mark (only_row, issued) SELECT true, coalesce(max(id), 0) FROM audit_log;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_log_appends_to_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_id integer;
  head_hash text;
BEGIN
  SELECT id, hash INTO head_id, head_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  IF NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, repeat('0', 64)) THEN
    RAISE EXCEPTION 'an audit entry continues the chain from its last entry' USING ERRCODE = '23R01';
  END IF;
  NEW.id := coalesce(head_id, 0) + 1;
  INSERT INTO audit_log_head_mark (only_row, issued) VALUES (true, NEW.id)
  ON CONFLICT (only_row) DO UPDATE SET issued = greatest(audit_log_head_mark.issued, excluded.issued);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION audit_log_head_mark_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.only_row IS DISTINCT FROM OLD.only_row OR NEW.issued < OLD.issued THEN
    RAISE EXCEPTION 'the audit log''s high-water mark only grows' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_head_mark_only_grows BEFORE UPDATE OR DELETE ON audit_log_head_mark FOR EACH ROW EXECUTE FUNCTION audit_log_head_mark_only_grows();
--> statement-breakpoint
CREATE TRIGGER audit_log_head_mark_not_truncated BEFORE TRUNCATE ON audit_log_head_mark FOR EACH STATEMENT EXECUTE FUNCTION audit_log_head_mark_only_grows();

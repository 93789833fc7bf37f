-- Every web process keeps the public state token (what validates its response cache) in memory and
-- listens on this channel (ADR 0017): any change to what the public site shows — versions published
-- or replaced, documents added, renamed or linked — tells every process, on every host, at commit.
CREATE FUNCTION redline_public_state_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('redline_public_state', '');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER versions_public_state_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON versions
FOR EACH STATEMENT EXECUTE FUNCTION redline_public_state_changed();
--> statement-breakpoint
CREATE TRIGGER documents_public_state_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON documents
FOR EACH STATEMENT EXECUTE FUNCTION redline_public_state_changed();

-- The database's protective rules on PostgreSQL (ADR 0002, 0011, 0017): the twins of the SQLite
-- triggers of db/migrations/0001_published_versions_immutable.sql and 0009_proof_rules.sql, with
-- the same refusals and the same messages. Each rule is one PL/pgSQL function and a trigger of the
-- same name (on deliveries the condition sits in the trigger's WHEN, see there); db/pg/rules.ts
-- re-creates any that is dropped, altered or disabled.
--
-- Every refusal is SQLSTATE 23R01 (class 23, integrity constraint violation; "R" for Redline), so
-- a client tells a rule's refusal from any other error by its code alone.
--
-- What PostgreSQL needs beyond the SQLite set:
-- - TRUNCATE skips row triggers: every table whose rows are never deleted refuses it too;
-- - concurrent writers under READ COMMITTED: the audit log accepts an entry only on top of the
--   chain's head (audit_log_appends_to_head) and a unique prev_hash, so two entries can never
--   continue the same one, whatever the client does; the app still takes
--   pg_advisory_xact_lock(hashtext('redline.audit')) first so that writers queue instead of failing.
--
-- Not carried over: 0009's back-fill of versions.audit_head (a PostgreSQL database starts empty or
-- as a copy of a SQLite one that already has it).

-- Published versions (ADR 0002) ---------------------------------------------------------------
CREATE FUNCTION versions_published_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state IN ('published', 'superseded') AND (
    NEW.document_id IS DISTINCT FROM OLD.document_id
    OR NEW.number IS DISTINCT FROM OLD.number
    OR NEW.content::text IS DISTINCT FROM OLD.content::text
    OR NEW.html IS DISTINCT FROM OLD.html
    OR NEW.text IS DISTINCT FROM OLD.text
    OR NEW.outline::text IS DISTINCT FROM OLD.outline::text
    OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
    OR NEW.last_updated IS DISTINCT FROM OLD.last_updated
    OR NEW.effective_at IS DISTINCT FROM OLD.effective_at
    OR NEW.published_at IS DISTINCT FROM OLD.published_at
    OR NEW.material IS DISTINCT FROM OLD.material
    OR NEW.summary IS DISTINCT FROM OLD.summary
    OR NEW.author_id IS DISTINCT FROM OLD.author_id
    OR NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id
    OR NEW.published_by_id IS DISTINCT FROM OLD.published_by_id
    OR NEW.revision IS DISTINCT FROM OLD.revision
    OR NOT (NEW.state = OLD.state OR (OLD.state = 'published' AND NEW.state = 'superseded'))
  ) THEN
    RAISE EXCEPTION 'published versions are immutable' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER versions_published_immutable BEFORE UPDATE ON versions FOR EACH ROW EXECUTE FUNCTION versions_published_immutable();
--> statement-breakpoint
-- The columns 0001 did not cover are frozen too (approval, origin, head, times).
CREATE FUNCTION versions_published_rows_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state IN ('published', 'superseded') AND (
    NEW.id IS DISTINCT FROM OLD.id
    OR NEW.based_on_version_id IS DISTINCT FROM OLD.based_on_version_id
    OR NEW.audit_head IS DISTINCT FROM OLD.audit_head
    OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR NEW.updated_at IS DISTINCT FROM OLD.updated_at
  ) THEN
    RAISE EXCEPTION 'published versions are immutable' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER versions_published_rows_frozen BEFORE UPDATE ON versions FOR EACH ROW EXECUTE FUNCTION versions_published_rows_frozen();
--> statement-breakpoint
-- Also guards TRUNCATE, which skips row triggers: refused while a published version exists.
CREATE FUNCTION versions_published_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM versions WHERE state IN ('published', 'superseded')) THEN
      RAISE EXCEPTION 'published versions cannot be deleted' USING ERRCODE = '23R01';
    END IF;
    RETURN NULL;
  END IF;
  IF OLD.state IN ('published', 'superseded') THEN
    RAISE EXCEPTION 'published versions cannot be deleted' USING ERRCODE = '23R01';
  END IF;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER versions_published_undeletable BEFORE DELETE ON versions FOR EACH ROW EXECUTE FUNCTION versions_published_undeletable();
--> statement-breakpoint
CREATE TRIGGER versions_published_not_truncated BEFORE TRUNCATE ON versions FOR EACH STATEMENT EXECUTE FUNCTION versions_published_undeletable();
--> statement-breakpoint
CREATE FUNCTION versions_never_inserted_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state IN ('published', 'superseded') THEN
    RAISE EXCEPTION 'a version is published only by publishing a draft, never inserted as published' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER versions_never_inserted_published BEFORE INSERT ON versions FOR EACH ROW EXECUTE FUNCTION versions_never_inserted_published();
--> statement-breakpoint
-- A draft becomes published only as the latest step of the chain: its own `version.published` entry
-- must be the last audit entry, name it and carry its number, content hash and publication time, and
-- no publication of the document may be newer (no backdating between existing versions). Times are
-- ISO-8601 text, compared byte by byte as SQLite does, whatever the database's collation.
CREATE FUNCTION versions_publication_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state NOT IN ('published', 'superseded') AND NEW.state IN ('published', 'superseded') AND (
    NEW.state <> 'published'
    OR NEW.audit_head IS NULL
    OR NOT EXISTS (
      SELECT 1 FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT 1) AS latest
      WHERE latest.hash = NEW.audit_head
        AND latest.action = 'version.published'
        AND latest.version_id = NEW.id
        AND (latest.details -> 'number')::jsonb = to_jsonb(NEW.number)
        AND latest.details ->> 'contentHash' = NEW.content_hash
        AND latest.details ->> 'publishedAt' = NEW.published_at
    )
    OR EXISTS (
      SELECT 1 FROM versions AS other
      WHERE other.document_id = NEW.document_id AND other.id <> NEW.id
        AND (other.state = 'published'
          OR (other.state = 'superseded'
            AND (other.number > NEW.number OR other.published_at > NEW.published_at COLLATE "C")))
    )
  ) THEN
    RAISE EXCEPTION 'a version is published only with its audit entry, after every earlier publication' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER versions_publication_recorded BEFORE UPDATE OF state ON versions FOR EACH ROW EXECUTE FUNCTION versions_publication_recorded();
--> statement-breakpoint
-- Documents --------------------------------------------------------------------------------------
CREATE FUNCTION documents_with_published_versions_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM versions WHERE state IN ('published', 'superseded')) THEN
      RAISE EXCEPTION 'a document with published versions cannot be deleted' USING ERRCODE = '23R01';
    END IF;
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM versions WHERE document_id = OLD.id AND state IN ('published', 'superseded')) THEN
    RAISE EXCEPTION 'a document with published versions cannot be deleted' USING ERRCODE = '23R01';
  END IF;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER documents_with_published_versions_kept BEFORE DELETE ON documents FOR EACH ROW EXECUTE FUNCTION documents_with_published_versions_kept();
--> statement-breakpoint
CREATE TRIGGER documents_with_published_versions_not_truncated BEFORE TRUNCATE ON documents FOR EACH STATEMENT EXECUTE FUNCTION documents_with_published_versions_kept();
--> statement-breakpoint
CREATE FUNCTION documents_with_published_versions_keep_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.id IS DISTINCT FROM OLD.id OR NEW.slug IS DISTINCT FROM OLD.slug OR NEW.locale IS DISTINCT FROM OLD.locale)
    AND EXISTS (SELECT 1 FROM versions WHERE document_id = OLD.id AND state IN ('published', 'superseded'))
  THEN
    RAISE EXCEPTION 'a document with published versions keeps its slug and language' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER documents_with_published_versions_keep_address BEFORE UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION documents_with_published_versions_keep_address();
--> statement-breakpoint
-- The audit log (ADR 0002, 0011): append-only, one chain ------------------------------------------
CREATE FUNCTION audit_log_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_no_update();
--> statement-breakpoint
CREATE FUNCTION audit_log_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_no_delete();
--> statement-breakpoint
CREATE TRIGGER audit_log_not_truncated BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_delete();
--> statement-breakpoint
-- An entry continues the chain from its head, the entry with the highest id, and takes the next id:
-- ids are positions in the chain (`audit verify` checks them for gaps), so they come from the head,
-- not from the sequence, which a rolled-back append would leave with a hole. Two transactions that
-- read the same head both pass this check; the unique prev_hash below then lets only the first
-- commit (the second waits for it, then fails), so the chain never forks.
CREATE FUNCTION audit_log_appends_to_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_id integer;
  head_hash text;
BEGIN
  SELECT id, hash INTO head_id, head_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  IF NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, repeat('0', 64)) THEN
    RAISE EXCEPTION 'an audit entry continues the chain from its last entry' USING ERRCODE = '23R01';
  END IF;
  NEW.id := coalesce(head_id, 0) + 1;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_appends_to_head BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_appends_to_head();
--> statement-breakpoint
CREATE UNIQUE INDEX audit_log_prev_hash_unique ON audit_log (prev_hash);
--> statement-breakpoint
-- Notices and their batches (ADR 0011) -------------------------------------------------------------
CREATE FUNCTION notices_for_published_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.batch_count <> 0 OR NOT EXISTS (
    SELECT 1 FROM versions
    WHERE id = NEW.version_id AND document_id = NEW.document_id AND state = 'published')
  THEN
    RAISE EXCEPTION 'a notice is created for a version as it is published' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER notices_for_published_versions BEFORE INSERT ON notices FOR EACH ROW EXECUTE FUNCTION notices_for_published_versions();
--> statement-breakpoint
-- A notice never changes, except that its creation fills in the number of email batches it made.
CREATE FUNCTION notices_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id
    OR NEW.document_id IS DISTINCT FROM OLD.document_id
    OR NEW.version_id IS DISTINCT FROM OLD.version_id
    OR NEW.previous_number IS DISTINCT FROM OLD.previous_number
    OR NEW.channels IS DISTINCT FROM OLD.channels
    OR NEW.audience IS DISTINCT FROM OLD.audience
    OR NEW.requires_ack IS DISTINCT FROM OLD.requires_ack
    OR NEW.created_by IS DISTINCT FROM OLD.created_by
    OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR (NEW.batch_count IS DISTINCT FROM OLD.batch_count AND NOT (
      OLD.batch_count = 0
      AND NEW.batch_count = (SELECT count(*) FROM delivery_batches WHERE notice_id = NEW.id)))
  THEN
    RAISE EXCEPTION 'notices are proof of notice and cannot be changed' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER notices_fixed BEFORE UPDATE ON notices FOR EACH ROW EXECUTE FUNCTION notices_fixed();
--> statement-breakpoint
CREATE FUNCTION notices_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'notices are proof of notice and cannot be deleted' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER notices_undeletable BEFORE DELETE ON notices FOR EACH ROW EXECUTE FUNCTION notices_undeletable();
--> statement-breakpoint
CREATE TRIGGER notices_not_truncated BEFORE TRUNCATE ON notices FOR EACH STATEMENT EXECUTE FUNCTION notices_undeletable();
--> statement-breakpoint
CREATE FUNCTION delivery_batches_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'delivery batches are proof of notice and cannot be deleted' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER delivery_batches_undeletable BEFORE DELETE ON delivery_batches FOR EACH ROW EXECUTE FUNCTION delivery_batches_undeletable();
--> statement-breakpoint
CREATE TRIGGER delivery_batches_not_truncated BEFORE TRUNCATE ON delivery_batches FOR EACH STATEMENT EXECUTE FUNCTION delivery_batches_undeletable();
--> statement-breakpoint
-- Deliveries (ADR 0006, 0007, 0011) --------------------------------------------------------------
-- A notice writes and moves millions of these rows, so their rules sit in each trigger's WHEN: it is
-- evaluated in line, and the function (a PL/pgSQL call per row) runs only for a row it refuses. The
-- retry path of deliveries_forward_only reads delivery_batches, which a WHEN cannot, so that one
-- check is left to its function.
CREATE FUNCTION deliveries_start_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a delivery starts pending, without an outcome' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER deliveries_start_pending BEFORE INSERT ON deliveries FOR EACH ROW
WHEN (NEW.status <> 'pending'
  OR NEW.provider_message_id IS NOT NULL
  OR NEW.sent_at IS NOT NULL
  OR NEW.status_at IS NOT NULL
  OR NEW.recipient_email IS NOT NULL
  OR NEW.recipient_name IS NOT NULL)
EXECUTE FUNCTION deliveries_start_pending();
--> statement-breakpoint
CREATE FUNCTION deliveries_keep_their_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a delivery keeps its notice, subscriber, channel and batch' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER deliveries_keep_their_address BEFORE UPDATE ON deliveries FOR EACH ROW
WHEN (NEW.id IS DISTINCT FROM OLD.id
  OR NEW.notice_id IS DISTINCT FROM OLD.notice_id
  OR NEW.subscriber_id IS DISTINCT FROM OLD.subscriber_id
  OR NEW.channel IS DISTINCT FROM OLD.channel
  OR NEW.batch_number IS DISTINCT FROM OLD.batch_number)
EXECUTE FUNCTION deliveries_keep_their_address();
--> statement-breakpoint
-- The outbox's state machine (ADR 0006, 0007): the dispatcher, the provider's webhooks and
-- acknowledgements only move a delivery forward. The one way back is an approver's retry of a failed
-- batch: emails the provider never accepted return to the outbox, and only once their batch has been
-- put back in it (pending, membership open again) in the same transaction.
CREATE FUNCTION deliveries_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The trigger's WHEN let through every change that is not a step forward; the retry is the one
  -- such change allowed.
  IF NOT (OLD.channel = 'email' AND OLD.status = 'failed' AND NEW.status = 'pending'
    AND OLD.provider_message_id IS NULL AND OLD.sent_at IS NULL
    AND EXISTS (
      SELECT 1 FROM delivery_batches AS b
      WHERE b.notice_id = OLD.notice_id AND b.number = OLD.batch_number
        AND b.status = 'pending' AND b.frozen_at IS NULL))
  THEN
    RAISE EXCEPTION 'delivery statuses only move forward' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER deliveries_forward_only BEFORE UPDATE OF status ON deliveries FOR EACH ROW
WHEN (NEW.status IS DISTINCT FROM OLD.status AND NOT (
  (OLD.channel = 'email' AND OLD.status = 'pending' AND NEW.status IN ('sending', 'skipped'))
  OR (OLD.channel = 'dashboard' AND OLD.status = 'pending' AND NEW.status = 'delivered')
  OR (OLD.status = 'sending' AND NEW.status IN ('sent', 'failed'))
  OR (OLD.status = 'sent' AND NEW.status IN ('delivered', 'bounced', 'complained'))
  OR (OLD.channel = 'email' AND OLD.status = 'delivered' AND NEW.status IN ('bounced', 'complained'))))
EXECUTE FUNCTION deliveries_forward_only();
--> statement-breakpoint
-- What a delivery's outcome says is written once: the provider's id, the send time and the transport
-- that carried it when the batch is accepted, the status time with each status, the recipient copy
-- when the batch is frozen. Later writes may only blank copies and error texts (erasure, retention).
CREATE FUNCTION deliveries_outcome_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a delivery''s recorded outcome cannot be changed' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER deliveries_outcome_fixed BEFORE UPDATE ON deliveries FOR EACH ROW
WHEN ((OLD.provider_message_id IS NOT NULL AND NEW.provider_message_id IS DISTINCT FROM OLD.provider_message_id)
  OR (OLD.sent_at IS NOT NULL AND NEW.sent_at IS DISTINCT FROM OLD.sent_at)
  OR (NOT (OLD.status = 'sending' AND NEW.status = 'sent')
    AND (NEW.provider_message_id IS DISTINCT FROM OLD.provider_message_id OR NEW.sent_at IS DISTINCT FROM OLD.sent_at))
  OR (OLD.status = 'sending' AND NEW.status = 'sent'
    AND (NEW.provider_message_id IS NULL OR NEW.sent_at IS NULL))
  OR (OLD.transport IS NOT NULL AND NEW.transport IS DISTINCT FROM OLD.transport)
  OR (NOT (OLD.status = 'sending' AND NEW.status = 'sent') AND NEW.transport IS DISTINCT FROM OLD.transport)
  OR (NEW.status IS NOT DISTINCT FROM OLD.status AND NEW.status_at IS DISTINCT FROM OLD.status_at)
  OR (NEW.status IS NOT DISTINCT FROM OLD.status AND NEW.last_error IS NOT NULL AND NEW.last_error IS DISTINCT FROM OLD.last_error)
  OR (NOT (OLD.status = 'pending' AND NEW.status = 'sending') AND (
    NEW.redline_from IS DISTINCT FROM OLD.redline_from
    OR (NEW.recipient_email IS NOT NULL AND NEW.recipient_email IS DISTINCT FROM OLD.recipient_email)
    OR (NEW.recipient_name IS NOT NULL AND NEW.recipient_name IS DISTINCT FROM OLD.recipient_name)
    OR (NEW.recipient_locale IS NOT NULL AND NEW.recipient_locale IS DISTINCT FROM OLD.recipient_locale))))
EXECUTE FUNCTION deliveries_outcome_fixed();
--> statement-breakpoint
CREATE FUNCTION deliveries_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'deliveries are proof of notice and cannot be deleted' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER deliveries_undeletable BEFORE DELETE ON deliveries FOR EACH ROW EXECUTE FUNCTION deliveries_undeletable();
--> statement-breakpoint
CREATE TRIGGER deliveries_not_truncated BEFORE TRUNCATE ON deliveries FOR EACH STATEMENT EXECUTE FUNCTION deliveries_undeletable();
--> statement-breakpoint
-- Acknowledgements ---------------------------------------------------------------------------------
CREATE FUNCTION acknowledgements_name_their_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM versions
    WHERE id = NEW.version_id AND document_id = NEW.document_id AND number = NEW.version_number
      AND state IN ('published', 'superseded'))
  THEN
    RAISE EXCEPTION 'an acknowledgement names a published version as it is' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER acknowledgements_name_their_version BEFORE INSERT ON acknowledgements FOR EACH ROW EXECUTE FUNCTION acknowledgements_name_their_version();
--> statement-breakpoint
CREATE FUNCTION acknowledgements_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'acknowledgements are proof and cannot be changed' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER acknowledgements_fixed BEFORE UPDATE ON acknowledgements FOR EACH ROW EXECUTE FUNCTION acknowledgements_fixed();
--> statement-breakpoint
CREATE FUNCTION acknowledgements_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'acknowledgements are proof and cannot be deleted' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER acknowledgements_undeletable BEFORE DELETE ON acknowledgements FOR EACH ROW EXECUTE FUNCTION acknowledgements_undeletable();
--> statement-breakpoint
CREATE TRIGGER acknowledgements_not_truncated BEFORE TRUNCATE ON acknowledgements FOR EACH STATEMENT EXECUTE FUNCTION acknowledgements_undeletable();
--> statement-breakpoint
-- Subscribers: erasure blanks one and keeps the row, since the proof of notices refers to it ---------
CREATE FUNCTION subscribers_with_proof_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM deliveries) OR EXISTS (SELECT 1 FROM acknowledgements) THEN
      RAISE EXCEPTION 'a subscriber who was sent notices is erased, never deleted' USING ERRCODE = '23R01';
    END IF;
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM deliveries WHERE subscriber_id = OLD.id)
    OR EXISTS (SELECT 1 FROM acknowledgements WHERE subscriber_id = OLD.id)
  THEN
    RAISE EXCEPTION 'a subscriber who was sent notices is erased, never deleted' USING ERRCODE = '23R01';
  END IF;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER subscribers_with_proof_kept BEFORE DELETE ON subscribers FOR EACH ROW EXECUTE FUNCTION subscribers_with_proof_kept();
--> statement-breakpoint
CREATE TRIGGER subscribers_with_proof_not_truncated BEFORE TRUNCATE ON subscribers FOR EACH STATEMENT EXECUTE FUNCTION subscribers_with_proof_kept();
--> statement-breakpoint
CREATE FUNCTION subscribers_keep_external_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.external_id IS DISTINCT FROM OLD.external_id THEN
    RAISE EXCEPTION 'a subscriber keeps its externalId: the proof of notices is filed under it' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER subscribers_keep_external_id BEFORE UPDATE OF external_id ON subscribers FOR EACH ROW EXECUTE FUNCTION subscribers_keep_external_id();

-- A published version is a legal record: its content and dates never change and it is never
-- deleted. The only change allowed is published → superseded when a later version is published.
-- Enforced here so that no code path, script or hand-written SQL can rewrite history.
CREATE TRIGGER `versions_published_immutable`
BEFORE UPDATE ON `versions`
WHEN OLD.`state` IN ('published', 'superseded') AND (
  NEW.`document_id` IS NOT OLD.`document_id`
  OR NEW.`number` IS NOT OLD.`number`
  OR NEW.`content` IS NOT OLD.`content`
  OR NEW.`html` IS NOT OLD.`html`
  OR NEW.`text` IS NOT OLD.`text`
  OR NEW.`outline` IS NOT OLD.`outline`
  OR NEW.`content_hash` IS NOT OLD.`content_hash`
  OR NEW.`last_updated` IS NOT OLD.`last_updated`
  OR NEW.`effective_at` IS NOT OLD.`effective_at`
  OR NEW.`published_at` IS NOT OLD.`published_at`
  OR NEW.`material` IS NOT OLD.`material`
  OR NEW.`summary` IS NOT OLD.`summary`
  OR NEW.`author_id` IS NOT OLD.`author_id`
  OR NEW.`approved_by_id` IS NOT OLD.`approved_by_id`
  OR NEW.`published_by_id` IS NOT OLD.`published_by_id`
  OR NEW.`revision` IS NOT OLD.`revision`
  OR NOT (NEW.`state` = OLD.`state` OR (OLD.`state` = 'published' AND NEW.`state` = 'superseded'))
)
BEGIN
  SELECT RAISE(ABORT, 'published versions are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `versions_published_undeletable`
BEFORE DELETE ON `versions`
WHEN OLD.`state` IN ('published', 'superseded')
BEGIN
  SELECT RAISE(ABORT, 'published versions cannot be deleted');
END;
--> statement-breakpoint
-- The audit log is append-only; its hash chain makes an edit detectable, this makes it hard.
CREATE TRIGGER `audit_log_no_update`
BEFORE UPDATE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete`
BEFORE DELETE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
--> statement-breakpoint
-- One open (unpublished) version per document at a time, so published numbers stay contiguous.
CREATE UNIQUE INDEX `versions_one_open_per_document`
ON `versions` (`document_id`)
WHERE `state` IN ('draft', 'in_review', 'approved');

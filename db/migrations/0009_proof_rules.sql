-- Proof is kept by the database, not only by the app (ADR 0011). Every trigger here is re-created
-- by each migrate run if someone drops or alters it (db/rules.ts).

-- Versions published before chain heads were recorded get the head of their own publication entry.
UPDATE `versions` SET `audit_head` = (
  SELECT a.`hash` FROM `audit_log` AS a
  WHERE a.`action` = 'version.published' AND a.`version_id` = `versions`.`id`
  ORDER BY a.`id` DESC LIMIT 1)
WHERE `state` IN ('published', 'superseded') AND `audit_head` IS NULL;
--> statement-breakpoint
-- Published rows: the columns 0001 did not cover are frozen too (approval, origin, head, times).
CREATE TRIGGER `versions_published_rows_frozen`
BEFORE UPDATE ON `versions`
WHEN OLD.`state` IN ('published', 'superseded') AND (
  NEW.`id` IS NOT OLD.`id`
  OR NEW.`based_on_version_id` IS NOT OLD.`based_on_version_id`
  OR NEW.`audit_head` IS NOT OLD.`audit_head`
  OR NEW.`created_at` IS NOT OLD.`created_at`
  OR NEW.`updated_at` IS NOT OLD.`updated_at`
)
BEGIN
  SELECT RAISE(ABORT, 'published versions are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `versions_never_inserted_published`
BEFORE INSERT ON `versions`
WHEN NEW.`state` IN ('published', 'superseded')
BEGIN
  SELECT RAISE(ABORT, 'a version is published only by publishing a draft, never inserted as published');
END;
--> statement-breakpoint
-- A draft becomes published only as the latest step of the chain: its own `version.published` entry
-- must be the last audit entry, name it and carry its number, content hash and publication time, and
-- no publication of the document may be newer (no backdating between existing versions).
CREATE TRIGGER `versions_publication_recorded`
BEFORE UPDATE OF `state` ON `versions`
WHEN OLD.`state` NOT IN ('published', 'superseded') AND NEW.`state` IN ('published', 'superseded') AND (
  NEW.`state` <> 'published'
  OR NEW.`audit_head` IS NULL
  OR NOT EXISTS (
    SELECT 1 FROM (SELECT * FROM `audit_log` ORDER BY `id` DESC LIMIT 1) AS latest
    WHERE latest.`hash` = NEW.`audit_head`
      AND latest.`action` = 'version.published'
      AND latest.`version_id` = NEW.`id`
      AND json_extract(latest.`details`, '$.number') = NEW.`number`
      AND json_extract(latest.`details`, '$.contentHash') = NEW.`content_hash`
      AND json_extract(latest.`details`, '$.publishedAt') = NEW.`published_at`
  )
  OR EXISTS (
    SELECT 1 FROM `versions` AS other
    WHERE other.`document_id` = NEW.`document_id` AND other.`id` <> NEW.`id`
      AND (other.`state` = 'published'
        OR (other.`state` = 'superseded'
          AND (other.`number` > NEW.`number` OR other.`published_at` > NEW.`published_at`)))
  )
)
BEGIN
  SELECT RAISE(ABORT, 'a version is published only with its audit entry, after every earlier publication');
END;
--> statement-breakpoint
CREATE TRIGGER `documents_with_published_versions_kept`
BEFORE DELETE ON `documents`
WHEN EXISTS (SELECT 1 FROM `versions` WHERE `document_id` = OLD.`id` AND `state` IN ('published', 'superseded'))
BEGIN
  SELECT RAISE(ABORT, 'a document with published versions cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `documents_with_published_versions_keep_address`
BEFORE UPDATE ON `documents`
WHEN (NEW.`id` IS NOT OLD.`id` OR NEW.`slug` IS NOT OLD.`slug` OR NEW.`locale` IS NOT OLD.`locale`)
  AND EXISTS (SELECT 1 FROM `versions` WHERE `document_id` = OLD.`id` AND `state` IN ('published', 'superseded'))
BEGIN
  SELECT RAISE(ABORT, 'a document with published versions keeps its slug and language');
END;
--> statement-breakpoint
CREATE TRIGGER `notices_for_published_versions`
BEFORE INSERT ON `notices`
WHEN NEW.`batch_count` <> 0 OR NOT EXISTS (
  SELECT 1 FROM `versions`
  WHERE `id` = NEW.`version_id` AND `document_id` = NEW.`document_id` AND `state` = 'published')
BEGIN
  SELECT RAISE(ABORT, 'a notice is created for a version as it is published');
END;
--> statement-breakpoint
-- A notice never changes, except that its creation fills in the number of email batches it made.
CREATE TRIGGER `notices_fixed`
BEFORE UPDATE ON `notices`
WHEN NEW.`id` IS NOT OLD.`id`
  OR NEW.`document_id` IS NOT OLD.`document_id`
  OR NEW.`version_id` IS NOT OLD.`version_id`
  OR NEW.`previous_number` IS NOT OLD.`previous_number`
  OR NEW.`channels` IS NOT OLD.`channels`
  OR NEW.`audience` IS NOT OLD.`audience`
  OR NEW.`requires_ack` IS NOT OLD.`requires_ack`
  OR NEW.`created_by` IS NOT OLD.`created_by`
  OR NEW.`created_at` IS NOT OLD.`created_at`
  OR (NEW.`batch_count` IS NOT OLD.`batch_count` AND NOT (
    OLD.`batch_count` = 0
    AND NEW.`batch_count` = (SELECT count(*) FROM `delivery_batches` WHERE `notice_id` = NEW.`id`)))
BEGIN
  SELECT RAISE(ABORT, 'notices are proof of notice and cannot be changed');
END;
--> statement-breakpoint
CREATE TRIGGER `notices_undeletable`
BEFORE DELETE ON `notices`
BEGIN
  SELECT RAISE(ABORT, 'notices are proof of notice and cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `delivery_batches_undeletable`
BEFORE DELETE ON `delivery_batches`
BEGIN
  SELECT RAISE(ABORT, 'delivery batches are proof of notice and cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_start_pending`
BEFORE INSERT ON `deliveries`
WHEN NEW.`status` <> 'pending'
  OR NEW.`provider_message_id` IS NOT NULL
  OR NEW.`sent_at` IS NOT NULL
  OR NEW.`status_at` IS NOT NULL
  OR NEW.`recipient_email` IS NOT NULL
  OR NEW.`recipient_name` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a delivery starts pending, without an outcome');
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_keep_their_address`
BEFORE UPDATE ON `deliveries`
WHEN NEW.`id` IS NOT OLD.`id`
  OR NEW.`notice_id` IS NOT OLD.`notice_id`
  OR NEW.`subscriber_id` IS NOT OLD.`subscriber_id`
  OR NEW.`channel` IS NOT OLD.`channel`
  OR NEW.`batch_number` IS NOT OLD.`batch_number`
BEGIN
  SELECT RAISE(ABORT, 'a delivery keeps its notice, subscriber, channel and batch');
END;
--> statement-breakpoint
-- The outbox's state machine (ADR 0006, 0007): the dispatcher, the provider's webhooks and
-- acknowledgements only move a delivery forward. The one way back is an approver's retry of a failed
-- batch: emails the provider never accepted return to the outbox, and only once their batch has been
-- put back in it (pending, membership open again) in the same transaction.
CREATE TRIGGER `deliveries_forward_only`
BEFORE UPDATE OF `status` ON `deliveries`
WHEN NEW.`status` IS NOT OLD.`status` AND NOT (
  (OLD.`channel` = 'email' AND OLD.`status` = 'pending' AND NEW.`status` IN ('sending', 'skipped'))
  OR (OLD.`channel` = 'dashboard' AND OLD.`status` = 'pending' AND NEW.`status` = 'delivered')
  OR (OLD.`status` = 'sending' AND NEW.`status` IN ('sent', 'failed'))
  OR (OLD.`status` = 'sent' AND NEW.`status` IN ('delivered', 'bounced', 'complained'))
  OR (OLD.`channel` = 'email' AND OLD.`status` = 'delivered' AND NEW.`status` IN ('bounced', 'complained'))
  OR (OLD.`channel` = 'email' AND OLD.`status` = 'failed' AND NEW.`status` = 'pending'
    AND OLD.`provider_message_id` IS NULL AND OLD.`sent_at` IS NULL
    AND EXISTS (
      SELECT 1 FROM `delivery_batches` AS b
      WHERE b.`notice_id` = OLD.`notice_id` AND b.`number` = OLD.`batch_number`
        AND b.`status` = 'pending' AND b.`frozen_at` IS NULL))
)
BEGIN
  SELECT RAISE(ABORT, 'delivery statuses only move forward');
END;
--> statement-breakpoint
-- What a delivery's outcome says is written once: the provider's id, the send time and the transport
-- that carried it when the batch is accepted, the status time with each status, the recipient copy when the batch is frozen. Later
-- writes may only blank copies and error texts (erasure, retention).
CREATE TRIGGER `deliveries_outcome_fixed`
BEFORE UPDATE ON `deliveries`
WHEN (OLD.`provider_message_id` IS NOT NULL AND NEW.`provider_message_id` IS NOT OLD.`provider_message_id`)
  OR (OLD.`sent_at` IS NOT NULL AND NEW.`sent_at` IS NOT OLD.`sent_at`)
  OR (NOT (OLD.`status` = 'sending' AND NEW.`status` = 'sent')
    AND (NEW.`provider_message_id` IS NOT OLD.`provider_message_id` OR NEW.`sent_at` IS NOT OLD.`sent_at`))
  OR (OLD.`status` = 'sending' AND NEW.`status` = 'sent'
    AND (NEW.`provider_message_id` IS NULL OR NEW.`sent_at` IS NULL))
  OR (OLD.`transport` IS NOT NULL AND NEW.`transport` IS NOT OLD.`transport`)
  OR (NOT (OLD.`status` = 'sending' AND NEW.`status` = 'sent') AND NEW.`transport` IS NOT OLD.`transport`)
  OR (NEW.`status` IS OLD.`status` AND NEW.`status_at` IS NOT OLD.`status_at`)
  OR (NEW.`status` IS OLD.`status` AND NEW.`last_error` IS NOT NULL AND NEW.`last_error` IS NOT OLD.`last_error`)
  OR (NOT (OLD.`status` = 'pending' AND NEW.`status` = 'sending') AND (
    NEW.`redline_from` IS NOT OLD.`redline_from`
    OR (NEW.`recipient_email` IS NOT NULL AND NEW.`recipient_email` IS NOT OLD.`recipient_email`)
    OR (NEW.`recipient_name` IS NOT NULL AND NEW.`recipient_name` IS NOT OLD.`recipient_name`)
    OR (NEW.`recipient_locale` IS NOT NULL AND NEW.`recipient_locale` IS NOT OLD.`recipient_locale`)))
BEGIN
  SELECT RAISE(ABORT, 'a delivery''s recorded outcome cannot be changed');
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_undeletable`
BEFORE DELETE ON `deliveries`
BEGIN
  SELECT RAISE(ABORT, 'deliveries are proof of notice and cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `acknowledgements_name_their_version`
BEFORE INSERT ON `acknowledgements`
WHEN NOT EXISTS (
  SELECT 1 FROM `versions`
  WHERE `id` = NEW.`version_id` AND `document_id` = NEW.`document_id` AND `number` = NEW.`version_number`
    AND `state` IN ('published', 'superseded'))
BEGIN
  SELECT RAISE(ABORT, 'an acknowledgement names a published version as it is');
END;
--> statement-breakpoint
CREATE TRIGGER `acknowledgements_fixed`
BEFORE UPDATE ON `acknowledgements`
BEGIN
  SELECT RAISE(ABORT, 'acknowledgements are proof and cannot be changed');
END;
--> statement-breakpoint
CREATE TRIGGER `acknowledgements_undeletable`
BEFORE DELETE ON `acknowledgements`
BEGIN
  SELECT RAISE(ABORT, 'acknowledgements are proof and cannot be deleted');
END;
--> statement-breakpoint
-- Erasure blanks a subscriber and keeps the row: the proof of notices refers to it.
CREATE TRIGGER `subscribers_with_proof_kept`
BEFORE DELETE ON `subscribers`
WHEN EXISTS (SELECT 1 FROM `deliveries` WHERE `subscriber_id` = OLD.`id`)
  OR EXISTS (SELECT 1 FROM `acknowledgements` WHERE `subscriber_id` = OLD.`id`)
BEGIN
  SELECT RAISE(ABORT, 'a subscriber who was sent notices is erased, never deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `subscribers_keep_external_id`
BEFORE UPDATE OF `external_id` ON `subscribers`
WHEN NEW.`external_id` IS NOT OLD.`external_id`
BEGIN
  SELECT RAISE(ABORT, 'a subscriber keeps its externalId: the proof of notices is filed under it');
END;

CREATE TABLE `public_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`notice_id` integer NOT NULL,
	`subscription_id` integer,
	`batch_number` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`recipient_email` text,
	`provider_message_id` text,
	`transport` text,
	`last_error` text,
	`sent_at` text,
	`status_at` text,
	FOREIGN KEY (`notice_id`) REFERENCES `notices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscription_id`) REFERENCES `public_subscriptions`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "public_deliveries_status_check" CHECK("public_deliveries"."status" IN ('pending', 'sending', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'skipped')),
	CONSTRAINT "public_deliveries_batch_check" CHECK("public_deliveries"."batch_number" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `public_deliveries_subscription_notice_unique` ON `public_deliveries` (`subscription_id`,`notice_id`);--> statement-breakpoint
CREATE INDEX `public_deliveries_notice_batch_idx` ON `public_deliveries` (`notice_id`,`batch_number`,`status`);--> statement-breakpoint
CREATE INDEX `public_deliveries_provider_message_idx` ON `public_deliveries` (`provider_message_id`) WHERE "public_deliveries"."provider_message_id" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `public_subscriptions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`document_id` integer NOT NULL,
	`email` text NOT NULL,
	`scope` text NOT NULL,
	`confirmed_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "public_subscriptions_scope_check" CHECK("public_subscriptions"."scope" IN ('all', 'material'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `public_subscriptions_document_email_unique` ON `public_subscriptions` (`document_id`,`email`);--> statement-breakpoint
CREATE INDEX `public_subscriptions_email_idx` ON `public_subscriptions` (`email`);--> statement-breakpoint
ALTER TABLE `notices` ADD `audience_kind` text DEFAULT 'subscribers' NOT NULL;--> statement-breakpoint
DROP TRIGGER `notices_fixed`;--> statement-breakpoint
-- A notice never changes — its audience kind included (ADR 0029) — except that its creation fills in
-- the number of email batches it made.
CREATE TRIGGER `notices_fixed`
BEFORE UPDATE ON `notices`
WHEN NEW.`id` IS NOT OLD.`id`
  OR NEW.`document_id` IS NOT OLD.`document_id`
  OR NEW.`version_id` IS NOT OLD.`version_id`
  OR NEW.`previous_number` IS NOT OLD.`previous_number`
  OR NEW.`channels` IS NOT OLD.`channels`
  OR NEW.`audience` IS NOT OLD.`audience`
  OR NEW.`audience_kind` IS NOT OLD.`audience_kind`
  OR NEW.`requires_ack` IS NOT OLD.`requires_ack`
  OR NEW.`created_by` IS NOT OLD.`created_by`
  OR NEW.`created_at` IS NOT OLD.`created_at`
  OR NEW.`reminder_after_days` IS NOT OLD.`reminder_after_days`
  OR NEW.`reminder_max` IS NOT OLD.`reminder_max`
  OR NEW.`reminder_of` IS NOT OLD.`reminder_of`
  OR NEW.`reminder_round` IS NOT OLD.`reminder_round`
  OR (NEW.`batch_count` IS NOT OLD.`batch_count` AND NOT (
    OLD.`batch_count` = 0
    AND NEW.`batch_count` = (SELECT count(*) FROM `delivery_batches` WHERE `notice_id` = NEW.`id`)))
BEGIN
  SELECT RAISE(ABORT, 'notices are proof of notice and cannot be changed');
END;

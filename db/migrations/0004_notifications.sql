CREATE TABLE `acknowledgements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscriber_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`document_id` integer NOT NULL,
	`version_number` integer NOT NULL,
	`notice_id` integer,
	`channel` text NOT NULL,
	`acknowledged_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`notice_id`) REFERENCES `notices`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "acknowledgements_channel_check" CHECK("acknowledgements"."channel" IN ('email', 'dashboard', 'api'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `acknowledgements_subscriber_version_unique` ON `acknowledgements` (`subscriber_id`,`version_id`);--> statement-breakpoint
CREATE INDEX `acknowledgements_subscriber_document_idx` ON `acknowledgements` (`subscriber_id`,`document_id`,`version_number`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY NOT NULL,
	`notice_id` integer NOT NULL,
	`subscriber_id` integer NOT NULL,
	`channel` text NOT NULL,
	`batch_number` integer,
	`status` text DEFAULT 'pending' NOT NULL,
	`recipient_email` text,
	`recipient_name` text,
	`recipient_locale` text,
	`redline_from` integer,
	`provider_message_id` text,
	`last_error` text,
	`sent_at` text,
	`status_at` text,
	FOREIGN KEY (`notice_id`) REFERENCES `notices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "deliveries_channel_check" CHECK("deliveries"."channel" IN ('email', 'dashboard')),
	CONSTRAINT "deliveries_status_check" CHECK("deliveries"."status" IN ('pending', 'sending', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'skipped')),
	CONSTRAINT "deliveries_batch_check" CHECK(("deliveries"."channel" = 'email') = ("deliveries"."batch_number" IS NOT NULL AND "deliveries"."batch_number" >= 1))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_subscriber_notice_channel_unique` ON `deliveries` (`subscriber_id`,`notice_id`,`channel`);--> statement-breakpoint
CREATE INDEX `deliveries_notice_batch_idx` ON `deliveries` (`notice_id`,`batch_number`,`status`);--> statement-breakpoint
CREATE INDEX `deliveries_provider_message_idx` ON `deliveries` (`provider_message_id`) WHERE "deliveries"."provider_message_id" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `delivery_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`notice_id` integer NOT NULL,
	`number` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`generation` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`lease_owner` text,
	`leased_until` text,
	`frozen_at` text,
	`last_error` text,
	`sent_at` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`notice_id`) REFERENCES `notices`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "delivery_batches_status_check" CHECK("delivery_batches"."status" IN ('pending', 'sent', 'failed')),
	CONSTRAINT "delivery_batches_number_check" CHECK("delivery_batches"."number" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `delivery_batches_notice_number_unique` ON `delivery_batches` (`notice_id`,`number`);--> statement-breakpoint
CREATE INDEX `delivery_batches_claim_idx` ON `delivery_batches` (`next_attempt_at`,`id`) WHERE "delivery_batches"."status" = 'pending';--> statement-breakpoint
CREATE TABLE `notices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`document_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`previous_number` integer,
	`channels` text NOT NULL,
	`audience` text,
	`requires_ack` integer DEFAULT false NOT NULL,
	`batch_count` integer DEFAULT 0 NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `versions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "notices_channels_check" CHECK(json_valid("notices"."channels") AND json_array_length("notices"."channels") > 0)
);
--> statement-breakpoint
CREATE INDEX `notices_version_idx` ON `notices` (`version_id`);--> statement-breakpoint
CREATE TABLE `subscribers` (
	`id` integer PRIMARY KEY NOT NULL,
	`external_id` text NOT NULL,
	`email` text,
	`name` text,
	`locale` text DEFAULT 'en' NOT NULL,
	`attributes` text,
	`status` text DEFAULT 'active' NOT NULL,
	`status_reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`erased_at` text,
	CONSTRAINT "subscribers_status_check" CHECK("subscribers"."status" IN ('active', 'bounced', 'complained', 'erased')),
	CONSTRAINT "subscribers_erased_check" CHECK(("subscribers"."status" = 'erased') = ("subscribers"."email" IS NULL AND "subscribers"."name" IS NULL AND "subscribers"."attributes" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_external_id_unique` ON `subscribers` (`external_id`);--> statement-breakpoint
CREATE INDEX `subscribers_status_idx` ON `subscribers` (`status`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`svix_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`provider_message_id` text,
	`received_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);

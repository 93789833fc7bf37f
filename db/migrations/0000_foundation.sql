CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`document_id` integer,
	`version_id` integer,
	`details` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_hash_unique` ON `audit_log` (`hash`);--> statement-breakpoint
CREATE TABLE `documents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`locale` text DEFAULT 'en' NOT NULL,
	`title` text NOT NULL,
	`translation_of_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`translation_of_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_slug_locale_unique` ON `documents` (`slug`,`locale`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "users_role_check" CHECK("users"."role" IN ('viewer', 'editor', 'approver', 'admin'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`document_id` integer NOT NULL,
	`number` integer NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`content` text NOT NULL,
	`html` text NOT NULL,
	`text` text NOT NULL,
	`outline` text NOT NULL,
	`content_hash` text NOT NULL,
	`last_updated` text,
	`effective_at` text,
	`published_at` text,
	`material` integer DEFAULT false NOT NULL,
	`summary` text,
	`author_id` integer,
	`approved_by_id` integer,
	`published_by_id` integer,
	`based_on_version_id` integer,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`based_on_version_id`) REFERENCES `versions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "versions_state_check" CHECK("versions"."state" IN ('draft', 'in_review', 'approved', 'published', 'superseded')),
	CONSTRAINT "versions_number_check" CHECK("versions"."number" >= 1),
	CONSTRAINT "versions_published_dates_check" CHECK("versions"."state" NOT IN ('published', 'superseded') OR ("versions"."last_updated" IS NOT NULL AND "versions"."effective_at" IS NOT NULL AND "versions"."published_at" IS NOT NULL)),
	CONSTRAINT "versions_material_summary_check" CHECK("versions"."state" NOT IN ('published', 'superseded') OR "versions"."material" = 0 OR length(trim(coalesce("versions"."summary", ''))) > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `versions_document_number_unique` ON `versions` (`document_id`,`number`);--> statement-breakpoint
CREATE INDEX `versions_document_state_idx` ON `versions` (`document_id`,`state`);
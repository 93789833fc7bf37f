CREATE TABLE `branding_logos` (
	`hash` text PRIMARY KEY NOT NULL,
	`content_type` text NOT NULL,
	`data` text NOT NULL,
	`byte_size` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "branding_logos_type_check" CHECK("branding_logos"."content_type" IN ('image/png', 'image/jpeg', 'image/svg+xml') AND "branding_logos"."byte_size" <= 102400)
);
--> statement-breakpoint
CREATE TABLE `branding_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organisation_name` text NOT NULL,
	`logo_hash` text,
	`accent_colour` text NOT NULL,
	`contact_url` text,
	`imprint_url` text,
	`support_email` text,
	`created_by_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`logo_hash`) REFERENCES `branding_logos`(`hash`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "branding_revisions_accent_check" CHECK(length("branding_revisions"."accent_colour") = 7 AND "branding_revisions"."accent_colour" LIKE '#%'),
	CONSTRAINT "branding_revisions_links_check" CHECK(("branding_revisions"."contact_url" IS NULL OR "branding_revisions"."contact_url" LIKE 'https://%' OR "branding_revisions"."contact_url" LIKE 'mailto:%') AND ("branding_revisions"."imprint_url" IS NULL OR "branding_revisions"."imprint_url" LIKE 'https://%' OR "branding_revisions"."imprint_url" LIKE 'mailto:%'))
);
--> statement-breakpoint
CREATE INDEX `branding_revisions_created_idx` ON `branding_revisions` (`created_at`);
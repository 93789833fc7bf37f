CREATE TABLE `embed_origins` (
	`origin` text PRIMARY KEY NOT NULL,
	`created_by_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "embed_origins_origin_check" CHECK("embed_origins"."origin" GLOB 'http*://*' AND "embed_origins"."origin" NOT GLOB '*/*/*/*' AND length("embed_origins"."origin") <= 255)
);
--> statement-breakpoint
CREATE TABLE `embed_secrets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`encrypted_secret` text NOT NULL,
	`prefix` text NOT NULL,
	`created_by_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`retired_at` text,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `embed_secrets_live_unique` ON `embed_secrets` ((1)) WHERE "embed_secrets"."retired_at" IS NULL;--> statement-breakpoint
CREATE INDEX `embed_secrets_retired_idx` ON `embed_secrets` (`retired_at`);
CREATE TABLE `stored_diffs` (
	`from_hash` text NOT NULL,
	`to_hash` text NOT NULL,
	`engine` integer NOT NULL,
	`summary` text NOT NULL,
	`blocks` text NOT NULL,
	`html` text NOT NULL,
	`changes_html` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`from_hash`, `to_hash`, `engine`)
);
--> statement-breakpoint
CREATE INDEX `versions_facts_idx` ON `versions` (`document_id`,`state`,`number`,`effective_at`,`last_updated`,`published_at`,`content_hash`,`material`,`summary`,`based_on_version_id`,`audit_head`,`author_id`,`approved_by_id`,`published_by_id`,`revision`,`created_at`,`updated_at`);
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

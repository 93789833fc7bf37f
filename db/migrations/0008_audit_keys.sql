ALTER TABLE `audit_log` ADD `key_id` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `mac` text;--> statement-breakpoint
ALTER TABLE `versions` ADD `audit_head` text;
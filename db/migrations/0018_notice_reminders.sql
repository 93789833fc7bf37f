ALTER TABLE `notices` ADD `reminder_after_days` integer;--> statement-breakpoint
ALTER TABLE `notices` ADD `reminder_max` integer;--> statement-breakpoint
ALTER TABLE `notices` ADD `reminder_of` integer REFERENCES notices(id);--> statement-breakpoint
ALTER TABLE `notices` ADD `reminder_round` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `notices_reminder_round_unique` ON `notices` (`reminder_of`,`reminder_round`);--> statement-breakpoint
-- Reminders (issue 16, item 4): the new columns are as fixed as the rest of a notice.
DROP TRIGGER `notices_fixed`;
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
--> statement-breakpoint
-- A reminder is a round of the notice it names, for the same version, numbered 1 to the
-- notice's maximum (the unique index keeps each round to one).
CREATE TRIGGER `notices_reminders_of_their_notice`
BEFORE INSERT ON `notices`
WHEN (NEW.`reminder_of` IS NULL) <> (NEW.`reminder_round` IS NULL)
  OR (NEW.`reminder_after_days` IS NULL) <> (NEW.`reminder_max` IS NULL)
  OR NEW.`reminder_after_days` < 1 OR NEW.`reminder_max` < 1
  OR (NEW.`reminder_of` IS NOT NULL AND (NEW.`reminder_after_days` IS NOT NULL OR NOT EXISTS (
    SELECT 1 FROM `notices` AS parent
    WHERE parent.`id` = NEW.`reminder_of` AND parent.`version_id` = NEW.`version_id`
      AND parent.`reminder_of` IS NULL AND NEW.`reminder_round` BETWEEN 1 AND parent.`reminder_max`)))
BEGIN
  SELECT RAISE(ABORT, 'a reminder is the next round of its notice, within the rounds it allows');
END;

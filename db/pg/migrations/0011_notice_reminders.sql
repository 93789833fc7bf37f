ALTER TABLE "notices" ADD COLUMN "reminder_after_days" integer;--> statement-breakpoint
ALTER TABLE "notices" ADD COLUMN "reminder_max" integer;--> statement-breakpoint
ALTER TABLE "notices" ADD COLUMN "reminder_of" integer;--> statement-breakpoint
ALTER TABLE "notices" ADD COLUMN "reminder_round" integer;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_reminder_of_notices_id_fk" FOREIGN KEY ("reminder_of") REFERENCES "public"."notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notices_reminder_round_unique" ON "notices" USING btree ("reminder_of","reminder_round");--> statement-breakpoint
-- Reminders (issue 16, item 4): the new columns are as fixed as the rest of a notice.
CREATE OR REPLACE FUNCTION notices_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id
    OR NEW.document_id IS DISTINCT FROM OLD.document_id
    OR NEW.version_id IS DISTINCT FROM OLD.version_id
    OR NEW.previous_number IS DISTINCT FROM OLD.previous_number
    OR NEW.channels IS DISTINCT FROM OLD.channels
    OR NEW.audience IS DISTINCT FROM OLD.audience
    OR NEW.requires_ack IS DISTINCT FROM OLD.requires_ack
    OR NEW.created_by IS DISTINCT FROM OLD.created_by
    OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR NEW.reminder_after_days IS DISTINCT FROM OLD.reminder_after_days
    OR NEW.reminder_max IS DISTINCT FROM OLD.reminder_max
    OR NEW.reminder_of IS DISTINCT FROM OLD.reminder_of
    OR NEW.reminder_round IS DISTINCT FROM OLD.reminder_round
    OR (NEW.batch_count IS DISTINCT FROM OLD.batch_count AND NOT (
      OLD.batch_count = 0
      AND NEW.batch_count = (SELECT count(*) FROM delivery_batches WHERE notice_id = NEW.id)))
  THEN
    RAISE EXCEPTION 'notices are proof of notice and cannot be changed' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- A reminder is a round of the notice it names, for the same version, numbered 1 to the notice's
-- maximum (the unique index keeps each round to one).
CREATE FUNCTION notices_reminders_of_their_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.reminder_of IS NULL) <> (NEW.reminder_round IS NULL)
    OR (NEW.reminder_after_days IS NULL) <> (NEW.reminder_max IS NULL)
    OR NEW.reminder_after_days < 1 OR NEW.reminder_max < 1
    OR (NEW.reminder_of IS NOT NULL AND (NEW.reminder_after_days IS NOT NULL OR NOT EXISTS (
      SELECT 1 FROM notices AS parent
      WHERE parent.id = NEW.reminder_of AND parent.version_id = NEW.version_id
        AND parent.reminder_of IS NULL AND NEW.reminder_round BETWEEN 1 AND parent.reminder_max)))
  THEN
    RAISE EXCEPTION 'a reminder is the next round of its notice, within the rounds it allows' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER notices_reminders_of_their_notice BEFORE INSERT ON notices FOR EACH ROW EXECUTE FUNCTION notices_reminders_of_their_notice();

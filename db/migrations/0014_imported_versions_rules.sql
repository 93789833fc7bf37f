-- Versions imported from a company's earlier history (ADR 0020-import-history): their origin is as
-- frozen as the rest of a published row, they never claim a material change (nobody assessed it),
-- and no notice is ever made for them. Re-created by each migrate run if dropped (db/rules.ts).
CREATE TRIGGER `versions_published_imported_frozen`
BEFORE UPDATE OF `imported` ON `versions`
WHEN OLD.`state` IN ('published', 'superseded') AND NEW.`imported` IS NOT OLD.`imported`
BEGIN
  SELECT RAISE(ABORT, 'published versions are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `versions_imported_never_material_insert`
BEFORE INSERT ON `versions`
WHEN NEW.`imported` IS NOT NULL AND (NEW.`material` <> 0 OR NEW.`summary` IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'an imported version claims no materiality: nobody assessed it');
END;
--> statement-breakpoint
CREATE TRIGGER `versions_imported_never_material_update`
BEFORE UPDATE OF `material`, `summary`, `imported` ON `versions`
WHEN NEW.`imported` IS NOT NULL AND (NEW.`material` <> 0 OR NEW.`summary` IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'an imported version claims no materiality: nobody assessed it');
END;
--> statement-breakpoint
CREATE TRIGGER `notices_never_for_imported_versions`
BEFORE INSERT ON `notices`
WHEN EXISTS (SELECT 1 FROM `versions` WHERE `id` = NEW.`version_id` AND `imported` IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'no notice is made for an imported version');
END;

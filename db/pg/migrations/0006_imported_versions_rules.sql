-- The PostgreSQL twin of SQLite's 0014 (ADR 0020): versions imported from a company's earlier
-- history keep their origin frozen once published, never claim a material change (nobody assessed
-- it), and no notice is ever made for them. Re-created by each migrate run if dropped (db/pg/rules.ts).
CREATE FUNCTION versions_published_imported_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'published versions are immutable' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER versions_published_imported_frozen BEFORE UPDATE OF imported ON versions FOR EACH ROW
WHEN (OLD.state IN ('published', 'superseded') AND NEW.imported::text IS DISTINCT FROM OLD.imported::text)
EXECUTE FUNCTION versions_published_imported_frozen();
--> statement-breakpoint
CREATE FUNCTION versions_imported_never_material() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'an imported version claims no materiality: nobody assessed it' USING ERRCODE = '23R01';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER versions_imported_never_material_insert BEFORE INSERT ON versions FOR EACH ROW
WHEN (NEW.imported IS NOT NULL AND (NEW.material OR NEW.summary IS NOT NULL))
EXECUTE FUNCTION versions_imported_never_material();
--> statement-breakpoint
CREATE TRIGGER versions_imported_never_material_update BEFORE UPDATE OF material, summary, imported ON versions FOR EACH ROW
WHEN (NEW.imported IS NOT NULL AND (NEW.material OR NEW.summary IS NOT NULL))
EXECUTE FUNCTION versions_imported_never_material();
--> statement-breakpoint
CREATE FUNCTION notices_never_for_imported_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM versions WHERE id = NEW.version_id AND imported IS NOT NULL) THEN
    RAISE EXCEPTION 'no notice is made for an imported version' USING ERRCODE = '23R01';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER notices_never_for_imported_versions BEFORE INSERT ON notices FOR EACH ROW
EXECUTE FUNCTION notices_never_for_imported_versions();

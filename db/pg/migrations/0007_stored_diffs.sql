CREATE TABLE "stored_diffs" (
	"from_hash" text NOT NULL,
	"to_hash" text NOT NULL,
	"engine" integer NOT NULL,
	"summary" json NOT NULL,
	"blocks" text NOT NULL,
	"html" text NOT NULL,
	"changes_html" text NOT NULL,
	"created_at" text NOT NULL,
	CONSTRAINT "stored_diffs_from_hash_to_hash_engine_pk" PRIMARY KEY("from_hash","to_hash","engine")
);
--> statement-breakpoint
CREATE INDEX "versions_facts_idx" ON "versions" USING btree ("document_id","state","number");
CREATE TABLE "send_rates" (
	"name" text PRIMARY KEY NOT NULL,
	"next_free_at" bigint NOT NULL
);

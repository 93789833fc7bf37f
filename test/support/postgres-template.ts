import { prepareTemplate } from "./databases";

/** globalSetup of the PostgreSQL projects: the migrated template every test database is copied from. */
export default async function postgresTemplate() {
  await prepareTemplate();
}

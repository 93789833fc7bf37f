// The materiality rule table: each rule is one kind of reason, read in this order for every changed
// clause. Adding a kind of reason is adding a rule module and its line here.
import { children } from "./children";
import { contacts } from "./contacts";
import { dataCategories } from "./data-categories";
import { legalBases } from "./legal-bases";
import { numbers } from "./numbers";
import { purposes } from "./purposes";
import { recipients } from "./recipients";
import { retention } from "./retention";
import { rights } from "./rights";
import type { RuleFactory } from "./rule";
import { transfers } from "./transfers";

export const RULES: RuleFactory[] = [
  recipients,
  dataCategories,
  purposes,
  transfers,
  rights,
  legalBases,
  retention,
  children,
  numbers,
  contacts,
];

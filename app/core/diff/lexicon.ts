// Words and patterns the materiality suggester looks for. Kept apart from the logic so a lawyer's
// review of the vocabulary does not need to read code. All patterns run on typography-normalised text.

/** Legal-form endings of company names: "Acme Analytics Inc.", "Cumulus Hosting GmbH". */
const LEGAL_FORM =
  "(?:Inc\\.?|Incorporated|Ltd\\.?|Limited|LLC|L\\.L\\.C\\.|LLP|L\\.P\\.|GmbH(?: & Co\\.? KG)?|AG|KG|SE|S\\.A\\.S?\\.?|SAS|SARL|S\\.à ?r\\.l\\.|B\\.V\\.?|BV|N\\.V\\.?|NV|ApS|A/S|AB|Oyj?|plc|PLC|Corp\\.?|Corporation|Co\\.|Pty\\.? Ltd\\.?|Pte\\.? Ltd\\.?|K\\.K\\.|S\\.r\\.l\\.|S\\.p\\.A\\.|SpA|S\\.L\\.|Sp\\. z o\\.o\\.|ASA|Lda\\.?)";
// Words are bounded (no real name has a 60-character word) so that a long run of letters costs
// linear time, not a rescan from every position.
const NAME_WORD = "(?:[\\p{Lu}\\p{N}][\\p{L}\\p{N}'&.-]{0,60}|&)";
export const COMPANY_NAME = new RegExp(`(?:${NAME_WORD}\\s+){1,5}${LEGAL_FORM}(?![\\p{L}\\p{N}])`, "gu");

/** Words that start a sentence or a phrase but are not part of a company name. */
export const NAME_STOPWORDS = new Set([
  "the",
  "our",
  "we",
  "your",
  "a",
  "an",
  "this",
  "that",
  "each",
  "both",
  "with",
  "from",
  "by",
  "and",
  "or",
  "if",
  "when",
  "where",
  "via",
  "through",
  "including",
  "such",
  "as",
  "e.g.",
  "i.e.",
  "also",
  "currently",
  "all",
]);

/** Well-known processors and platforms that policies name without a legal form. */
export const KNOWN_COMPANIES = new RegExp(
  `\\b(?:${[
    "Google(?: Analytics| Ads| Cloud| Workspace| Tag Manager| Firebase)?",
    "Firebase",
    "YouTube",
    "Meta(?: Platforms)?",
    "Facebook",
    "Instagram",
    "WhatsApp",
    "Microsoft(?: Azure| Clarity| Teams)?",
    "Azure",
    "Amazon(?: Web Services)?",
    "AWS",
    "Apple",
    "Salesforce",
    "HubSpot",
    "Mailchimp",
    "Zendesk",
    "Intercom",
    "Stripe",
    "PayPal",
    "Braintree",
    "Adyen",
    "Klarna",
    "Twilio",
    "SendGrid",
    "Mailgun",
    "Postmark",
    "Cloudflare",
    "Fastly",
    "Akamai",
    "Datadog",
    "Sentry",
    "Mixpanel",
    "Amplitude",
    "Hotjar",
    "FullStory",
    "LogRocket",
    "Optimizely",
    "Heap",
    "Snowflake",
    "Oracle",
    "Shopify",
    "TikTok",
    "ByteDance",
    "LinkedIn",
    "Twitter",
    "Pinterest",
    "Snapchat",
    "Reddit",
    "Criteo",
    "Taboola",
    "Outbrain",
    "AppsFlyer",
    "Adjust",
    "Branch",
    "Experian",
    "Equifax",
    "TransUnion",
    "Okta",
    "Auth0",
    "Slack",
    "Atlassian",
    "Zoom",
    "DocuSign",
    "Dropbox",
    "Heroku",
    "DigitalOcean",
    "OpenAI",
    "Anthropic",
    "Klaviyo",
    "Braze",
    "Iterable",
    "Customer\\.io",
    "Plaid",
    "Onfido",
    "Jumio",
    "Veriff",
    "Algolia",
    "New Relic",
    "Qualtrics",
    "SurveyMonkey",
    "Typeform",
    "Freshdesk",
    "Freshworks",
    "Help Scout",
    "Marketo",
    "Adobe",
    "Yandex",
    "Baidu",
    "Tencent",
    "Alibaba",
  ].join("|")})\\b`,
  "gu",
);

/** Kinds of recipient a policy names in a sentence about sharing. */
export const RECIPIENT_CATEGORIES: Array<[string, RegExp]> = [
  [
    "advertising partners",
    /\b(?:advertising|ad|marketing) (?:partners?|networks?|companies|platforms)\b|\badvertisers\b/i,
  ],
  ["data brokers", /\bdata brokers?\b/i],
  ["affiliates", /\baffiliates?\b|\bgroup companies\b|\baffiliated (?:companies|entities)\b/i],
  ["business partners", /\bbusiness partners?\b|\bjoint marketing partners?\b/i],
  [
    "third parties",
    /\bthird[- ]part(?:y|ies)\b(?! (?:account|sign|websites?|sites?|cookies?|links?|services?))/i,
  ],
  ["service providers", /\bservice providers?\b|\bvendors?\b|\bsuppliers?\b|\bcontractors?\b/i],
  ["processors", /\b(?:sub-?)?processors?\b/i],
  ["analytics providers", /\banalytics (?:providers?|partners?|companies|services)\b/i],
  [
    "social media platforms",
    /\bsocial (?:media|network(?:ing)?) (?:platforms?|companies|providers?|sites?)\b/i,
  ],
  ["insurers", /\binsurers?\b|\binsurance companies\b/i],
  ["credit reference agencies", /\bcredit (?:reference|reporting) agenc/i],
  ["law enforcement", /\blaw enforcement\b|\bpolice\b/i],
  [
    "government authorities",
    /\b(?:government|public|tax) (?:authorities|agencies|bodies)\b|\bregulators?\b/i,
  ],
  ["researchers", /\bresearch(?:ers| partners| institutions)\b/i],
  [
    "AI model providers",
    /\b(?:AI|artificial intelligence|machine learning|LLM|model) (?:providers?|vendors?|partners?)\b/i,
  ],
  ["buyers", /\b(?:buyer|purchaser|acquirer|successor)s?\b/i],
];

/** A sentence about giving data to someone else. */
export const SHARING_VERB =
  /\b(?:share[sd]?|sharing|disclos(?:e[sd]?|ing|ure)|transfer(?:s|red|ring)?|sell(?:s|ing)?|sold|sale|rent(?:s|ed)?|pass(?:es|ed)? (?:on|to)|make[s]? available|provide[sd]? (?:\w+ ){0,3}to|give[sn]? (?:\w+ ){0,3}access|recipients?|send(?:s)? (?:\w+ ){0,3}to|use[sd]? (?:\w+ ){0,3}(?:providers?|processors?))\b/i;

/** Section titles and table columns that are about who receives data. */
export const SHARING_CONTEXT = /shar|recipient|disclos|third[- ]part|processor|provider|vendor|partner/i;
export const RECIPIENT_COLUMN =
  /provider|processor|recipient|vendor|partner|compan|organi[sz]ation|third[- ]part|entity|name/i;

/** Categories of personal data, including GDPR special categories and CCPA sensitive information. */
export const DATA_CATEGORIES: Array<[string, RegExp]> = [
  [
    "precise location",
    /\b(?:precise|exact|real-time|gps|approximate|fine)[- ](?:geo)?location\b|\bgeo-?location\b|\blocation (?:data|information|history)\b|\bGPS\b/i,
  ],
  ["biometric data", /\bbiometric/i],
  ["health data", /\bhealth (?:data|information|records|conditions?)\b|\bmedical\b/i],
  ["genetic data", /\bgenetic\b/i],
  ["racial or ethnic origin", /\bracial\b|\bethnic(?:ity)?\b/i],
  ["political opinions", /\bpolitical (?:opinions?|affiliations?|views)\b/i],
  ["religious beliefs", /\breligio(?:us|n)\b/i],
  ["sexual orientation", /\bsexual orientation\b|\bsex life\b/i],
  ["trade union membership", /\btrade union\b/i],
  [
    "criminal records",
    /\bcriminal (?:records?|convictions?|offen[cs]es?|history|background)\b|\bbackground checks?\b/i,
  ],
  [
    "government identifiers",
    /\bsocial security\b|\bSSN\b|\bpassports?\b|\bdriver'?s licen[cs]e|\bnational (?:id|identity|insurance)\b|\bgovernment[- ]issued (?:id|identification)\b/i,
  ],
  ["date of birth", /\bdate of birth\b|\bbirth ?dates?\b/i],
  ["gender", /\bgender\b/i],
  [
    "photographs and facial data",
    /\bphoto(?:graph)?s?\b|\bselfies?\b|\bfacial\b|\bface (?:scans?|geometry|recognition)\b/i,
  ],
  [
    "voice recordings",
    /\bvoice (?:recordings?|data|prints?)\b|\baudio recordings?\b|\bcall recordings?\b|\brecordings? of (?:your )?calls\b/i,
  ],
  ["video recordings", /\bvideo recordings?\b|\bCCTV\b/i],
  ["contacts", /\baddress book\b|\bcontact lists?\b|\bphone contacts\b/i],
  ["browsing history", /\b(?:browsing|search|web) history\b/i],
  [
    "device identifiers",
    /\bdevice (?:identifiers?|IDs?)\b|\badvertising (?:identifiers?|IDs?)\b|\bIDFA\b|\bAAID\b|\bIMEI\b|\bMAC address/i,
  ],
  ["IP address", /\bIP address/i],
  ["payment card data", /\b(?:credit|debit|payment) cards?\b|\bcard (?:numbers?|details)\b/i],
  ["bank account details", /\bbank account/i],
  [
    "financial information",
    /\bincome\b|\bsalary\b|\bcredit (?:scores?|history|reports?)\b|\bcreditworthiness\b|\bfinancial (?:information|data|situation)\b/i,
  ],
  ["employment information", /\bemployment (?:history|information|details)\b|\bjob titles?\b|\bemployer\b/i],
  ["education information", /\beducation(?:al)? (?:history|information|records)\b/i],
  ["inferences and profiles", /\binferences?\b|\bprofil(?:e|ing) (?:about|of) you\b/i],
  ["purchase history", /\b(?:purchase|transaction|order) history\b/i],
  [
    "content of communications",
    /\bcontent of (?:your )?(?:messages|emails|communications|calls)\b|\bchat transcripts?\b/i,
  ],
  [
    "session recordings",
    /\bkeystrokes?\b|\bmouse movements?\b|\bsession (?:recordings?|replays?)\b|\bscreen recordings?\b/i,
  ],
  ["fingerprints", /\bfingerprints?\b/i],
  [
    "children's data",
    /\bchildren'?s (?:data|personal data|information)\b|\b(?:data|information) (?:about|from|of) children\b/i,
  ],
  ["phone number", /\b(?:phone|telephone|mobile) numbers?\b/i],
  ["email address", /\be-?mail address(?:es)?\b/i],
  ["postal address", /\b(?:postal|home|billing|physical|street) address(?:es)?\b/i],
  ["social media data", /\bsocial (?:media|network) (?:profiles?|accounts?|data|information)\b/i],
  ["sensor data", /\b(?:accelerometer|gyroscope|motion|sensor) data\b/i],
  ["camera and microphone", /\bcamera\b|\bmicrophone\b/i],
  ["usage data", /\busage data\b/i],
  ["special category data", /\bspecial categor(?:y|ies)\b|\bsensitive (?:personal )?(?:data|information)\b/i],
];

/** Lawful bases under Article 6(1) GDPR, by their usual wording and by letter. */
export const LEGAL_BASES: Array<[string, RegExp]> = [
  ["consent", /\bconsent\b/i],
  [
    "contract",
    /\bperformance of (?:a|the|our|your) contract\b|\bcontractual necessity\b|\bnecessary (?:for|to) (?:the )?perform(?:ance of)? (?:a |the |our |your )?contract\b|\bto perform (?:a|the|our) contract\b/i,
  ],
  [
    "legal obligation",
    /\blegal obligations?\b|\bcomply with (?:a|our|the|applicable) (?:legal|statutory)\b/i,
  ],
  ["vital interests", /\bvital interests?\b/i],
  ["public task", /\bpublic (?:interest|task)\b|\bofficial authority\b/i],
  ["legitimate interests", /\blegitimate interests?\b/i],
];
// "(?:\(\s*)?" rather than "\(?\s*": two optional runs of spaces in a row backtrack quadratically.
export const ARTICLE_6_LETTER = /\bArt(?:icle|\.)?\s*6\s*\(\s*1\s*\)\s*(?:\(\s*)?([a-f])\s*\)?/gi;
export const BASIS_BY_LETTER: Record<string, string> = {
  a: "consent",
  b: "contract",
  c: "legal obligation",
  d: "vital interests",
  e: "public task",
  f: "legitimate interests",
};
/** "withdraw your consent" speaks of a right, not of the basis relied on. */
export const CONSENT_NOT_A_BASIS = /\bwithdraw(?:al of|ing)?\s+(?:your\s+|their\s+)?consent\b/gi;

/** Places outside the EEA that a European policy would call an international transfer. */
export const TRANSFER_DESTINATIONS = new RegExp(
  `\\b(?:${[
    "United States(?: of America)?",
    "USA",
    "U\\.S\\.A?\\.?",
    "US(?=\\b)",
    "United Kingdom",
    "UK(?!\\s+(?:GDPR|Extension|Addendum|International))",
    "Great Britain",
    "Switzerland",
    "Canada",
    "Mexico",
    "Brazil",
    "Argentina",
    "Chile",
    "Colombia",
    "Peru",
    "Uruguay",
    "India",
    "China",
    "Hong Kong",
    "Taiwan",
    "Japan",
    "South Korea",
    "Korea",
    "Singapore",
    "Malaysia",
    "Indonesia",
    "Philippines",
    "Vietnam",
    "Thailand",
    "Australia",
    "New Zealand",
    "Israel",
    "Turkey",
    "Türkiye",
    "Russia",
    "Ukraine",
    "Serbia",
    "South Africa",
    "Nigeria",
    "Kenya",
    "Egypt",
    "Morocco",
    "United Arab Emirates",
    "UAE",
    "Saudi Arabia",
    "Qatar",
    "Pakistan",
    "Bangladesh",
    "Sri Lanka",
    "Asia",
    "Asia-Pacific",
    "APAC",
    "North America",
    "South America",
    "Latin America",
    "Africa",
    "Middle East",
  ].join(
    "|",
  )})\\b|\\boutside (?:of )?(?:the )?(?:EEA|EU|European Economic Area|European Union|UK|United Kingdom|Switzerland|country|countries)\\b|\\bthird countr(?:y|ies)\\b|\\b(?:worldwide|globally|any country|other countries)\\b`,
  "gu",
);
/** Wording that makes a place name a destination of data rather than, say, an address. */
export const TRANSFER_CONTEXT =
  /\btransfer|\boutside\b|\bprocess|\bstor(?:e|ed|age|ing)\b|\bhost|\blocated\b|\blocation\b|\bservers?\b|\bdata cent(?:re|er)s?\b|\baccess(?:ed|es)?\b.{0,30}\bfrom\b|\binternational|\boverseas\b|\babroad\b|\bcross-border\b|\bcountr/i;
export const TRANSFER_SECTION =
  /transfer|international|where we (?:store|process|keep)|location|processor|provider|recipient|shar/i;
export const TRANSFER_COLUMN = /location|countr|region|where|jurisdiction|hosted|data cent/i;

/**
 * User rights, GDPR and CCPA wording; `^` patterns catch list items like "Access: to ask for a copy…".
 * Their leading `[^\w\n\r\u2028\u2029]*` stays on its line: `\W*` would rescan every following line break from each
 * line start (quadratic on a block of hard breaks).
 */
export const USER_RIGHTS: Array<[string, RegExp]> = [
  [
    "access",
    /\bright (?:of|to) (?:request )?access\b|\bright to know\b|\b(?:request|ask for|obtain) (?:a copy|access)\b|^[^\w\n\r\u2028\u2029]*access\s*[:–-]/im,
  ],
  [
    "rectification",
    /\brectif|\bright to (?:correct|correction)\b|^[^\w\n\r\u2028\u2029]*correction\s*[:–-]/im,
  ],
  [
    "erasure",
    /\berasure\b|\bright to (?:be forgotten|delete|deletion|request deletion)\b|\b(?:ask|request)(?: us)? (?:to delete|deletion|that we delete)\b|^[^\w\n\r\u2028\u2029]*deletion\s*[:–-]/im,
  ],
  [
    "restriction",
    /\brestrict(?:ion of)? (?:the )?processing\b|\bright to restrict|^[^\w\n\r\u2028\u2029]*restriction\s*[:–-]/im,
  ],
  ["portability", /\bportab/i],
  [
    "objection",
    /\bright to object\b|\bobject (?:at any time )?to\b|^[^\w\n\r\u2028\u2029]*objection\s*[:–-]/im,
  ],
  ["withdrawal of consent", /\bwithdraw(?:al of)?(?: (?:your|their))? consent\b/i],
  [
    "complaint to a regulator",
    /\b(?:lodge|make|file|submit) a complaint\b|\bright to complain\b|\bcomplain to\b/i,
  ],
  ["opt-out", /\bopt[- ]?out\b|\bdo not sell\b|\bright to limit\b/i],
  ["no solely automated decisions", /\bnot to be subject to\b/i],
  ["non-discrimination", /\bnon-discrimination\b|\bnot (?:to )?(?:be )?discriminat/i],
];
export const RIGHTS_SECTION = /right|choice|request|control/i;
/** Words that keep a right wide; removing them narrows it. */
export const RIGHT_WIDENERS =
  /\bat any time\b|\bfree of charge\b|\bwithout (?:charge|cost|a fee)\b|\bat no cost\b|\bfor free\b/gi;
/** Words that narrow a right when added to a sentence about it. */
export const RIGHT_NARROWERS =
  /\bonly\b|\bunless\b|\bexcept\b|\blimited\b|\bmay refuse\b|\bsubject to\b|\bin certain circumstances\b|\bat our (?:sole )?discretion\b|\b(?:reasonable|administrative) fee\b|\bwhere required by law\b|\bno longer\b/gi;

/** Retention wording: a duration in such a clause is a retention period. */
export const RETENTION_CONTEXT =
  /\bretain|\bretention\b|\bkeep\b|\bkept\b|\bstor(?:e|ed|age)\b|\bdelet|\beras|\banonymi[sz]|\bhow long\b|\boverwritten\b|\barchiv|\bpurge|\bexpir/i;
export const RETENTION_SECTION = /retention|how long|keep|storage|deletion/i;
export const RETENTION_COLUMN = /retention|how long|period|duration|kept|keep/i;

const NUMBER_WORDS =
  "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred";
export const NUMBER_WORD_VALUES: Record<string, number> = Object.fromEntries(
  NUMBER_WORDS.split("|").map((word, i) => [word, i < 19 ? i + 1 : i === 27 ? 100 : (i - 17) * 10]),
);
export const DURATION = new RegExp(
  `\\b(\\d+(?:[.,]\\d+)?|${NUMBER_WORDS})(?:\\s*(?:-|to|–)\\s*(\\d+|${NUMBER_WORDS}))?[\\s-]+(?:(?:calendar|business|working|further|additional|more|extra|full|consecutive)\\s+)?(second|minute|hour|day|week|month|year)s?\\b`,
  "gi",
);
/** Retention without a number: "as long as", "indefinitely". */
export const OPEN_ENDED_RETENTION =
  /\bas long as\b|\bindefinitely\b|\bpermanently\b|\bforever\b|\bfor the (?:duration|lifetime) of\b|\buntil\b/gi;

const MONTH =
  "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
/** Dates in the usual policy styles; a date-only edit is never material. */
export const DATE = new RegExp(
  [
    `\\b\\d{1,2}(?:st|nd|rd|th)?(?:\\s+of)?\\s+${MONTH},?\\s+\\d{4}\\b`,
    `\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`,
    `\\b${MONTH}\\s+\\d{4}\\b`,
    "\\b\\d{4}-\\d{1,2}-\\d{1,2}\\b",
    "\\b\\d{1,2}[/.]\\d{1,2}[/.]\\d{2,4}\\b",
    "\\b(?:19|20)\\d{2}\\b",
  ].join("|"),
  "gi",
);
/** Cross-references whose numbers change with renumbering: "section 5.1", "Article 6(1)(f)". */
export const REFERENCE =
  /\b(?:sections?|clauses?|articles?|art\.|paragraphs?|schedules?|annex(?:es)?|appendix|appendices|parts?|chapters?|recitals?|§)\s*\d+(?:\.\d+)*(?:\s*\(\s*\w{1,4}\s*\))*(?:\s*(?:,|and|or|to|-)\s*\d+(?:\.\d+)*(?:\s*\(\s*\w{1,4}\s*\))*)*/gi;
export const PLAIN_NUMBER = /(?<![\p{L}\d])\d+(?:[.,]\d+)*%?(?![\p{L}\d])/gu;
/** Header lines whose numbers are dates or versions, never terms. */
export const DATELINE =
  /^\s*(?:last (?:updated|modified|revised)|effective(?: date| from| as of)?|updated|version|revision|date)\b/i;

// An address starts where its run of address characters starts (the lookbehind), and host names
// keep to DNS's limits (labels of at most 63 characters, at most 10 of them): without both, a long
// run of such characters is rescanned from every position (quadratic).
export const EMAIL = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
export const URL =
  /\bhttps?:\/\/\S+|\bwww\.\S+|\b[\w-]{1,63}(?:\.[\w-]{1,63}){0,9}\.(?:com|org|net|io|eu|uk|de|fr|nl|example)(?:\/\S*)?/gi;
export const PHONE = /(?:\+|\b00)\d[\d ().-]{6,}\d|\(\d{3}\)\s?\d{3}-\d{4}|\b\d{3}[-.]\d{3}[-.]\d{4}\b/g;
export const POSTCODE =
  /\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\b\d{4} ?[A-Z]{2}\b|\b[A-Z]{2} \d{5}(?:-\d{4})?\b/g;
export const STREET_ADDRESS =
  /\b\d+[A-Za-z]?,?\s+(?:[\p{Lu}][\p{L}'-]+\s+){0,3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Yard|Square|Place|Way|Boulevard|Blvd\.?|Drive|Court|Row|Terrace|Parkway|Quay|Wharf|Close|Crescent|Gardens|Plaza|Suite|Floor|Walk|Mews|Green|Grove|Hill|Rise|Parade|Gate|Market|Embankment|Esplanade|Promenade|Alley|Highway)\b|\b[\p{Lu}][\p{L}-]{0,60}(?:straße|strasse|gracht|weg|laan|plein|gasse|platz|kade)\s+\d+\w?/gu;
export const COMPANY_NUMBER =
  /\b(?:company|registration|registered|VAT|EIN)\s+(?:number|no\.?)\s*(?::\s*)?[\w-]*\d[\w-]*/gi;
export const CONTROLLER_CONTEXT =
  /\bcontroller\b|\bregistered (?:office|address|in)\b|\bcompany (?:number|registration)\b|\bincorporated in\b|\bresponsible for (?:the processing|your (?:personal )?(?:data|information))\b|\bprivacy (?:policy|notice) (?:explains|describes) how\b/i;
export const CONTROLLER_SECTION = /who we are|about us|controller|identity|our details/i;
export const CONTACT_SECTION =
  /contact|get in touch|reach us|representative|data protection officer|\bdpo\b|questions/i;

/** Sentence negation: "we do not sell", "we never share". */
export const NEGATION = /\b(?:not|never|no longer|no|neither|nor|none)\b|n't\b/i;

/**
 * Purposes of processing that a reader would object to finding added: each stated affirmatively
 * ("we do not sell your data" is not a purpose). Names are what the reason says; patterns match
 * the wording policies use for them.
 */
export const PROCESSING_PURPOSES: Array<[string, RegExp]> = [
  [
    "targeted advertising",
    /\b(?:targeted|personali[sz]ed|interest[- ]based|behaviou?ral|cross[- ]context behaviou?ral|tailored) (?:advertising|ads|advertisements|marketing)\b|\bad targeting\b|\bretargeting\b/i,
  ],
  [
    "selling personal data",
    /\bsell(?:s|ing)? (?:your |the |such |this |any )?(?:\w+ ){0,4}?(?:data|information|history|identifiers|details)\b|\bsale of (?:your |the )?(?:\w+ ){0,2}(?:data|information)\b/i,
  ],
  [
    "training AI models",
    /\b(?:train(?:s|ing)?|fine-tun(?:e|es|ing)|develop(?:s|ing)?|improv(?:e|es|ing)) (?:our |the |third[- ]party |other )?(?:own )?(?:artificial intelligence|AI|machine[- ]learning|ML|generative AI|large language|language|foundation)(?: \w+)? models?\b|\b(?:AI|model) training\b/i,
  ],
  ["profiling", /\bprofiling\b|\bautomated decision[- ]making\b|\bcredit scor(?:e|es|ing)\b/i],
  ["emotion or behaviour analysis", /\bemotion (?:recognition|detection|analysis)\b|\bsentiment analysis\b/i],
];

/** A sentence or section about children or age limits: where an age is a minimum age. */
export const CHILDREN_CONTEXT =
  /\bchild(?:ren)?(?:'s)?\b|\bminors?\b|\bkids?\b|\bteen(?:ager)?s?\b|\byouth\b|\bparent(?:s|al)?\b|\bguardians?\b|\bCOPPA\b|\bage\b|\byears? (?:of age|old)\b/i;
/** An age limit: "under the age of 16", "13 years of age or older", "aged 18", "16+". */
export const AGE_LIMIT =
  /\b(?:under|below|younger than|older than|over|at least|aged?|age of|age is|minimum age(?: of| is)?)\s+(?:the age of\s+)?(\d{1,2})\b(?!\s*(?:%|days?|weeks?|months?|hours?))|\b(\d{1,2})\s+(?:years? (?:of age|old)|(?:or|and) (?:older|over|up))\b|\b(\d{1,2})\+/gi;

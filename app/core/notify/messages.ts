/**
 * The words around a notice — email, banner, acknowledgement page — in the reader's language, as
 * ICU MessageFormat catalogues (ADR notices-0020). The notice's own title and summary are not
 * here: they come from the published version or its translation. Pure; runs on the server only
 * (the banner receives its words already formatted).
 */
import { IntlMessageFormat } from "intl-messageformat";

/** The languages with a full catalogue; any other locale falls back to its language, then English. */
export const NOTICE_LANGUAGES = ["en", "nl", "de", "fr", "es"] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

const EN = {
  subject: "Changes to our {title}",
  greeting: "{hasName, select, yes {Hello {name},} other {Hello,}}",
  intro: "We have updated our {title}. In short:",
  effective: "The changes take effect on {date, date, long}.",
  whatChanged: "See exactly what changed",
  fullPolicy: "Read the full policy",
  footer: "You receive this notice because you use our service. It is a legal notice, not marketing.",
  untranslated: "This notice is not available in {language} yet, so it is shown in {source}.",
  ackRequest: "Please confirm that you have read this notice.",
  ackLink: "Review and acknowledge",
  reminderSubject: "Reminder: {subject}",
  reminderLead:
    "This is a reminder. We wrote to you about this change on {date, date, long} and have not yet received your acknowledgement.",
  bannerRegion: "Policy updates",
  bannerTitle: "{title} updated",
  bannerEffective: "Takes effect on {date, date, long}.",
  bannerWhatChanged: "What changed",
  bannerReadPolicy: "Read the policy",
  acknowledge: "I acknowledge",
  dismiss: "Dismiss",
  thanks: "Thank you. Noted: {title}.",
  retry: "That did not go through. Please try again.",
  ackPageTitle: "Acknowledge the changes to our {title}",
  ackPageLead: "By pressing the button you confirm that you have read this notice.",
  ackPageDone: "Thank you. Your acknowledgement was recorded on {date, date, long}.",
  ackPageInvalid: "This link is not valid. Please use the most recent email about this change.",
  ackPageExpired: "This link has expired. Please open the policy from the product instead.",
  ackPageGone: "This notice is no longer available to you.",
  publicUpdateSubject: "{title} has changed: version {version}",
  publicUpdateHeading: "{title}: version {version}",
  publicUpdateIntro:
    "A new version of {title} was published (last updated {updated, date, long}). It takes effect on {effective, date, long}.",
  publicUpdateFooter: "You get this email because you subscribed to changes of {title} on its public page.",
  unsubscribe: "Unsubscribe",
  publicConfirmSubject: "Confirm: updates about {title}",
  publicConfirmPreview: "Confirm that you want to hear about changes to {title}",
  publicConfirmHeading: "Confirm your subscription",
  publicConfirmLead:
    "Someone — probably you — asked to be emailed about changes to {title} ({scope, select, all {every new version} other {material changes only}}). Nothing happens until you confirm.",
  publicConfirmButton: "Confirm my subscription",
  publicConfirmFooter:
    "The link works for 24 hours. If you did not ask for this, ignore this email: your address is not stored.",
} as const;

export type MessageKey = keyof typeof EN;

/** Only the languages' own words; every key must be present (the type says so). */
const CATALOGUES: Record<NoticeLanguage, Record<MessageKey, string>> = {
  en: EN,
  nl: {
    subject: "Wijzigingen in ons document {title}",
    greeting: "{hasName, select, yes {Hallo {name},} other {Hallo,}}",
    intro: "We hebben ons document {title} bijgewerkt. In het kort:",
    effective: "De wijzigingen gaan in op {date, date, long}.",
    whatChanged: "Bekijk precies wat er is gewijzigd",
    fullPolicy: "Lees de volledige tekst",
    footer:
      "U ontvangt dit bericht omdat u onze dienst gebruikt. Het is een wettelijke mededeling, geen reclame.",
    untranslated: "Dit bericht is nog niet beschikbaar in het {language}; daarom ziet u het in het {source}.",
    ackRequest: "Bevestig alstublieft dat u dit bericht hebt gelezen.",
    ackLink: "Lezen en bevestigen",
    reminderSubject: "Herinnering: {subject}",
    reminderLead:
      "Dit is een herinnering. We schreven u op {date, date, long} over deze wijziging en hebben uw bevestiging nog niet ontvangen.",
    bannerRegion: "Beleidswijzigingen",
    bannerTitle: "{title} bijgewerkt",
    bannerEffective: "Gaat in op {date, date, long}.",
    bannerWhatChanged: "Wat is er gewijzigd",
    bannerReadPolicy: "Lees de tekst",
    acknowledge: "Ik bevestig",
    dismiss: "Sluiten",
    thanks: "Dank u. Genoteerd: {title}.",
    retry: "Dat is niet gelukt. Probeer het opnieuw.",
    ackPageTitle: "Bevestig de wijzigingen in ons document {title}",
    ackPageLead: "Met de knop bevestigt u dat u dit bericht hebt gelezen.",
    ackPageDone: "Dank u. Uw bevestiging is vastgelegd op {date, date, long}.",
    ackPageInvalid: "Deze link is niet geldig. Gebruik de meest recente e-mail over deze wijziging.",
    ackPageExpired: "Deze link is verlopen. Open de tekst in plaats daarvan via het product.",
    ackPageGone: "Dit bericht is niet meer voor u beschikbaar.",
    publicUpdateSubject: "{title} is gewijzigd: versie {version}",
    publicUpdateHeading: "{title}: versie {version}",
    publicUpdateIntro:
      "Er is een nieuwe versie van {title} gepubliceerd (laatst bijgewerkt op {updated, date, long}). Deze gaat in op {effective, date, long}.",
    publicUpdateFooter:
      "U ontvangt deze e-mail omdat u zich op de openbare pagina hebt aangemeld voor wijzigingen in {title}.",
    unsubscribe: "Afmelden",
    publicConfirmSubject: "Bevestig: berichten over {title}",
    publicConfirmPreview: "Bevestig dat u berichten wilt ontvangen over wijzigingen in {title}",
    publicConfirmHeading: "Bevestig uw aanmelding",
    publicConfirmLead:
      "Iemand — waarschijnlijk u — heeft gevraagd per e-mail te horen over wijzigingen in {title} ({scope, select, all {elke nieuwe versie} other {alleen wezenlijke wijzigingen}}). Er gebeurt niets zolang u niet bevestigt.",
    publicConfirmButton: "Mijn aanmelding bevestigen",
    publicConfirmFooter:
      "De link werkt 24 uur. Hebt u hier niet om gevraagd, negeer dan deze e-mail: uw adres wordt niet bewaard.",
  },
  de: {
    subject: "Änderungen: {title}",
    greeting: "{hasName, select, yes {Hallo {name},} other {Hallo,}}",
    intro: "Wir haben unser Dokument „{title}“ aktualisiert. Kurz gesagt:",
    effective: "Die Änderungen gelten ab dem {date, date, long}.",
    whatChanged: "Alle Änderungen ansehen",
    fullPolicy: "Vollständige Fassung lesen",
    footer:
      "Sie erhalten diese Mitteilung, weil Sie unseren Dienst nutzen. Sie ist rechtlich erforderlich, keine Werbung.",
    untranslated:
      "Diese Mitteilung liegt noch nicht auf {language} vor und wird daher auf {source} angezeigt.",
    ackRequest: "Bitte bestätigen Sie, dass Sie diese Mitteilung gelesen haben.",
    ackLink: "Lesen und bestätigen",
    reminderSubject: "Erinnerung: {subject}",
    reminderLead:
      "Dies ist eine Erinnerung. Wir haben Ihnen am {date, date, long} über diese Änderung geschrieben und Ihre Bestätigung noch nicht erhalten.",
    bannerRegion: "Aktualisierte Richtlinien",
    bannerTitle: "{title} aktualisiert",
    bannerEffective: "Gilt ab dem {date, date, long}.",
    bannerWhatChanged: "Was sich ändert",
    bannerReadPolicy: "Richtlinie lesen",
    acknowledge: "Zur Kenntnis genommen",
    dismiss: "Schließen",
    thanks: "Danke. Vermerkt: {title}.",
    retry: "Das hat nicht geklappt. Bitte versuchen Sie es erneut.",
    ackPageTitle: "Änderungen bestätigen: {title}",
    ackPageLead: "Mit der Schaltfläche bestätigen Sie, dass Sie diese Mitteilung gelesen haben.",
    ackPageDone: "Danke. Ihre Bestätigung wurde am {date, date, long} festgehalten.",
    ackPageInvalid: "Dieser Link ist ungültig. Bitte nutzen Sie die neueste E-Mail zu dieser Änderung.",
    ackPageExpired: "Dieser Link ist abgelaufen. Bitte öffnen Sie die Richtlinie im Produkt.",
    ackPageGone: "Diese Mitteilung ist für Sie nicht mehr verfügbar.",
    publicUpdateSubject: "{title} wurde geändert: Version {version}",
    publicUpdateHeading: "{title}: Version {version}",
    publicUpdateIntro:
      "Eine neue Version von „{title}“ wurde veröffentlicht (zuletzt aktualisiert am {updated, date, long}). Sie gilt ab dem {effective, date, long}.",
    publicUpdateFooter:
      "Sie erhalten diese E-Mail, weil Sie Änderungen an „{title}“ auf der öffentlichen Seite abonniert haben.",
    unsubscribe: "Abmelden",
    publicConfirmSubject: "Bestätigen: Nachrichten zu {title}",
    publicConfirmPreview: "Bestätigen Sie, dass Sie über Änderungen an „{title}“ informiert werden möchten",
    publicConfirmHeading: "Bestätigen Sie Ihr Abonnement",
    publicConfirmLead:
      "Jemand – vermutlich Sie – möchte per E-Mail über Änderungen an „{title}“ informiert werden ({scope, select, all {jede neue Version} other {nur wesentliche Änderungen}}). Ohne Ihre Bestätigung geschieht nichts.",
    publicConfirmButton: "Abonnement bestätigen",
    publicConfirmFooter:
      "Der Link gilt 24 Stunden. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihre Adresse wird nicht gespeichert.",
  },
  fr: {
    subject: "Modifications : {title}",
    greeting: "{hasName, select, yes {Bonjour {name},} other {Bonjour,}}",
    intro: "Nous avons mis à jour notre document « {title} ». En bref :",
    effective: "Ces modifications prennent effet le {date, date, long}.",
    whatChanged: "Voir précisément ce qui a changé",
    fullPolicy: "Lire le texte complet",
    footer:
      "Vous recevez cet avis parce que vous utilisez notre service. Il s'agit d'une information légale, pas de publicité.",
    untranslated: "Cet avis n'est pas encore disponible en {language} ; il est donc affiché en {source}.",
    ackRequest: "Merci de confirmer que vous avez lu cet avis.",
    ackLink: "Lire et confirmer",
    reminderSubject: "Rappel : {subject}",
    reminderLead:
      "Ceci est un rappel. Nous vous avons écrit au sujet de cette modification le {date, date, long} et n’avons pas encore reçu votre confirmation.",
    bannerRegion: "Mises à jour des politiques",
    bannerTitle: "{title} mis à jour",
    bannerEffective: "Prend effet le {date, date, long}.",
    bannerWhatChanged: "Ce qui change",
    bannerReadPolicy: "Lire la politique",
    acknowledge: "J'en prends acte",
    dismiss: "Fermer",
    thanks: "Merci. C'est noté : {title}.",
    retry: "Cela n'a pas fonctionné. Veuillez réessayer.",
    ackPageTitle: "Confirmer les modifications : {title}",
    ackPageLead: "En appuyant sur le bouton, vous confirmez avoir lu cet avis.",
    ackPageDone: "Merci. Votre confirmation a été enregistrée le {date, date, long}.",
    ackPageInvalid: "Ce lien n'est pas valide. Utilisez l'e-mail le plus récent concernant ce changement.",
    ackPageExpired: "Ce lien a expiré. Ouvrez plutôt la politique depuis le produit.",
    ackPageGone: "Cet avis ne vous est plus accessible.",
    publicUpdateSubject: "{title} a changé : version {version}",
    publicUpdateHeading: "{title} : version {version}",
    publicUpdateIntro:
      "Une nouvelle version de {title} a été publiée (mise à jour le {updated, date, long}). Elle entre en vigueur le {effective, date, long}.",
    publicUpdateFooter:
      "Vous recevez cet e-mail parce que vous vous êtes abonné aux modifications de {title} sur sa page publique.",
    unsubscribe: "Se désabonner",
    publicConfirmSubject: "Confirmez : nouvelles de {title}",
    publicConfirmPreview: "Confirmez que vous souhaitez être informé des modifications de {title}",
    publicConfirmHeading: "Confirmez votre abonnement",
    publicConfirmLead:
      "Quelqu’un — sans doute vous — a demandé à être informé par e-mail des modifications de {title} ({scope, select, all {chaque nouvelle version} other {modifications importantes uniquement}}). Rien ne se passe tant que vous n’avez pas confirmé.",
    publicConfirmButton: "Confirmer mon abonnement",
    publicConfirmFooter:
      "Le lien est valable 24 heures. Si vous n’avez rien demandé, ignorez cet e-mail : votre adresse n’est pas enregistrée.",
  },
  es: {
    subject: "Cambios en nuestro documento {title}",
    greeting: "{hasName, select, yes {Hola, {name}:} other {Hola:}}",
    intro: "Hemos actualizado nuestro documento «{title}». En resumen:",
    effective: "Los cambios entran en vigor el {date, date, long}.",
    whatChanged: "Ver exactamente qué ha cambiado",
    fullPolicy: "Leer el texto completo",
    footer: "Recibe este aviso porque utiliza nuestro servicio. Es un aviso legal, no publicidad.",
    untranslated: "Este aviso aún no está disponible en {language}, por eso se muestra en {source}.",
    ackRequest: "Confirme que ha leído este aviso.",
    ackLink: "Leer y confirmar",
    reminderSubject: "Recordatorio: {subject}",
    reminderLead:
      "Esto es un recordatorio. Le escribimos sobre este cambio el {date, date, long} y todavía no hemos recibido su confirmación.",
    bannerRegion: "Actualizaciones de políticas",
    bannerTitle: "{title} actualizado",
    bannerEffective: "Entra en vigor el {date, date, long}.",
    bannerWhatChanged: "Qué ha cambiado",
    bannerReadPolicy: "Leer la política",
    acknowledge: "Doy mi conformidad",
    dismiss: "Cerrar",
    thanks: "Gracias. Anotado: {title}.",
    retry: "No se ha podido completar. Inténtelo de nuevo.",
    ackPageTitle: "Confirmar los cambios: {title}",
    ackPageLead: "Al pulsar el botón confirma que ha leído este aviso.",
    ackPageDone: "Gracias. Su confirmación se registró el {date, date, long}.",
    ackPageInvalid: "Este enlace no es válido. Utilice el correo más reciente sobre este cambio.",
    ackPageExpired: "Este enlace ha caducado. Abra la política desde el producto.",
    ackPageGone: "Este aviso ya no está disponible para usted.",
    publicUpdateSubject: "{title} ha cambiado: versión {version}",
    publicUpdateHeading: "{title}: versión {version}",
    publicUpdateIntro:
      "Se ha publicado una nueva versión de {title} (última actualización: {updated, date, long}). Entra en vigor el {effective, date, long}.",
    publicUpdateFooter:
      "Recibe este correo porque se suscribió a los cambios de {title} en su página pública.",
    unsubscribe: "Darse de baja",
    publicConfirmSubject: "Confirme: novedades sobre {title}",
    publicConfirmPreview: "Confirme que desea recibir avisos de cambios en {title}",
    publicConfirmHeading: "Confirme su suscripción",
    publicConfirmLead:
      "Alguien —probablemente usted— pidió recibir por correo los cambios de {title} ({scope, select, all {cada nueva versión} other {solo cambios importantes}}). No ocurre nada hasta que usted confirme.",
    publicConfirmButton: "Confirmar mi suscripción",
    publicConfirmFooter:
      "El enlace funciona durante 24 horas. Si no lo pidió, ignore este correo: su dirección no se guarda.",
  },
};

/** Dates are calendar days stored in UTC; formatting them in another zone could move them a day. */
const FORMATS = {
  date: { long: { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" } },
} as const;

/** English dates as the public pages print them ("31 December 2026"). */
const FORMAT_LOCALE: Record<NoticeLanguage, string> = { en: "en-GB", nl: "nl", de: "de", fr: "fr", es: "es" };

/** The catalogue language for a subscriber's locale: the locale's language when we have it, else English. */
export function noticeLanguage(locale: string | null | undefined): NoticeLanguage {
  const language = (locale ?? "").split(/[-_]/)[0].toLowerCase();
  return (NOTICE_LANGUAGES as readonly string[]).includes(language) ? (language as NoticeLanguage) : "en";
}

const compiled = new Map<string, IntlMessageFormat>();

type Values = Record<string, string | number | Date>;

export type NoticeMessages = {
  language: NoticeLanguage;
  t: (key: MessageKey, values?: Values) => string;
  /** A language's name in the reader's language ("Deutsch" for de in de, "German" in en). */
  languageName: (locale: string) => string;
};

/** One formatter per catalogue language: a batch of 100 emails asks for it 100 times. */
const formatters = new Map<NoticeLanguage, NoticeMessages>();

/** The formatter for a subscriber's locale. Messages are compiled once per language and key. */
export function noticeMessages(locale: string | null | undefined): NoticeMessages {
  const language = noticeLanguage(locale);
  let messages = formatters.get(language);
  if (!messages) {
    messages = formatterFor(language);
    formatters.set(language, messages);
  }
  return messages;
}

function formatterFor(language: NoticeLanguage): NoticeMessages {
  // Intl.DisplayNames is costly to build (tens of µs): once per language, not once per email.
  const names = new Intl.DisplayNames([language], { type: "language" });
  return {
    language,
    t(key, values) {
      const id = `${language}:${key}`;
      let format = compiled.get(id);
      if (!format) {
        format = new IntlMessageFormat(CATALOGUES[language][key], FORMAT_LOCALE[language], FORMATS);
        compiled.set(id, format);
      }
      return String(format.format(values));
    },
    languageName: (other) => names.of(other) ?? other,
  };
}

/** A stored YYYY-MM-DD (or ISO time) as the Date that `{date, date, long}` prints. */
export function calendarDate(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

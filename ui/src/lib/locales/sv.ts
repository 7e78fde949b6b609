import type { en } from "./en";

export const sv: typeof en = {
  appName: "Caseway",
  tagline: "Checklistor för samverkan i Barnahus",
  language: "Språk",
  cases: "Ärenden",
  noCases: "Inga ärenden ännu.",
  noCasesHint: "Ett nytt ärende får en genererad referens; namn eller personnummer lagras aldrig.",
  loading: "Laddar…",
  engineVersion: "Motor {version}",
  database: "Data lagras i {path}",
  errorTitle: "Något gick fel",
  errorDatabase: "Databasen kunde inte öppnas: {message}",
  errorDatabaseHint: "Kontrollera att mappen finns och är skrivbar, eller starta Caseway med CASEWAY_DB satt till en annan fil.",
  activePack: "Gällande protokoll: {title} ({version})",
  noActivePack: "Inget protokollpaket är aktivt.",
};

// The keyword lists of the context rules (rules.h and its rule files): titles, relatives,
// credentials, facility keywords, place and person context, function words. Each becomes a role
// bit on its lexicon entry, so a rule asks "is this token a title?" without another lookup.
#include "phi/internal/rule_words.h"

#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "phiguard/core/file_io.h"
#include "phiguard/core/strings.h"
#include "phi/internal/name_rules.h"

namespace phiguard::phi::internal {
namespace {

using Set = absl::flat_hash_set<std::string_view>;

// Words after which the next word(s) are a person's name ("Dr. Healey", "Mrs Lee").
const Set& ClinicianTitles() {
  static const Set* s = new Set{"dr", "doctor", "prof", "professor", "drs", "np"};
  return *s;
}
const Set& PersonTitles() {
  static const Set* s = new Set{"mr", "mrs", "ms", "miss", "mister", "mme", "sister"};
  return *s;
}
// Relatives and household members: their names are Safe Harbor (A) identifiers too.
const Set& RelativeWords() {
  static const Set* s = new Set{
      "wife",      "husband",  "daughter",  "daughters", "son",     "sons",     "sister",
      "sisters",   "brother",  "brothers",  "mother",    "mom",     "father",   "dad",
      "niece",     "nephew",   "grandson",  "granddaughter", "grandchild", "grandmother",
      "grandfather", "aunt",   "uncle",     "cousin",    "friend",  "neighbor", "neighbour",
      "boyfriend", "girlfriend", "fiance",  "fiancee",   "partner", "spouse",   "hcp",
      "proxy",     "guardian", "sibling",   "stepson",   "stepdaughter", "inlaw", "parents",
      "caregiver", "companion", "roommate", "family", "dtr", "bro", "sis", "grandma", "grandpa",
      "grandaughter"};
  return *s;
}
// Words after which a name follows in clinical prose ("spoke with Healey", "paged Smith").
const Set& PersonContextBefore() {
  static const Set* s = new Set{"with",  "by",       "per",      "called",   "paged",
                                "notified", "informed", "told",   "contacted", "attending",
                                "resident", "intern",  "fellow",  "nurse",    "rn",
                                "np",     "pa",       "pcp",      "md",       "covering",
                                "cardiologist", "surgeon", "oncologist", "neurologist",
                                "physician", "dear", "cc", "signed", "named", "name", "caseworker",
                                "chaplain", "sw", "worker", "manager", "pharmacist", "therapist",
                                "dietitian", "dietician", "coordinator", "w"};
  return *s;
}
// Verbs after which "with"/"by" introduce a person.
const Set& MeetingVerbs() {
  static const Set* s = new Set{
      "spoke",    "spoken",   "met",       "discussed", "talked",  "consulted", "seen",
      "evaluated", "examined", "followed", "called",    "paged",   "reviewed",  "assessed",
      "visited",  "signed",   "dictated",  "placed",    "inserted", "intubated", "notified",
      "informed", "reported", "meeting",   "speaking",  "conferred", "consult", "discussion",
      "spoke",    "conversation", "updated", "contacted", "written", "ordered", "done",
      "made"};
  return *s;
}
// Credentials after a clinician's name ("Healey RN", "Smith, MD").
const Set& CredentialsAfter() {
  static const Set* s = new Set{"rn", "md", "np", "lpn", "cna", "rrt",
                                "msw", "lcsw", "phd", "pharmd", "crnp", "aprn", "mph", "facc", "crt",
                                "licsw", "slp", "licws"};
  return *s;
}
// Words that mean the preceding words name a facility ("Calvert Hospital", "Kernan EW").
const Set& FacilityKeywords() {
  static const Set* s = new Set{"hospital", "hosp", "hospitals", "clinic", "rehab",
                                "rehabilitation", "infirmary", "hospice", "manor",
                                "healthcare", "ew", "er", "ed", "medical", "center",
                                "centre", "ctr", "institute", "sanitarium",
                                "memorial", "general", "regional", "community", "university",
                                "adventist", "baptist", "methodist", "presbyterian", "campus"};
  return *s;
}
// Facility keywords strong enough alone; the others ("medical", "home") need a second keyword or
// a capitalised/place-like name before them.
const Set& StrongFacilityKeywords() {
  static const Set* s = new Set{"hospital", "hosp", "clinic", "rehab", "infirmary", "hospice",
                                "ew", "er", "manor", "memorial", "general", "regional"};
  return *s;
}
// Words before a facility keyword that describe rather than name it ("cardiac rehab").
const Set& GenericFacilityModifiers() {
  static const Set* s = new Set{
      "nursing", "cardiac", "pulmonary", "acute", "outside", "local", "previous", "prior", "same",
      "other", "another", "private", "psychiatric", "physical", "skilled", "assisted", "living",
      "group", "foster", "funeral", "this", "that", "his", "her", "their", "inpatient",
      "outpatient", "rehab", "short", "long", "term", "subacute", "begin", "poss", "possible",
      "vent", "ventilator", "pulm", "geriatric", "home", "own", "new", "old", "nearest", "transfer"};
  return *s;
}
// Keywords that are part of a facility's name ("Sacred Heart Memorial").
const Set& DescriptiveKeywords() {
  static const Set* s = new Set{"memorial", "general",  "regional",  "community",
                                "university", "adventist", "baptist", "methodist", "presbyterian"};
  return *s;
}
// Words after which a place follows ("lives in Towson", "transferred from Catonsville").
const Set& PlaceContextBefore() {
  static const Set* s = new Set{"in", "from", "to", "at", "near", "of", "visiting", "lives",
                                "resides", "@", "into", "on", "per", "transfer", "the", "by"};
  return *s;
}
// Closed-class English words: never part of a name or place, and they end a name.
const Set& FunctionWords() {
  static const Set* s = new Set{
      "a",    "an",   "the",  "and",  "or",   "but",  "of",   "to",   "in",   "on",   "at",
      "by",   "for",  "with", "from", "is",   "was",  "are",  "were", "be",   "been", "has",
      "had",  "have", "he",   "she",  "it",   "they", "we",   "i",    "you",  "his",  "her",
      "their", "our", "my",   "your", "this", "that", "these", "those", "as",  "if",   "so",
      "no",   "not",  "yes",  "will", "would", "can", "could", "may", "might", "should", "did",
      "do",   "does", "who",  "what", "when", "where", "which", "there", "here", "then",
      "than", "also", "very", "all",  "any",  "some", "up",   "down", "out",  "off",  "over",
      "into", "about", "after", "before", "pt", "patient", "pts", "am", "pm", "s", "per",
      "via",  "today", "tonight", "now", "again", "just", "well", "still", "aware", "team"};
  return *s;
}

// Verbs whose subject, at the start of a clause, is a person: "social: bob visited".
const Set& VisitVerbs() {
  static const Set* s =
      new Set{"called", "visited", "phoned", "telephoned", "came", "calls", "visits"};
  return *s;
}

// Words that Rules::Run() compares by name before trying a rule; tagging them lets every other
// token skip those comparisons. Keep in sync with Run() in name_rules.cc.
const Set& RuleKeywords() {
  static const Set* s = new Set{"st",   "saint", "u",       "univ",     "university", "is",
                                "was",  "son",   "wife",    "husband",  "daughter",   "cell",
                                "home", "work",  "mobile",  "phone",    "tel",        "ceo",
                                "owner", "works", "worked", "employed", "retired"};
  return *s;
}

// "Balt", "Phila": writers shorten a place to its first letters. The first 4 and 5 letters of a
// one-word place of 6+ letters are marked, unless they are a word of some list themselves
// or a rule keyword ("wash", "cath", "hosp"): ~6,500 entries.
absl::Status AddPlaceAbbreviations(Lexicon& lexicon, const std::string& lexicon_dir) {
  const std::string path = phiguard::Cat(lexicon_dir, "/us_places.txt");
  absl::StatusOr<std::string> places = ReadFileBounded(path, 16u << 20);
  if (!places.ok()) return places.status();
  for (std::string_view line : phiguard::Split(*places, '\n')) {
    const std::string place = phiguard::ToLowerAscii(phiguard::StripAscii(line));
    if (place.size() < 6 || place.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
      continue;
    for (size_t n : {4u, 5u}) {
      if (n + 2 > place.size()) continue;
      const std::string_view prefix(place.data(), n);
      if (lexicon.Lookup(prefix).flags == 0) lexicon.AddFlags(prefix, kPlaceAbbreviation);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AddRuleWords(Lexicon& lexicon, const std::string& lexicon_dir) {
  const std::pair<const Set&, uint32_t> kRoles[] = {
      {ClinicianTitles(), kRoleClinicianTitle},   {PersonTitles(), kRolePersonTitle},
      {RelativeWords(), kRoleRelative},           {PersonContextBefore(), kRolePersonContext},
      {CredentialsAfter(), kRoleCredential},      {FacilityKeywords(), kRoleFacilityKeyword},
      {StrongFacilityKeywords(), kRoleStrongFacility}, {DescriptiveKeywords(), kRoleDescriptive},
      {GenericFacilityModifiers(), kRoleGenericModifier}, {PlaceContextBefore(), kRolePlaceContext},
      {FunctionWords(), kRoleFunction},           {MeetingVerbs(), kRoleMeetingVerb},
      {RuleKeywords(), kRoleRuleKeyword},         {VisitVerbs(), kRoleVisitVerb}};
  for (const auto& [set, role] : kRoles) {
    for (std::string_view w : set) lexicon.AddFlags(w, role);
  }
  if (absl::Status s = AddPlaceAbbreviations(lexicon, lexicon_dir); !s.ok()) return s;
  MarkRuleStarts(lexicon);  // last: it reads every other flag
  return absl::OkStatus();
}

}  // namespace phiguard::phi::internal

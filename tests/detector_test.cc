#include "phiguard/phi/detector.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace phiguard::phi {
namespace {

using testing_util::Describe;
using testing_util::SpanText;

// One Detector for every test in this file (SetUpTestSuite runs per suite; the Detector itself is
// built once per process).
class DetectorTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { detector_ = testing_util::SharedDetector(); }
  void SetUp() override { ASSERT_NE(detector_, nullptr); }
  static std::vector<Span> Detect(std::string_view text) {
    return testing_util::DetectOrDie(*detector_, text);
  }
  static const Detector* detector_;
};
const Detector* DetectorTest::detector_ = nullptr;

// ---- True positives: a span with exactly this text and type. ----

struct Positive {
  const char* name;
  std::string text;
  std::string phi;  // the span text
  PhiType type;
  const char* also_ok = nullptr;    // an alternative span text that is equally right
};
void PrintTo(const Positive& p, std::ostream* os) { *os << p.name; }

class DetectorFindsTest : public DetectorTest, public testing::WithParamInterface<Positive> {};

TEST_P(DetectorFindsTest, SpanWithExpectedTextAndType) {
  const Positive& p = GetParam();
  std::vector<Span> spans = Detect(p.text);
  bool found = false;
  for (const Span& s : spans) {
    found |= s.type == p.type &&
             (SpanText(p.text, s) == p.phi || (p.also_ok != nullptr && SpanText(p.text, s) == p.also_ok));
  }
  EXPECT_TRUE(found) << "want [" << p.phi << " " << PhiTypeName(p.type) << "] in \"" << p.text
                     << "\", got " << Describe(p.text, spans);
}

INSTANTIATE_TEST_SUITE_P(
    Detector, DetectorFindsTest,
    testing::Values(
        // (C) dates
        Positive{"SlashDateWithoutYear", "Seen again on 7/22 for follow up.", "7/22", PhiType::kDate},
        Positive{"DashedDateWithYear", "Admitted 07-22-2010 to the ICU.", "07-22-2010", PhiType::kDate},
        Positive{"MonthNameWithOrdinal", "Surgery was July 22nd as planned.", "July 22nd",
                 PhiType::kDate},
        Positive{"DayThenAbbreviatedMonth", "Seen 22 Jul in clinic.", "22 Jul", PhiType::kDate},
        Positive{"IsoDate", "Labs drawn 2010-07-22 were normal.", "2010-07-22", PhiType::kDate},
        Positive{"OrdinalDayAfterOnThe", "She was extubated on the 22nd.", "22nd", PhiType::kDate},
        Positive{"MonthDayCommaYear", "Admitted Jan 3, 2010 overnight.", "Jan 3, 2010",
                 PhiType::kDate},
        Positive{"SlashDateAfterOn", "Patient came to the ED on 7/4.", "7/4", PhiType::kDate},
        // (C) ages over 89
        Positive{"AgeYo", "Patient is a 92 yo woman.", "92", PhiType::kAge},
        Positive{"AgeAged", "Patient aged 95 was admitted.", "95", PhiType::kAge},
        Positive{"AgeYearsOld", "He is 100 years old.", "100", PhiType::kAge},
        // (D)(E) phone and fax
        Positive{"PhoneWithParentheses", "Call (410) 555-0142 for results.", "(410) 555-0142",
                 PhiType::kPhone},
        Positive{"PhoneWithDashes", "Call 410-555-0142 for results.", "410-555-0142",
                 PhiType::kPhone},
        Positive{"PhoneExtensionByContext", "Call me at x4567 tomorrow.", "x4567", PhiType::kPhone},
        // (F) email, (G) SSN
        Positive{"Email", "Email jane.doe@example.com for info.", "jane.doe@example.com",
                 PhiType::kEmail},
        Positive{"Ssn", "SSN 123-45-6789 on file.", "123-45-6789", PhiType::kSsn},
        // (H)(J)(K) identifiers by context: only the value is PHI
        Positive{"MrnValueOnly", "MRN: 00482913 confirmed.", "00482913", PhiType::kMrn},
        Positive{"AccountNumber", "Billing acct # 7781234 closed.", "7781234", PhiType::kAccount},
        Positive{"LicenseNumber", "Driver license no. D1234567 verified.", "D1234567",
                 PhiType::kLicense},
        // (L)(M) vehicle and device identifiers
        Positive{"Vin", "Car VIN 1HGCM82633A004352 registered.", "1HGCM82633A004352",
                 PhiType::kVehicle},
        Positive{"DeviceSerial", "Pump serial no. PX-88213-A replaced.", "PX-88213-A",
                 PhiType::kDevice},
        // (N)(O) URL and IP addresses
        Positive{"Url", "See https://example.org/x for details.", "https://example.org/x",
                 PhiType::kUrl},
        Positive{"Ipv4", "Server 10.20.30.40 logged it.", "10.20.30.40", PhiType::kIpAddress},
        Positive{"Ipv6", "Server 2001:db8::1 logged it.", "2001:db8::1", PhiType::kIpAddress},
        // (B) geography
        Positive{"ZipAfterState", "Lives in Annapolis, MD 21401 now.", "21401", PhiType::kZip},
        Positive{"StreetAddress", "Lives at 42 Harbor View Road now.", "42 Harbor View Road",
                 PhiType::kStreetAddress},
        Positive{"PlaceAfterLivesIn", "Patient lives in Towson with husband.", "Towson",
                 PhiType::kLocation},
        // Facility spans may include the keyword ("[**FACILITY**]" then reads well).
        Positive{"FacilityBeforeHospital", "Transferred from Calvert Hospital yesterday.", "Calvert",
                 PhiType::kFacility, "Calvert Hospital"},
        Positive{"SaintFacility", "Discharged to St. Agnes rehab.", "St. Agnes", PhiType::kFacility,
                 "St. Agnes rehab"},
        // (A) names
        Positive{"ClinicianAfterDr", "Plan discussed with Dr. Healey today.", "Healey",
                 PhiType::kClinicianName},
        Positive{"ApostropheSurnameAfterDr", "Patient seen by Dr. O'Rourke today.", "O'Rourke",
                 PhiType::kClinicianName},
        Positive{"ClinicianNamedFoley", "Seen by Dr. Foley today.", "Foley", PhiType::kClinicianName},
        Positive{"RelativeName", "Spoke with daughter Linda today.", "Linda", PhiType::kName},
        Positive{"ClinicianBeforeCredential", "Meds given by Healey RN overnight.", "Healey",
                 PhiType::kClinicianName},
        Positive{"FullNameAfterMr", "Mr. John Moreau is a 67 yo male.", "John Moreau", PhiType::kName},
        Positive{"AllCapsRelativeName", "CALL SON BILL AT 410-555-0199 WITH UPDATES.", "BILL",
                 PhiType::kName},
        Positive{"CanaryNameAfterPatient", "Patient Zebulon Quackenbush, SSN 987-65-4320.",
                 "Zebulon Quackenbush", PhiType::kName},
        Positive{"FullNameWithoutContext", "Linda Smith called.", "Linda Smith", PhiType::kName},
        Positive{"FullNameWithEnglishWordFirstName", "John Moreau visited.", "John Moreau",
                 PhiType::kName},
        // The subject of "is a NN year-old" is the patient, even when the words are ordinary.
        Positive{"SubjectOfAgePhrase", "History\nMarine542 Ai120\n is a 62 year-old female.",
                 "Marine542 Ai120", PhiType::kName},
        Positive{"HospitalInitialsAfterBy", "PT MAY BE SEEN BY GBMC FOR TRANSPLANT.", "GBMC",
                 PhiType::kFacility},
        Positive{"HospitalWordAfterFrom", "Surgeon from Harbor in this eve to talk to pt.",
                 "Harbor", PhiType::kFacility},
        // Phone numbers spaced oddly inside parentheses.
        Positive{"PhoneInParenthesesSpaced", "Son visited today (301 273 4516) and left.",
                 "(301 273 4516)", PhiType::kPhone},
        Positive{"PhoneInParenthesesRunTogether", "son Dave (240444-1243) called.",
                 "(240444-1243)", PhiType::kPhone},
        // A lower-case ward name after "to" in a mixed-case note.
        Positive{"LowerCaseWardAfterTo", "Plan: transfer to zorbanelle 2 today.", "zorbanelle 2",
                 PhiType::kFacility},
        // A name before "area" after a place cue.
        Positive{"NameBeforeAreaAfterIn", "Lives in a shelter in Zorbanville area now.",
                 "Zorbanville", PhiType::kLocation},
        // A listed place before its state, in any casing.
        Positive{"LowerCasePlaceBeforeState", "toured the towson maryland facility.", "towson",
                 PhiType::kLocation},
        Positive{"PlaceBeforeStateAfterComma", "Her daughter's home is Towson, Maryland now.",
                 "Towson", PhiType::kLocation},
        // A well-known first name opening a clause before "called"/"visited" is a person.
        Positive{"FirstNameVisitedAfterSocialLabel", "social: bob visited during the evening.",
                 "bob", PhiType::kName},
        Positive{"FirstNameCalledAtLineStart", "Afebrile.\nBill called once about 4am.", "Bill",
                 PhiType::kName},
        // A capitalised first name set off by commas after a relative word, even "Ed".
        Positive{"FirstNameInCommasAfterRelative", "Family: Son, Ed, was updated by MD today.",
                 "Ed", PhiType::kName},
        // O' surnames: the Census lists O'Brien as OBRIEN; "o rourke" lost its apostrophe.
        Positive{"ApostropheSurnameAfterLowerCaseInitial",
                 "nsg (d. renna and j. o'brien) verified amt of cash.", "j. o'brien",
                 PhiType::kName},
        Positive{"OSurnameWithoutApostropheAfterTitle",
                 "SBP down to 80s. Dr. o rourke and Dr. Stronczek in room.", "o rourke",
                 PhiType::kClinicianName},
        // Two-word places are looked up as one phrase ("glen burnie").
        Positive{"TwoWordPlaceAfterLivesIn", "Patient lives in Glen Burnie with wife.",
                 "Glen Burnie", PhiType::kLocation},
        Positive{"LowerCaseTwoWordPlaceBeforeState", "moved to glen burnie maryland last year.",
                 "glen burnie", PhiType::kLocation},
        // Hospitals named for a church: "Adventist" is part of the name.
        Positive{"ChurchHospitalName", "Admitted from Kessler Adventist for cath.",
                 "Kessler Adventist", PhiType::kFacility},
        // In a note written in lower case, a capitalised word after a name is part of it, even
        // when it is also an English word ("hickey").
        Positive{"CapitalisedWordContinuesNameInLowerCaseNote",
                 "pt comfortable overnight, no events, vss, afebrile, tolerating diet. social-> "
                 "pt's dtr-in-law Rita Hickey was in to visit last noc.",
                 "Rita Hickey", PhiType::kName},
        // An initial glued to the word before it by a hyphen.
        Positive{"InitialAfterHyphen", "GI: GIVEN CARAFATE-W. MAROTTA AWARE-WILL START PROTONIX.",
                 "W. MAROTTA", PhiType::kName},
        // A campus, a region named by a compass word, a saint's hospital by its initial.
        Positive{"CapitalisedWordBeforeCampus", "Radiation planning on North Campus today.",
                 "North Campus", PhiType::kFacility},
        Positive{"CompassRegionAfterThe", "Was on vacation on the Eastern Shore, developed angina.",
                 "Eastern Shore", PhiType::kLocation},
        Positive{"CompassRegionInCapitals", "FAMILY ARRIVED AT 2 AM FROM THE EASTERN SHORE- SON.",
                 "EASTERN SHORE", PhiType::kLocation},
        Positive{"SaintInitialAfterAt", "Social: Had a bed @ St A. but will need a rescreen.",
                 "St A", PhiType::kFacility},
        // Date shapes: a two-digit year after a period or a comma, a range of days.
        Positive{"SlashDateWithYearAfterPeriod", "11/21.93\nneuro: alert and oriented.",
                 "11/21.93", PhiType::kDate},
        Positive{"DayMonthCommaTwoDigitYear", "Progress Note\n21 Apr, 21 0700->1930\nS/O",
                 "21 Apr, 21", PhiType::kDate},
        Positive{"RangeOfDaysBeforeMonth", "Stable on the night of 12-14 Nov per family.",
                 "12-14 Nov", PhiType::kDate},
        // A short policy number after an explicit number sign.
        Positive{"ShortPolicyNumber", "Indicated per hospital policy #rg17, discussed at 1400.",
                 "rg17", PhiType::kHealthPlan},
        // A ventilator word only counts whole: "MAPS" holds no "PS" (pressure support).
        Positive{"SlashDateAfterWordEndingInPs",
                 "MAPS 59-62. ACCESS-LIJ MLC 8/5 & RF DIALYSIS LINE 8/2.", "8/5", PhiType::kDate},
        // Lower-case words of a hospital's name before a capitalised "Memorial".
        Positive{"LowerCaseNameBeforeCapitalisedMemorial",
                 "Pt slated to go to rehab(sacred heart Memorial) today.", "sacred heart Memorial",
                 PhiType::kFacility},
        // Employers after a job word and its preposition.
        Positive{"EmployerAfterCeoOf", "SOCIAL: UNEMPLOYED. HUSBAND CEO OF IBM. SMOKER.", "IBM",
                 PhiType::kLocation},
        Positive{"EmployerAfterWorksAt", "Social: married, works at Home Depot as a cashier.",
                 "Home Depot", PhiType::kLocation},
        // The District of Columbia is a city, no state.
        Positive{"DcAfterLivesIn", "Sister is health care proxy and lives in DC.", "DC",
                 PhiType::kLocation},
        // A number over 89 opening a line before a history cue is the patient's age.
        Positive{"AgeOpeningLineBeforeStatusPost",
                 "Nursing admit note\n\n97 s/p fall with right hip fracture, on heparin.", "97",
                 PhiType::kAge},
        Positive{"AgeOpeningNoteBeforeHistoryOf", "101 h/o CHF, now short of breath.", "101",
                 PhiType::kAge},
        // A hyphenated month-day after "on" when an event verb opens the clause.
        Positive{"HyphenDateAfterEventVerbAndOn",
                 "He returned to the cath lab on 6-9 for a second stent.", "6-9", PhiType::kDate},
        // A small slash pair is a date when the event it dates happened at a facility.
        Positive{"SmallSlashDateAtRehab", "HPI: became short of breath 2/4 at rehab, sent in.",
                 "2/4", PhiType::kDate},
        // A state's postal code before "Hospital" after a word of motion names the hospital.
        Positive{"StateCodeBeforeHospitalAfterFrom", "Pt admitted from DE Hospital at 2100.",
                 "DE Hospital", PhiType::kFacility, "DE"},
        // After a title, every word up to "is a <age>" is the name, even a typo'd fragment.
        Positive{"NameFragmentBetweenTitleAndAge",
                 "Transfer note\nMrs. Quellavan ta is a 81 yo woman with CHF.", "Quellavan ta",
                 PhiType::kName},
        // A three-letter word no list knows ends a list of names where the clause ends.
        Positive{"ThreeLetterWordEndsListOfNames",
                 "social: his two sons are his proxies. marcus and tav\n", "tav",
                 PhiType::kName},
        // The first letters of a listed place, capitalised, after "in", "from" or "near".
        Positive{"PlaceAbbreviationAfterIn",
                 "Arrived by ambulance from the VA in Annap\nthis is a 60 yo man.", "Annap",
                 PhiType::kLocation},
        // A word of a hospital's name after a scheduled event and "at", in any casing.
        Positive{"HospitalWordAfterMeetingAt", "pt upset after family meeting at harbor.\nvss.",
                 "harbor", PhiType::kFacility},
        // An initial with its period after a title, even after "MS" in capitals or when the
        // letter is also a word ("A").
        // "in setting of" is no list of ventilator settings.
        Positive{"SlashDateAfterInSettingOf",
                 "Oozing in setting of elevated inr/ptt on heparin since 3/9 noted.", "3/9",
                 PhiType::kDate},
        // A capitalised name that is also a word after a credential, mid-line.
        Positive{"EnglishWordNameAfterCredential", "Pain controlled. RN Hope at bedside.", "Hope",
                 PhiType::kClinicianName},
        Positive{"DottedInitialAfterMsInCapitals", "FAMILY MET WITH MS R. ABOUT DISCHARGE.", "R",
                 PhiType::kName},
        Positive{"DottedInitialThatIsAWordAfterDr", "Plan per Dr. A. Quellavan today.",
                 "A. Quellavan", PhiType::kClinicianName}),
    [](const testing::TestParamInfo<Positive>& info) { return std::string(info.param.name); });

TEST_F(DetectorTest, FindsFaxByContext) {
  const std::string text = "Send records fax: 410-555-0143 today.";
  std::vector<Span> spans = Detect(text);
  const size_t number = text.find("410-555-0143");
  bool found = false;
  for (const Span& s : spans) {
    found |= s.type == PhiType::kFax && s.byte_start <= number && s.byte_end >= number + 12;
  }
  EXPECT_TRUE(found) << Describe(text, spans);
}

TEST_F(DetectorTest, FaxSpanIsTheNumberWithoutItsLabel) {
  const std::string text = "Send records fax: 410-555-0143 today.";
  std::vector<Span> spans = Detect(text);
  ASSERT_FALSE(spans.empty());
  bool exact = false;
  for (const Span& s : spans) exact |= s.type == PhiType::kFax && SpanText(text, s) == "410-555-0143";
  EXPECT_TRUE(exact) << Describe(text, spans);
}

TEST_F(DetectorTest, RejectedMatchDoesNotHideLaterMatchesOfItsPattern) {
  // "5/5" is rejected (a strength score); the slash date "7/22" after it must still be found even
  // though an earlier pattern (dates with a year) matched further along the text.
  const std::string text = "Motor 5/5 strength. Seen 7/22. Admitted 07/22/2010.";
  std::vector<Span> spans = Detect(text);
  bool found = false;
  for (const Span& s : spans) found |= SpanText(text, s) == "7/22" && s.type == PhiType::kDate;
  EXPECT_TRUE(found);
}

// ---- Tricky negatives: nothing overlaps the phrase. ----

struct Negative {
  const char* name;
  std::string text;
  std::string phrase;  // must not be (even partly) inside any span
};
void PrintTo(const Negative& n, std::ostream* os) { *os << n.name; }

class DetectorIgnoresTest : public DetectorTest, public testing::WithParamInterface<Negative> {};

TEST_P(DetectorIgnoresTest, NoSpanOverlapsPhrase) {
  const Negative& n = GetParam();
  const size_t at = n.text.find(n.phrase);
  ASSERT_NE(at, std::string::npos);
  std::vector<Span> spans = Detect(n.text);
  bool flagged = false;
  for (const Span& s : spans) flagged |= s.byte_start < at + n.phrase.size() && at < s.byte_end;
  EXPECT_FALSE(flagged) << "\"" << n.phrase << "\" flagged in \"" << n.text
                        << "\": " << Describe(n.text, spans);
}

INSTANTIATE_TEST_SUITE_P(
    Detector, DetectorIgnoresTest,
    testing::Values(
        Negative{"BloodPressure", "BP 120/80 and stable.", "120/80"},
        Negative{"StrengthScore", "Motor 5/5 strength in all extremities.", "5/5"},
        Negative{"VentilatorSettings", "On PSV 10/5 overnight.", "10/5"},
        Negative{"PeepSettings", "PEEP 5/5 overnight.", "5/5"},
        Negative{"HalfTablet", "Take 1/2 tab daily.", "1/2"},
        Negative{"FractionOf", "Given 3/4 of a tab.", "3/4"},
        Negative{"PainScore", "Reports pain 8/10 at rest.", "8/10"},
        Negative{"BellsPalsy", "History of Bell's palsy noted.", "Bell's"},
        Negative{"FoleyCatheter", "Foley catheter in place.", "Foley"},
        Negative{"MarkedImprovement", "Shows marked improvement today.", "marked"},
        Negative{"HopeAsVerb", "We hope to extubate tomorrow.", "hope"},
        Negative{"SecondUnit", "Started 2nd unit of PRBC now.", "2nd"},
        Negative{"BloodGas", "ABG 7.45/34/80 on room air.", "7.45/34/80"},
        Negative{"HeartRateRange", "HR 100-110 overnight.", "100-110"},
        Negative{"FourthVentricle", "Mass near the 4th ventricle seen.", "4th"},
        Negative{"AgeUnder90", "Patient is a 67 yo man.", "67"},
        Negative{"Vitals", "Vitals: BP 118/72 HR 88 RR 16 SpO2 97% on 2L.",
                 "Vitals: BP 118/72 HR 88 RR 16 SpO2 97% on 2L."},
        Negative{"CredentialNotPartOfName", "Meds given by Healey RN overnight.", "RN"},
        Negative{"MrnLabelNotPartOfValue", "MRN: 00482913 confirmed.", "MRN:"},
        Negative{"SsnLabelAfterName", "Patient Zebulon Quackenbush, SSN 987-65-4320.", "SSN"},
        Negative{"VinLabel", "Car VIN 1HGCM82633A004352 registered.", "VIN"},
        Negative{"BrandNameBeforeDose", "meds: started camila 28 day pack and tylenol today.",
                 "camila"},
        Negative{"HealthPlanName", "Patient's insurance is Humana through her employer.",
                 "Humana"},
        Negative{"ParenthesisedDoseRange", "Gave fluids (500 ml) and (250 mg) today.", "500"},
        Negative{"ShortNumberInParentheses", "Platelets (123-456) stable.", "123-456"},
        Negative{"DoseAfterTo", "Increased to levophedrine 5 mcg per minute.", "levophedrine"},
        Negative{"DrugGluedToNumberAfterOn", "Remains on combiventQ4 and albuterol.", "combivent"},
        Negative{"RangeAfterPer", "Insulin titrated per fingersticks 1-2u/hr overnight.",
                 "fingersticks"},
        Negative{"EnglishWordBeforeArea", "Redness in the groin area noted.", "groin"},
        Negative{"StateAloneStays", "Family is from Maryland originally.", "Maryland"},
        // The visitor rule needs the name to open a clause, and no clinical word.
        Negative{"WordBeforeCalledMidClause", "pharmacy sent the bill called in by MD.", "bill"},
        Negative{"ClinicalWordBeforeCalled", "Pt to ED; ED called report to floor.", "ED called"},
        // The same shape in capitals is the emergency department.
        Negative{"CapitalEdInCommasAfterRelative", "Wife, ED, and PCP notified of transfer.",
                 "ED"},
        // "o" before a word that makes no O' surname, and "o'clock", stay.
        Negative{"LoneOAfterTitleBeforeFunctionWord", "Dr. o and team aware of plan.", "o and"},
        Negative{"OClockIsNoSurname", "Meds given at 8 o'clock as ordered.", "o'clock"},
        // A capitalised word after a name but past a comma starts a new clause.
        Negative{"CapitalisedWordAfterCommaInLowerCaseNote",
                 "pt comfortable overnight, no events, vss, afebrile. spoke with wife mary, Hope "
                 "is that he improves.",
                 "Hope"},
        // A hyphen before an initial, but no name after it.
        Negative{"HyphenInitialBeforeWord", "EKG WITH ST-T. WAVE CHANGES NOTED.", "WAVE"},
        Negative{"LowerCaseCampus", "Son lives on campus with a roommate.", "campus"},
        // A compass word and "side" is a region only where case says so.
        Negative{"EastSideInCapitals", "TURNED TO THE EAST SIDE OF THE BED.", "EAST SIDE"},
        Negative{"WestSideInLowerCase", "Dressing on the west side of the wound.", "west side"},
        Negative{"SinusTachInitial", "Rhythm ST with ST T. wave flattening noted.", "ST T"},
        // Fractions with a decimal, counts after a date, ranges without a month.
        Negative{"FractionThenDecimal", "Mg 2/1.85 today, repleted.", "2/1.85"},
        Negative{"CountAfterDayMonthComma", "Fell 3 Jan, 12 hours before admission.", "12 hours"},
        Negative{"RangeBeforeJunctional", "Occasional 1-2 junctional beats.", "1-2"},
        Negative{"PolicyNumberTooShort", "Line changed per policy #1 today.", "#1"},
        Negative{"VentilatorWordBeforeSetting", "Weaned to ps then 12/5 overnight.", "12/5"},
        // A surname before "General" is no hospital; "Memorial" in lower case needs more.
        Negative{"SurnameBeforeCapitalisedGeneral", "Pt is a retired army General with CHF.",
                 "army"},
        Negative{"EnglishWordsAfterWorksAt", "SOCIAL: WORKS AT HOME, LIVES WITH WIFE.", "HOME"},
        Negative{"LowerCaseWordAfterWorksFor",
                 "Social: retired from teaching, works for the state.", "state"},
        Negative{"DcIsDiscontinue", "Will DC foley in am, lives in town.", "DC"},
        // "new" starts many place names ("New York"), but "new onset" is none.
        Negative{"PlacePrefixWordAlone", "Transferred to New Onset seizure unit.", "Onset"},
        Negative{"LowerCaseMdIsNoState", "will call towson md tomorrow about it.", "md"},
        Negative{"ReligionIsNoHospital", "Religion: Seventh day adventist, wishes noted.",
                 "adventist"},
        // A number before "s/p" or "w/" inside a line is a vital sign; "w/" alone is no history.
        Negative{"VitalSignBeforeStatusPostMidLine", "Sats 98 s/p suctioning, HR 96 w/ PVCs.",
                 "98"},
        Negative{"PercentOpeningLine", "Resp:\n98% s/p nebulizer treatment.", "98%"},
        Negative{"NumberOpeningLineBeforeWithPvcs", "HR:\n100 w/ occasional PVCs.", "100"},
        // Ranges after "on": before a unit or noun, or after a verb of treatment.
        Negative{"RangeOfLitersAfterOn", "Returned from CT, now on 4-5 L NC.", "4-5"},
        Negative{"RangeOfPillowsAfterOn", "Rested on 1-2 pillows overnight.", "1-2"},
        Negative{"RangeAfterPlacedOn", "Extubated and placed on 2-4 for comfort.", "2-4"},
        // Small fractions before "at": a rate, a place on the body.
        Negative{"HalfNormalSalineAtRate", "continues on D5 1/2 at 75/hr overnight.", "1/2"},
        Negative{"StrengthAtTheHip", "Strength 3/5 at the hip, 4/5 at the knee.", "3/5"},
        // Veterans Affairs runs hospitals in every state; "with MD" is a doctor.
        Negative{"VaHospitalIsNoPlace", "Transferred from VA Hospital today.", "VA"},
        Negative{"MdBeforeHospitalAfterWith", "Discussed with MD Hospital course so far.", "MD"},
        // A function word between title and "is a" ends the name.
        Negative{"FunctionWordBetweenTitleAndAge", "Mr. Quellavan also is a 91 yo man.", "also"},
        // A three-letter abbreviation after a name and "and" mid-clause.
        Negative{"ThreeLetterAbbreviationMidClause",
                 "social: wife linda and ogt placement confirmed by xray.", "ogt"},
        // A place abbreviation in capitals (a note in capitals), or after a word that is no cue.
        Negative{"PlaceAbbreviationInCapitals", "ARRIVED FROM THE VA IN ANNAP TODAY.", "ANNAP"},
        Negative{"PlaceAbbreviationAfterBy", "Consult by Annap team today.", "Annap"},
        // "home" is a word of some hospitals' names, but "at home" is no hospital.
        Negative{"MeetingAtHome", "family meeting at home with hospice team.", "home"},
        // "MS" (mental status) before a letter without a period.
        Negative{"MentalStatusBeforeAlertAndOriented", "NEURO: MS A&O X3, MAE.", "A&O"},
        // An English word form before ", DAUGHTER" is no name; a period after "np" ends it.
        Negative{"WordFormBeforeCommaDaughter", "SOCIAL: PT TOLERATED EXTUBATION, DAUGHTER HERE.",
                 "EXTUBATION"},
        Negative{"CapitalisedWordAfterNasalProngsPeriod", "Sats 95% on 4l np. Face mask at night.",
                 "Face"},
        // A word split by a typo: "responsive ness" is "responsiveness", not the surname Ness.
        // Ventilator settings in a list, and after a tidal volume.
        Negative{"PressuresInListOfSettings",
                 "PULM: SETTINGS-40%, TV 450'S, RR 12-16, & 5/10. SATS OK.", "5/10"},
        Negative{"PressuresAfterTidalVolume", "ON AC 450TV/40 / 5/10 ,SAT 99 %.", "5/10"},
        // The same shape ending its line is a heading.
        Negative{"HeadingAfterCredentialEndsLine", "CCU 7A-7P RN Note\nNeuro: alert.", "Note"},
        Negative{"SplitWordTailIsNoSurname",
                 "cpap on. improved responsive ness, nods to questions.", "ness"}),
    [](const testing::TestParamInfo<Negative>& info) { return std::string(info.param.name); });

// ---- Span structure and offsets. ----

TEST_F(DetectorTest, SpansAreSortedAndDisjoint) {
  const std::string text =
      "Mr. John Moreau is a 92 yo male admitted on 07/22/2023 from Calvert Hospital. Seen by "
      "Dr. Healey. Wife Mary at (410) 555-0142, fax 410-555-0143. MRN: 00482913. SSN 123-45-6789. "
      "Lives at 42 Harbor View Road, Annapolis, MD 21401. Email jane.doe@example.com, "
      "https://example.org/x, 10.20.30.40. Follow-up on August 3rd.";
  std::vector<Span> spans = Detect(text);
  ASSERT_GE(spans.size(), 10u) << Describe(text, spans);
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_LT(spans[i].start, spans[i].end);
    EXPECT_LT(spans[i].byte_start, spans[i].byte_end);
    EXPECT_LE(spans[i].byte_end, text.size());
    EXPECT_GT(spans[i].confidence, 0.0f);
    EXPECT_LE(spans[i].confidence, 1.0f);
    if (i > 0) {
      EXPECT_LE(spans[i - 1].end, spans[i].start) << Describe(text, spans);
      EXPECT_LE(spans[i - 1].byte_end, spans[i].byte_start);
    }
  }
}

TEST_F(DetectorTest, OffsetsAreCodePointsAndBytes) {
  const std::string text = "Jos\xC3\xA9 Ram\xC3\xADrez visited on 7/22";  // two 2-byte letters
  std::vector<Span> spans = Detect(text);
  const Span* date = nullptr;
  for (const Span& s : spans) {
    if (s.type == PhiType::kDate) date = &s;
  }
  ASSERT_NE(date, nullptr) << Describe(text, spans);
  EXPECT_EQ(SpanText(text, *date), "7/22");
  EXPECT_EQ(date->byte_start, 26u);
  EXPECT_EQ(date->byte_end, 30u);
  EXPECT_EQ(date->start, 24u);
  EXPECT_EQ(date->end, 28u);
  for (const Span& s : spans) EXPECT_LE(s.end, 28u);
}

TEST_F(DetectorTest, AsciiOffsetsEqualByteOffsets) {
  const std::string text = "Seen by Dr. Healey on 7/22.";
  for (const Span& s : Detect(text)) {
    EXPECT_EQ(s.start, s.byte_start);
    EXPECT_EQ(s.end, s.byte_end);
  }
}

TEST_F(DetectorTest, EmptyTextHasNoSpans) { EXPECT_TRUE(Detect("").empty()); }

TEST_F(DetectorTest, InvalidUtf8IsInvalidArgument) {
  auto scratch = detector_->NewScratch();
  ASSERT_TRUE(scratch.ok());
  std::vector<Span> spans = {Span{}};
  EXPECT_EQ(detector_->Detect("Dr. Healey \xFF on 7/22", **scratch, spans).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(spans.empty());
  EXPECT_EQ(detector_->Detect("surrogate \xED\xA0\x80", **scratch, spans).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(DetectorTest, ScratchIsReusableAndSpansAreReplaced) {
  auto scratch = detector_->NewScratch();
  ASSERT_TRUE(scratch.ok());
  std::vector<Span> first, again;
  ASSERT_TRUE(detector_->Detect("Seen by Dr. Healey on 7/22.", **scratch, first).ok());
  ASSERT_TRUE(detector_->Detect("Nothing here.", **scratch, again).ok());
  EXPECT_TRUE(again.empty());
  ASSERT_TRUE(detector_->Detect("Seen by Dr. Healey on 7/22.", **scratch, again).ok());
  EXPECT_EQ(first, again);
}

TEST_F(DetectorTest, ConcurrentDetectWithOwnScratchAgrees) {
  const std::string text = "Mr. John Moreau, 92 yo, seen 7/22 by Dr. Healey; call (410) 555-0142.";
  const std::vector<Span> expected = Detect(text);
  ASSERT_FALSE(expected.empty());
  std::vector<std::vector<Span>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) {
    threads.emplace_back([&] {
      auto scratch = detector_->NewScratch();
      if (!scratch.ok()) return;
      for (int i = 0; i < 20; ++i) (void)detector_->Detect(text, **scratch, r);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

// ---- Options. These build their own Detector. ----

TEST(DetectorOptions, InputLargerThanMaxInputBytesIsInvalidArgument) {
  DetectorOptions opts;
  opts.max_input_bytes = 16;
  auto det = Detector::Create(opts);
  ASSERT_TRUE(det.ok()) << det.status();
  auto scratch = (*det)->NewScratch();
  ASSERT_TRUE(scratch.ok());
  std::vector<Span> spans;
  EXPECT_TRUE((*det)->Detect(std::string(16, 'a'), **scratch, spans).ok());
  EXPECT_EQ((*det)->Detect(std::string(17, 'a'), **scratch, spans).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DetectorOptions, ExtraPatternIsFoundWithItsType) {
  DetectorOptions opts;
  opts.extra_patterns.push_back({"study-id", PhiType::kOther, "STUDY-[0-9]{6}"});
  opts.extra_patterns.push_back({"subject", PhiType::kOther, "Subject ID: (S[0-9]+)"});
  auto det = Detector::Create(opts);
  ASSERT_TRUE(det.ok()) << det.status();
  const std::string text = "Enrolled as STUDY-123456 (Subject ID: S42) today.";
  std::vector<Span> spans = testing_util::DetectOrDie(**det, text);
  bool study = false, subject = false;
  for (const Span& s : spans) {
    study |= SpanText(text, s) == "STUDY-123456" && s.type == PhiType::kOther;
    subject |= SpanText(text, s) == "S42" && s.type == PhiType::kOther;  // capture group only
  }
  EXPECT_TRUE(study) << Describe(text, spans);
  EXPECT_TRUE(subject) << Describe(text, spans);
}

TEST(DetectorOptions, ExtraPatternWithBadRegexIsInvalidArgument) {
  DetectorOptions opts;
  opts.extra_patterns.push_back({"broken", PhiType::kOther, "STUDY-([0-9]{6}"});
  EXPECT_EQ(Detector::Create(opts).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DetectorOptions, ExtraPatternWithTwoCaptureGroupsIsInvalidArgument) {
  DetectorOptions opts;
  opts.extra_patterns.push_back({"two", PhiType::kOther, "(A)(B)"});
  EXPECT_EQ(Detector::Create(opts).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DetectorOptions, MissingLexiconDirIsNotFound) {
  DetectorOptions opts;
  opts.lexicon_dir = "/nonexistent/phiguard/lexicons";
  EXPECT_EQ(Detector::Create(opts).status().code(), absl::StatusCode::kNotFound);
}

// The rules visit tokens in blocks of 256 (Rules::Run); a rule that reads its neighbours must see
// them across a block boundary. The same note after 190 to 260 filler words puts every one of
// its words on both sides of a boundary once, and its spans must not move with it.
TEST_F(DetectorTest, SpansDoNotDependOnWhereTokenBlocksEnd) {
  const std::string note =
      "Plan per Dr. A. Healey. Daughter Linda Hickey came in; lives in Towson, Maryland. "
      "Mrs. Quellavan is a 91 yo, seen 7/22 at Harbor Hospital. Son, Ed, called 410-555-0199. "
      "A Towson Maryland native. cc W. Marotta\nsocial: bob visited.";
  auto relative = [&](size_t filler_words) {
    std::string text;
    for (size_t i = 0; i < filler_words; ++i) text += "Noted ";
    text += note;
    std::string out;
    for (const Span& s : Detect(text)) {
      if (s.byte_start < filler_words * 6) continue;
      out += std::to_string(s.byte_start - filler_words * 6) + ":" +
             std::string(SpanText(text, s)) + ":" + std::string(PhiTypeName(s.type)) + " ";
    }
    return out;
  };
  const std::string expected = relative(200);
  for (const char* phi : {"Healey", "Linda Hickey", "Quellavan", "7/22", "410-555-0199", "W. Marotta", "bob"}) {
    EXPECT_NE(expected.find(phi), std::string::npos) << phi << " not found: " << expected;
  }
  for (size_t filler = 190; filler <= 260; ++filler) {
    EXPECT_EQ(relative(filler), expected) << "after " << filler << " filler words";
  }
}

TEST(DetectorOptions, MinConfidenceDropsWeakSpans) {
  DetectorOptions opts;
  opts.min_confidence = 0.9f;
  auto det = Detector::Create(opts);
  ASSERT_TRUE(det.ok()) << det.status();
  const std::string text = "SSN 123-45-6789; seen 7/22.";  // SSN 0.95, bare slash date 0.8
  std::vector<Span> spans = testing_util::DetectOrDie(**det, text);
  for (const Span& s : spans) EXPECT_GE(s.confidence, 0.9f) << Describe(text, spans);
  ASSERT_EQ(spans.size(), 1u) << Describe(text, spans);
  EXPECT_EQ(spans[0].type, PhiType::kSsn);
}

TEST(PhiType, NamesAndLettersRoundTrip) {
  for (int i = 1; i <= kNumPhiTypes; ++i) {
    auto t = static_cast<PhiType>(i);
    EXPECT_EQ(ParsePhiType(PhiTypeName(t)), t);
    char letter = SafeHarborLetter(t);
    EXPECT_GE(letter, 'A');
    EXPECT_LE(letter, 'R');
  }
  EXPECT_EQ(ParsePhiType("name"), PhiType::kName);
  EXPECT_EQ(ParsePhiType("nope"), std::nullopt);
}

}  // namespace
}  // namespace phiguard::phi
